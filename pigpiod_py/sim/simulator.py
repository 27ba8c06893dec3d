"""The in-process simulator: a daemon, its socket interface and its controls."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from .board import Board
from .config import SimConfig, parse_int
from .control import Controls, ControlServer
from .daemon import Daemon
from .interfaces.pipe import CommandPipe
from .interfaces.server import CommandServer, resolve_allowed

DEFAULT_HOST = "127.0.0.1"


class Simulator:
    """A pigpiod-compatible daemon running in background threads.

    ``port`` 0 picks a free port; ``control_port`` (None: no control port, 0: a
    free one) opens the JSON-lines control interface, on ``control_host``
    (loopback by default, whatever ``host`` is: it can reset the daemon and
    attach devices).  The allow list and ``localhost_only`` of the
    configuration apply to both ports.  ``revision``,
    ``sample_rate`` and ``fifo_dir`` override the configuration's.  Use as a
    context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(
        self,
        host: str = DEFAULT_HOST,
        port: int = 0,
        revision: int | str | None = None,
        config: SimConfig | Mapping[str, Any] | None = None,
        control_port: int | None = None,
        sample_rate: int | None = None,
        fifo_dir: str | None = None,
        control_host: str = DEFAULT_HOST,
    ) -> None:
        if not isinstance(config, SimConfig):
            config = SimConfig.from_mapping(config or {})
        if revision is not None:
            config = dataclasses.replace(config, revision=parse_int(revision))
        if sample_rate is not None:
            config = dataclasses.replace(config, sample_rate=sample_rate)
        if fifo_dir is not None:
            config = dataclasses.replace(config, fifo_dir=fifo_dir)
        self.config = config
        self.host = host
        self.daemon = Daemon(config)
        #: The control operations, in-process (they take the daemon lock).
        self.controls = Controls(self.daemon)
        self._ports = (port, control_port)
        #: Where the control port listens (loopback unless told otherwise).
        self.control_host = control_host
        self._server: CommandServer | None = None
        self._control: ControlServer | None = None
        self._pipe: CommandPipe | None = None

    @property
    def board(self) -> Board:
        """The simulated pins (hold ``daemon.lock`` while changing them)."""
        return self.daemon.board

    @property
    def port(self) -> int:
        """The command port (after :meth:`start`)."""
        if self._server is None:
            raise RuntimeError("the simulator is not started")
        return self._server.port

    @property
    def control_port(self) -> int | None:
        """The control port, or None when there is none."""
        return None if self._control is None else self._control.port

    @property
    def control_address(self) -> tuple[str, int] | None:
        """Where the control port listens (host, port), or None when there is none."""
        return None if self._control is None else (self._control.host, self._control.port)

    def start(self) -> Simulator:
        """Listen (returns once connections are accepted)."""
        port, control_port = self._ports
        allowed = resolve_allowed(self.config.allow)
        self.daemon.start()
        if self.config.localhost_only:
            self.host = "::1" if ":" in self.host else "127.0.0.1"
        self._server = CommandServer(self.daemon, self.host, port, allowed)
        self._server.start()
        self.host = self._server.host
        if control_port is not None:
            control_host = "127.0.0.1" if self.config.localhost_only else self.control_host
            self._control = ControlServer(self.controls, control_host, control_port, allowed)
            self._control.start()
        if self.config.pipe_dir is not None:
            self._pipe = CommandPipe(self.config.pipe_dir, self.daemon.execute)
            self._pipe.start()
        return self

    def stop(self) -> None:
        """Close the ports, the command pipe and every connection."""
        for listener in (self._control, self._server, self._pipe):
            if listener is not None:
                listener.stop()
        self._control = None
        self._server = None
        self._pipe = None
        self.daemon.stop()

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

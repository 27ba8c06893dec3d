"""Test controls of the simulator: drive inputs, inspect pins, wires, reset.

:class:`Controls` applies them in-process (``Simulator.controls``).  The
control port speaks JSON lines: a request ``{"op": "pin", "args": [17]}`` gets
``{"result": ...}`` or ``{"error": "..."}``; :class:`SimControl` is its client
and raises ValueError for an error reply.
"""
from __future__ import annotations

import functools
import json
import socket
from typing import Any, Callable, TypeVar

from .._pigpiod import lib
from .clock import now_us
from .config import check_gpio, check_level, parse_int
from .daemon import Daemon
from .server import Listener
from .timeline import level_at

OPERATIONS = frozenset(
    {"drive", "pin", "set_revision", "wire", "unwire", "reset", "permission_mask"})

_Method = TypeVar("_Method", bound=Callable[..., Any])


def _locked(method: _Method) -> _Method:
    @functools.wraps(method)
    def run(self: Controls, *args: Any) -> Any:
        with self.daemon.lock:
            return method(self, *args)
    return run  # type: ignore[return-value]


class Controls:
    """The control operations on one daemon (each takes the daemon lock)."""

    def __init__(self, daemon: Daemon) -> None:
        self.daemon = daemon

    @_locked
    def drive(self, gpio: int, level: int | None) -> None:
        """Drive an input from outside with 0/1; None stops driving it."""
        gpio = check_gpio(gpio)
        self.daemon.board.drive(gpio, None if level is None else check_level(level), now_us())

    @_locked
    def pin(self, gpio: int) -> dict[str, Any]:
        """Everything about one gpio (PWM fields are None where they do not apply)."""
        gpio = check_gpio(gpio)
        daemon, board, t = self.daemon, self.daemon.board, now_us()
        user = gpio <= lib.PI_MAX_USER_GPIO

        def answer(getter: Callable[[int, int, bytes], int]) -> int | None:
            result = getter(gpio, 0, b"") if user else -1
            return result if result >= 0 else None

        notifier = daemon.notifier
        return {
            "mode": board.mode[gpio],
            "level": board.read(gpio, t),
            "latch": level_at(board.latch[gpio], t),
            "pull": board.pull[gpio],
            "driven": board.driven[gpio],
            "function": board.use[gpio].name.lower(),
            "dutycycle": answer(daemon.pwm.get_dutycycle),
            "range": answer(daemon.pwm.get_range),
            "frequency": answer(daemon.pwm.get_frequency),
            "pulsewidth": answer(daemon.pwm.get_pulsewidth),
            "watchdog": notifier.watchdog[gpio][0] if user else None,
            "glitch": notifier.glitch[gpio] if user else None,
            "noise": list(notifier.noise[gpio]) if user else None,
        }

    @_locked
    def set_revision(self, code: int) -> None:
        """Report another hardware revision (default permissions follow it)."""
        self.daemon.board.set_revision(parse_int(code))

    @_locked
    def wire(self, a: int, b: int) -> None:
        """Connect two pins."""
        self.daemon.board.wire(check_gpio(a), check_gpio(b), now_us())

    @_locked
    def unwire(self, a: int, b: int) -> None:
        """Remove the wire between two pins."""
        self.daemon.board.unwire(check_gpio(a), check_gpio(b), now_us())

    @_locked
    def reset(self) -> None:
        """Back to a freshly started daemon with the configured wires and inputs."""
        self.daemon.reset()

    @_locked
    def permission_mask(self) -> int:
        """The write-permission mask in force (bit n = gpio n)."""
        return self.daemon.board.mask


class ControlServer(Listener):
    """The JSON-lines control port."""

    def __init__(self, controls: Controls, host: str, port: int) -> None:
        super().__init__(host, port)
        self.controls = controls

    def serve(self, client: socket.socket) -> None:
        with client.makefile("rb") as lines:
            for line in lines:
                client.sendall(self.answer(line))

    def answer(self, line: bytes) -> bytes:
        try:
            request = json.loads(line)
            operation = request["op"]
            if operation not in OPERATIONS:
                raise ValueError(f"unknown operation {operation!r}")
            reply = {"result": getattr(self.controls, operation)(*request.get("args", []))}
        except (ValueError, TypeError, KeyError) as exc:
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        return (json.dumps(reply) + "\n").encode()


class SimControl:
    """Client of a simulator's control port (same operations as :class:`Controls`)."""

    def __init__(self, host: str, port: int, timeout: float = 30.0) -> None:
        self._sock = socket.create_connection((host, port), timeout=timeout)
        self._lines = self._sock.makefile("rb")

    def _call(self, operation: str, *args: Any) -> Any:
        self._sock.sendall((json.dumps({"op": operation, "args": list(args)}) + "\n").encode())
        line = self._lines.readline()
        if not line:
            raise ConnectionError("the simulator closed its control connection")
        reply = json.loads(line)
        if "error" in reply:
            raise ValueError(reply["error"])
        return reply["result"]

    def drive(self, gpio: int, level: int | None) -> None:
        self._call("drive", gpio, level)

    def pin(self, gpio: int) -> dict[str, Any]:
        return self._call("pin", gpio)

    def set_revision(self, code: int) -> None:
        self._call("set_revision", code)

    def wire(self, a: int, b: int) -> None:
        self._call("wire", a, b)

    def unwire(self, a: int, b: int) -> None:
        self._call("unwire", a, b)

    def reset(self) -> None:
        self._call("reset")

    def permission_mask(self) -> int:
        return self._call("permission_mask")

    def close(self) -> None:
        self._lines.close()
        self._sock.close()

    def __enter__(self) -> SimControl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

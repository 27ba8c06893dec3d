"""Test controls of the simulator: drive inputs, edge streams, inspect pins, wires, tick, reset.

:class:`Controls` applies them in-process (``Simulator.controls``).  The
control port speaks JSON lines: a request ``{"op": "pin", "args": [17]}`` gets
``{"result": ...}`` or ``{"error": "..."}``; :class:`SimControl` is its client
and raises ValueError for an error reply.
"""
from __future__ import annotations

import functools
import json
import socket
from typing import Any, Callable, Collection, TypeVar, cast

from .bus_controls import BUS_OPERATIONS, BusControlClient, BusControls
from .clock import now_us
from .config import check_gpio, check_level, parse_int
from .daemon import Daemon
from .interfaces.server import Listener
from .timeline import MICROS, Toggles, level_at
from .. import _numbers as lib

OPERATIONS = frozenset(
    {"drive", "edges", "pin", "set_revision", "wire", "unwire", "reset", "permission_mask",
     "set_tick", "fifo_dir"}) | BUS_OPERATIONS
TICK_LIMIT = 1 << 32
#: The longest request line the control port reads.
MAX_LINE = 1 << 20

_Method = TypeVar("_Method", bound=Callable[..., Any])


def _locked(method: _Method) -> _Method:
    @functools.wraps(method)
    def run(self: Controls, *args: Any) -> Any:
        with self.daemon.lock:
            return method(self, *args)
    return run  # type: ignore[return-value]


class Controls(BusControls):
    """The control operations on one daemon (each takes the daemon lock)."""

    def __init__(self, daemon: Daemon) -> None:
        self.daemon = daemon

    @_locked
    def drive(self, gpio: int, level: int | None) -> None:
        """Drive an input from outside with 0/1; None stops driving it."""
        gpio = check_gpio(gpio)
        self.daemon.board.drive(gpio, None if level is None else check_level(level), now_us())

    @_locked
    def edges(self, gpio: int, count: int, rate_hz: int, start_level: int | None = None) -> int:
        """Make an input produce ``count`` level changes, ``rate_hz`` a second, from now on.

        The pin is driven from outside: to ``start_level`` at once (default: the
        level it has; a different one is a change of its own, not counted), then
        through ``count`` alternating changes, the first ``1 / rate_hz`` s from
        now, change k at ``k * 1e6 // rate_hz`` µs after the first.  It stays at
        the last level.  Returns the tick of the first change.
        """
        gpio = check_gpio(gpio)
        count, rate = parse_int(count), parse_int(rate_hz)
        if count < 1 or not 0 < rate <= MICROS:
            raise ValueError(f"need count >= 1 and 1 <= rate_hz <= {MICROS}")
        board, t = self.daemon.board, now_us()
        if board.output_wins(gpio):
            raise ValueError(f"gpio {gpio} is an output or wired to one")
        before = board.read(gpio, t) if start_level is None else check_level(start_level)
        toggles = Toggles(t + MICROS // rate, rate, count, before)
        board.drive(gpio, toggles, t)
        return self.daemon.ticks.tick(toggles.time(0))

    @_locked
    def set_tick(self, value: int) -> None:
        """Make the daemon's tick read ``value`` now (0 to 2**32 - 1); it runs on from there."""
        value = parse_int(value)
        if not 0 <= value < TICK_LIMIT:
            raise ValueError(f"a tick is 0 to {TICK_LIMIT - 1}, not {value}")
        self.daemon.ticks.set(value, now_us())

    def fifo_dir(self) -> str:
        """The directory where NO makes the FIFOs pigpio<handle>."""
        return self.daemon.fifos.path

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
        driven = board.driven[gpio]
        return {
            "mode": board.mode[gpio],
            "level": board.read(gpio, t),
            "latch": level_at(board.latch[gpio], t),
            "pull": board.pull[gpio],
            "driven": None if driven is None else level_at(driven, t),
            "function": board.use[gpio].name.lower(),
            "dutycycle": answer(daemon.pwm.get_dutycycle),
            "range": answer(daemon.pwm.get_range),
            "frequency": answer(daemon.pwm.get_frequency),
            "pulsewidth": answer(daemon.pwm.get_pulsewidth),
            "watchdog": notifier.watchdogs.get(gpio, (0, 0))[0] if user else None,
            "glitch": notifier.glitch[gpio].steady if user else None,
            "noise": [notifier.noise[gpio].steady, notifier.noise[gpio].active] if user else None,
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

    def reset(self) -> None:
        """Back to a freshly started daemon with the configured wires and inputs.

        First every connection runs what its client has sent so far.
        """
        self.daemon.settle()
        with self.daemon.lock:
            self.daemon.reset()

    @_locked
    def permission_mask(self) -> int:
        """The write-permission mask in force (bit n = gpio n)."""
        return self.daemon.board.mask


class ControlServer(Listener):
    """The JSON-lines control port."""

    def __init__(self, controls: Controls, host: str, port: int,
                 allow: Collection[str] = ()) -> None:
        super().__init__(host, port, allow)
        self.controls = controls

    def serve(self, client: socket.socket) -> None:
        """Answer one client's requests, a JSON line each, until it hangs up.

        A line longer than :data:`MAX_LINE` bytes gets an error reply and is
        skipped up to its end.
        """
        with client.makefile("rb") as lines:
            while line := lines.readline(MAX_LINE + 1):
                if len(line) > MAX_LINE and not line.endswith(b"\n"):
                    client.sendall(_reply({"error": f"a request line is at most {MAX_LINE} bytes"}))
                    while (rest := lines.readline(MAX_LINE)) and not rest.endswith(b"\n"):
                        pass
                    continue
                client.sendall(self.answer(line))

    def answer(self, line: bytes) -> bytes:
        """The JSON reply line (``result`` or ``error``) to one request line.

        Whatever goes wrong with a request (bad JSON, too deeply nested, an
        unknown operation, bad arguments) is an ``error`` reply.
        """
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise TypeError("a request is a JSON object")
            operation, args = request["op"], request.get("args", [])
            if operation not in OPERATIONS:
                raise ValueError(f"unknown operation {operation!r}")
            if not isinstance(args, list):
                raise TypeError("args is a JSON array")
            return _reply({"result": getattr(self.controls, operation)(*args)})
        except Exception as exc:  # noqa: BLE001 - every failure is the client's answer
            return _reply({"error": f"{type(exc).__name__}: {exc}"})


def _reply(reply: dict[str, Any]) -> bytes:
    return (json.dumps(reply) + "\n").encode()


class SimControl(BusControlClient):
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
        """Drive an input from outside with 0/1; None stops driving it."""
        self._call("drive", gpio, level)

    def edges(self, gpio: int, count: int, rate_hz: int, start_level: int | None = None) -> int:
        """Make an input produce ``count`` level changes, ``rate_hz`` a second, from now on."""
        return cast(int, self._call("edges", gpio, count, rate_hz, start_level))

    def set_tick(self, value: int) -> None:
        """Make the daemon's tick read ``value`` now (0 to 2**32 - 1); it runs on from there."""
        self._call("set_tick", value)

    def fifo_dir(self) -> str:
        """The directory where NO makes the FIFOs pigpio<handle>."""
        return cast(str, self._call("fifo_dir"))

    def pin(self, gpio: int) -> dict[str, Any]:
        """Everything about one gpio (PWM fields are None where they do not apply)."""
        return cast("dict[str, Any]", self._call("pin", gpio))

    def set_revision(self, code: int) -> None:
        """Report another hardware revision (default permissions follow it)."""
        self._call("set_revision", code)

    def wire(self, a: int, b: int) -> None:
        """Connect two pins."""
        self._call("wire", a, b)

    def unwire(self, a: int, b: int) -> None:
        """Remove the wire between two pins."""
        self._call("unwire", a, b)

    def reset(self) -> None:
        """Back to a freshly started daemon with the configured wires and inputs."""
        self._call("reset")

    def permission_mask(self) -> int:
        """The write-permission mask in force (bit n = gpio n)."""
        return cast(int, self._call("permission_mask"))

    def close(self) -> None:
        """Close the connection to the control server."""
        self._lines.close()
        self._sock.close()

    def __enter__(self) -> SimControl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

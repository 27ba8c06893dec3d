"""Pipelined commands: many requests in one socket write.

pigpiod answers each connection's requests strictly in order, so a client may
send many before reading any answer. A :class:`Batch` queues commands, sends
them together on the session's batch connection and reads the answers in
order: one write and a few reads instead of a round trip per command.
"""
from __future__ import annotations

import socket
import struct
from typing import TYPE_CHECKING, List, Optional, Tuple

from ._pigpiod import lib as _lib
from .constants import Command
from .errors import (
    PigpioConnectionError,
    PigpioError,
    PigpioTimeoutError,
    PigpioTypeError,
    PigpioValueError,
    make_error,
)

if TYPE_CHECKING:
    from .session import Session

_HEADER = struct.Struct("<4I")
_EXTENSION_WORD = struct.Struct("<I")
#: Requests in flight at most, so neither side's socket buffer can fill up.
_WINDOW = 4096
#: Commands whose result is an unsigned 32-bit value, never an error.
_UNSIGNED = frozenset((Command.BR1, Command.BR2, Command.TICK))

_Request = Tuple[int, bytes]  # command number, encoded request


class Batch:
    """Commands queued now, sent together by :meth:`flush` (or on leaving
    the ``with`` block).

    ``results`` holds one value per command in order (``None`` for commands
    that return nothing). The first failing command raises its typed error
    with ``index`` set to its position; the results before it stay in
    ``results``.
    """

    def __init__(self, session: "Session") -> None:
        self._session = session
        self._requests: List[_Request] = []
        self.results: List[Optional[int]] = []

    def __enter__(self) -> "Batch":
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.flush()

    def __len__(self) -> int:
        return len(self._requests)

    # -- queueing ------------------------------------------------------------

    def _queue(self, command: int, p1: int = 0, p2: int = 0, extension: Tuple[int, ...] = ()) -> "Batch":
        try:
            ext = b"".join(_EXTENSION_WORD.pack(word) for word in extension)
            request = _HEADER.pack(command, p1, p2, len(ext)) + ext
        except struct.error as exc:
            raise _bad_argument(command, (p1, p2, *extension), len(self._requests), exc) from None
        self._requests.append((command, request))
        return self

    def write(self, gpio: int, level: int) -> "Batch":
        """Queue a write of ``level`` to ``gpio``."""
        return self._queue(Command.WRITE, gpio, level)

    def read(self, gpio: int) -> "Batch":
        """Queue a read of ``gpio``; its result is the level."""
        return self._queue(Command.READ, gpio)

    def set_mode(self, gpio: int, mode: int) -> "Batch":
        """Queue a mode change."""
        return self._queue(Command.MODES, gpio, mode)

    def get_mode(self, gpio: int) -> "Batch":
        """Queue a mode read; its result is the mode."""
        return self._queue(Command.MODEG, gpio)

    def set_pull(self, gpio: int, pull: int) -> "Batch":
        """Queue a pull resistor change."""
        return self._queue(Command.PUD, gpio, pull)

    def set_bank_1(self, bits: int) -> "Batch":
        """Queue setting the gpios 0-31 whose bits are 1."""
        return self._queue(Command.BS1, bits)

    def clear_bank_1(self, bits: int) -> "Batch":
        """Queue clearing the gpios 0-31 whose bits are 1."""
        return self._queue(Command.BC1, bits)

    def set_bank_2(self, bits: int) -> "Batch":
        """Queue setting the gpios 32-53 whose bits are 1."""
        return self._queue(Command.BS2, bits)

    def clear_bank_2(self, bits: int) -> "Batch":
        """Queue clearing the gpios 32-53 whose bits are 1."""
        return self._queue(Command.BC2, bits)

    def read_bank_1(self) -> "Batch":
        """Queue a read of gpio 0-31; its result is the level mask."""
        return self._queue(Command.BR1)

    def read_bank_2(self) -> "Batch":
        """Queue a read of gpio 32-53; its result is the level mask."""
        return self._queue(Command.BR2)

    def set_pwm_dutycycle(self, gpio: int, dutycycle: int) -> "Batch":
        """Queue a software PWM dutycycle."""
        return self._queue(Command.PWM, gpio, dutycycle)

    def set_servo_pulsewidth(self, gpio: int, pulsewidth: int) -> "Batch":
        """Queue a servo pulse width."""
        return self._queue(Command.SERVO, gpio, pulsewidth)

    def trigger(self, gpio: int, pulse_len: int, level: int = 1) -> "Batch":
        """Queue a trigger pulse."""
        return self._queue(Command.TRIG, gpio, pulse_len, (level,))

    def tick(self) -> "Batch":
        """Queue a tick read; its result is the tick."""
        return self._queue(Command.TICK)

    # -- sending -------------------------------------------------------------

    def flush(self) -> List[Optional[int]]:
        """Send the queued commands, read every answer, and return the
        results of this flush (also appended to ``results``)."""
        requests, self._requests = self._requests, []
        if not requests:
            return []
        with self._session._batch_lock:  # one exchange at a time on the connection
            sock = self._session._batch_connection()
            try:
                answers = _exchange(sock, requests)
            except socket.timeout:
                self._session._drop_batch_connection()
                raise PigpioTimeoutError(
                    _lib.PGD_ERR_TIMEOUT, "pigpiod did not answer the batch in time"
                ) from None
            except OSError as exc:
                self._session._drop_batch_connection()
                raise PigpioConnectionError(_lib.pigif_bad_recv,
                                            "batch connection lost: %s" % exc) from exc
        base = len(self.results)
        results: List[Optional[int]] = []
        error: Optional[PigpioError] = None
        for position, ((command, _), res) in enumerate(zip(requests, answers)):
            if command in _UNSIGNED:
                results.append(res & 0xFFFFFFFF)
            elif res < 0:
                results.append(None)
                if error is None:
                    error = make_error(res)
                    error.index = base + position
            else:
                results.append(res if _returns_value(command) else None)
        self.results.extend(results)
        if error is not None:
            error.args = ("batch command %s: %s" % (error.index, error.args[0]),)
            raise error
        return results


def _returns_value(command: int) -> bool:
    return command in (Command.READ, Command.MODEG)


def _exchange(sock: socket.socket, requests: List[_Request]) -> List[int]:
    """Send every request and read every 16-byte answer, keeping at most
    ``_WINDOW`` requests unanswered; returns the signed results."""
    total = len(requests)
    answers = bytearray(16 * total)
    view = memoryview(answers)
    sent = received_bytes = 0
    while received_bytes < len(answers):
        if sent < total and sent - received_bytes // 16 < _WINDOW:
            end = min(total, received_bytes // 16 + _WINDOW)
            sock.sendall(b"".join(request for _, request in requests[sent:end]))
            sent = end
        count = sock.recv_into(view[received_bytes:])
        if not count:
            raise ConnectionResetError("pigpiod closed the batch connection")
        received_bytes += count
    return list(memoryview(answers).cast("i")[3::4])


def _bad_argument(command: int, values: Tuple[int, ...], index: int, cause: Exception) -> PigpioError:
    name = Command(command).name
    for value in values:
        if not isinstance(value, int):
            err: PigpioError = PigpioTypeError(
                _lib.PI_BAD_PARAM, "%s: arguments must be ints, not %s" % (name, type(value).__name__)
            )
            break
    else:
        err = PigpioValueError(_lib.PI_BAD_PARAM, "%s: argument out of range 0..2**32-1: %s" % (name, cause))
    err.index = index
    return err

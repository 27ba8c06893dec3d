"""Pipelined commands: many requests in one socket write.

pigpiod answers each connection's requests strictly in order, so a client may
send many before reading any answer. A :class:`Batch` queues commands, sends
them together on the session's batch connection and reads the answers in
order: one write and a few reads instead of a round trip per command.

Every command of a flush is sent before any answer is read, so the daemon
runs all of them, also those after one that fails. ``results`` therefore has
one entry per command: its value (``None`` for commands that return nothing)
or, for a command the daemon refused, its typed error; the first of those
errors is raised, with ``index`` set to its position in ``results``.

A batch that gets no answer in time, or whose connection breaks, fails like a
single command: the session's connection is closed (or reconnects), and which
of its commands ran is unknown.
"""
from __future__ import annotations

import socket
import struct
from typing import TYPE_CHECKING, List, Optional, Tuple, Union

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
    from .connection import Connection

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

    ``results`` holds one entry per command of every flush, in order: the
    value, ``None`` for commands that return nothing, or the typed error of
    a command the daemon refused (the later commands ran all the same: they
    were already sent). A flush with a refused command raises the first such
    error, its ``index`` being its position in ``results``.
    """

    def __init__(self, connection: "Connection") -> None:
        self._connection = connection
        self._requests: List[_Request] = []
        self.results: List[Union[int, None, PigpioError]] = []

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

    def flush(self) -> List[Union[int, None, PigpioError]]:
        """Send the queued commands, read every answer, and return the
        results of this flush (also appended to ``results``)."""
        requests, self._requests = self._requests, []
        if not requests:
            return []
        connection = self._connection
        with connection.batch_lock:  # one exchange at a time on the connection
            token = connection.token
            sock = connection.batch_socket()
            try:
                answers = _exchange(sock, requests)
            except socket.timeout:
                connection.lost(token)
                raise PigpioTimeoutError(
                    _lib.PGD_ERR_TIMEOUT, "%r did not answer the batch within %ss; the "
                    "connection is closed" % (connection, connection.timeout)) from None
            except OSError as exc:
                connection.lost(token)
                raise PigpioConnectionError(_lib.pigif_bad_recv, "the batch connection to %r "
                                            "is lost: %s" % (connection, exc)) from exc
        base = len(self.results)
        results: List[Union[int, None, PigpioError]] = []
        first_error: Optional[PigpioError] = None
        for position, ((command, _), res) in enumerate(zip(requests, answers)):
            if command in _UNSIGNED:
                results.append(res & 0xFFFFFFFF)
            elif res < 0:
                error = make_error(res)
                error.index = base + position
                error.args = ("batch command %d (%s): %s"
                              % (error.index, Command(command).name, error.args[0]),)
                results.append(error)
                first_error = first_error or error
            else:
                results.append(res if _returns_value(command) else None)
        self.results.extend(results)
        if first_error is not None:
            raise first_error
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
            sock.sendall(b"".join(request for _, request in requests[sent:end]), socket.MSG_NOSIGNAL)
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

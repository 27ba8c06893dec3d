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

Commands are encoded as they are queued, into one buffer that is sent as it
is. For the common high-rate cases the bulk builders (``write_levels``,
``write_bank_1``, ``write_bank_2``) encode many commands in one call, with
the same results and errors as queueing them one by one; a bad argument is
refused when queued, its ``index`` being the position it would have had.

A batch that gets no answer in time, or whose connection breaks, fails like a
single command: the session's connection is closed (or reconnects), and which
of its commands ran is unknown.
"""
from __future__ import annotations

import socket
import struct
import sys
from array import array
from bisect import bisect_left
from itertools import accumulate
from typing import TYPE_CHECKING, Callable, Dict, Iterable, List, Optional, Tuple, Union

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
from .protocol import HEADER, HEADER_SIZE

if TYPE_CHECKING:
    from .connection import Connection

_pack_header = HEADER.pack
_pack_word = struct.Struct("<I").pack
_REQUEST = HEADER_SIZE  # bytes of a request without extension, and of every answer
#: Requests in flight at most, so neither side's socket buffer can fill up;
#: more are sent once half of them are answered.
_WINDOW = 4096
_BIG_ENDIAN = sys.byteorder == "big"
_WRITE, _BS1, _BC1, _BS2, _BC2 = (int(Command.WRITE), int(Command.BS1), int(Command.BC1),
                                   int(Command.BS2), int(Command.BC2))
#: What a command's result is, by command number: nothing (0), a value (1),
#: or an unsigned 32-bit value that is never an error (2).
_NO_VALUE, _VALUE, _UNSIGNED = 0, 1, 2
_KINDS = bytearray(256)
for _command in (Command.READ, Command.MODEG):
    _KINDS[_command] = _VALUE
for _command in (Command.BR1, Command.BR2, Command.TICK):
    _KINDS[_command] = _UNSIGNED
_KIND_OF = bytes(_KINDS)

Result = Union[int, None, PigpioError]


class Batch:
    """Commands queued now, sent together by :meth:`flush` (or on leaving
    the ``with`` block).

    ``results`` holds one entry per command of every flush, in order: the
    value, ``None`` for commands that return nothing, or the typed error of
    a command the daemon refused (the later commands ran all the same: they
    were already sent). A flush with a refused command raises the first such
    error, its ``index`` being its position in ``results``.

    The bulk builders (:meth:`write_levels`, :meth:`write_bank_1`,
    :meth:`write_bank_2`) queue many commands in one call, each with its
    own entry in ``results``, at a fraction of the per-command cost.
    """

    def __init__(self, connection: "Connection") -> None:
        self._connection = connection
        self._stream = bytearray()          # the encoded requests
        self._commands = bytearray()        # their command numbers, one byte each
        self._extended: List[Tuple[int, int]] = []  # (position, extension bytes)
        self.results: List[Result] = []

    def __enter__(self) -> "Batch":
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.flush()

    def __len__(self) -> int:
        return len(self._commands)

    # -- queueing ------------------------------------------------------------

    def _queue(self, command: int, p1: int = 0, p2: int = 0) -> "Batch":
        try:
            self._stream += _pack_header(command, p1, p2, 0)
        except struct.error as exc:
            raise _bad_argument(command, (p1, p2), len(self._commands), exc) from None
        self._commands.append(command)
        return self

    def write(self, gpio: int, level: int) -> "Batch":
        """Queue a write of ``level`` to ``gpio``."""
        return self._queue(_WRITE, gpio, level)

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
        return self._queue(_BS1, bits)

    def clear_bank_1(self, bits: int) -> "Batch":
        """Queue clearing the gpios 0-31 whose bits are 1."""
        return self._queue(_BC1, bits)

    def set_bank_2(self, bits: int) -> "Batch":
        """Queue setting the gpios 32-53 whose bits are 1."""
        return self._queue(_BS2, bits)

    def clear_bank_2(self, bits: int) -> "Batch":
        """Queue clearing the gpios 32-53 whose bits are 1."""
        return self._queue(_BC2, bits)

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
        try:
            request = _pack_header(Command.TRIG, gpio, pulse_len, 4) + _pack_word(level)
        except struct.error as exc:
            raise _bad_argument(Command.TRIG, (gpio, pulse_len, level), len(self._commands),
                                exc) from None
        self._extended.append((len(self._commands), 4))
        self._stream += request
        self._commands.append(Command.TRIG)
        return self

    def tick(self) -> "Batch":
        """Queue a tick read; its result is the tick."""
        return self._queue(Command.TICK)

    # -- bulk builders ---------------------------------------------------------

    def write_levels(self, gpio: int, levels: Iterable[int]) -> "Batch":
        """Queue one write to ``gpio`` per level of ``levels`` (0/1 values,
        e.g. ``[1, 0] * 1000`` or ``bytes``), in order: the commands of that
        many :meth:`write` calls, encoded in bulk."""
        first = len(self._commands)
        template = _words([_WRITE, gpio, 0, 0], _WRITE, first, 0)
        return self._queue_bulk(template, {2: _words(levels, _WRITE, first, 1)})

    def write_bank_1(self, values: Iterable[int], mask: int) -> "Batch":
        """Queue, per value of ``values``, the gpios 0-31 of ``mask`` set to
        that value's bits: a :meth:`set_bank_1` of ``value & mask``, then a
        :meth:`clear_bank_1` of ``~value & mask`` (two commands, two results
        per value)."""
        return self._queue_pattern(_BS1, _BC1, values, mask)

    def write_bank_2(self, values: Iterable[int], mask: int) -> "Batch":
        """:meth:`write_bank_1` for gpio 32-53 (bit 0 = gpio 32)."""
        return self._queue_pattern(_BS2, _BC2, values, mask)

    def _queue_pattern(self, set_command: int, clear_command: int, values: Iterable[int],
                       mask: int) -> "Batch":
        first = len(self._commands)
        (mask,) = _words([mask], set_command, first, 0)
        checked = _words(values, set_command, first, 2)
        template = array("I", (set_command, 0, 0, 0, clear_command, 0, 0, 0))
        return self._queue_bulk(template, {1: array("I", [value & mask for value in checked]),
                                           5: array("I", [~value & mask for value in checked])})

    def _queue_bulk(self, template: "array[int]", columns: Dict[int, "array[int]"]) -> "Batch":
        """Queue copies of ``template`` (the words of requests without
        extension), one per value of the ``columns``: word ``i`` of copy
        ``k`` is ``columns[i][k]``."""
        count = len(next(iter(columns.values())))
        words = template * count
        for column, values in columns.items():
            words[column::len(template)] = values
        if _BIG_ENDIAN:
            words.byteswap()
        self._stream += words
        self._commands += bytes(template[::4].tolist()) * count
        return self

    # -- sending -------------------------------------------------------------

    def flush(self) -> List[Result]:
        """Send the queued commands, read every answer, and return the
        results of this flush (also appended to ``results``)."""
        stream, commands, extended = self._stream, self._commands, self._extended
        self._stream, self._commands, self._extended = bytearray(), bytearray(), []
        if not commands:
            return []
        connection = self._connection
        with connection.batch_lock:  # one exchange at a time on the connection
            token = connection.token
            sock = connection.batch_socket()
            try:
                answers = _exchange(sock, stream, len(commands), _request_ends(extended))
            except socket.timeout:
                connection.lost(token)
                raise PigpioTimeoutError(
                    _lib.PGD_ERR_TIMEOUT, "%r did not answer the batch within %ss; the "
                    "connection is closed" % (connection, connection.timeout)) from None
            except OSError as exc:
                connection.lost(token)
                raise PigpioConnectionError(_lib.pigif_bad_recv, "the batch connection to %r "
                                            "is lost: %s" % (connection, exc)) from exc
        results, first_error = _results(commands, answers, len(self.results))
        self.results.extend(results)
        if first_error is not None:
            raise first_error
        return results


def _words(values: Iterable[int], command: int, first: int, step: int) -> "array[int]":
    """``values`` as unsigned 32-bit words; a bad one raises the typed error
    of a command queued ``first + step * position``."""
    items = values if isinstance(values, (list, tuple)) else list(values)
    try:
        return array("I", items)
    except (TypeError, OverflowError) as exc:
        position, bad = next((i, v) for i, v in enumerate(items)
                             if not (isinstance(v, int) and 0 <= v < 2**32))
        raise _bad_argument(command, (bad,), first + step * position, exc) from None


def _request_ends(extended: List[Tuple[int, int]]) -> Callable[[int], int]:
    """The byte offset where the first ``k`` requests end."""
    if not extended:
        return lambda k: _REQUEST * k
    positions = [position for position, _ in extended]
    extra = list(accumulate(size for _, size in extended))
    return lambda k: _REQUEST * k + (extra[i - 1] if (i := bisect_left(positions, k)) else 0)


def _exchange(sock: socket.socket, stream: bytearray, count: int,
              end: Callable[[int], int]) -> bytearray:
    """Send the ``count`` requests of ``stream`` and read their answers,
    keeping at most ``_WINDOW`` unanswered; returns the answers."""
    answers = bytearray(_REQUEST * count)
    requests, view = memoryview(stream), memoryview(answers)
    sent = received = 0
    while received < len(answers):
        answered = received // _REQUEST
        if sent < count and sent - answered <= _WINDOW // 2:
            upto = min(count, answered + _WINDOW)
            sock.sendall(requests[end(sent):end(upto)], socket.MSG_NOSIGNAL)
            sent = upto
        got = sock.recv_into(view[received:])
        if not got:
            raise ConnectionResetError("pigpiod closed the batch connection")
        received += got
    return answers


def _results(commands: bytearray, answers: bytearray,
             base: int) -> Tuple[List[Result], Optional[PigpioError]]:
    """Each command's result, and the first error (``index`` from ``base``)."""
    signed = array("i")
    signed.frombytes(answers)
    if _BIG_ENDIAN:
        signed.byteswap()
    values = signed[3::4].tolist()
    kinds = commands.translate(_KIND_OF)
    if min(values) >= 0:  # no error and no unsigned value past 2**31: in bulk
        if kinds.count(_NO_VALUE) == len(kinds):
            return [None] * len(values), None
        return [value if kind else None for kind, value in zip(kinds, values)], None
    results: List[Result] = []
    first_error: Optional[PigpioError] = None
    for position, (command, kind, value) in enumerate(zip(commands, kinds, values)):
        if kind == _UNSIGNED:
            results.append(value & 0xFFFFFFFF)
        elif value < 0:
            error = make_error(value)
            error.index = base + position
            error.args = ("batch command %d (%s): %s"
                          % (error.index, Command(command).name, error.args[0]),)
            results.append(error)
            first_error = first_error or error
        else:
            results.append(value if kind else None)
    return results, first_error


def _bad_argument(command: int, values: Tuple[object, ...], index: int, cause: Exception) -> PigpioError:
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

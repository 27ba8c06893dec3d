"""Daemon-level commands: versions, tick, delays, internals, pads, custom functions.

Also the two removed wave commands (WVGO, WVGOR), which only ever answer
PI_DEPRECATED.
"""
from __future__ import annotations

from typing import Callable

from ...constants import Command
from ..board import Board
from ..checks import Handlers
from ..clock import TickClock, now_us
from ... import _numbers as lib

PADS = lib.PI_MAX_PAD + 1
#: Power-on drive strength of every pad (mA).
POWER_ON_STRENGTH = 8
MAX_COUNT = 65535  # the daemon's command buffer, less its terminating NUL


def _pad_code(milliamps: int) -> int:
    """The 3-bit register code of a drive strength (odd values round up)."""
    return (milliamps + 1) // 2 - 1


class SystemCommands:
    """Handlers for TICK HWVER PIGPV HELP MICS MILS CGI CSI PADS PADG CF1 CF2."""

    def __init__(self, board: Board, ticks: TickClock,
                 pause_until: Callable[[int], None]) -> None:
        self.board = board
        self.ticks = ticks
        self.pause_until = pause_until
        self.reset()

    def reset(self) -> None:
        """Internals 0, pads at their power-on strength."""
        self.internals = 0
        self.pads: list[int] = [_pad_code(POWER_ON_STRENGTH)] * PADS

    def handlers(self) -> Handlers:
        """The command handlers: TICK HWVER PIGPV HELP CGI CSI MICS MILS PADS PADG ..."""
        return {
            Command.TICK: lambda p1, p2, ext: self.ticks.tick(now_us()),
            Command.HWVER: lambda p1, p2, ext: self.board.hwver,
            Command.PIGPV: lambda p1, p2, ext: lib.PIGPIO_VERSION,
            Command.HELP: lambda p1, p2, ext: 0,
            Command.WVGO: lambda p1, p2, ext: lib.PI_DEPRECATED,
            Command.WVGOR: lambda p1, p2, ext: lib.PI_DEPRECATED,
            Command.CGI: lambda p1, p2, ext: self.internals,
            Command.CSI: self.set_internals,
            Command.MICS: self.delay_micros,
            Command.MILS: self.delay_millis,
            Command.PADS: self.set_pad,
            Command.PADG: self.get_pad,
            Command.CF1: self.custom_1,
            Command.CF2: self.custom_2,
        }

    def set_internals(self, value: int, p2: int, ext: bytes) -> int:
        """CSI: store the internal settings word (no other effect)."""
        self.internals = value
        return 0

    def _delay(self, count: int, limit: int, unit_us: int, error: int) -> int:
        if count > limit:
            return error
        self.pause_until(now_us() + count * unit_us)
        return 0

    def delay_micros(self, micros: int, p2: int, ext: bytes) -> int:
        """MICS: wait ``micros`` µs."""
        return self._delay(micros, lib.PI_MAX_MICS_DELAY, 1, lib.PI_BAD_MICS_DELAY)

    def delay_millis(self, millis: int, p2: int, ext: bytes) -> int:
        """MILS: wait ``millis`` ms."""
        return self._delay(millis, lib.PI_MAX_MILS_DELAY, 1000, lib.PI_BAD_MILS_DELAY)

    def set_pad(self, pad: int, milliamps: int, ext: bytes) -> int:
        """PADS: set a pad's drive strength in mA."""
        if pad > lib.PI_MAX_PAD:
            return lib.PI_BAD_PAD
        if not lib.PI_MIN_PAD_STRENGTH <= milliamps <= lib.PI_MAX_PAD_STRENGTH:
            return lib.PI_BAD_STRENGTH
        self.pads[pad] = _pad_code(milliamps)
        return 0

    def get_pad(self, pad: int, p2: int, ext: bytes) -> int:
        """PADG: a pad's drive strength in mA."""
        return lib.PI_BAD_PAD if pad > lib.PI_MAX_PAD else 2 * self.pads[pad] + 2

    @staticmethod
    def custom_1(arg1: int, arg2: int, argx: bytes) -> int:
        """The stock custom function 1: the largest of arg1, arg2 and the bytes."""
        largest: int = max(arg1, arg2, *argx)
        return largest

    @staticmethod
    def custom_2(arg1: int, ret_max: int, argx: bytes) -> bytes:
        """The stock custom function 2: the bytes reversed, at most ``ret_max``."""
        return argx[:min(ret_max, MAX_COUNT)][::-1]

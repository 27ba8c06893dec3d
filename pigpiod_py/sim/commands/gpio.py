"""Commands on gpio modes, pulls and levels: MODES MODEG PUD READ WRITE TRIG, banks."""
from __future__ import annotations

from typing import Callable

from ...constants import Command
from ..board import Board, Use
from ..checks import Handler, Handlers, ext_u32, over, writable
from ..clock import now_us
from ..pwm.soft import SoftPwm
from ..timeline import Pulse
from ... import _numbers as lib

MAX_GPIO = lib.PI_MAX_GPIO
MAX_USER_GPIO = lib.PI_MAX_USER_GPIO
BAD_GPIO = lib.PI_BAD_GPIO
BAD_USER_GPIO = lib.PI_BAD_USER_GPIO
BAD_LEVEL = lib.PI_BAD_LEVEL


class GpioCommands:
    """Handlers for the plain gpio commands."""

    def __init__(
        self, board: Board, soft_pwm: SoftPwm, pause_until: Callable[[int], None]
    ) -> None:
        self.board = board
        self.soft_pwm = soft_pwm
        self.pause_until = pause_until

    def handlers(self) -> Handlers:
        """The command handlers: MODES MODEG PUD READ WRITE TRIG BR1 BR2 BC1 BC2 BS1 BS2."""
        return {
            Command.MODES: self.set_mode,
            Command.MODEG: self.get_mode,
            Command.PUD: self.set_pull,
            Command.READ: self.read,
            Command.WRITE: self.write,
            Command.TRIG: self.trigger,
            Command.BR1: self._bank_reader(0),
            Command.BR2: self._bank_reader(1),
            Command.BC1: self._bank_writer(0, 0),
            Command.BC2: self._bank_writer(1, 0),
            Command.BS1: self._bank_writer(0, 1),
            Command.BS2: self._bank_writer(1, 1),
        }

    def set_mode(self, gpio: int, mode: int, ext: bytes) -> int:
        """MODES: set a gpio's mode (a change stops its PWM/servo pulses)."""
        error = (writable(self.board, gpio, MAX_GPIO, BAD_GPIO)
                 or over(mode, lib.PI_ALT3, lib.PI_BAD_MODE))
        if error:
            return error
        t = now_us()
        if mode != self.board.mode[gpio]:
            self.soft_pwm.claim(gpio, Use.NONE, t)
        self.board.set_mode(gpio, mode, t)
        return 0

    def get_mode(self, gpio: int, p2: int, ext: bytes) -> int:
        """MODEG: a gpio's mode."""
        return BAD_GPIO if gpio > MAX_GPIO else self.board.mode[gpio]

    def set_pull(self, gpio: int, pull: int, ext: bytes) -> int:
        """PUD: set a gpio's pull resistor."""
        error = (writable(self.board, gpio, MAX_GPIO, BAD_GPIO)
                 or over(pull, lib.PI_PUD_UP, lib.PI_BAD_PUD))
        if error:
            return error
        self.board.set_pull(gpio, pull, now_us())
        return 0

    def read(self, gpio: int, p2: int, ext: bytes) -> int:
        """READ: a gpio's level."""
        return BAD_GPIO if gpio > MAX_GPIO else self.board.read(gpio, now_us())

    def write(self, gpio: int, level: int, ext: bytes) -> int:
        """WRITE: set a gpio's output latch (the gpio becomes an output)."""
        error = writable(self.board, gpio, MAX_GPIO, BAD_GPIO) or over(level, 1, BAD_LEVEL)
        if error:
            return error
        t = now_us()
        self.soft_pwm.claim(gpio, Use.WRITTEN, t)
        self.board.output(gpio, level, t)
        return 0

    def trigger(self, gpio: int, length: int, ext: bytes) -> int:
        """A ``length`` µs pulse at ``level`` (ext), then the opposite level."""
        level = ext_u32(ext)
        error = (writable(self.board, gpio, MAX_USER_GPIO, BAD_USER_GPIO)
                 or over(level, 1, BAD_LEVEL))
        if error:
            return error
        if not 0 < length <= lib.PI_MAX_BUSY_DELAY:
            return lib.PI_BAD_PULSELEN
        t = now_us()
        self.board.write_latch(gpio, Pulse(t + length, level), t)
        self.pause_until(t + length)
        return 0

    def _bank_reader(self, bank: int) -> Handler:
        def read_bank(p1: int, p2: int, ext: bytes) -> int:
            return self.board.read_bank(bank, now_us())
        return read_bank

    def _bank_writer(self, bank: int, level: int) -> Handler:
        def write_bank(bits: int, p2: int, ext: bytes) -> int:
            permitted = (self.board.mask >> (32 * bank)) & 0xFFFFFFFF
            self.board.write_bank(bank, bits & permitted, level, now_us())
            return 0 if bits | permitted == permitted else lib.PI_SOME_PERMITTED
        return write_bank

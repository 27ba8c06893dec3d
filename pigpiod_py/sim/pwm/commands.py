"""PWM, servo, hardware PWM and clock commands, and their read-backs."""
from __future__ import annotations

from operator import attrgetter
from typing import Callable

from ...constants import Command
from ..board import Board, Use
from ..checks import Handlers, ext_u32, over, writable
from ..clock import now_us
from .hardware import CLOCK_PINS, PASSWORD, PROTECTED_CLOCK, PWM_PINS, Hardware, PwmChannel
from .soft import SoftPwm
from ... import _numbers as lib

MAX_USER_GPIO = lib.PI_MAX_USER_GPIO
BAD_USER_GPIO = lib.PI_BAD_USER_GPIO
HW_RANGE = lib.PI_HW_PWM_RANGE


class PwmCommands:
    """Handlers for PWM, PRS, PFS, SERVO, GDC, GPW, PRG, PFG, PRRG, HP and HC."""

    def __init__(self, board: Board, soft_pwm: SoftPwm, hardware: Hardware) -> None:
        self.board = board
        self.soft_pwm = soft_pwm
        self.hardware = hardware
        #: Stops the wave being sent (waves and hardware PWM share the PWM
        #: peripheral); the daemon connects it to its wave engine.
        self.stop_waves: Callable[[int], None] = lambda t: None

    def handlers(self) -> Handlers:
        """The command handlers: PWM PRS PFS SERVO GDC GPW PRG PFG PRRG HP HC."""
        return {
            Command.PWM: self.set_dutycycle,
            Command.PRS: self.set_range,
            Command.PFS: self.set_frequency,
            Command.SERVO: self.set_pulsewidth,
            Command.GDC: self.get_dutycycle,
            Command.GPW: self.get_pulsewidth,
            Command.PRG: self.get_range,
            Command.PFG: self.get_frequency,
            Command.PRRG: self.get_real_range,
            Command.HP: self.hardware_pwm,
            Command.HC: self.hardware_clock,
        }

    def _user_gpio(self, gpio: int) -> int:
        return writable(self.board, gpio, MAX_USER_GPIO, BAD_USER_GPIO)

    # -- settings --------------------------------------------------------

    def set_dutycycle(self, gpio: int, value: int, ext: bytes) -> int:
        """PWM: start software PWM on a gpio at ``value`` out of its range."""
        error = (self._user_gpio(gpio)
                 or over(value, self.soft_pwm.range[gpio], lib.PI_BAD_DUTYCYCLE))
        if error:
            return error
        self.soft_pwm.set_dutycycle(gpio, value, now_us())
        return 0

    def set_range(self, gpio: int, value: int, ext: bytes) -> int:
        """PRS: set a gpio's dutycycle range; the real range."""
        error = self._user_gpio(gpio)
        if error:
            return error
        if not lib.PI_MIN_DUTYCYCLE_RANGE <= value <= lib.PI_MAX_DUTYCYCLE_RANGE:
            return lib.PI_BAD_DUTYRANGE
        return self.soft_pwm.set_range(gpio, value, now_us())

    def set_frequency(self, gpio: int, hz: int, ext: bytes) -> int:
        """PFS: set a gpio's PWM frequency; the frequency it gets."""
        return self._user_gpio(gpio) or self.soft_pwm.set_frequency(gpio, hz, now_us())

    def set_pulsewidth(self, gpio: int, value: int, ext: bytes) -> int:
        """SERVO: start servo pulses of ``value`` µs on a gpio (0: stop)."""
        error = self._user_gpio(gpio)
        if error:
            return error
        if value and not lib.PI_MIN_SERVO_PULSEWIDTH <= value <= lib.PI_MAX_SERVO_PULSEWIDTH:
            return lib.PI_BAD_PULSEWIDTH
        self.soft_pwm.set_pulsewidth(gpio, value, now_us())
        return 0

    def hardware_pwm(self, gpio: int, hz: int, ext: bytes) -> int:
        """HP: hardware PWM at ``hz`` on a gpio with the dutycycle in ext (0-1000000)."""
        dutycycle = ext_u32(ext)
        error = writable(self.board, gpio, lib.PI_MAX_GPIO, lib.PI_BAD_GPIO)
        if error:
            return error
        if gpio not in PWM_PINS:
            return lib.PI_NOT_HPWM_GPIO
        if dutycycle > HW_RANGE:
            return lib.PI_BAD_HPWM_DUTY
        if hz and not lib.PI_HW_PWM_MIN_FREQ <= hz <= self.hardware.max_pwm_frequency():
            return lib.PI_BAD_HPWM_FREQ
        t = now_us()
        if hz:
            self.stop_waves(t)
        self.hardware.set_pwm(gpio, hz, dutycycle, t)
        return 0

    def hardware_clock(self, word: int, hz: int, ext: bytes) -> int:
        """``HC``: the gpio is the low 24 bits, the top byte may hold the password."""
        gpio = word & 0xFFFFFF
        error = writable(self.board, gpio, lib.PI_MAX_GPIO, lib.PI_BAD_GPIO)
        if error:
            return error
        if gpio not in CLOCK_PINS:
            return lib.PI_NOT_HCLK_GPIO
        low, high = self.hardware.clock_limits()
        if hz and not low <= hz <= high:
            return lib.PI_BAD_HCLK_FREQ
        if CLOCK_PINS[gpio][0] == PROTECTED_CLOCK and word >> 24 != PASSWORD:
            return lib.PI_BAD_HCLK_PASS
        return self.hardware.set_clock(gpio, hz, now_us())

    # -- read-backs ------------------------------------------------------

    def _by_use(
        self,
        gpio: int,
        software: Callable[[int], int],
        hardware_pwm: Callable[[PwmChannel], int],
        clock: Callable[[int], int],
    ) -> int:
        """What a read-back answers: by the gpio's use, hardware or software."""
        if gpio > MAX_USER_GPIO:
            return BAD_USER_GPIO
        use = self.board.use[gpio]
        if use is Use.HWPWM:
            return hardware_pwm(self.hardware.channel(gpio))
        return clock(gpio) if use is Use.HWCLK else software(gpio)

    def _software_dutycycle(self, gpio: int) -> int:
        return self.board.width[gpio] if self.board.use[gpio] is Use.PWM else lib.PI_NOT_PWM_GPIO

    def get_dutycycle(self, gpio: int, p2: int, ext: bytes) -> int:
        """GDC: the dutycycle of a gpio running PWM (software, hardware or clock)."""
        return self._by_use(gpio, self._software_dutycycle, attrgetter("dutycycle"),
                            lambda g: HW_RANGE // 2)

    def get_range(self, gpio: int, p2: int, ext: bytes) -> int:
        """PRG: the dutycycle range of a gpio."""
        return self._by_use(gpio, self.soft_pwm.range.__getitem__, lambda c: HW_RANGE,
                            lambda g: HW_RANGE)

    def get_frequency(self, gpio: int, p2: int, ext: bytes) -> int:
        """PFG: the PWM (or clock) frequency of a gpio."""
        return self._by_use(gpio, self.soft_pwm.frequency, attrgetter("frequency"),
                            self.hardware.clock_frequency)

    def get_real_range(self, gpio: int, p2: int, ext: bytes) -> int:
        """PRRG: the real range of a gpio."""
        return self._by_use(gpio, self.soft_pwm.real_range, attrgetter("real_range"),
                            lambda g: HW_RANGE)

    def get_pulsewidth(self, gpio: int, p2: int, ext: bytes) -> int:
        """GPW: the servo pulse width of a gpio sending servo pulses."""
        if gpio > MAX_USER_GPIO:
            return BAD_USER_GPIO
        if self.board.use[gpio] is not Use.SERVO:
            return lib.PI_NOT_SERVO_GPIO
        return self.board.width[gpio]

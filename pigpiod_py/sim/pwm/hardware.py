"""Hardware PWM channels and general-purpose clocks (GPCLK).

Both are peripherals: a pin carries their signal while it is in the right ALT
mode, whatever the daemon's bookkeeping says.  The arithmetic (real range,
dividers, reported frequencies) follows the daemon's, in doubles.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..board import Board, Use
from .soft import SoftPwm
from ..timeline import Periodic, Wave
from ... import _numbers as lib

ALT0, ALT1, ALT5 = lib.PI_ALT0, lib.PI_ALT1, lib.PI_ALT5

#: gpio -> (PWM channel, the ALT mode that carries it).
PWM_PINS: dict[int, tuple[int, int]] = {
    12: (0, ALT0), 13: (1, ALT0), 18: (0, ALT5), 19: (1, ALT5), 40: (0, ALT0),
    41: (1, ALT0), 45: (1, ALT0), 52: (0, ALT1), 53: (1, ALT1),
}
#: gpio -> (clock number, the ALT mode that carries it).
CLOCK_PINS: dict[int, tuple[int, int]] = {
    4: (0, ALT0), 5: (1, ALT0), 6: (2, ALT0), 20: (0, ALT5), 21: (1, ALT5),
    32: (0, ALT0), 34: (0, ALT0), 42: (1, ALT0), 43: (2, ALT0), 44: (1, ALT0),
}
#: Clock sources in Hz (oscillator, PLLD): BCM283x, BCM2711.
CLOCK_SOURCES = ((19_200_000, 500_000_000), (54_000_000, 750_000_000))
#: Below this a fractional divider (MASH) is used, above it an integer one.
MASH_MAX_HZ = 23_800_000
FRACTION = 4096
MAX_DIVIDER = 4095
#: Clock 1 only starts with this byte in the top of HC's gpio argument.
PASSWORD = 0x5A
PROTECTED_CLOCK = 1
CLOCKS = 3


@dataclass
class PwmChannel:
    """One hardware PWM channel: reported values and the signal."""

    frequency: int = 0
    dutycycle: int = 0
    real_range: int = 0
    enabled: bool = False
    wave: Wave = 0


def clock_divider(hz: int, sources: tuple[int, ...]) -> tuple[int, int, int] | None:
    """(source Hz, divider, 1/4096 fraction) nearest ``hz``; the later source wins ties."""
    best = None
    for source in sources:
        if hz < MASH_MAX_HZ:
            exact = source / hz + 0.5 / FRACTION
            divider = int(exact)
            fraction = int((exact - divider) * FRACTION)
        else:
            divider = int(source / hz + 0.5)
            fraction = 0
        if 1 < divider <= MAX_DIVIDER:
            error = abs(hz - source / (divider + fraction / FRACTION))
            if best is None or error <= best[0]:
                best = (error, source, divider, fraction)
    return None if best is None else best[1:]


def _square(period_us: float, high_us: float) -> Wave:
    if high_us <= 0:
        return 0
    return 1 if high_us >= period_us else Periodic(period_us, high_us)


class Hardware:
    """The two PWM channels and three clocks of the SoC."""

    def __init__(self, board: Board, soft_pwm: SoftPwm) -> None:
        self.board = board
        self.soft_pwm = soft_pwm
        board.alt_output = self.alt_output
        self.reset()

    def reset(self) -> None:
        """Both PWM channels and every clock stopped."""
        self.channels = [PwmChannel(), PwmChannel()]
        self.clock_hz: list[int] = [0] * CLOCKS
        self.clock_running: list[bool] = [False] * CLOCKS

    @property
    def _sources(self) -> tuple[int, int]:
        return CLOCK_SOURCES[self.board.bcm2711]

    def max_pwm_frequency(self) -> int:
        """The highest hardware PWM frequency of this board's SoC."""
        return lib.PI_HW_PWM_MAX_FREQ_2711 if self.board.bcm2711 else lib.PI_HW_PWM_MAX_FREQ

    def clock_limits(self) -> tuple[int, int]:
        """The lowest and highest hardware clock frequency of this board's SoC."""
        if self.board.bcm2711:
            return lib.PI_HW_CLK_MIN_FREQ_2711, lib.PI_HW_CLK_MAX_FREQ_2711
        return lib.PI_HW_CLK_MIN_FREQ, lib.PI_HW_CLK_MAX_FREQ

    def channel(self, gpio: int) -> PwmChannel:
        """The PWM channel behind a hardware PWM gpio."""
        return self.channels[PWM_PINS[gpio][0]]

    def clock_frequency(self, gpio: int) -> int:
        """The frequency set on the clock behind a clock gpio."""
        return self.clock_hz[CLOCK_PINS[gpio][0]]

    def alt_output(self, gpio: int, mode: int) -> Wave | None:
        """The signal a peripheral puts on ``gpio`` in ``mode``, None if none."""
        pwm = PWM_PINS.get(gpio)
        if pwm is not None and pwm[1] == mode:
            channel = self.channels[pwm[0]]
            return channel.wave if channel.enabled else 0
        clock = CLOCK_PINS.get(gpio)
        if clock is not None and clock[1] == mode:
            number = clock[0]
            if not self.clock_running[number]:
                return 0
            return _square(1e6 / self.clock_hz[number], 0.5e6 / self.clock_hz[number])
        return None

    def _refresh(self, pins: dict[int, tuple[int, int]], number: int, t: int) -> None:
        for gpio, (which, _mode) in pins.items():
            if which == number:
                self.board.refresh(gpio, t)

    def set_pwm(self, gpio: int, hz: int, dutycycle: int, t: int) -> None:
        """``HP gpio hz dutycycle`` after validation (hz 0 stops it)."""
        number, mode = PWM_PINS[gpio]
        channel = self.channels[number]
        board = self.board
        if hz:
            base = self._sources[1] / 2.0
            real_range = int(base / hz + 0.5)
            real_duty = dutycycle * real_range // lib.PI_HW_PWM_RANGE
            channel.frequency = int(base / real_range + 0.5)
            channel.dutycycle = dutycycle
            channel.real_range = real_range
            channel.enabled = True
            channel.wave = _square(real_range * 1e6 / base, real_duty * 1e6 / base)
            if self.soft_pwm.claim(gpio, Use.HWPWM, t):
                board.set_mode(gpio, mode, t)
        elif board.use[gpio] is Use.HWPWM:
            channel.enabled = False
            board.use[gpio] = Use.NONE
        self._refresh(PWM_PINS, number, t)

    def set_clock(self, gpio: int, hz: int, t: int) -> int:
        """``HC gpio hz`` after validation: 0, or PI_BAD_HCLK_FREQ if unreachable."""
        number, mode = CLOCK_PINS[gpio]
        board = self.board
        if hz:
            setting = clock_divider(hz, self._sources)
            if setting is None:
                return lib.PI_BAD_HCLK_FREQ
            source, divider, fraction = setting
            self.clock_hz[number] = int(source / (divider + fraction / FRACTION) + 0.5)
            self.clock_running[number] = True
            board.use[gpio] = Use.HWCLK
            board.set_mode(gpio, mode, t)
        else:
            self.clock_running[number] = False
            if board.use[gpio] is Use.HWCLK:
                board.use[gpio] = Use.NONE
        self._refresh(CLOCK_PINS, number, t)
        return 0

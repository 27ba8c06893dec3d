"""Software PWM and servo pulses: the daemon's frequency table and timing.

The daemon times these with DMA in slots of one sample period (``-s``, 5 µs by
default), 25 slots per DMA cycle.  A PWM frequency is one of 18 cycle counts,
so its period has ``25 * cycles`` slots (the "real range"); the gpio is high
for ``dutycycle * real_range // range`` slots at the start of each period.
Servo pulses use a 20 ms frame whatever the sample rate.
"""
from __future__ import annotations

from functools import partial
from typing import Callable

from ..board import OUTPUT, Board, Use
from ..timeline import Periodic, Wave
from ... import _numbers as lib

#: DMA cycles per PWM period of the 18 selectable frequencies, fastest first.
CYCLES = (1, 2, 4, 5, 8, 10, 16, 20, 25, 32, 40, 50, 80, 100, 160, 200, 400, 800)
SLOTS_PER_CYCLE = 25
DEFAULT_FREQUENCY_INDEX = 5
SERVO_FRAME_US = 20000
_USER_GPIOS = lib.PI_MAX_USER_GPIO + 1
#: Uses whose end leaves the stored dutycycle/pulsewidth alone.
_PLAIN_USES = (Use.NONE, Use.WRITTEN)


def real_range(index: int) -> int:
    """Slots in one period of table frequency ``index``."""
    return SLOTS_PER_CYCLE * CYCLES[index]


def frequency_table(sample_us: int) -> tuple[int, ...]:
    """The 18 frequencies (Hz, rounded half up) for a sample period in µs."""
    return tuple(
        (2_000_000 + slots) // (2 * slots)
        for slots in (real_range(i) * sample_us for i in range(len(CYCLES)))
    )


def nearest_index(frequencies: tuple[int, ...], hz: int) -> int:
    """The table index ``PFS`` picks: clamp, then nearest, ties to the faster."""
    if hz > frequencies[0]:
        return 0
    if hz < frequencies[-1]:
        return len(frequencies) - 1
    return min(range(len(frequencies)), key=lambda i: abs(hz - frequencies[i]))


class SoftPwm:
    """Per user gpio PWM range and frequency, and the PWM/servo latch waves."""

    def __init__(self, board: Board, sample_us: int) -> None:
        self.board = board
        self.sample_us = sample_us
        self.frequencies = frequency_table(sample_us)
        self.servo_slots = SERVO_FRAME_US // sample_us
        self.reset()

    def reset(self) -> None:
        """Every gpio back to the default range and frequency."""
        self.range: list[int] = [lib.PI_DEFAULT_DUTYCYCLE_RANGE] * _USER_GPIOS
        self.index: list[int] = [DEFAULT_FREQUENCY_INDEX] * _USER_GPIOS

    def frequency(self, gpio: int) -> int:
        """A gpio's PWM frequency in Hz."""
        return self.frequencies[self.index[gpio]]

    def real_range(self, gpio: int) -> int:
        """A gpio's real range: PWM steps per period at its frequency."""
        return real_range(self.index[gpio])

    def _on_slots(self, gpio: int, value: int) -> int:
        return value * self.real_range(gpio) // self.range[gpio]

    def _retime(self, gpio: int, old_on: int, new_on: int, slots: int, t: int) -> None:
        """Move the latch from ``old_on`` to ``new_on`` high slots of ``slots``."""
        board = self.board
        current = board.latch[gpio]
        if new_on:
            latch: Wave = Periodic(slots * self.sample_us, min(new_on, slots) * self.sample_us)
        elif not old_on:
            return
        elif board.use[gpio] is Use.SERVO and isinstance(current, Periodic):
            latch = current.stopped(t)
        else:
            latch = 0
        board.set_latch(gpio, latch, t)

    def claim(self, gpio: int, use: Use, t: int) -> bool:
        """Give ``gpio`` a new use, stopping its PWM/servo first; False if unchanged."""
        board = self.board
        previous = board.use[gpio]
        if previous is use:
            return False
        if previous is Use.PWM:
            self._retime(gpio, self._on_slots(gpio, board.width[gpio]), 0, 0, t)
        elif previous is Use.SERVO:
            self._retime(gpio, self._servo_slots(board.width[gpio]), 0, 0, t)
        if previous not in _PLAIN_USES:
            board.width[gpio] = 0
        board.use[gpio] = use
        return True

    def _servo_slots(self, pulsewidth: int) -> int:
        return pulsewidth * self.servo_slots // SERVO_FRAME_US

    def _generate(self, gpio: int, use: Use, value: int, to_slots: Callable[[int], int],
                  slots: int, t: int) -> None:
        """PWM or SERVO after validation: make an OUTPUT, then set the on-time."""
        board = self.board
        if self.claim(gpio, use, t) and not value:
            board.set_latch(gpio, 0, t)
        board.set_mode(gpio, OUTPUT, t)
        self._retime(gpio, to_slots(board.width[gpio]), to_slots(value), slots, t)
        board.width[gpio] = value

    def set_dutycycle(self, gpio: int, value: int, t: int) -> None:
        """``PWM gpio value``."""
        self._generate(gpio, Use.PWM, value, partial(self._on_slots, gpio),
                       self.real_range(gpio), t)

    def set_pulsewidth(self, gpio: int, pulsewidth: int, t: int) -> None:
        """``SERVO gpio pulsewidth`` (0 stops after the pulse in progress)."""
        self._generate(gpio, Use.SERVO, pulsewidth, self._servo_slots, self.servo_slots, t)

    def _reshape(self, gpio: int, index: int, new_range: int, t: int) -> None:
        """New frequency index and range; a running dutycycle is rescaled."""
        board = self.board
        width = board.width[gpio]
        running = bool(width) and board.use[gpio] is Use.PWM
        old_on = self._on_slots(gpio, width)
        if running:
            board.width[gpio] = new_range * width // self.range[gpio]
        self.index[gpio] = index
        self.range[gpio] = new_range
        if running:
            self._retime(gpio, old_on, self._on_slots(gpio, board.width[gpio]),
                         self.real_range(gpio), t)

    def set_range(self, gpio: int, new_range: int, t: int) -> int:
        """``PRS``: returns the real range of the gpio's frequency."""
        self._reshape(gpio, self.index[gpio], new_range, t)
        return self.real_range(gpio)

    def set_frequency(self, gpio: int, hz: int, t: int) -> int:
        """``PFS``: picks the nearest table frequency and returns it."""
        self._reshape(gpio, nearest_index(self.frequencies, hz), self.range[gpio], t)
        return self.frequency(gpio)

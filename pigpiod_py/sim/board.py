"""The pins of the simulated Pi: modes, pulls, output latches, wires, levels.

Each gpio has a mode, a pull, an output latch (a wave, see :mod:`timeline`), an
optional level driven from outside (control API) and the daemon's
"function in use" bookkeeping.  What a pin carries follows from those:

* OUTPUT: its latch;
* an ALT mode whose peripheral output is running (hardware PWM or clock, asked
  through :attr:`Board.alt_output`): that signal;
* otherwise it is an input: the signal of the first driving pin wired to it
  (lowest gpio number), else a level (or the edge rig's signal) driven from
  outside on any pin of its wire group, else the pull of the group (up 1,
  down 0; its own pull if the group's pulls disagree), else the level it last
  had.

Every change of what a pin carries is recorded on :attr:`Board.timeline`.
"""
from __future__ import annotations

from enum import IntEnum
from typing import Callable

from .clock import now_us
from .config import SimConfig
from .revision import default_permission_mask, hardware_revision, is_bcm2711
from .timeline import Periodic, Timeline, Wave, level_at
from .. import _numbers as lib

NUM_GPIOS = lib.PI_MAX_GPIO + 1
INPUT = lib.PI_INPUT
OUTPUT = lib.PI_OUTPUT
_BANK_BITS = (0xFFFFFFFF, (1 << (NUM_GPIOS - 32)) - 1)

#: Reset pull of every gpio, as runs of (last gpio of the run, pull): BCM2835 ARM
#: Peripherals, section 6.2, Table 6-31 "GPIO Alternate function assignments",
#: column "Pull" (High = up, Low = down, "-" = none).  The BCM2711 (Pi 4, 400,
#: CM4) keeps these reset pulls for gpio 0-53 (BCM2711 ARM Peripherals, section
#: 5.3, "Alternative Function Assignments"), so every board revision powers on
#: with them; the levels of the inputs follow.
_RESET_PULLS = ((8, lib.PI_PUD_UP), (27, lib.PI_PUD_DOWN), (29, lib.PI_PUD_OFF),
                (33, lib.PI_PUD_DOWN), (36, lib.PI_PUD_UP), (43, lib.PI_PUD_DOWN),
                (45, lib.PI_PUD_OFF), (53, lib.PI_PUD_UP))


class Use(IntEnum):
    """What the daemon last used a gpio for (decides GDC/GPW/PFG... answers)."""

    NONE = 0
    WRITTEN = 1
    PWM = 2
    SERVO = 3
    HWCLK = 4
    HWPWM = 5


def reset_pull(gpio: int) -> int:
    """The pull resistor ``gpio`` has at power-on."""
    return next(pull for last, pull in _RESET_PULLS if gpio <= last)


class Board:
    """54 gpios of one simulated Pi (call its methods with the daemon lock held)."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.timeline = Timeline(NUM_GPIOS)
        #: (gpio, mode) -> the wave a running peripheral puts on that pin, or None.
        self.alt_output: Callable[[int, int], Wave | None] = lambda gpio, mode: None
        self.reset()

    # -- state -----------------------------------------------------------

    def reset(self) -> None:
        """Back to the configured power-on state."""
        t = now_us()
        self.mode: list[int] = [INPUT] * NUM_GPIOS
        self.pull: list[int] = [reset_pull(g) for g in range(NUM_GPIOS)]
        self.latch: list[Wave] = [0] * NUM_GPIOS
        self.driven: list[Wave | None] = [None] * NUM_GPIOS
        for gpio, level in self.config.inputs.items():
            self.driven[gpio] = level
        self.use: list[Use] = [Use.NONE] * NUM_GPIOS
        self.width: list[int] = [0] * NUM_GPIOS
        self.set_revision(self.config.revision)
        self._links: set[frozenset[int]] = {frozenset(wire) for wire in self.config.wires}
        self._regroup()
        self.pin: list[Wave] = [0] * NUM_GPIOS
        self._levels = 0
        self._moving: dict[int, Wave] = {}
        self.timeline.restart(t, self.pin)
        for gpio in range(NUM_GPIOS):
            self.refresh(gpio, t)

    def set_revision(self, code: int) -> None:
        """Report ``code``; the default permission mask and limits follow it."""
        self.revision = code
        self.hwver = hardware_revision(code)
        self.bcm2711 = is_bcm2711(self.hwver)
        mask = self.config.permission_mask
        self.mask = default_permission_mask(self.hwver) if mask is None else mask

    # -- changes ---------------------------------------------------------

    def set_mode(self, gpio: int, mode: int, t: int) -> None:
        """Write the function-select bits (no other side effect)."""
        self.mode[gpio] = mode
        self.refresh(gpio, t)

    def set_pull(self, gpio: int, pull: int, t: int) -> None:
        """Set a gpio's pull resistor."""
        self.pull[gpio] = pull
        self.refresh(gpio, t)

    def output(self, gpio: int, latch: Wave, t: int) -> None:
        """Make ``gpio`` an OUTPUT carrying ``latch``."""
        self.mode[gpio] = OUTPUT
        self.latch[gpio] = latch
        self.refresh(gpio, t)

    def set_latch(self, gpio: int, latch: Wave, t: int) -> None:
        """Set the output latch (visible on the pin only when it is an OUTPUT)."""
        self.latch[gpio] = latch
        if self.mode[gpio] == OUTPUT:
            self.refresh(gpio, t)

    def write_latch(self, gpio: int, latch: Wave, t: int) -> None:
        """A bank write or trigger: no lasting effect while PWM/servo pulses run."""
        current = self.latch[gpio]
        if not (isinstance(current, Periodic) and current.until is None):
            self.set_latch(gpio, latch, t)

    def write_bank(self, bank: int, bits: int, level: int, t: int) -> None:
        """Set (level 1) or clear (0) the latches of the bank's gpios in ``bits``."""
        base = 32 * bank
        bits &= _BANK_BITS[bank]
        while bits:
            low = bits & -bits
            self.write_latch(base + low.bit_length() - 1, level, t)
            bits ^= low

    def drive(self, gpio: int, level: Wave | None, t: int) -> None:
        """Drive the pin from outside (0/1 or a signal), or stop driving it (None)."""
        self.driven[gpio] = level
        self.refresh(gpio, t)

    def output_wins(self, gpio: int) -> bool:
        """Whether a pin's own output (or a wired one) hides what is driven from outside."""
        return any(self._own_output(member) is not None for member in self.groups[gpio])

    def wire(self, a: int, b: int, t: int) -> None:
        """Connect two pins (their wire groups merge)."""
        if a == b:
            raise ValueError("cannot wire gpio %d to itself" % a)
        self._relink(a, b, self._links.add, t)

    def unwire(self, a: int, b: int, t: int) -> None:
        """Remove the wire between two pins."""
        if frozenset((a, b)) not in self._links:
            raise ValueError("gpio %d and %d are not wired" % (a, b))
        self._relink(a, b, self._links.discard, t)

    def _relink(self, a: int, b: int, change: Callable[[frozenset[int]], None], t: int) -> None:
        touched = set(self.groups[a]) | set(self.groups[b])
        change(frozenset((a, b)))
        self._regroup()
        for gpio in sorted(touched):
            self.refresh(gpio, t)

    def _regroup(self) -> None:
        group_of: list[tuple[int, ...]] = [(g,) for g in range(NUM_GPIOS)]
        for link in self._links:
            a, b = sorted(link)
            merged = tuple(sorted(set(group_of[a]) | set(group_of[b])))
            for gpio in merged:
                group_of[gpio] = merged
        self.groups = group_of

    @property
    def wires(self) -> list[tuple[int, int]]:
        """The wires, as sorted pairs."""
        return sorted((min(link), max(link)) for link in self._links)

    # -- pin levels ------------------------------------------------------

    def _own_output(self, gpio: int) -> Wave | None:
        mode = self.mode[gpio]
        if mode == OUTPUT:
            return self.latch[gpio]
        if mode == INPUT:
            return None
        return self.alt_output(gpio, mode)

    def refresh(self, gpio: int, t: int) -> None:
        """Recompute what the pins of ``gpio``'s wire group carry from ``t`` on."""
        group = self.groups[gpio]
        outputs = [self._own_output(m) for m in group]
        source = next((w for w in outputs if w is not None), None)
        if source is None:
            source = next((self.driven[m] for m in group if self.driven[m] is not None), None)
        if source is None:
            pulls = {self.pull[m] for m in group} - {lib.PI_PUD_OFF}
            if len(pulls) == 1:
                source = 1 if lib.PI_PUD_UP in pulls else 0
        for member, own in zip(group, outputs):
            if own is None:
                own = source if source is not None else self._idle(member, t)
            self._carry(member, own, t)

    def _idle(self, gpio: int, t: int) -> int:
        pull = self.pull[gpio]
        if pull == lib.PI_PUD_OFF:
            return self.read(gpio, t)
        return 1 if pull == lib.PI_PUD_UP else 0

    def _carry(self, gpio: int, wave: Wave, t: int) -> None:
        if wave == self.pin[gpio]:
            return
        self.pin[gpio] = wave
        self.timeline.record(gpio, t, wave)
        if wave.__class__ is int:
            self._moving.pop(gpio, None)
            if wave:
                self._levels |= 1 << gpio
            else:
                self._levels &= ~(1 << gpio)
        else:
            self._moving[gpio] = wave

    def read(self, gpio: int, t: int) -> int:
        """The level of the pin at ``t`` (what READ returns)."""
        return level_at(self.pin[gpio], t)

    def read_bank(self, bank: int, t: int) -> int:
        """Levels of gpio 0-31 (bank 0) or 32-53 (bank 1) as a bit mask."""
        levels = self._levels
        for gpio, wave in self._moving.items():
            if wave.level(t):  # type: ignore[union-attr]  # never an int
                levels |= 1 << gpio
            else:
                levels &= ~(1 << gpio)
        return (levels >> (32 * bank)) & _BANK_BITS[bank]

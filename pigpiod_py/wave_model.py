"""The pulses a wave sends: a plain model of what pigpiod builds of the parts added.

>>> model = WaveModel((GenericPart((Pulse(1 << 18, 0, 50), Pulse(0, 1 << 18, 50))),
...                    SerialPart(gpio=23, baud=50_000, data_bits=8, stop_half_bits=2,
...                               offset=30, data=b"U")))
>>> model.pulses()[:2], model.micros()

A wave is built of parts, each added by one command: generic pulses
(``wave_add_generic``) or serial data (``wave_add_serial``).  Every part's
pulses are merged with the pulses before it on one time axis from 0
(pigpio's rawWaveAddGeneric), see :func:`merge`.

This is the one implementation of those rules: the :class:`~pigpiod_py.wave.WaveBuilder`
exposes its parts as a model, :mod:`pigpiod_py.diagrams` draws it and the
simulator's wave commands build their pending wave with it.  Nothing here
checks ranges (the builder does) or needs the compiled module.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, NamedTuple, Sequence, Tuple, Union


class Pulse(NamedTuple):
    """One step of a wave: set the gpios in ``on``, clear those in ``off``
    (bit masks of gpio 0-31), then wait ``delay`` µs."""

    on: int
    off: int
    delay: int


#: "Due" time of a pulse list with no pulses left.
_NONE_DUE = 1 << 64


def merge(pending: Sequence[Tuple[int, int, int]],
          new: Sequence[Tuple[int, int, int]]) -> List[Pulse]:
    """``new`` merged into ``pending`` on a common time axis from 0.

    At each step the earlier due pulse is copied (or both, their masks
    combined, when due together) and its delay becomes the time to the next
    due pulse; the result lasts until the later of the two lists ends.
    """
    lists = (new, pending)
    pos = [0, 0]
    due = [0 if new else _NONE_DUE, 0 if pending else _NONE_DUE]
    out: List[List[int]] = []
    now = longest = 0
    while pos[0] < len(new) or pos[1] < len(pending):
        first = min(due)
        if now < first:
            out[-1][2] += first - now
            now = first
        on = off = 0
        for k in (0, 1):
            if due[k] == first:
                p_on, p_off, delay = lists[k][pos[k]]
                on |= p_on
                off |= p_off
                due[k] = now + delay
                pos[k] += 1
                longest = max(longest, due[k])
        nxt = min(due)
        out.append([on, off, nxt - now])
        now = nxt
        for k in (0, 1):
            if pos[k] >= len(lists[k]):
                due[k] = _NONE_DUE
    if out and now < longest:
        out[-1][2] += longest - now
    return [Pulse(on, off, delay) for on, off, delay in out]


def _bit_times(baud: int, bits: int, stop_half: int) -> List[int]:
    """Duration of the start bit, each data bit and the stop period (µs)."""
    full_ns = 1_000_000_000 // baud
    ends = [((k + 1) * full_ns + 500) // 1000 for k in range(bits + 1)]
    ends.append(((bits + 1) * full_ns + stop_half * full_ns // 2 + 500) // 1000)
    return [b - a for a, b in zip([0] + ends, ends)]


def characters(bits: int, data: bytes) -> List[int]:
    """The characters in ``data``: 1, 2 or 4 little-endian bytes each by ``bits``
    (a trailing partial character is ignored)."""
    size = 1 if bits <= 8 else 2 if bits <= 16 else 4
    count = len(data) // size
    return [int.from_bytes(data[k * size:(k + 1) * size], "little") for k in range(count)]


def serial_pulses(gpio: int, baud: int, bits: int, stop_half: int, offset: int,
                  data: bytes) -> List[Pulse]:
    """The pulses of asynchronous serial ``data`` on ``gpio`` (idle high, start
    bit low, LSB first, ``stop_half`` half-bits of stop), from ``offset`` µs."""
    chars = characters(bits, data)
    if not chars:
        return []
    times = _bit_times(baud, bits, stop_half)
    mask = 1 << gpio
    pulses = [[mask, 0, max(offset, times[0])]]
    for char in chars:
        pulses.append([0, mask, times[0]])
        level = 0
        for b in range(bits):
            value = (char >> b) & 1
            if value == level:
                pulses[-1][2] += times[b + 1]
            else:
                level = value
                pulses.append([mask if value else 0, 0 if value else mask, times[b + 1]])
        if level:
            pulses[-1][2] += times[bits + 1]
        else:
            pulses.append([mask, 0, times[bits + 1]])
    return [Pulse(on, off, delay) for on, off, delay in pulses]


@dataclass(frozen=True)
class GenericPart:
    """Pulses added by one ``wave_add_generic``, in time order from 0."""

    pulses: Tuple[Pulse, ...]

    def as_pulses(self) -> List[Pulse]:
        """The part's pulses."""
        return list(self.pulses)


@dataclass(frozen=True)
class SerialPart:
    """Serial data added by one ``wave_add_serial``: characters of ``data_bits``
    (1, 2 or 4 little-endian bytes each) on ``gpio`` from ``offset`` µs."""

    gpio: int
    baud: int
    data_bits: int
    stop_half_bits: int
    offset: int
    data: bytes

    def as_pulses(self) -> List[Pulse]:
        """The pulses pigpiod makes of the data (:func:`serial_pulses`)."""
        return serial_pulses(self.gpio, self.baud, self.data_bits, self.stop_half_bits,
                             self.offset, self.data)


WavePart = Union[GenericPart, SerialPart]


@dataclass(frozen=True)
class WaveModel:
    """The parts of a wave in the order they are added."""

    parts: Tuple[WavePart, ...] = ()

    def pulses(self) -> List[Pulse]:
        """The wave's pulses: every part merged with those before it."""
        merged: List[Pulse] = []
        for part in self.parts:
            merged = merge(merged, part.as_pulses())
        return merged

    def micros(self) -> int:
        """The wave's length in µs."""
        return sum(pulse.delay for pulse in self.pulses())

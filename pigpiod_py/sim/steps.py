"""A wave made of level changes at given µs times, and serial frames as such a wave."""
from __future__ import annotations

from bisect import bisect_right
from typing import Sequence

from .timeline import Edge


class Steps:
    """``before`` until the first change, then the level of the latest change (t, level)."""

    __slots__ = ("before", "changes", "times")

    def __init__(self, before: int, changes: Sequence[Edge]) -> None:
        self.before = before
        self.changes = list(changes)
        self.times = [t for t, _level in self.changes]

    def level(self, t: float) -> int:
        """The level at time ``t``."""
        index = bisect_right(self.times, t)
        return self.changes[index - 1][1] if index else self.before

    def edges(self, a: float, b: float) -> list[Edge]:
        """The level changes at times ``a < t <= b``, in order."""
        return self.changes[bisect_right(self.times, a):bisect_right(self.times, b)]

    def __repr__(self) -> str:
        return "Steps(before={!r}, changes={!r})".format(self.before, self.changes)


def serial_levels(data: Sequence[int], bits: int, stop_bits: float) -> list[int]:
    """Per bit-time, the line levels of 8N1-style frames (start 0, data LSB first, stop 1).

    ``stop_bits`` may be 1, 1.5 or 2; each level covers half a bit time, so
    the list has two entries per bit.
    """
    halves: list[int] = []
    for value in data:
        halves += [0, 0]
        for k in range(bits):
            halves += [(value >> k) & 1] * 2
        halves += [1] * int(round(stop_bits * 2))
    return halves


def serial_steps(start: int, baud: int, data: Sequence[int], bits: int = 8,
                 stop_bits: float = 1, inverted: bool = False) -> Steps:
    """The wave of ``data`` sent as serial frames from ``start`` µs, idle high
    (idle low and every level inverted when ``inverted``)."""
    half_us = 500_000 / baud
    changes: list[Edge] = []
    level = 1 ^ inverted
    for index, half in enumerate(serial_levels(data, bits, stop_bits)):
        half ^= inverted
        if half != level:
            changes.append((start + int(round(index * half_us)), half))
            level = half
    return Steps(1 ^ inverted, changes)

"""What a transmitted wave (or chain) does to each output latch, in time.

A transmission is a tree of nodes: :class:`Segment` (one pass of a wave: the
latch writes at their offsets), :class:`Series` (one after the other) and
:class:`Loop` (a body repeated a number of times, or for ever).  Times inside
a node are µs from the node's start.  :class:`WaveLatch` is the timeline wave
(see :mod:`..timeline`) that one gpio's latch carries while transmissions run.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from typing import Optional, Union

from ...wave_model import Pulse
from ..timeline import Edge

#: The latch writes of one gpio: (offset µs, level) in time order.
Writes = list[tuple[int, int]]


class Segment:
    """One pass of a pulse list (optionally after a lead-in delay)."""

    def __init__(self, pulses: Sequence[Pulse], lead: int = 0) -> None:
        self.writes: dict[int, Writes] = {}
        t = lead
        for on, off, delay in pulses:
            for mask, level in ((on, 1), (off, 0)):
                while mask:
                    low = mask & -mask
                    self.writes.setdefault(low.bit_length() - 1, []).append((t, level))
                    mask ^= low
            t += delay
        self.duration: Optional[int] = t
        self._times = {g: [w[0] for w in ws] for g, ws in self.writes.items()}

    def gpios(self) -> set[int]:
        """The gpios this node writes."""
        return set(self.writes)

    def last(self, gpio: int, t: float) -> Optional[int]:
        """The level of the last write to ``gpio`` at or before ``t``, else None."""
        times = self._times.get(gpio)
        if not times:
            return None
        k = bisect_right(times, t)
        return self.writes[gpio][k - 1][1] if k else None

    def writes_in(self, gpio: int, a: float, b: float) -> Iterator[Edge]:
        """Writes to ``gpio`` at offsets ``a < t <= b``."""
        times = self._times.get(gpio)
        if not times:
            return
        writes = self.writes[gpio]
        for k in range(bisect_right(times, a), bisect_right(times, b)):
            yield writes[k]


class Series:
    """Nodes played one after the other."""

    def __init__(self, items: list[Node]) -> None:
        self.items = [item for item in items if item.duration != 0 or item.gpios()]
        self.starts: list[int] = []
        t = 0
        for item in self.items:
            self.starts.append(t)
            if item.duration is None:
                break
            t += item.duration
        self.items = self.items[:len(self.starts)]
        forever = bool(self.items) and self.items[-1].duration is None
        self.duration: Optional[int] = None if forever else t

    def gpios(self) -> set[int]:
        """The gpios this node writes."""
        return set().union(*(item.gpios() for item in self.items))

    def last(self, gpio: int, t: float) -> Optional[int]:
        """The level of the last write to ``gpio`` at or before ``t``, else None."""
        k = bisect_right(self.starts, t)
        for i in range(k - 1, -1, -1):
            level = self.items[i].last(gpio, t - self.starts[i])
            if level is not None:
                return level
        return None

    def writes_in(self, gpio: int, a: float, b: float) -> Iterator[Edge]:
        """Writes to ``gpio`` at offsets ``a < t <= b``."""
        first = max(bisect_right(self.starts, a) - 1, 0)
        for i in range(first, bisect_left(self.starts, b)):
            start = self.starts[i]
            for t, level in self.items[i].writes_in(gpio, a - start, b - start):
                yield t + start, level


class Loop:
    """``body`` played ``count`` times (None: for ever)."""

    def __init__(self, body: Node, count: Optional[int]) -> None:
        self.body = body
        self.count = count
        period = body.duration
        if period is None:
            raise ValueError("a loop body must end")
        self.period = period
        self.duration: Optional[int] = None if count is None else period * count

    def gpios(self) -> set[int]:
        """The gpios this node writes (none if it plays 0 times)."""
        return self.body.gpios() if self.count != 0 else set()

    def _pass(self, t: float) -> int:
        """Which pass is running at ``t`` (clamped to the last one)."""
        k = int(t // self.period) if self.period else 0
        return k if self.count is None else min(k, self.count - 1)

    def last(self, gpio: int, t: float) -> Optional[int]:
        """The level of the last write to ``gpio`` at or before ``t``, else None."""
        if self.count == 0 or t < 0:
            return None
        k = self._pass(t)
        level = self.body.last(gpio, t - k * self.period)
        if level is None and k > 0:
            level = self.body.last(gpio, self.period)
        return level

    def writes_in(self, gpio: int, a: float, b: float) -> Iterator[Edge]:
        """Writes to ``gpio`` at offsets ``a < t <= b``."""
        if self.count == 0 or self.period == 0:
            return
        for k in range(self._pass(max(a, 0)), self._pass(b) + 1):
            base = k * self.period
            for t, level in self.body.writes_in(gpio, a - base, min(b - base, self.period)):
                yield t + base, level


Node = Union[Segment, Series, Loop]


class Run:
    """A node played from ``start`` until ``stop`` (None: until it ends)."""

    __slots__ = ("node", "start", "stop", "wave_id")

    def __init__(self, node: Node, start: int, wave_id: int) -> None:
        self.node = node
        self.start = start
        self.stop: Optional[int] = None
        self.wave_id = wave_id

    @property
    def end(self) -> Optional[int]:
        """When the run stops making changes (None: never)."""
        ends = [t for t in (self.stop, self._natural_end()) if t is not None]
        return min(ends) if ends else None

    def _natural_end(self) -> Optional[int]:
        duration = self.node.duration
        return None if duration is None else self.start + duration


class WaveLatch:
    """One gpio's latch while runs write it: ``initial`` before, the writes after."""

    __slots__ = ("gpio", "initial", "runs")

    def __init__(self, gpio: int, initial: int, runs: list[Run]) -> None:
        self.gpio = gpio
        self.initial = initial
        self.runs = runs

    def level(self, t: float) -> int:
        """The level at time ``t``."""
        for run in reversed(self.runs):
            if run.start > t:
                continue
            end = run.end
            local = (t if end is None else min(t, end)) - run.start
            level = run.node.last(self.gpio, local)
            if level is not None:
                return level
        return self.initial

    def edges(self, a: float, b: float) -> Iterator[Edge]:
        """Level changes at ``a < t <= b``."""
        current = self.level(a)
        for run in self.runs:
            end = run.end
            lo, hi = max(a, run.start - 1), b if end is None else min(b, end)
            if lo >= hi:
                continue
            for t, level in run.node.writes_in(self.gpio, lo - run.start, hi - run.start):
                if level != current and t + run.start > a:
                    current = level
                    yield t + run.start, level

    def __repr__(self) -> str:
        return f"WaveLatch(gpio={self.gpio!r}, initial={self.initial!r}, runs={len(self.runs)})"

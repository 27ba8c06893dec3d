"""Level histories of the pins, with exact microsecond times.

A *wave* says what a pin (or an output latch) does from some moment on: the int
0 or 1 for a steady level, or an object with ``level(t)`` and ``edges(a, b)``
for a signal that changes by itself (PWM, servo pulses, a trigger pulse, a
hardware clock, the control API's edge rig).  The :class:`Timeline` keeps,
per pin, the waves it carried and since when, so the level at any recent time
and every change in an interval can be computed afterwards (notification
reports are made from it).
Times are microseconds on the :mod:`clock` axis.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from typing import Callable, Optional, Protocol, Union

Edge = tuple[float, int]

#: How much history each pin keeps (µs).
HISTORY_US = 1_000_000
MICROS = 1_000_000


class Signal(Protocol):
    """A wave that changes by itself (:class:`Periodic`, :class:`Pulse`, a wave latch, ...)."""

    def level(self, t: float) -> int:
        """The level at time ``t``."""
        ...

    def edges(self, a: float, b: float) -> Iterable[Edge]:
        """The level changes at times ``a < t <= b``, in order."""
        ...


class Periodic:
    """High for ``high`` µs at the start of every ``period`` µs, phase 0 at t = 0.

    With ``until`` set no new period starts at or after that time (the one in
    progress completes), after which the level stays low.  ``high`` ≥
    ``period`` is a generator that keeps the level high (PWM at full
    dutycycle); a signal that is never high is the int 0 instead.
    """

    __slots__ = ("high", "period", "until")

    def __init__(self, period: float, high: float, until: int | None = None) -> None:
        self.period = period
        self.high = high
        self.until = until

    def level(self, t: float) -> int:
        """The level at time ``t``."""
        phase = t % self.period
        if self.until is not None and t - phase >= self.until:
            return 0
        return 1 if phase < self.high else 0

    def edges(self, a: float, b: float) -> Iterator[Edge]:
        """The level changes at times ``a < t <= b``."""
        if self.high >= self.period:  # always high until stopped
            if self.until is not None:
                end = -(-self.until // self.period) * self.period
                if a < end <= b:
                    yield end, 0
            return
        k = int(a // self.period)
        while True:
            start = k * self.period
            if start > b or (self.until is not None and start >= self.until):
                return
            if start > a:
                yield start, 1
            fall = start + self.high
            if a < fall <= b:
                yield fall, 0
            k += 1

    def stopped(self, t: int) -> Periodic:
        """The same signal with no period starting from ``t`` on."""
        return Periodic(self.period, self.high, t)

    def _key(self) -> tuple[float, float, Optional[int]]:
        return (self.period, self.high, self.until)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Periodic) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return "Periodic(period={!r}, high={!r}, until={!r})".format(*self._key())


class Pulse:
    """``first`` until ``end``, the opposite level from then on (a trigger pulse)."""

    __slots__ = ("end", "first")

    def __init__(self, end: int, first: int) -> None:
        self.end = end
        self.first = first

    def level(self, t: float) -> int:
        """The level at time ``t``."""
        return self.first if t < self.end else 1 - self.first

    def edges(self, a: float, b: float) -> Iterator[Edge]:
        """The level changes at times ``a < t <= b``: the end of the pulse, if in there."""
        if a < self.end <= b:
            yield self.end, 1 - self.first

    def __repr__(self) -> str:
        return f"Pulse(end={self.end!r}, first={self.first!r})"


class Toggles:
    """``count`` level changes from ``before``, change k at ``start + k * 1e6 // rate`` µs.

    The control API's edge rig: an input driven from outside that changes
    ``rate`` times a second; after the last change the level stays.
    """

    __slots__ = ("before", "count", "rate", "start")

    def __init__(self, start: int, rate: int, count: int, before: int) -> None:
        self.start = start
        self.rate = rate
        self.count = count
        self.before = before

    def time(self, k: int) -> int:
        """When change ``k`` (from 0) happens."""
        return self.start + k * MICROS // self.rate

    def _done(self, t: float) -> int:
        """How many changes happened at or before ``t``."""
        elapsed = int(t) - self.start
        if elapsed < 0:
            return 0
        return min(self.count, -(-(elapsed + 1) * self.rate // MICROS))

    def level(self, t: float) -> int:
        """The level at time ``t``."""
        return self.before ^ (self._done(t) & 1)

    def edges(self, a: float, b: float) -> list[Edge]:
        """The level changes at times ``a < t <= b``, in order."""
        start, rate, before = self.start, self.rate, self.before
        return [(start + k * MICROS // rate, before ^ (~k & 1))
                for k in range(self._done(a), self._done(b))]

    def __repr__(self) -> str:
        return "Toggles(start={!r}, rate={!r}, count={!r}, before={!r})".format(
            self.start, self.rate, self.count, self.before)


Wave = Union[int, Signal]
#: How an observer sees a wave (e.g. a sampler that cannot follow fast signals).
View = Optional[Callable[[Wave], Wave]]


def level_at(wave: Wave, t: float) -> int:
    """The level a wave gives at time ``t``."""
    if wave.__class__ is int:
        return wave
    return wave.level(t)  # type: ignore[union-attr]  # `is int` does not narrow the else


class Timeline:
    """Per pin, the waves it carried and when each one started."""

    def __init__(self, count: int, history_us: int = HISTORY_US) -> None:
        self.history_us = history_us
        self._segments: list[deque[tuple[int, Wave]]] = [deque() for _ in range(count)]

    def restart(self, t: int, waves: list[Wave]) -> None:
        """Forget the history; pin ``g`` carries ``waves[g]`` from ``t`` on."""
        for segments, wave in zip(self._segments, waves):
            segments.clear()
            segments.append((t, wave))

    def record(self, gpio: int, t: int, wave: Wave) -> None:
        """Pin ``gpio`` carries ``wave`` from ``t`` on (t never decreases)."""
        segments = self._segments[gpio]
        if segments[-1][0] == t:
            segments[-1] = (t, wave)
        else:
            segments.append((t, wave))
        cutoff = t - self.history_us
        while len(segments) > 1 and segments[1][0] <= cutoff:
            segments.popleft()

    def level(self, gpio: int, t: float, view: View = None) -> int:
        """The level of pin ``gpio`` at time ``t`` (within the kept history)."""
        segments = self._segments[gpio]
        wave = segments[0][1]
        for start, candidate in reversed(segments):
            if start <= t:
                wave = candidate
                break
        return level_at(view(wave) if view else wave, t)

    def steady(self, gpio: int, since: float, until: float) -> int | None:
        """The level of pin ``gpio`` if it cannot change in ``[since, until]``, else None."""
        for start, wave in reversed(self._segments[gpio]):
            if start <= since:
                return wave if wave.__class__ is int else None
            if start <= until:
                return None
        return None

    def changes(self, gpio: int, since: float, until: float, view: View = None) -> list[Edge]:
        """Every level change of pin ``gpio`` at times ``since < t <= until``.

        ``view`` maps each wave to the one to use instead (default: itself).
        """
        segments = list(self._segments[gpio])
        if view is not None:
            segments = [(start, view(wave)) for start, wave in segments]
        found: list[Edge] = []
        current: int | None = None  # the level so far
        for i, (start, wave) in enumerate(segments):
            if start > until:
                break
            end = segments[i + 1][0] if i + 1 < len(segments) else None
            if end is not None and end <= since:
                continue
            if current is None:
                current = level_at(wave, since)
            else:  # a wave's own change at the moment it was replaced is not lost
                after = level_at(wave, start)
                if after != current:
                    found.append((start, after))
                    current = after
            if wave.__class__ is not int:
                for edge in wave.edges(max(since, start), until):  # type: ignore[union-attr]
                    if end is not None and edge[0] >= end:
                        break
                    found.append(edge)
                    current = edge[1]
        return found

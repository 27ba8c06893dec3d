"""pigpiod's glitch (FG) and noise (FN) filters, on the samples of one gpio.

Both rewrite the levels that the samples of a monitored gpio show before any
report is made from them (READ and BR1 are unaffected).  They work on
*observations*: (sample time, level) pairs in time order, the first one for the
first sample of an alert pass and then one per sample where the level changed;
between two observations the level does not change.  A filter returns the
levels its output shows at the samples where that may have changed, so a level
can repeat.  The rules are those of pigpio.c (alertGlitchFilter,
alertNoiseFilter), applied to the samples a pass covers; a filter keeps its
state between passes.
"""
from __future__ import annotations

from ..sampler import Sample


def ceil_to(t: int, period: int) -> int:
    """The first multiple of ``period`` at or after ``t``."""
    return -(-t // period) * period


def changes_from(level: int, observations: list[Sample]) -> list[Sample]:
    """The observations that differ from the level before them, starting from ``level``."""
    changes = []
    for sample, new in observations:
        if new != level:
            changes.append((sample, new))
            level = new
    return changes


class GlitchFilter:
    """FG: a new level is passed on once it has been steady for ``steady`` µs.

    The change shows at the first sample by which the level had been steady
    that long (``steady`` rounded up to whole samples after the change), so
    pulses shorter than that never show.  Setting the filter makes it start
    again from the next sample.
    """

    def __init__(self, sample_us: int) -> None:
        self.sample_us = sample_us
        self.steady = 0
        self._fresh = True
        self._shown = self._last = self._since = 0

    def set(self, steady_us: int) -> None:
        """Set the steady time; the filter starts again from the next sample."""
        self.steady = steady_us
        self._fresh = True

    def apply(self, observations: list[Sample], until: int) -> list[Sample]:
        """The filtered observations of a pass ending with the sample at ``until``."""
        first = observations[0][0]
        if self._fresh:
            self._fresh = False
            self._shown = self._last = observations[0][1]
            self._since = first
        wait = ceil_to(self.steady, self.sample_us)
        shown, last, since = self._shown, self._last, self._since
        out: list[Sample] = []
        for sample, level in observations:
            due = max(since + wait, first)
            if last != shown and due < sample:
                shown = last
                out.append((due, shown))
            if level != last:
                last, since = level, sample
            if last != shown and sample - since >= wait:
                shown = last
            out.append((sample, shown))
        due = max(since + wait, first)
        if last != shown and due <= until:
            shown = last
            out.append((due, shown))
        self._shown, self._last, self._since = shown, last, since
        return out


class NoiseFilter:
    """FN: after ``steady`` µs without a change, changes pass for ``active`` µs.

    While it waits for a steady period the output holds the level the gpio had
    before the change that ended the last one (pigpiod's rule: after FN a gpio
    can show a stale level until its next steady period ends); the change
    that ends a steady period opens a window of ``active`` µs during which the
    samples pass unchanged; then it waits again, counting from the window's end.
    """

    def __init__(self, sample_us: int) -> None:
        self.sample_us = sample_us
        self.steady = self.active = 0
        self._open = False
        self._last = self._held = 0
        self._since = self._until = 0
        self._closes = 0  # the sample that closes the open window

    def set(self, steady_us: int, active_us: int, t: int) -> None:
        """Set the steady and active times; the filter starts again at ``t``."""
        self.steady, self.active = steady_us, active_us
        self._since = self._until = t
        self._open = False

    def apply(self, observations: list[Sample], until: int) -> list[Sample]:
        """The filtered observations of a pass ending with the sample at ``until``."""
        first = observations[0][0]
        out: list[Sample] = []
        for sample, level in observations:
            self._close_before(sample, first, out)
            self._sample(sample, level)
            out.append((sample, level if self._open else self._held))
        self._close_before(until + 1, first, out)
        return out

    def _close_before(self, sample: int, first: int, out: list[Sample]) -> None:
        """Close an open window if a sample before ``sample`` (and from ``first``) closes it."""
        end = max(self._closes, first)
        if self._open and end < sample:
            self._open = False
            self._since = end
            out.append((end, self._held))

    def _sample(self, sample: int, level: int) -> None:
        if self._open:
            if sample >= self._until:
                self._open = False
                self._since = sample
        elif level != self._last:
            quiet = sample - self._since
            self._since = sample
            if quiet >= self.steady:
                self._held = self._last
                self._open = True
                self._until = sample + self.active
                self._closes = max(ceil_to(self._until, self.sample_us), sample + self.sample_us)
        self._last = level

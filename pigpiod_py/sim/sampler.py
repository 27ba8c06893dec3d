"""What pigpiod's sampler sees of the pins: their levels once per sample period.

The daemon reads the levels of gpio 0-31 every ``S`` µs (``--sample-rate``,
5 by default) and makes its reports from those samples.  Here the samples are
taken at the multiples of ``S`` on the time axis, so a change at ``t`` is seen
by the sample at ``ceil(t / S) * S`` and changes that cancel out between two
samples are never seen, as on the Pi.

Signals faster than the samples can follow are seen as steady: a periodic
wave with a period under two samples (above 100 kHz at 5 µs; in practice a
hardware clock or a fast hardware PWM) shows the level it has most of the
time.  The real daemon would report an aliasing pattern of up to one change
per sample, which says nothing about the signal and would cost a report per
sample.  Slower signals are sampled exactly, whatever their duty cycle.
"""
from __future__ import annotations

from .timeline import Periodic, Timeline, Wave

#: What a sample saw: (its time, a level), e.g. a change to that level.
Sample = tuple[int, int]


class Sampler:
    """Samples of a timeline's pins every ``period_us`` µs."""

    def __init__(self, timeline: Timeline, period_us: int) -> None:
        self.timeline = timeline
        self.period = period_us

    def _view(self, wave: Wave) -> Wave:
        """The wave as the samples see it (too fast a signal is steady)."""
        if wave.__class__ is Periodic and wave.period < 2 * self.period:
            return 1 if 2 * wave.high >= wave.period else 0
        return wave

    def level(self, gpio: int, t: int) -> int:
        """The level the sample at ``t`` (a multiple of the period) sees."""
        return self.timeline.level(gpio, t, self._view)

    def changes(self, gpio: int, since: int, until: int) -> list[Sample]:
        """The changes seen by the samples in ``(since, until]``: (sample time, new level)."""
        raw = self.timeline.changes(gpio, since, until, self._view)
        if not raw:
            return []
        period = self.period
        seen: list[Sample] = []
        level = 1 - raw[0][1]  # a pin's changes alternate
        sample: float = -1
        latest = level
        for t, new in raw:
            at = -(-t // period) * period
            if at != sample:
                if latest != level:
                    seen.append((int(sample), latest))
                    level = latest
                sample = at
            latest = new
        if latest != level:
            seen.append((int(sample), latest))
        return seen

"""Glitch and noise filters: pass by pass on observations, as pigpiod sample by sample.

The reference here applies pigpiod's rules to every sample; the simulator's
filters only see the samples where something changes, one alert pass at a
time.  Both must give the same reported changes whatever the pass boundaries.
"""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pigpiod_py.sim.notifications.alerts import observations
from pigpiod_py.sim.notifications.filters import GlitchFilter, NoiseFilter, ceil_to, changes_from

S = 5


def raw_levels(gaps: list[int], start: int, samples: int) -> list[int]:
    """Levels at samples 0..samples-1: starting at ``start``, flipping after each gap."""
    levels, level, countdown = [], start, list(gaps)
    wait = countdown.pop(0) if countdown else samples
    for _ in range(samples):
        if wait == 0:
            level ^= 1
            wait = countdown.pop(0) if countdown else samples
        levels.append(level)
        wait -= 1
    return levels


def reference_glitch(levels: list[int], steady: int, base: int) -> list[int]:
    """pigpiod's glitch rule on every sample (initialised from the first)."""
    shown = last = levels[0]
    since = base
    out = []
    for i, level in enumerate(levels):
        tick = base + i * S
        if level != last:
            last, since = level, tick
        if level != shown and tick - since >= steady:
            shown = level
        out.append(shown)
    return out


def reference_noise(levels: list[int], steady: int, active: int, set_at: int,
                    base: int) -> list[int]:
    """pigpiod's noise rule on every sample, from the state FN leaves (levels 0)."""
    is_open, last, held, since, until = False, 0, 0, set_at, set_at
    out = []
    for i, level in enumerate(levels):
        tick = base + i * S
        if is_open:
            if tick >= until:
                is_open, since = False, tick
        elif level != last:
            quiet, since = tick - since, tick
            if quiet >= steady:
                held, is_open, until = last, True, tick + active
        out.append(level if is_open else held)
        last = level
    return out


def by_passes(levels: list[int], cuts: list[int], base: int, apply) -> list[tuple[int, int]]:
    """Run ``apply(observations, until)`` pass by pass; the changes it reports."""
    bounds = sorted({c for c in cuts if 0 < c < len(levels)} | {len(levels)})
    shown = levels[0]
    changes, begin = [], 0
    for end in bounds:
        first = base + begin * S
        before = levels[begin - 1] if begin else levels[0]
        seen = [(base + i * S, levels[i]) for i in range(begin, end)
                if i and levels[i] != levels[i - 1]]
        out = apply(observations(first, before, seen), base + (end - 1) * S)
        found = changes_from(shown, out)
        if found:
            shown = found[-1][1]
        changes += found
        begin = end
    return changes


def as_changes(levels: list[int], start: int, base: int) -> list[tuple[int, int]]:
    return changes_from(start, [(base + i * S, level) for i, level in enumerate(levels)])


gaps = st.lists(st.integers(1, 40), max_size=30)
cuts = st.lists(st.integers(1, 400), max_size=12)


@settings(max_examples=300, deadline=None)
@given(gaps=gaps, cuts=cuts, steady=st.integers(1, 120), start=st.integers(0, 1))
def test_glitch_filter_matches_the_per_sample_rule(gaps, cuts, steady, start):
    base, samples = 1000, 400
    levels = raw_levels(gaps, start, samples)
    expected = as_changes(reference_glitch(levels, ceil_to(steady, S), base), levels[0], base)
    glitch = GlitchFilter(S)
    glitch.set(steady)
    assert by_passes(levels, cuts, base, glitch.apply) == expected


@settings(max_examples=300, deadline=None)
@given(gaps=gaps, cuts=cuts, steady=st.integers(1, 200), active=st.integers(0, 400),
       start=st.integers(0, 1))
def test_noise_filter_matches_the_per_sample_rule(gaps, cuts, steady, active, start):
    base, samples = 1000, 400
    levels = raw_levels(gaps, start, samples)
    reference = reference_noise(levels, steady, active, base - 7, base)
    expected = as_changes(reference, levels[0], base)
    noise = NoiseFilter(S)
    noise.set(steady, active, base - 7)
    assert by_passes(levels, cuts, base, noise.apply) == expected


def test_glitch_filter_delays_edges_and_drops_short_pulses():
    glitch = GlitchFilter(S)
    glitch.set(100)
    seen = glitch.apply([(1000, 0), (1200, 1), (1250, 0), (1500, 1)], 3000)
    assert changes_from(0, seen) == [(1600, 1)]  # 50 µs pulse gone; the rest 100 µs late


def test_glitch_filter_rounds_steady_up_to_whole_samples():
    glitch = GlitchFilter(S)
    glitch.set(12)
    assert changes_from(0, glitch.apply([(1000, 0), (1100, 1)], 2000)) == [(1115, 1)]


def test_noise_filter_opens_a_window_after_a_steady_period():
    noise = NoiseFilter(S)
    noise.set(1000, 300, 0)
    changes = [(2000 + 100 * k, (k + 1) & 1) for k in range(8)]  # a change every 100 µs
    seen = noise.apply(observations(1005, 0, changes), 5000)
    # the first change opens a 300 µs window (3 changes pass), then the held level 0 shows
    assert changes_from(0, seen) == [(2000, 1), (2100, 0), (2200, 1), (2300, 0)]


def test_noise_filter_holds_a_stale_level_until_a_steady_period_ends():
    noise = NoiseFilter(S)
    noise.set(1000, 5000, 0)
    # FN leaves the held level at 0: a pin that is high shows low until it moves
    assert changes_from(1, noise.apply([(100, 1)], 900)) == [(100, 0)]

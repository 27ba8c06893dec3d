"""The edge rig's wave and what the 5 µs samples see of the timeline."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pigpiod_py.sim.sampler import Sampler
from pigpiod_py.sim.timeline import Periodic, Pulse, Timeline, Toggles


def sampler_with(*waves, period=5) -> Sampler:
    """A one-pin timeline carrying ``waves`` = (start, wave), ..., from 0 on."""
    timeline = Timeline(1)
    timeline.restart(0, [0])
    for start, wave in waves:
        timeline.record(0, start, wave)
    return Sampler(timeline, period)


# -- the edge rig ------------------------------------------------------------

def test_toggles_change_count_times_at_the_rate():
    wave = Toggles(1000, 40000, 5, 0)
    assert [wave.time(k) for k in range(5)] == [1000, 1025, 1050, 1075, 1100]
    assert wave.edges(0, 10_000) == [(1000, 1), (1025, 0), (1050, 1), (1075, 0), (1100, 1)]
    assert [wave.level(t) for t in (999, 1000, 1024, 1025, 1100, 99_999)] == [0, 1, 1, 0, 1, 1]
    assert wave.edges(1000, 1050) == [(1025, 0), (1050, 1)]


@given(start=st.integers(0, 10_000), rate=st.integers(1, 1_000_000), count=st.integers(1, 300),
       before=st.integers(0, 1), a=st.integers(0, 20_000), span=st.integers(0, 20_000))
def test_toggles_edges_agree_with_levels(start, rate, count, before, a, span):
    wave = Toggles(start, rate, count, before)
    b = a + span
    edges = wave.edges(a, b)
    assert all(a < t <= b for t, _ in edges)
    assert all(wave.level(t) == level and wave.level(t - 1) != level for t, level in edges)
    assert len(wave.edges(-1, 10**12)) == count


# -- sampling --------------------------------------------------------------

def test_a_change_is_seen_by_the_next_sample():
    sampler = sampler_with((1001, 1), (1010, 0))
    assert sampler.changes(0, 0, 2000) == [(1005, 1), (1010, 0)]
    assert sampler.level(0, 1005) == 1 and sampler.level(0, 1000) == 0


def test_a_pulse_between_two_samples_is_missed():
    assert sampler_with((1001, Pulse(1004, 1))).changes(0, 0, 2000) == []


def test_a_short_pulse_across_a_sample_shows_for_one_sample():
    assert sampler_with((1004, Pulse(1007, 1))).changes(0, 0, 2000) == [(1005, 1), (1010, 0)]


def test_signals_slower_than_two_samples_are_sampled_exactly():
    sampler = sampler_with((0, Periodic(10, 5)))  # 100 kHz at 5 µs
    assert sampler.changes(0, 0, 40) == [(5, 0), (10, 1), (15, 0), (20, 1), (25, 0), (30, 1),
                                         (35, 0), (40, 1)]


def test_faster_signals_look_steady_at_their_main_level():
    assert sampler_with((100, Periodic(0.1, 0.05))).changes(0, 0, 10_000) == [(100, 1)]
    assert sampler_with((100, Periodic(8, 2))).changes(0, 0, 10_000) == []
    assert sampler_with((100, Periodic(8, 2))).level(0, 5000) == 0


def test_steady_tells_whether_a_pin_can_change():
    timeline = Timeline(1)
    timeline.restart(0, [1])
    timeline.record(0, 100, Periodic(10, 5))
    timeline.record(0, 200, 0)
    assert (timeline.steady(0, 0, 99), timeline.steady(0, 250, 300)) == (1, 0)
    assert timeline.steady(0, 50, 150) is None and timeline.steady(0, 150, 160) is None

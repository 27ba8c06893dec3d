"""Pin timelines: exact level changes from writes, triggers, PWM and servo pulses.

These run an in-process simulator to look at its board directly.
"""
from __future__ import annotations

import pytest

from pigpiod_py.constants import Command
from pigpiod_py.sim import Simulator
from pigpiod_py.sim.interfaces.client import RawClient
from pigpiod_py.sim.clock import now_us
from pigpiod_py.sim.pwm.hardware import clock_divider
from pigpiod_py.sim.pwm.soft import frequency_table, nearest_index
from pigpiod_py.sim.timeline import Periodic, Pulse, Timeline


@pytest.fixture(scope="module")
def simulator():
    with Simulator() as sim:
        yield sim


@pytest.fixture
def pi(simulator):
    simulator.controls.reset()
    with RawClient(simulator.host, simulator.port) as client:
        yield client


# -- waves ----------------------------------------------------------------

def test_periodic_levels_and_edges():
    wave = Periodic(1000, 250)
    assert [wave.level(t) for t in (0, 249, 250, 999, 1000, 5249, 5250)] == [1, 1, 0, 0, 1, 1, 0]
    assert list(wave.edges(0, 2000)) == [(250, 0), (1000, 1), (1250, 0), (2000, 1)]
    assert list(wave.edges(250, 1000)) == [(1000, 1)]


def test_stopped_periodic_finishes_its_pulse():
    wave = Periodic(20000, 1500).stopped(40100)
    assert wave.level(41000) == 1 and wave.level(41500) == 0 and wave.level(60000) == 0
    assert list(wave.edges(40000, 100000)) == [(41500, 0)]


def test_full_periodic_stays_high_until_stopped():
    assert list(Periodic(100, 100).edges(0, 1000)) == []
    wave = Periodic(100, 100).stopped(250)
    assert wave.level(299) == 1 and wave.level(300) == 0
    assert list(wave.edges(0, 1000)) == [(300, 0)]


def test_pulse():
    wave = Pulse(110, 1)
    assert (wave.level(100), wave.level(110)) == (1, 0)
    assert list(wave.edges(100, 200)) == [(110, 0)]


def test_timeline_changes_across_segments():
    timeline = Timeline(1)
    timeline.restart(0, [0])
    timeline.record(0, 100, 1)
    timeline.record(0, 200, Periodic(100, 30))
    timeline.record(0, 360, 0)
    assert timeline.changes(0, 0, 400) == [(100, 1), (230, 0), (300, 1), (330, 0)]
    assert timeline.changes(0, 100, 300) == [(230, 0), (300, 1)]
    assert timeline.level(0, 150) == 1 and timeline.level(0, 310) == 1


@pytest.mark.parametrize("signal", [Periodic(200, 100), Pulse(300, 1)])
def test_a_change_at_the_moment_a_signal_is_replaced_is_kept(signal):
    """The signal falls at 300 and is replaced there by its own new level (a wave halted
    the µs it changed): the fall is reported once, at 300."""
    timeline = Timeline(1)
    timeline.restart(0, [signal])
    timeline.record(0, 300, 0)
    changes = timeline.changes(0, 250, 400)
    assert changes == [(300, 0)]
    assert timeline.changes(0, 299, 300) == [(300, 0)]
    assert timeline.level(0, 250) == 1 and timeline.level(0, 300) == 0


def test_timeline_forgets_old_history():
    timeline = Timeline(1, history_us=1000)
    timeline.restart(0, [0])
    for t in range(10, 5000, 10):
        timeline.record(0, t, (t // 10) & 1)
    assert timeline.changes(0, 0, 3000) == []
    assert len(timeline.changes(0, 4000, 5000)) == 99


# -- tables ---------------------------------------------------------------

@pytest.mark.parametrize("sample_us, first_row, last_row", [
    (1, (40000, 20000, 10000), (200, 100, 50)),
    (2, (20000, 10000, 5000), (100, 50, 25)),
    (4, (10000, 5000, 2500), (50, 25, 13)),
    (5, (8000, 4000, 2000), (40, 20, 10)),
    (8, (5000, 2500, 1250), (25, 13, 6)),
    (10, (4000, 2000, 1000), (20, 10, 5)),
])
def test_frequency_tables(sample_us, first_row, last_row):
    table = frequency_table(sample_us)
    assert len(table) == 18 and table[:3] == first_row and table[-3:] == last_row


def test_frequency_table_at_8_us_rounds_half_up():
    assert frequency_table(8)[6] == 313 and frequency_table(8)[9] == 156


def test_nearest_index_ties_go_up():
    table = frequency_table(5)
    assert table[nearest_index(table, 900)] == 1000
    assert table[nearest_index(table, 899)] == 800


@pytest.mark.parametrize("hz, sources, expected", [
    (1_000_000, (19_200_000, 500_000_000), (500_000_000, 500, 0)),   # exact: PLLD wins the tie
    (30_000_000, (19_200_000, 500_000_000), (500_000_000, 17, 0)),   # integer divider
    (4689, (19_200_000, 500_000_000), (19_200_000, 4094, 2825)),  # 4094.6897
    (4000, (19_200_000, 500_000_000), None),                          # divider too large
])
def test_clock_divider(hz, sources, expected):
    assert clock_divider(hz, sources) == expected


# -- the board's history --------------------------------------------------

def test_writes_are_recorded_with_their_times(simulator, pi):
    start = now_us()
    pi.command(Command.WRITE, 17, 1)
    pi.command(Command.WRITE, 17, 0)
    pi.command(Command.WRITE, 17, 0)
    changes = simulator.board.timeline.changes(17, start, now_us())
    assert [level for _, level in changes] == [1, 0]
    assert start <= changes[0][0] <= changes[1][0] <= now_us()


def test_trigger_pulse_is_on_the_timeline(simulator, pi):
    pi.command(Command.WRITE, 17, 0)
    start = now_us()
    assert pi.command(Command.TRIG, 17, 37, (1).to_bytes(4, "little")) == 0
    (rise, high), (fall, low) = simulator.board.timeline.changes(17, start, now_us())
    assert (high, low, fall - rise) == (1, 0, 37)


def test_software_pwm_edges_and_instant_levels(simulator, pi):
    pi.command(Command.PWM, 4, 128)  # 800 Hz: 625 of 1250 µs high
    board = simulator.board
    base = (now_us() // 1250 + 1) * 1250
    assert [board.read(4, base + dt) for dt in (0, 624, 625, 1249)] == [1, 1, 0, 0]
    edges = board.timeline.changes(4, base, base + 1_000_000)
    assert len(edges) == 1600
    assert edges[:2] == [(base + 625, 0), (base + 1250, 1)]


def test_servo_stop_lets_the_last_pulse_finish(simulator, pi):
    pi.command(Command.SERVO, 17, 1500)
    before = now_us()
    assert pi.command(Command.SERVO, 17, 0) == 0
    latch = simulator.board.latch[17]
    assert latch == Periodic(20000, 1500, latch.until)
    assert before <= latch.until <= now_us()
    assert simulator.board.read(17, latch.until + 20000) == 0


def test_servo_pulse_is_rounded_down_to_the_sample_period():
    with Simulator(sample_rate=10) as sim, RawClient(sim.host, sim.port) as pi:
        pi.command(Command.SERVO, 17, 1505)
        latch = sim.board.latch[17]
        assert (latch.period, latch.high) == (20000, 1500)


def test_hardware_pwm_signal(simulator, pi):
    pi.command(Command.HP, 18, 1000, (250000).to_bytes(4, "little"))
    pin = simulator.board.pin[18]
    assert (pin.period, pin.high) == (1000.0, 250.0)
    pi.command(Command.MODES, 18, 0)
    assert simulator.board.pin[18] == 0  # an input again (pulled down)


def test_wired_input_carries_the_pwm_signal(simulator, pi):
    simulator.controls.wire(17, 27)
    pi.command(Command.PWM, 17, 64)
    assert simulator.board.pin[27] == simulator.board.pin[17] == Periodic(1250, 310)

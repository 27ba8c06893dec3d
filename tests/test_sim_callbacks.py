"""Edge, watchdog and event callbacks of the pigpio Python module.

(libpigpiod_if2's callbacks are tried in test_sim_clients.py.)
"""
from __future__ import annotations

import threading
import time

import pytest

pigpio = pytest.importorskip("pigpio")

RIG = 21  # a pulled-down input on a fresh simulator


class Recorder:
    """A callback that keeps (gpio, level, tick) and can wait for a count."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int, int]] = []
        self._more = threading.Condition()

    def __call__(self, *args: int) -> None:
        with self._more:
            self.calls.append(args)  # type: ignore[arg-type]
            self._more.notify_all()

    def wait(self, count: int, timeout: float = 30) -> list[tuple[int, int, int]]:
        with self._more:
            self._more.wait_for(lambda: len(self.calls) >= count, timeout)
            return list(self.calls)


@pytest.fixture
def connect(sim):
    """Opens pigpio connections to the simulator, stopped after the test."""
    opened = []

    def connect_one():
        connection = pigpio.pi(sim.host, sim.port)
        opened.append(connection)
        assert connection.connected
        return connection
    yield connect_one
    for connection in opened:
        connection.stop()


@pytest.fixture
def pi(connect):
    return connect()


def ticks_apart(calls: list[tuple[int, ...]]) -> set[int]:
    return {pigpio.tickDiff(a[-1], b[-1]) for a, b in zip(calls, calls[1:])}


def test_callbacks_follow_writes(pi):
    either, rising = Recorder(), Recorder()
    pi.callback(17, pigpio.EITHER_EDGE, either)
    pi.callback(17, pigpio.RISING_EDGE, rising)
    pi.set_mode(17, pigpio.OUTPUT)
    brackets = []
    for level in (1, 0, 1, 0):
        before = pi.get_current_tick()
        pi.write(17, level)
        brackets.append((before, pi.get_current_tick()))
        time.sleep(0.002)
    calls = either.wait(4)
    assert [(g, level) for g, level, _ in calls] == [(17, 1), (17, 0), (17, 1), (17, 0)]
    for (before, after), (_, _, tick) in zip(brackets, calls):
        assert pigpio.tickDiff(before, tick) <= pigpio.tickDiff(before, after) + 4
    assert all(2000 <= gap < 10_000_000 for gap in ticks_apart(calls))
    assert [level for _, level, _ in rising.wait(2)] == [1, 1]


def test_software_pwm_at_800_hz(pi):
    edges = Recorder()
    pi.callback(4, pigpio.EITHER_EDGE, edges)
    pi.set_PWM_dutycycle(4, 128)   # 800 Hz, 125 of 250 slots high: 625 µs
    calls = edges.wait(1700, timeout=60)   # more than a second of them
    pi.set_PWM_dutycycle(4, 0)
    assert len(calls) >= 1700
    # gpio 4 was pulled up: the pin may drop first, in the low part of a period
    periods = calls[next(i for i, (_, level, _) in enumerate(calls) if level == 1):]
    first = periods[0][2]
    assert len([c for c in periods if pigpio.tickDiff(first, c[2]) < 1_000_000]) == 1600
    assert ticks_apart(periods) == {625}


def test_servo_pulses(pi):
    pulses = Recorder()
    pi.callback(17, pigpio.EITHER_EDGE, pulses)
    pi.set_servo_pulsewidth(17, 1500)
    calls = pulses.wait(12)[2:12]   # the first pulse may have started before the servo
    pi.set_servo_pulsewidth(17, 0)
    rises = [c for c in calls if c[1] == 1]
    falls = [c for c in calls if c[1] == 0]
    assert ticks_apart(rises) == {20000}
    assert {pigpio.tickDiff(r[2], f[2]) for r, f in zip(rises, falls)} == {1500}


def test_watchdog_timeouts(pi):
    timeouts = Recorder()
    pi.callback(22, pigpio.FALLING_EDGE, timeouts)   # time-outs reach every edge kind
    pi.set_watchdog(22, 50)
    calls = timeouts.wait(20, timeout=60)
    pi.set_watchdog(22, 0)
    assert len(calls) >= 20
    assert {level for _, level, _ in calls} == {pigpio.TIMEOUT}
    # 50 ms of quiet, then the first alert pass after it: about 51 ms on an idle machine
    # (39 a second on a Pi); a starved alert thread only spaces them out more
    gaps = sorted(pigpio.tickDiff(a[2], b[2]) for a, b in zip(calls, calls[1:]))
    assert gaps[0] >= 50_000 and gaps[len(gaps) // 2] < 150_000


def test_event_callbacks(pi):
    three, seven, sentinel = Recorder(), Recorder(), Recorder()
    pi.event_callback(3, three)
    pi.event_callback(7, seven)
    pi.event_callback(9, sentinel)
    before = pi.get_current_tick()
    pi.event_trigger(3)
    ((event, tick),) = three.wait(1)
    assert event == 3 and pigpio.tickDiff(before, tick) < 1_000_000
    pi.event_trigger(9)
    assert len(sentinel.wait(1)) == 1   # the reports come in order: nothing else was due
    assert seven.calls == [] and len(three.calls) == 1


def test_wait_for_edge(sim, pi):
    sim.control.edges(RIG, 1, 5)   # one rising edge, 200 ms from now
    assert pi.wait_for_edge(RIG, pigpio.RISING_EDGE, 10.0)
    assert not pi.wait_for_edge(RIG, pigpio.FALLING_EDGE, 0.1)


def test_two_clients_each_with_a_20_khz_stream(sim, connect):
    recorders = [Recorder(), Recorder()]
    for gpio, recorder in zip((20, RIG), recorders):
        connect().callback(gpio, pigpio.EITHER_EDGE, recorder)
    for gpio in (20, RIG):
        sim.control.edges(gpio, 20000, 20000)   # one second each
    for gpio, recorder in zip((20, RIG), recorders):
        calls = recorder.wait(20000, timeout=60)
        assert len(calls) == 20000 and {g for g, _, _ in calls} == {gpio}
        assert ticks_apart(calls) == {50}

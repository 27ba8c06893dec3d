"""Events: callbacks, watchdogs, pigpio events, dispatch modes, pull, asyncio."""
from __future__ import annotations

import asyncio
import resource
import threading
import time

import pytest
from conftest import collect, threads_in_use, wait_until

import pigpiod_py
from pigpiod_py import Edge, Level, Mode, PigpioValueError
from pigpiod_py.events import EventKind

GPIO = 17


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


@pytest.fixture
def manual(daemon):
    with pigpiod_py.open(daemon.host, daemon.port, dispatch="manual") as session:
        session.set_mode(GPIO, Mode.OUTPUT)
        session.write(GPIO, 0)
        yield session


def pull_all(session, want: int, timeout: float = 5.0):
    return collect(session.pull, want, timeout)


def test_edges_reach_a_queued_callback_in_order(manual):
    cb = manual.callback(GPIO, Edge.EITHER)
    for level in (1, 0, 1, 0, 1):
        manual.write(GPIO, level)
    events = pull_all(manual, 5)
    assert [e.level for e in events] == [1, 0, 1, 0, 1]
    assert all(e.kind == EventKind.EDGE and e.gpio == GPIO and e.callback is cb for e in events)
    ticks = [e.tick for e in events]
    assert all(pigpiod_py.tick_diff(a, b) < 10_000_000 for a, b in zip(ticks, ticks[1:]))
    assert cb.tally() == 5
    cb.reset_tally()
    assert cb.tally() == 0


def test_edge_filter_and_several_callbacks_on_one_gpio(manual):
    seen = {"rise": [], "fall": [], "both": []}
    manual.callback(GPIO, Edge.RISING, lambda g, lv, t: seen["rise"].append(lv))
    manual.callback(GPIO, Edge.FALLING, lambda g, lv, t: seen["fall"].append(lv))
    manual.callback(GPIO, Edge.EITHER, lambda g, lv, t, user: seen["both"].append((lv, user)), user="u")
    manual.callback(GPIO, Edge.EITHER, lambda g, lv, t, user: seen["both"].append((lv, user)), user="u")
    for level in (1, 0, 1):
        manual.write(GPIO, level)
    manual.wait_for_edge(GPIO, Edge.RISING, 0.1)  # let them arrive
    deadline = time.monotonic() + 5
    while len(seen["both"]) < 6 and time.monotonic() < deadline:
        manual.sleep(0.05)
    assert seen["rise"] == [1, 1]
    assert seen["fall"] == [0]
    assert seen["both"] == [(1, "u"), (1, "u"), (0, "u"), (0, "u"), (1, "u"), (1, "u")]


def test_manual_mode_runs_nothing_until_asked(manual):
    calls = []
    manual.callback(GPIO, Edge.EITHER, lambda *a: calls.append(a))
    manual.write(GPIO, 1)
    time.sleep(0.2)
    assert calls == []
    assert manual.event_stats().queued >= 1
    assert manual.dispatch() >= 1
    assert len(calls) == 1


def test_cancel_stops_delivery(manual):
    calls = []
    cb = manual.callback(GPIO, Edge.EITHER, lambda *a: calls.append(a))
    cb.cancel()
    cb.cancel()
    manual.write(GPIO, 1)
    manual.sleep(0.2)
    assert calls == [] and not cb.active


def test_a_callback_cancelled_by_a_handler_gets_nothing_more_of_that_dispatch(manual):
    calls = []

    def first(gpio, level, tick):
        calls.append(("first", level))
        later.cancel()
        first_cb.cancel()

    first_cb = manual.callback(GPIO, Edge.EITHER, first)
    later = manual.callback(GPIO, Edge.EITHER, lambda g, lv, t: calls.append(("later", lv)))
    kept = manual.callback(GPIO, Edge.EITHER, lambda g, lv, t: calls.append(("kept", lv)))
    for level in (1, 0, 1):
        manual.write(GPIO, level)
    assert wait_until(lambda: manual.event_stats().queued >= 3, 5.0)
    assert manual.dispatch() == 3
    assert calls == [("first", 1), ("kept", 1), ("kept", 0), ("kept", 1)]
    assert kept.active and not later.active


def test_bad_callback_arguments(manual):
    with pytest.raises(PigpioValueError):
        manual.callback(32)
    with pytest.raises(PigpioValueError):
        manual.callback(GPIO, 3)
    with pytest.raises(TypeError):
        manual.callback(GPIO, Edge.RISING, func=42)
    with pytest.raises(PigpioValueError):
        manual.event_callback(32)


def test_watchdog_reaches_every_callback_with_level_timeout(manual):
    rising = manual.callback(GPIO, Edge.RISING)
    falling = manual.callback(GPIO, Edge.FALLING)
    manual.set_watchdog(GPIO, 50)
    try:
        events = pull_all(manual, 4, timeout=5)
    finally:
        manual.set_watchdog(GPIO, 0)
    assert len(events) == 4
    assert {e.level for e in events} == {Level.TIMEOUT}
    assert {e.kind for e in events} == {EventKind.WATCHDOG}
    assert rising.tally() >= 2 and falling.tally() >= 2


def test_pigpio_events(manual):
    got = []
    manual.event_callback(5, lambda event, tick: got.append(event))
    other = manual.event_callback(6)
    # wait_for_event waits for the next one: trigger once it waits (an event
    # counted before the wait began would not count).
    trigger = threading.Timer(0.2, manual.event_trigger, (5,))
    trigger.start()
    assert manual.wait_for_event(5, 5.0)
    trigger.join()
    deadline = time.monotonic() + 5
    while not got and time.monotonic() < deadline:
        manual.sleep(0.05)
    assert got == [5]
    assert other.tally() == 0
    assert manual.wait_for_event(7, 0.2) is False
    with pytest.raises(PigpioValueError):
        manual.event_trigger(32)


def test_wait_for_edge(daemon):
    with pigpiod_py.open(daemon.host, daemon.port) as session:
        session.set_mode(GPIO, Mode.OUTPUT)
        session.write(GPIO, 0)
        assert session.wait_for_edge(GPIO, Edge.RISING, 0.1) is False
        timer = threading.Timer(0.2, session.write, (GPIO, 1))
        timer.start()
        assert session.wait_for_edge(GPIO, Edge.RISING, 5.0) is True
        timer.join()


def test_main_mode_runs_handlers_in_the_main_thread(daemon):
    threads = []
    with pigpiod_py.open(daemon.host, daemon.port, dispatch="main") as session:
        session.set_mode(GPIO, Mode.OUTPUT)
        session.callback(GPIO, Edge.EITHER, lambda *a: threads.append(threading.current_thread()))
        for level in (1, 0, 1, 0):
            session.write(GPIO, level)
        deadline = time.monotonic() + 5
        while len(threads) < 4 and time.monotonic() < deadline:
            sum(range(1000))  # plain bytecode: the pending call runs here
        assert len(threads) == 4
        assert set(threads) == {threading.main_thread()}


def test_main_mode_raises_handler_errors_at_a_safe_point_and_keeps_dispatching(daemon):
    calls = []

    def handler(gpio, level, tick):
        calls.append(level)
        if level == 1:
            raise RuntimeError("handler failed")

    with pigpiod_py.open(daemon.host, daemon.port, dispatch="main") as session:
        session.set_mode(GPIO, Mode.OUTPUT)
        session.write(GPIO, 0)
        session.callback(GPIO, Edge.EITHER, handler)
        with pytest.raises(RuntimeError, match="handler failed"):
            session.write(GPIO, 1)   # the error may come as soon as this returns
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                session.sleep(0.05)
        session.write(GPIO, 0)   # and dispatch goes on
        deadline = time.monotonic() + 5
        while len(calls) < 2 and time.monotonic() < deadline:
            session.sleep(0.05)
        assert calls[:2] == [1, 0]


def test_thread_mode_logs_and_keeps_handler_errors(daemon, caplog):
    threads = []

    def handler(gpio, level, tick):
        threads.append(threading.current_thread())
        raise ValueError("bad handler")

    with pigpiod_py.open(daemon.host, daemon.port, dispatch="thread") as session:
        session.set_mode(GPIO, Mode.OUTPUT)
        session.write(GPIO, 0)
        session.callback(GPIO, Edge.EITHER, handler)
        session.write(GPIO, 1)
        session.write(GPIO, 0)
        deadline = time.monotonic() + 5
        while len(session.handler_errors) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(session.handler_errors) == 2
        assert all(isinstance(e, ValueError) for e in session.handler_errors)
        assert threading.main_thread() not in threads
    assert "event handler raised" in caplog.text


def test_pull_time_outs(manual):
    t0 = time.monotonic()
    assert manual.pull(0) is None
    assert manual.pull(-1) is None
    assert time.monotonic() - t0 < 0.5
    t0 = time.monotonic()
    assert manual.pull(0.25) is None
    assert time.monotonic() - t0 >= 0.24


def test_a_long_pull_costs_almost_no_cpu(manual):
    manual.callback(GPIO, Edge.EITHER)
    cpu0 = cpu_seconds()
    assert manual.pull(2.0) is None
    assert cpu_seconds() - cpu0 < 0.2


def test_selectors_see_the_file_descriptor(manual):
    import selectors

    manual.callback(GPIO, Edge.EITHER)
    sel = selectors.DefaultSelector()
    sel.register(manual.fileno(), selectors.EVENT_READ)
    assert sel.select(0) == []
    manual.write(GPIO, 1)
    assert sel.select(5)
    assert manual.pull(1).level == 1
    sel.close()


def test_asyncio_iteration(daemon):
    async def main(session):
        session.callback(GPIO, Edge.EITHER)
        loop = asyncio.get_running_loop()
        loop.call_later(0.1, session.write, GPIO, 1)
        loop.call_later(0.2, session.write, GPIO, 0)
        levels = []
        async for event in session.events():
            levels.append(event.level)
            if len(levels) == 2:
                break
        return levels

    for mode in ("main", "thread", "manual"):
        with pigpiod_py.open(daemon.host, daemon.port, dispatch=mode) as session:
            session.set_mode(GPIO, Mode.OUTPUT)
            session.write(GPIO, 0)
            assert asyncio.run(asyncio.wait_for(main(session), 10)) == [1, 0], mode


def test_stats_and_reset(manual):
    manual.callback(GPIO, Edge.EITHER)
    for level in (1, 0, 1):
        manual.write(GPIO, level)
    pull_all(manual, 3)
    stats = manual.event_stats()
    assert stats.delivered == 3 and stats.dropped == 0 and stats.high_water >= 1
    manual.reset_event_stats()
    stats = manual.event_stats()
    assert stats.delivered == 0 and stats.dropped == 0 and stats.queued == 0


def test_bad_dispatch_mode_and_capacity(daemon):
    with pytest.raises(ValueError):
        pigpiod_py.open(daemon.host, daemon.port, dispatch="later")
    with pytest.raises(ValueError):  # at open, not at the first callback
        pigpiod_py.open(daemon.host, daemon.port, capacity=3)


def test_closing_cancels_callbacks_and_stops_threads(daemon):
    before = threads_in_use()
    session = pigpiod_py.open(daemon.host, daemon.port, dispatch="thread")
    cb = session.callback(GPIO, Edge.EITHER, lambda *a: None)
    assert threads_in_use() == before + 1
    session.close()
    assert not cb.active
    assert threads_in_use() == before

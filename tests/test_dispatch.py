"""Where handlers run: main-mode handlers while the main thread waits anywhere,
or runs bytecode; exceptions never inside the package's cleanup; floods do
not starve the program; module-level waits; waits that notice a close."""
from __future__ import annotations

import asyncio
import os
import queue
import select
import selectors
import signal
import sys
import threading
import time

import pytest
from conftest import start_simulator, stop_simulator, wait_until

import pigpiod_py
from pigpiod_py import Edge, Mode, SessionClosedError
from pigpiod_py.bench.event_clients import clock_offset

GPIO = 17
#: How late a handler may run and still count as "while the program waited".
LATE = 1.0


@pytest.fixture
def toggler(daemon):
    """A second session that makes edges on GPIO, from another thread."""
    with pigpiod_py.open(daemon.host, daemon.port, dispatch="thread") as session:
        session.set_mode(GPIO, Mode.OUTPUT)
        session.write(GPIO, 0)

        def toggle_after(seconds: float) -> threading.Timer:
            timer = threading.Timer(seconds, lambda: session.write(GPIO, 1 - session.read(GPIO)))
            timer.start()
            return timer

        yield toggle_after


@pytest.fixture
def main(daemon):
    with pigpiod_py.open(daemon.host, daemon.port, dispatch="main") as session:
        yield session


def handled_during(session, toggler, wait, seconds: float = 3.0) -> float:
    """Run ``wait(seconds)`` in the main thread while an edge arrives 0.2 s
    in; how long after the edge the handler ran (it must run during the wait)."""
    ran = []
    cb = session.callback(GPIO, Edge.EITHER, lambda *a: ran.append(time.monotonic()))
    try:
        edge_at = time.monotonic() + 0.2
        timer = toggler(0.2)
        wait(seconds)
        timer.join()
    finally:
        cb.cancel()
    assert ran, "the handler never ran"
    return ran[0] - edge_at


def _select_wait(seconds):
    r, w = os.pipe()
    try:
        select.select([r], [], [], seconds)
    finally:
        os.close(r)
        os.close(w)


def _selectors_wait(seconds):
    r, w = os.pipe()
    with selectors.DefaultSelector() as sel:
        sel.register(r, selectors.EVENT_READ)
        sel.select(seconds)
    os.close(r)
    os.close(w)


WAITS = {
    "time.sleep": time.sleep,
    "Event.wait": lambda s: threading.Event().wait(s),
    "Queue.get": lambda s: pytest.raises(queue.Empty, queue.Queue().get, True, s),
    "select": _select_wait,
    "selectors": _selectors_wait,
    "asyncio": lambda s: asyncio.run(asyncio.sleep(s)),
    "pigpiod_py.sleep": pigpiod_py.sleep,
}


@pytest.mark.parametrize("wait", WAITS)
def test_main_mode_handlers_run_while_the_main_thread_waits(main, toggler, wait):
    assert handled_during(main, toggler, WAITS[wait]) < LATE


def test_main_mode_handlers_run_during_signal_pause(main, toggler):
    ran = []
    main.callback(GPIO, Edge.EITHER, lambda *a: ran.append(1))
    toggler(0.2)
    watchdog = threading.Timer(5, lambda: os.kill(os.getpid(), signal.SIGUSR1))
    previous = signal.signal(signal.SIGUSR1, lambda *a: None)
    watchdog.start()
    try:
        signal.pause()  # returns after the dispatch, as after any handled signal
    finally:
        watchdog.cancel()
        signal.signal(signal.SIGUSR1, previous)
    assert ran


def test_main_mode_handlers_of_one_session_run_while_another_waits(daemon, main, toggler):
    with pigpiod_py.open(daemon.host, daemon.port, dispatch="main") as other:
        other.callback(5, Edge.EITHER)
        assert handled_during(main, toggler, other.sleep) < LATE
        assert handled_during(main, toggler, lambda s: other.pull(s)) < LATE


def test_main_mode_handlers_run_while_the_main_thread_runs_bytecode(main, toggler):
    ran = []
    main.callback(GPIO, Edge.EITHER, lambda *a: ran.append(time.monotonic()))
    for _ in range(5):
        before = len(ran)
        edge_at = time.monotonic() + 0.05
        toggler(0.05).join()
        deadline = time.monotonic() + 10
        while len(ran) == before and time.monotonic() < deadline:
            pass  # pure bytecode
        assert len(ran) > before
        assert ran[-1] - edge_at < LATE


def test_a_main_mode_handler_exception_comes_out_of_the_wait(main, toggler):
    def boom(*args):
        raise ZeroDivisionError("from a handler")

    main.callback(GPIO, Edge.EITHER, boom)
    toggler(0.2)
    with pytest.raises(ZeroDivisionError):
        time.sleep(5)


def test_a_main_mode_handler_exception_is_never_raised_inside_close(daemon, toggler):
    from pigpiod_py.simprocess import SimulatorProcess

    raised = []

    def boom(*args):
        raise ZeroDivisionError("from a handler")

    main = pigpiod_py.open(daemon.host, daemon.port, dispatch="main")
    main.callback(GPIO, Edge.EITHER, boom)
    with SimulatorProcess(control=False) as slow:
        victim = pigpiod_py.open(slow.host, slow.port, timeout=1.0)
        victim.open_i2c(1, 0x50)
        os.kill(slow.pid, signal.SIGSTOP)  # its close waits a second for the daemon
        try:
            toggler(0.1)
            try:
                victim.close()  # the edge arrives while this runs: no exception here
            except pigpiod_py.CloseError:
                pass
            except ZeroDivisionError:
                raised.append("inside close")
            try:  # the stored exception comes out of the next wait
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    time.sleep(0.05)
            except ZeroDivisionError:
                raised.append("after")
        finally:
            os.kill(slow.pid, signal.SIGCONT)
    main.close()
    assert raised == ["after"]


def test_a_flood_does_not_starve_the_main_thread(sim):
    """1,000,000 edges/s offered: the main thread still gets its commands done."""
    with pigpiod_py.open(sim.host, sim.port, dispatch="main", capacity=1 << 12) as session:
        session.callback(21, Edge.EITHER, lambda *a: None)
        sim.control.edges(21, 20_000_000, 1_000_000)  # 20 s of flood
        try:
            done = 0
            deadline = time.monotonic() + 15
            # Commands go on while more reports arrive than the ring holds.
            while (done < 500 or session.event_stats().reports < 3 * 4096) \
                    and time.monotonic() < deadline:
                session.read(GPIO)
                done += 1
        finally:
            sim.control.reset()  # ends the flood
        assert done >= 500
        assert session.event_stats().reports >= 3 * 4096


def test_module_sleep_serves_manual_sessions(daemon, toggler):
    with pigpiod_py.open(daemon.host, daemon.port, dispatch="manual") as manual:
        assert handled_during(manual, toggler, pigpiod_py.sleep) < LATE


def test_module_wait_until(daemon, toggler):
    with pigpiod_py.open(daemon.host, daemon.port, dispatch="manual") as manual:
        ran = []
        manual.callback(GPIO, Edge.EITHER, lambda *a: ran.append(1))
        toggler(0.1)
        assert pigpiod_py.wait(lambda: bool(ran), timeout=10)
        assert not pigpiod_py.wait(lambda: False, timeout=0.05)


def _sleeps_in_condition_wait(thread: threading.Thread) -> bool:
    """Whether ``thread`` is blocked in a ``threading.Condition.wait``."""
    frame = sys._current_frames().get(thread.ident)
    while frame is not None:
        if frame.f_code.co_name == "wait" and frame.f_globals.get("__name__") == "threading":
            return True
        frame = frame.f_back
    return False


def test_a_waiter_that_sleeps_just_after_the_poller_left_still_gets_its_record(daemon,
                                                                             toggler):
    """One waiter polls while others sleep; if the poller leaves between
    another waiter's failed try for the poll and its sleep, nobody wakes
    that waiter: it sleeps one poll slice at most, then polls itself.
    (Before, it slept until its own time-out, here 5 s, with its record
    waiting.)"""
    with pigpiod_py.open(daemon.host, daemon.port, dispatch="manual") as session:
        session.callback(GPIO, Edge.EITHER)   # no function: pull() gets its records
        channel = session._events()
        got = []
        channel._poll_lock.acquire()   # another waiter polls ...
        waiter = threading.Thread(target=lambda: got.append(session.pull(timeout=5)))
        waiter.start()
        try:
            assert wait_until(lambda: _sleeps_in_condition_wait(waiter))
        finally:
            channel._poll_lock.release()   # ... and leaves without a word
        started = time.monotonic()
        toggler(0)
        waiter.join()
        assert got[0] is not None and time.monotonic() - started < 2.5


# -- waits notice a close or a loss ------------------------------------------------

@pytest.mark.parametrize("mode", ["main", "thread", "manual"])
@pytest.mark.parametrize("wait", ["pull", "sleep", "wait_for_edge"])
def test_every_wait_returns_when_another_thread_closes(daemon, mode, wait):
    session = pigpiod_py.open(daemon.host, daemon.port, dispatch=mode)
    session.callback(GPIO, Edge.EITHER)
    calls = {"pull": lambda: session.pull(None), "sleep": lambda: session.sleep(60),
             "wait_for_edge": lambda: session.wait_for_edge(5, Edge.RISING, None)}
    outcome, waiting = [], threading.Event()

    def waiter():
        waiting.set()
        try:
            calls[wait]()
        except SessionClosedError:
            pass
        outcome.append(time.monotonic())

    thread = threading.Thread(target=waiter)
    thread.start()
    assert waiting.wait(10)
    closed_at = time.monotonic()
    session.close()
    thread.join(10)
    assert not thread.is_alive(), "a %s in %s mode did not notice the close" % (wait, mode)
    assert outcome and outcome[0] - closed_at < 1.0


def test_asyncio_keeps_delivering_after_a_reconnect():
    from pigpiod_py.events import EventKind
    from pigpiod_py.simprocess import SimulatorProcess

    sim = SimulatorProcess(control=False)
    port = sim.port
    session = pigpiod_py.open(sim.host, port, dispatch="thread", reconnect=True, timeout=1.0)
    fd = session.fileno()
    session.callback(GPIO, Edge.EITHER)

    async def collect():
        nonlocal sim
        kinds = []
        session.set_mode(GPIO, Mode.OUTPUT)
        session.write(GPIO, 1)
        async for event in session.events():
            kinds.append(event.kind)
            if event.kind == EventKind.EDGE and EventKind.RECONNECT in kinds:
                return kinds
            if event.kind == EventKind.EDGE and len(kinds) == 1:
                sim.stop()
            elif event.kind == EventKind.DISCONNECT:
                sim = SimulatorProcess.on_port(port, control=False)
            elif event.kind == EventKind.RECONNECT:  # a new daemon: the gpio is low
                session.set_mode(GPIO, Mode.OUTPUT)
                session.write(GPIO, 1)
        return kinds

    try:
        kinds = asyncio.run(asyncio.wait_for(collect(), 30))
    finally:
        session.close()
        sim.stop()
    assert kinds[0] == EventKind.EDGE and EventKind.DISCONNECT in kinds
    assert kinds[-1] == EventKind.EDGE
    assert session.closed and fd >= 0


def test_file_descriptors_stay_the_same_across_reconnects():
    from pigpiod_py.simprocess import SimulatorProcess

    sim = SimulatorProcess(control=False)
    port = sim.port
    session = pigpiod_py.open(sim.host, port, dispatch="manual", reconnect=True, timeout=1.0)
    try:
        session.callback(GPIO, Edge.EITHER)
        fd = session.fileno()
        sim.stop()
        assert wait_until(lambda: not session.connected)
        sim = SimulatorProcess.on_port(port, control=False)
        assert wait_until(lambda: session.connected, timeout=20)
        assert session.fileno() == fd
    finally:
        session.close()
        sim.stop()


@pytest.mark.parametrize("gather", [0.0, 0.1])
def test_every_gather_delivers_a_busy_stream_whole_and_in_order(sim, gather):
    """Gathering changes when the reader reads, never what it delivers."""
    edges = 20_000
    with pigpiod_py.open(sim.host, sim.port, dispatch="thread", gather=gather) as session:
        ticks, levels = [], []
        session.callback(21, Edge.EITHER,
                         lambda gpio, level, tick: (ticks.append(tick), levels.append(level)))
        sim.control.edges(21, edges, 20_000)
        wait_until(lambda: len(ticks) >= edges, timeout=30)
        assert session.event_stats().dropped == 0
    assert len(ticks) == edges
    assert {(b - a) & 0xFFFFFFFF for a, b in zip(ticks, ticks[1:])} == {50}  # 20 kHz
    assert all(a != b for a, b in zip(levels, levels[1:]))


@pytest.mark.parametrize("mode", ["main", "thread", "manual"])
def test_a_short_burst_is_not_held_for_the_longest_gather(sim, mode):
    """A busy stream's gather starts at 1 ms and grows while it stays busy,
    so a 10 ms burst is delivered a few ms after its last edge even with a
    100 ms gather. (Before, the first read found it busy and the reader
    waited the whole gather: the burst's end came about 90 ms late.)"""
    with pigpiod_py.open(sim.host, sim.port, dispatch=mode, gather=0.1) as session:
        offset = clock_offset(session.tick)
        ages = []
        session.callback(21, Edge.EITHER, lambda gpio, level, tick: ages.append(
            (time.monotonic_ns() // 1000 - offset - tick) & 0xFFFFFFFF))
        sim.control.edges(21, 160, 16_000)   # 10 ms
        wait = session.sleep if mode == "manual" else time.sleep
        deadline = time.monotonic() + 10
        while len(ages) < 160 and time.monotonic() < deadline:
            wait(0.01)
    assert len(ages) == 160
    assert ages[-1] < 50_000, ages[-1]


def test_a_long_manual_wait_reads_a_busy_stream_at_each_gather(sim):
    """A manual-mode wait polls in 50 ms slices; the gather is counted from
    the last read, so a gather longer than a slice still ends inside one:
    a 1.5 s wait with a 100 ms gather delivers all but the last gather of
    a 16,000 edges/s stream. (Before, each slice began the gather again and
    never reached its end once the ramp passed 50 ms, and the reader left
    the socket to the waiting thread: the stream stalled until the wait
    returned, after about 2,000 edges.)"""
    with pigpiod_py.open(sim.host, sim.port, dispatch="manual", gather=0.1) as session:
        batches = []
        session.callback(21, Edge.EITHER, lambda gpio, ticks, levels: batches.append(len(ticks)),
                         batch=True)
        sim.control.edges(21, 32_000, 16_000)   # 2 s
        session.sleep(1.5)
    assert sum(batches) >= 12_000, batches


@pytest.mark.parametrize("mode", ["main", "thread", "manual"])
def test_a_busy_stream_is_delivered_whole_in_every_mode(sim, mode):
    """Whoever reads the socket (the reader, a dispatcher thread, the main
    thread on its signal, a waiting thread), nothing is lost or reordered."""
    edges = 20_000
    with pigpiod_py.open(sim.host, sim.port, dispatch=mode) as session:
        ticks = []
        session.callback(21, Edge.EITHER, lambda gpio, level, tick: ticks.append(tick))
        sim.control.edges(21, edges, 40_000)
        wait = session.sleep if mode == "manual" else time.sleep
        deadline = time.monotonic() + 30
        while len(ticks) < edges and time.monotonic() < deadline:
            wait(0.05)
        assert session.event_stats().dropped == 0
    assert len(ticks) == edges
    assert {(b - a) & 0xFFFFFFFF for a, b in zip(ticks, ticks[1:])} == {25}  # 40 kHz


def newest_record_ages(daemon, mode: str, gather: float, batches: int,
                       rate: int = 16_000) -> list:
    """How old (µs) the newest record of each batch is when its batch
    callback runs, on a stream of ``rate`` edges/s; past the stream's start."""
    with pigpiod_py.open(daemon.host, daemon.port, dispatch=mode, gather=gather) as session:
        offset = clock_offset(session.tick)
        ages = []

        def newest_age(gpio, ticks, levels):
            ages.append((time.monotonic_ns() // 1000 - offset - ticks[-1]) & 0xFFFFFFFF)

        session.callback(21, Edge.EITHER, newest_age, batch=True)
        daemon.control.edges(21, rate * 4, rate)
        wait = session.sleep if mode == "manual" else time.sleep
        deadline = time.monotonic() + 30
        while len(ages) < batches + 5 and time.monotonic() < deadline:
            wait(0.05)
    assert len(ages) >= batches + 5
    return sorted(ages[5:])


@pytest.mark.parametrize("mode", ["main", "thread", "manual"])
def test_a_long_gather_keeps_the_daemon_sending(sim, mode):
    """While a busy stream is gathered, the kernel still acknowledges what
    arrives, so the daemon never stops sending to wait for the read: each
    batch ends with a record sent a moment ago. (Before, with a 32 ms
    gather the newest record was 15-20 ms old: the daemon's TCP sat at its
    congestion window until the read acknowledged.)"""
    ages = newest_record_ages(sim, mode, 0.032, 35)
    assert ages[len(ages) // 2] < 8000, ages


def test_the_longest_gather_of_a_fast_stream_keeps_the_daemon_sending(sim):
    """The same for 100 ms of a 100,000 edges/s stream (120 KB): a read
    takes all the socket holds. (Before, a read took one 48 KB buffer and
    left the rest for the next gather: the backlog grew, and the newest
    record of a batch was about 85 ms old.)"""
    ages = newest_record_ages(sim, "thread", 0.1, 20, rate=100_000)
    assert ages[len(ages) // 2] < 50_000, ages   # under 1 ms on an idle machine


@pytest.fixture
def nagle_sim():
    """A fresh simulator that sends reports with Nagle on, as pigpiod does."""
    daemon = start_simulator("--nagle-reports")
    yield daemon
    stop_simulator(daemon)


def test_a_gather_takes_what_pigpiods_nagle_held_back(nagle_sim):
    """pigpiod sends reports with Nagle on: what came after its last segment
    waits until that one is acknowledged, which a read does. The read takes
    what that releases too (on the same machine it is there at once), so the
    newest record is fresh, not a whole gather old (before: 33 ms old with
    a 32 ms gather, 4.8 ms with the then default 4 ms)."""
    ages = newest_record_ages(nagle_sim, "thread", 0.032, 35)
    assert ages[len(ages) // 2] < 8000, ages


def test_the_first_reports_from_a_nagle_daemon_are_not_held_back(nagle_sim):
    """pigpiod turns Nagle on for a notification socket once it answered
    NOIB, so its first reports wait until that answer is acknowledged, which
    the kernel delays by up to 40 ms after a command exchange: the binding
    acknowledges at once. (Before, the first 40 ms of edges after opening
    came 30-40 ms late.)"""
    with pigpiod_py.open(nagle_sim.host, nagle_sim.port) as clock:
        offset = clock_offset(clock.tick)
    with pigpiod_py.open(nagle_sim.host, nagle_sim.port, dispatch="thread", gather=0) as session:
        ages = []
        session.callback(21, Edge.EITHER, lambda gpio, level, tick: ages.append(
            (time.monotonic_ns() // 1000 - offset - tick) & 0xFFFFFFFF))
        nagle_sim.control.edges(21, 3_200, 16_000)   # 200 ms
        assert wait_until(lambda: len(ages) >= 3_200, timeout=10), len(ages)
    first = sorted(ages[:320])   # the first 20 ms
    assert first[len(first) // 2] < 10_000, first


def test_the_reader_keeps_reading_while_a_handler_blocks_the_dispatcher(sim):
    """The dispatcher thread reads the socket itself between handlers; while
    a handler blocks it, the reader takes over, so counts stay current and
    the records wait in the ring (counted there if it fills)."""
    edges = 4_000
    release = threading.Event()
    seen = []

    def handler(gpio, level, tick):
        seen.append(tick)
        release.wait(30)

    with pigpiod_py.open(sim.host, sim.port, dispatch="thread") as session:
        try:
            cb = session.callback(21, Edge.EITHER, handler)
            sim.control.edges(21, edges, 20_000)
            assert wait_until(lambda: cb.tally() == edges, timeout=10), cb.tally()
            stats = session.event_stats()
            assert len(seen) == 1 and stats.queued + stats.delivered == edges
        finally:
            release.set()
        assert wait_until(lambda: len(seen) == edges)
        assert session.event_stats().dropped == 0


def test_tallies_are_exact_when_read_though_read_lazily(sim):
    """With tallies only the reader reads rarely (when much came, or once a
    second); reading a tally brings it up to date first."""
    with pigpiod_py.open(sim.host, sim.port, dispatch="thread") as lazy, \
            pigpiod_py.open(sim.host, sim.port, dispatch="thread") as witness:
        counter = lazy.callback(21, Edge.EITHER, queue=False)
        seen = []
        witness.callback(21, Edge.EITHER, lambda *record: seen.append(record))
        sim.control.edges(21, 100, 10_000)
        assert wait_until(lambda: len(seen) == 100)
        # The daemon sent them all; a tally read now counts what waits in the socket.
        assert wait_until(lambda: counter.tally() == 100, timeout=0.3), counter.tally()


#: The poll system calls per machine: (number, whether "no time limit" is a
#: timeout of -1 rather than a NULL timespec), glibc's poll() being either.
_POLLS = {
    "x86_64": {7: True, 271: False},                    # poll, ppoll
    "aarch64": {73: False},                             # ppoll
    "armv7l": {168: True, 336: False, 414: False},      # poll, ppoll, ppoll_time64
}
_POLLS["armv6l"] = _POLLS["armv8l"] = _POLLS["armv7l"]


def _syscall(native_id: int) -> str:
    """The system call a thread of this process is in, and its arguments."""
    with open("/proc/self/task/%d/syscall" % native_id) as syscall:
        return syscall.read()


def _waits_with_no_time_limit(native_id: int) -> bool:
    """Whether the thread is blocked in a poll without a time-out (so
    nothing but its file descriptors wakes it)."""
    fields = _syscall(native_id).split()
    polls = _POLLS[os.uname().machine]
    if fields[0] == "running" or int(fields[0]) not in polls:
        return False
    limit = int(fields[3], 16)
    return limit in (0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF) if polls[int(fields[0])] else limit == 0


def _reader_ids() -> set:
    ids = set()
    for task in os.listdir("/proc/self/task"):
        with open("/proc/self/task/%s/comm" % task) as comm:
            if comm.read().strip() == "pigpiod_py read":
                ids.add(int(task))
    return ids


def test_an_idle_thread_mode_session_wakes_neither_reader_nor_dispatcher(daemon):
    """With handlers and nothing arriving, the dispatcher waits on the socket
    and the reader, which only watches while it does, sleeps: both wait in a
    poll without a time-out, so an idle session costs no wake-ups."""
    if os.uname().machine not in _POLLS:
        pytest.skip("poll system call numbers not known for %s" % os.uname().machine)

    def dispatchers() -> set:
        return {t.native_id for t in threading.enumerate() if t.name == "pigpiod_py events"}

    before_readers, before_dispatchers = _reader_ids(), dispatchers()
    with pigpiod_py.open(daemon.host, daemon.port, dispatch="thread") as session:
        seen = []
        session.callback(GPIO, Edge.EITHER, lambda *record: seen.append(record))
        session.set_mode(GPIO, Mode.OUTPUT)
        for level in (0, 1, 0):  # some traffic first: the reader watches the pump
            session.write(GPIO, level)
        assert wait_until(lambda: len(seen) >= 2)
        ids = (_reader_ids() - before_readers) | (dispatchers() - before_dispatchers)
        assert len(ids) == 2
        # The reader sleeps without a limit after one watch period (50 ms) at most.
        assert wait_until(lambda: all(_waits_with_no_time_limit(i) for i in ids), timeout=10), \
            [_syscall(i) for i in ids]


def _voluntary_switches(native_id: int) -> int:
    with open("/proc/self/task/%d/status" % native_id) as status:
        for line in status:
            if line.startswith("voluntary_ctxt_switches:"):
                return int(line.split()[1])
    raise AssertionError("no voluntary_ctxt_switches for thread %d" % native_id)


def test_a_busy_thread_mode_session_leaves_the_reader_asleep(sim):
    """While the dispatcher thread reads a busy stream itself, the reader
    sleeps until the dispatcher stays away from the socket too long (a
    timer the dispatcher re-arms each time it leaves the socket): a second
    of 16,000 edges/s wakes it at most a few times. (Before, it looked
    every 50 ms: 20 wake-ups a second beside the dispatcher's 62.)"""
    before = _reader_ids()
    with pigpiod_py.open(sim.host, sim.port, dispatch="thread") as session:
        seen = [0]

        def count(gpio, ticks, levels):
            seen[0] += len(ticks)

        session.callback(21, Edge.EITHER, count, batch=True)
        (reader,) = _reader_ids() - before
        sim.control.edges(21, 48_000, 16_000)
        assert wait_until(lambda: seen[0] >= 8_000, timeout=10)   # busy, gathers at full length
        switches = _voluntary_switches(reader)
        assert wait_until(lambda: seen[0] >= 24_000, timeout=10)  # one more second
        assert _voluntary_switches(reader) - switches <= 5

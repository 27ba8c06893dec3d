"""Alert passes, run by hand on a offline whose alert thread is not started."""
from __future__ import annotations

import threading
import time

import pytest

from pigpiod_py.constants import Command
from pigpiod_py.sim import Simulator
from pigpiod_py.sim.interfaces.client import RawClient
from pigpiod_py.sim.clock import now_us
from pigpiod_py.sim.notifications.reports import RECORD, RECORD_SIZE

WATCHDOG, ALIVE, EVENT = 0x20, 0x40, 0x80


class Collector:
    """A sink that keeps what it is sent."""

    backlog = 0

    def __init__(self) -> None:
        self.data = b""

    def write(self, data: bytes) -> bool:
        self.data += data
        return True

    def release(self) -> None:
        pass

    def take(self) -> list[tuple[int, int, int, int]]:
        records = list(RECORD.iter_unpack(self.data))
        self.data = b""
        return records


@pytest.fixture
def offline():
    offline = Simulator().daemon  # never started: passes run only when the test says
    # a sample well ahead: changes come after it, and after the handles begin watching
    offline.t0 = (now_us() + 100_000) // 5 * 5
    offline.alerts.reset(offline.t0)
    yield offline
    offline.stop()


def open_handle(offline, bits=0, events=0):
    sink = Collector()
    number = offline.notifier.open_in_band(sink)
    if bits:
        offline.notifier.begin(number, bits, b"")
    offline.notifier.monitor_events(number, events, b"")
    return sink


def run(offline, until):
    """One pass at ``until`` µs after t0, its records delivered."""
    for _, handle, data in offline.alerts.run_pass(offline.t0 + until):
        handle.sink.write(data)


def sample(t):
    return -(-t // 5) * 5


def test_one_pass_sends_changes_then_watchdogs_then_events(offline):
    sink = open_handle(offline, bits=1 << 22 | 1 << 23, events=1 << 3 | 1 << 9)
    t0, board = offline.t0, offline.board
    offline.notifier.watchdogs[23] = (1, t0)
    board.output(22, 1, t0 + 100)
    board.output(23, 1, t0 + 97)     # seen by the same sample as gpio 22: one record
    board.output(22, 0, t0 + 203)
    for event in (9, 3, 3):         # fired twice: one record
        offline.notifier.trigger_event(event, 0, b"")
    run(offline, 5000)
    end = (t0 + 4999) // 5 * 5
    levels = board.read_bank(0, t0 + 5000)
    assert sink.take() == [
        (0, 0, (t0 + 100) & 0xFFFFFFFF, levels | 1 << 22),
        (1, 0, (t0 + 205) & 0xFFFFFFFF, levels),
        (2, WATCHDOG | 23, end & 0xFFFFFFFF, levels),
        (3, EVENT | 3, end & 0xFFFFFFFF, levels),
        (4, EVENT | 9, end & 0xFFFFFFFF, levels),
    ]
    run(offline, 5500)
    assert sink.take() == []


def test_level_word_holds_every_gpio_of_bank_0(offline):
    sink = open_handle(offline, bits=1 << 17)
    t0, board = offline.t0, offline.board
    board.output(22, 1, t0 + 10)   # not monitored, still in the word
    board.output(17, 1, t0 + 50)
    run(offline, 1000)
    ((_, _, _, level),) = sink.take()
    assert level == board.read_bank(0, t0 + 1000)
    assert level & (1 << 17 | 1 << 22 | 0x1FF) == 1 << 17 | 1 << 22 | 0x1FF  # 0-8 pulled up


def test_only_the_gpios_of_the_mask_make_records(offline):
    four, five = open_handle(offline, bits=1 << 24), open_handle(offline, bits=1 << 25)
    t0 = offline.t0
    offline.board.output(25, 1, t0 + 10)
    run(offline, 1000)
    assert four.take() == []
    assert [(seqno, flags) for seqno, flags, _, _ in five.take()] == [(0, 0)]


def test_watchdog_goes_to_running_handles_watching_the_gpio(offline):
    watching = open_handle(offline, bits=1 << 7)
    other = open_handle(offline, bits=1 << 8)
    offline.notifier.watchdogs[7] = (1, offline.t0)
    run(offline, 1200)
    assert [flags for _, flags, _, _ in watching.take()] == [WATCHDOG | 7]
    assert other.take() == []
    run(offline, 1700)   # 500 µs since it fired: quiet
    run(offline, 2300)   # 1 ms again: fires again
    assert [flags for _, flags, _, _ in watching.take()] == [WATCHDOG | 7]


def test_a_change_restarts_a_monitored_watchdog(offline):
    sink = open_handle(offline, bits=1 << 22)
    offline.notifier.watchdogs[22] = (1, offline.t0)
    offline.board.output(22, 1, offline.t0 + 600)
    run(offline, 1200)
    assert [flags for _, flags, _, _ in sink.take()] == [0]
    run(offline, 1700)
    assert [flags for _, flags, _, _ in sink.take()] == [WATCHDOG | 22]


def test_events_reach_opened_and_paused_handles(offline):
    opened = open_handle(offline, events=1 << 1)
    paused = open_handle(offline, bits=1 << 4, events=1 << 1)
    offline.notifier.pause(1, 0, b"")
    deaf = open_handle(offline, events=1 << 2)
    offline.notifier.trigger_event(1, 0, b"")
    run(offline, 1000)
    assert [flags for _, flags, _, _ in opened.take()] == [EVENT | 1]
    assert [flags for _, flags, _, _ in paused.take()] == [EVENT | 1]
    assert deaf.take() == []


def test_keep_alive_after_silence(offline):
    offline.alerts.keepalive_us = 3000
    sink = open_handle(offline)
    offline.notifier.slots[0].stream.last = opened = offline.t0  # its last record
    run(offline, 2000)
    assert sink.take() == []
    run(offline, 3100)
    ((seqno, flags, _, level),) = sink.take()
    assert (seqno, flags) == (0, ALIVE)
    assert level == offline.board.read_bank(0, opened + 3100)
    run(offline, 5000)
    assert sink.take() == []
    run(offline, 6200)
    assert [(s, f) for s, f, _, _ in sink.take()] == [(1, ALIVE)]


def test_seqno_wraps_at_65536(offline):
    sink = open_handle(offline, bits=1 << 21)
    offline.notifier.slots[0].stream.seqno = 65534
    for k in range(4):
        offline.board.drive(21, (k + 1) & 1, offline.t0 + 10 * (k + 1))
    run(offline, 1000)
    assert [seqno for seqno, _, _, _ in sink.take()] == [65534, 65535, 0, 1]


def test_ticks_wrap_with_the_tick_offset(offline):
    sink = open_handle(offline, bits=1 << 21)
    t0 = offline.t0
    offline.ticks.set(2**32 - 20, t0)
    offline.board.drive(21, 1, t0 + 10)
    offline.board.drive(21, 0, t0 + 30)
    run(offline, 1000)
    assert [tick for _, _, tick, _ in sink.take()] == [2**32 - 10, 10]


def test_filters_shape_the_records(offline):
    sink = open_handle(offline, bits=1 << 21)
    t0 = offline.t0
    offline.notifier.set_glitch_filter(21, 100, b"")
    run(offline, 0)
    for k, at in enumerate((10, 60, 200, 500)):   # a 50 µs pulse, then a 300 µs one
        offline.board.drive(21, (k + 1) & 1, t0 + at)
    run(offline, 400)    # the long pulse's rise shows only once steady: not yet
    run(offline, 2000)
    assert [((tick - t0) & 0xFFFFFFFF, level >> 21 & 1) for _, _, tick, level in sink.take()] == [
        (sample(t0 + 200) + 100 - t0, 1), (sample(t0 + 500) + 100 - t0, 0)]


def test_closed_handle_gets_nothing_more(offline):
    sink = open_handle(offline, bits=1 << 21)
    offline.board.drive(21, 1, offline.t0 + 10)
    assert offline.notifier.close(0, 0, b"") == 0
    run(offline, 1000)
    assert sink.take() == []


def test_pass_size_is_whole_records(offline):
    sink = open_handle(offline, bits=1 << 21)
    for k in range(1000):
        offline.board.drive(21, (k + 1) & 1, offline.t0 + 10 * (k + 1))
    run(offline, 20000)
    assert len(sink.data) == 1000 * RECORD_SIZE


class HeldEvent(threading.Event):
    """A wake-up event whose waiter stays blocked until the test lets it go."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def wait(self, timeout: float | None = None) -> bool:
        woken = super().wait(timeout)
        self.release.wait()
        return woken


def test_a_late_alert_thread_never_reports_a_change_twice():
    """The thread wakes for a new handle after the connections' own passes reported."""
    simulator = Simulator()
    held = simulator.daemon.notifier.wake = HeldEvent()
    try:
        simulator.start()
        deadline = time.monotonic() + 10
        while not simulator.daemon.alerts._asleep and time.monotonic() < deadline:
            time.sleep(0.01)  # no handle open: the thread goes to sleep on the held event
        with RawClient(simulator.host, simulator.port) as pi, \
                RawClient(simulator.host, simulator.port) as reports:
            handle = reports.command(Command.NOIB)
            assert pi.command(Command.NB, handle, 1 << 17) == 0
            for level in (1, 0, 1):
                assert pi.command(Command.WRITE, 17, level) == 0
            held.release.set()   # the thread wakes up late
            time.sleep(0.05)     # and runs passes
            assert pi.command(Command.WRITE, 17, 0) == 0
            levels = [word >> 17 & 1 for _, _, _, word in reports.records(4)]
            assert levels == [1, 0, 1, 0]
            reports.sock.settimeout(0.1)
            with pytest.raises(TimeoutError):
                reports.recv_exact(1)
    finally:
        held.release.set()
        simulator.stop()

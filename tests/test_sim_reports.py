"""Notification reports on the wire: in-band sockets and FIFOs, read byte by byte."""
from __future__ import annotations

import os
import select
import time

import pytest
from sim_clients import raw_pi_fixture  # noqa: F401 (fixture "pi")

from pigpiod_py.constants import Command, ErrorCode
from pigpiod_py.sim import Simulator
from pigpiod_py.sim.interfaces.client import RESPONSE, RawClient
from pigpiod_py.sim.notifications.reports import RECORD, RECORD_SIZE

MASK = 0xFFFFFFFF
WATCHDOG, ALIVE, EVENT = 0x20, 0x40, 0x80
RIG = 21  # a pulled-down input on a fresh simulator


def diff(a: int, b: int) -> int:
    """Microseconds from tick a to tick b (wrapping)."""
    return (b - a) & MASK


@pytest.fixture
def reports(sim):
    """A notification socket: (client, handle)."""
    with RawClient(sim.host, sim.port) as client:
        handle = client.command(Command.NOIB)
        assert handle >= 0
        yield client, handle


def quiet(client: RawClient, seconds: float = 0.2) -> bool:
    """Nothing more arrives on the socket for ``seconds``."""
    return not select.select([client.sock], [], [], seconds)[0]


def test_write_reports_carry_seqno_tick_and_all_levels(pi, reports):
    client, handle = reports
    assert pi.command(Command.NB, handle, 1 << 17) == 0
    before = pi.command(Command.TICK) & MASK
    pi.command(Command.WRITE, 17, 1)
    pi.command(Command.MICS, 20)
    pi.command(Command.WRITE, 17, 0)
    after = pi.command(Command.TICK) & MASK
    bank = pi.command(Command.BR1) & MASK
    (s0, f0, t0, l0), (s1, f1, t1, l1) = client.records(2)
    assert (s0, f0, s1, f1) == (0, 0, 1, 0)
    assert l0 == bank | 1 << 17 and l1 == bank
    assert diff(before, t0) < diff(before, t1) <= diff(before, after) + 4
    assert diff(t0, t1) >= 20
    assert quiet(client)


def test_edge_rig_exact_count_and_spacing(sim, pi, reports):
    client, handle = reports
    pi.command(Command.NB, handle, 1 << RIG)
    first = sim.control.edges(RIG, 1000, 20000)
    records = client.records(1000)
    assert [r[0] for r in records] == list(range(1000))
    assert {r[1] for r in records} == {0}
    assert diff(first, records[0][2]) < 5
    assert {diff(a[2], b[2]) for a, b in zip(records, records[1:])} == {50}
    assert [r[3] >> RIG & 1 for r in records] == [1, 0] * 500
    assert quiet(client)


def test_edge_rig_start_level_and_errors(sim, pi, reports):
    client, handle = reports
    pi.command(Command.NB, handle, 1 << RIG)
    sim.control.edges(RIG, 3, 10000, 1)       # 0 -> 1 now (a change of its own), then 3 more
    assert [r[3] >> RIG & 1 for r in client.records(4)] == [1, 0, 1, 0]
    assert sim.control.pin(RIG)["driven"] == 0
    pi.command(Command.WRITE, 17, 0)
    for args in ((17, 10, 100), (RIG, 0, 100), (RIG, 10, 0), (RIG, 10, 1_000_001), (99, 1, 1)):
        with pytest.raises(ValueError):
            sim.control.edges(*args)


def test_ticks_wrap_at_2_to_the_32(sim, pi, reports):
    client, handle = reports
    pi.command(Command.NB, handle, 1 << RIG)
    sim.control.set_tick(2**32 - 500_000)
    first = sim.control.edges(RIG, 20000, 20000)   # 1 s from less than 0.5 s before the wrap
    assert first > 2**32 - 500_000
    ticks = [r[2] for r in client.records(20000)]
    assert {diff(a, b) for a, b in zip(ticks, ticks[1:])} == {50}
    assert ticks[-1] < 1_000_000 < 2**32 - 500_000 < ticks[0]
    assert pi.command(Command.TICK) & MASK < 2**31


def test_set_tick_moves_the_tick(sim, pi):
    sim.control.set_tick(123_000)
    assert 123_000 <= pi.command(Command.TICK) & MASK < 123_000 + 30_000_000
    with pytest.raises(ValueError):
        sim.control.set_tick(2**32)


def test_replies_on_the_notification_socket_never_split_a_record(sim, pi, reports):
    client, handle = reports
    pi.command(Command.NB, handle, 1 << RIG)
    sim.control.edges(RIG, 4000, 20000)   # 200 ms of reports
    time.sleep(0.05)
    client.send(RESPONSE.pack(Command.PIGPV, 0, 0, 0))   # a request has the same layout
    data = client.recv_exact(4000 * RECORD_SIZE + RESPONSE.size)
    reply = RESPONSE.pack(Command.PIGPV, 0, 0, 79)
    seqnos, replies, pos = [], 0, 0
    while pos < len(data):
        if data[pos:pos + RESPONSE.size] == reply:
            replies += 1
            pos += RESPONSE.size
        else:
            seqnos.append(RECORD.unpack_from(data, pos)[0])
            pos += RECORD_SIZE
    assert (replies, seqnos) == (1, list(range(4000)))


def test_nc_on_the_notification_socket_ends_its_reports(sim, pi, reports):
    client, handle = reports
    pi.command(Command.NB, handle, 1 << RIG)
    assert client.command(Command.NC, handle) == 0
    sim.control.edges(RIG, 10, 10000)
    assert quiet(client)
    assert pi.command(Command.NB, handle, 1) == ErrorCode.BAD_HANDLE


def test_events_and_watchdogs_on_the_wire(sim, pi, reports):
    client, handle = reports
    assert pi.command(Command.EVM, handle, 1 << 5) == 0
    pi.command(Command.EVT, 5)
    pi.command(Command.EVT, 6)   # not in the mask
    ((seqno, flags, _, level),) = client.records(1)
    assert (seqno, flags, level) == (0, EVENT | 5, pi.command(Command.BR1) & MASK)
    pi.command(Command.NB, handle, 1 << RIG)
    pi.command(Command.WDOG, RIG, 20)
    timeouts = client.records(5)
    pi.command(Command.WDOG, RIG, 0)
    assert [f for _, f, _, _ in timeouts] == [WATCHDOG | RIG] * 5
    assert all(20_000 <= diff(a[2], b[2]) < 300_000 for a, b in zip(timeouts, timeouts[1:]))


def test_glitch_filter_on_an_edge_stream(sim, pi, reports):
    client, handle = reports
    pi.command(Command.NB, handle, 1 << RIG)
    assert pi.command(Command.FG, RIG, 100) == 0
    first = sim.control.edges(RIG, 101, 20000)   # 50 µs pulses: all filtered out
    ((_, flags, tick, level),) = client.records(1)  # but the last level stays: it shows
    assert (flags, level >> RIG & 1) == (0, 1)
    assert 5000 + 100 <= diff(first, tick) < 5000 + 100 + 5
    sim.control.edges(RIG, 10, 2000)           # 500 µs apart: all pass, 100 µs late
    ticks = [r[2] for r in client.records(10)]
    assert {diff(a, b) for a, b in zip(ticks, ticks[1:])} == {500}
    assert quiet(client)
    assert pi.command(Command.READ, RIG) == 1   # READ is not filtered


def test_noise_filter_on_an_edge_stream(sim, pi, reports):
    client, handle = reports
    pi.command(Command.NB, handle, 1 << RIG)
    assert pi.command(Command.FN, RIG, 1000, (5000).to_bytes(4, "little")) == 0
    time.sleep(0.01)                              # a steady millisecond and more
    first = sim.control.edges(RIG, 200, 10000)   # a change every 100 µs for 20 ms
    records = client.records(50)                  # the 5 ms window passes 50 of them
    assert diff(first, records[0][2]) < 5
    assert {diff(a[2], b[2]) for a, b in zip(records, records[1:])} == {100}
    assert quiet(client)


def test_hardware_pwm_is_sampled_and_a_fast_clock_is_not(pi, reports):
    client, handle = reports
    pi.command(Command.NB, handle, 1 << 4 | 1 << 18)
    assert pi.command(Command.HC, 4, 1_000_000) == 0   # 1 MHz: beyond 5 µs samples
    assert pi.command(Command.HP, 18, 10000, (250000).to_bytes(4, "little")) == 0
    records = client.records(40)[2:]   # 10 kHz, 25 µs high; the first pulse may be cut
    pi.command(Command.HP, 18, 0, (0).to_bytes(4, "little"))
    assert {level >> 4 & 1 for _, _, _, level in records} == {1}   # the clock looks steady
    gaps = [diff(a[2], b[2]) for a, b in zip(records, records[1:])]
    assert set(gaps[::2]) | set(gaps[1::2]) == {25, 75} and len(set(gaps[::2])) == 1


def test_pipe_handle_reports_into_its_fifo(sim, pi):
    handle = pi.command(Command.NO)
    path = os.path.join(sim.control.fifo_dir(), "pigpio%d" % handle)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        pi.command(Command.NB, handle, 1 << RIG)
        first = sim.control.edges(RIG, 100, 10000)
        data = b""
        deadline = time.monotonic() + 30
        while len(data) < 100 * RECORD_SIZE and time.monotonic() < deadline:
            select.select([fd], [], [], 1)
            try:
                data += os.read(fd, 4096)
            except BlockingIOError:
                pass
        records = list(RECORD.iter_unpack(data))
        assert [r[0] for r in records] == list(range(100))
        assert diff(first, records[0][2]) < 5
        assert {diff(a[2], b[2]) for a, b in zip(records, records[1:])} == {100}
    finally:
        os.close(fd)
    assert pi.command(Command.NC, handle) == 0
    assert not os.path.exists(path)


def test_pipe_handle_needs_a_fifo(tmp_path):
    with Simulator(fifo_dir=str(tmp_path / "missing")) as sim, \
            RawClient(sim.host, sim.port) as pi:
        assert pi.command(Command.NO) == ErrorCode.BAD_PATHNAME
        assert sim.controls.fifo_dir() == str(tmp_path / "missing")
    with Simulator(fifo_dir=str(tmp_path)) as sim, RawClient(sim.host, sim.port) as pi:
        assert pi.command(Command.NO) == 0
        assert (tmp_path / "pigpio0").is_fifo()
    assert not (tmp_path / "pigpio0").exists()   # stopping closes it


def test_keep_alive_after_silence():
    with Simulator() as sim, RawClient(sim.host, sim.port) as client:
        sim.daemon.alerts.keepalive_us = 200_000
        opened = time.monotonic()
        handle = client.command(Command.NOIB)
        assert client.command(Command.EVM, handle, 1) == 0   # a reply is no record
        (seqno, flags, first, _), = client.records(1)
        assert (seqno, flags) == (0, ALIVE) and time.monotonic() - opened >= 0.2
        (seqno, flags, second, _), = client.records(1)
        assert (seqno, flags) == (1, ALIVE) and diff(first, second) > 200_000


def test_in_process_controls_run_the_rig():
    with Simulator() as sim, RawClient(sim.host, sim.port) as client:
        handle = client.command(Command.NOIB)
        assert client.command(Command.NB, handle, 1 << RIG) == 0
        sim.controls.set_tick(1000)
        first = sim.controls.edges(RIG, 10, 1000)
        assert 1000 < first < 1_000_000
        records = client.records(10)
        assert diff(first, records[0][2]) < 5
        assert {diff(a[2], b[2]) for a, b in zip(records, records[1:])} == {1000}

"""Faults: a daemon that dies, pauses or comes back; reconnects."""
from __future__ import annotations

import os
import signal
import time

import pytest

import pigpiod_py
from pigpiod_py import (
    Edge,
    Mode,
    PigpioConnectionError,
    PigpioTimeoutError,
    SessionClosedError,
)
from pigpiod_py.events import EventKind
from pigpiod_py.simprocess import SimulatorProcess

pytestmark = pytest.mark.skipif(bool(os.environ.get("PIGPIO_ADDR")),
                                reason="stops and starts simulators")


def pull_kind(session, kind, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        event = session.pull(0.1)
        if event is not None and event.kind == kind:
            return event
    return None


def stopped(pid: int) -> bool:
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()[0] == "T"


def test_a_paused_daemon_gives_a_typed_timeout_within_the_timeout():
    with SimulatorProcess(control=False) as sim:
        session = pigpiod_py.open(sim.host, sim.port, timeout=0.5)
        os.kill(sim.pid, signal.SIGSTOP)
        deadline = time.monotonic() + 10
        while not stopped(sim.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            t0 = time.monotonic()
            with pytest.raises(PigpioTimeoutError):
                session.read(17)
            assert time.monotonic() - t0 < 3.0
            assert session.closed  # a late answer can never be taken for a later one
        finally:
            os.kill(sim.pid, signal.SIGCONT)
        with pytest.raises(SessionClosedError):
            session.read(17)


def test_daemon_killed_mid_burst_closes_the_session_with_a_disconnect_record():
    with SimulatorProcess(control=False) as sim:
        session = pigpiod_py.open(sim.host, sim.port, dispatch="manual")
        session.callback(17, Edge.EITHER)
        batch = session.batch()
        for i in range(2000):
            batch.write(17, i & 1)
        batch.flush()
        sim.stop()
        with pytest.raises(PigpioConnectionError):
            for i in range(1000):
                session.write(17, i & 1)
        assert session.closed
        seen = []
        while True:
            try:
                event = session.pull(0)
            except SessionClosedError:
                break
            seen.append(event.kind)
        assert EventKind.DISCONNECT in seen


def test_reconnect_restores_the_session_and_its_callbacks():
    sim = SimulatorProcess(control=False)
    port = sim.port
    session = pigpiod_py.open(sim.host, port, dispatch="manual", reconnect=True, timeout=1.0)
    try:
        session.set_mode(17, Mode.OUTPUT)
        session.write(17, 0)
        session.callback(17, Edge.EITHER)
        sim.stop()
        assert pull_kind(session, EventKind.DISCONNECT) is not None
        assert not session.connected and not session.closed
        with pytest.raises(PigpioConnectionError):
            session.read(17)
        sim = SimulatorProcess.on_port(port, control=False)
        assert pull_kind(session, EventKind.RECONNECT, timeout=20) is not None
        assert session.connected
        session.set_mode(17, Mode.OUTPUT)
        session.write(17, 1)
        edge = pull_kind(session, EventKind.EDGE)
        assert edge is not None and edge.gpio == 17 and edge.level == 1
    finally:
        session.close()
        sim.stop()
    assert session.closed



def test_a_thousand_connects_to_a_dead_port_leave_nothing_behind():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    fds = len(os.listdir("/proc/self/fd"))
    for _ in range(1000):
        with pytest.raises(PigpioConnectionError):
            pigpiod_py.open("127.0.0.1", port)
    assert len(os.listdir("/proc/self/fd")) == fds

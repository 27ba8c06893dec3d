"""Lifetimes: close() always completes, dropped handles are released, handles
do not outlive their connection, an idle session notices a silent daemon."""
from __future__ import annotations

import gc
import os
import signal

import pytest
from conftest import threads_in_use, wait_until
from test_faults import stopped

import pigpiod_py
from pigpiod_py import (
    BadHandleError,
    NoHandleError,
    PigpioConnectionError,
    SessionClosedError,
)
from pigpiod_py.errors import CloseError, StaleHandleError
from pigpiod_py.simprocess import SimulatorProcess

pytestmark = pytest.mark.skipif(bool(os.environ.get("PIGPIO_ADDR")),
                                reason="pauses, kills and restarts simulators")


def open_fds() -> int:
    gc.collect()
    return len(os.listdir("/proc/self/fd"))


def test_close_completes_when_the_daemon_is_paused():
    with SimulatorProcess(control=False) as sim:
        fds, threads = open_fds(), threads_in_use()
        session = pigpiod_py.open(sim.host, sim.port, timeout=0.3, dispatch="thread")
        session.callback(17, pigpiod_py.Edge.EITHER, lambda *a: None)
        devices = [session.open_i2c(1, 0x50) for _ in range(3)]
        os.kill(sim.pid, signal.SIGSTOP)
        assert wait_until(lambda: stopped(sim.pid))
        try:
            with pytest.raises(CloseError) as info:
                session.close()
        finally:
            os.kill(sim.pid, signal.SIGCONT)
        assert isinstance(info.value.errors[0], pigpiod_py.PigpioTimeoutError)
        assert session.closed and all(d.closed for d in devices)
        del devices, info
        assert wait_until(lambda: open_fds() <= fds and threads_in_use() <= threads)


def test_close_completes_when_another_client_closed_a_handle(sim):
    fds = open_fds()
    session = pigpiod_py.open(sim.host, sim.port)
    first, second = session.open_i2c(1, 0x50), session.open_i2c(1, 0x53)
    with pigpiod_py.open(sim.host, sim.port) as other:
        other._call(pigpiod_py._pigpiod.lib.pgd_i2c_close, first.handle)
    with pytest.raises(CloseError) as info:
        session.close()
    assert [type(e) for e in info.value.errors] == [BadHandleError]
    assert session.closed and second.closed
    with pigpiod_py.open(sim.host, sim.port) as again:  # second's daemon handle was freed
        again.open_i2c(1, 0x53).close()
    del first, second, info
    assert wait_until(lambda: open_fds() <= fds)


def test_exit_keeps_the_blocks_own_exception(sim):
    with pytest.raises(ZeroDivisionError):
        with pigpiod_py.open(sim.host, sim.port) as session:
            device = session.open_i2c(1, 0x50)
            with pigpiod_py.open(sim.host, sim.port) as other:
                other._call(pigpiod_py._pigpiod.lib.pgd_i2c_close, device.handle)
            raise ZeroDivisionError("the block fails")
    assert session.closed


def test_close_completes_when_the_daemon_was_killed():
    fds, threads = open_fds(), threads_in_use()  # before the simulator's own pipe
    sim = SimulatorProcess(control=False)
    session = pigpiod_py.open(sim.host, sim.port, timeout=0.5, dispatch="thread")
    session.callback(17, pigpiod_py.Edge.EITHER, lambda *a: None)
    device = session.open_i2c(1, 0x50)
    sim.stop()
    try:
        session.close()
    except CloseError as exc:
        assert all(isinstance(e, PigpioConnectionError) for e in exc.errors)
    assert session.closed and device.closed
    del device
    assert wait_until(lambda: open_fds() <= fds and threads_in_use() <= threads)


def test_dropped_handles_are_released(sim):
    with pigpiod_py.open(sim.host, sim.port) as session:
        for _ in range(600):  # more than the daemon's 512 I2C handles
            session.open_i2c(1, 0x50).read_byte()
        gc.collect()
        # All of them are back: the daemon can hand out every handle again.
        kept = []
        try:
            for _ in range(510):
                kept.append(session.open_i2c(1, 0x50))
        except NoHandleError:
            pytest.fail("only %d handles left after dropping 600" % len(kept))


def test_dropped_handles_are_released_by_the_housekeeper_too(sim):
    with pigpiod_py.open(sim.host, sim.port) as session:
        handle = session.open_i2c(1, 0x50).handle
        gc.collect()
        with pigpiod_py.open(sim.host, sim.port) as other:
            # Freed on the daemon without any call on the session.
            assert wait_until(lambda: _closed_on_daemon(other, handle))


def _closed_on_daemon(session, handle: int) -> bool:
    try:
        session._call(pigpiod_py._pigpiod.lib.pgd_i2c_read_byte, handle)
    except BadHandleError:
        return True
    except pigpiod_py.DeviceIOError:
        return False
    return False


def test_handles_of_an_earlier_connection_are_refused_after_a_reconnect():
    sim = SimulatorProcess(control=False)
    port = sim.port
    session = pigpiod_py.open(sim.host, port, reconnect=True, timeout=1.0)
    try:
        eeprom = session.open_i2c(1, 0x50)
        sim.stop()
        assert wait_until(lambda: not session.connected)
        sim = SimulatorProcess.on_port(port, control=False)
        assert wait_until(lambda: session.connected, timeout=20)
        accel = session.open_i2c(1, 0x53)  # may get the same daemon handle number
        with pytest.raises(StaleHandleError):
            eeprom.read_byte()
        assert accel.read_byte_data(0) == 0xE5
        eeprom.close()  # nothing to release on the new connection
        assert accel.read_byte_data(0) == 0xE5
    finally:
        session.close()
        sim.stop()


def test_an_idle_session_notices_a_silent_daemon():
    with SimulatorProcess(control=False) as sim:
        session = pigpiod_py.open(sim.host, sim.port, timeout=0.5, keepalive=0.5)
        lost = []
        session.on_connection_change(lost.append)
        os.kill(sim.pid, signal.SIGSTOP)  # stops answering, keeps the socket open
        try:
            assert wait_until(lambda: lost == [False], timeout=15)
            assert session.closed
        finally:
            os.kill(sim.pid, signal.SIGCONT)
        with pytest.raises(SessionClosedError):
            session.read(17)


def test_an_idle_session_is_left_alone_while_the_daemon_answers(sim):
    with pigpiod_py.open(sim.host, sim.port, keepalive=0.2) as session:
        calls = pigpiod_py._pigpiod.lib.pgd_calls
        first = calls(session._connection.token)
        assert wait_until(lambda: calls(session._connection.token) >= first + 3)  # pings
        assert session.connected

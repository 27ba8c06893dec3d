"""Connections: failures, slots, time-outs, several daemons, a quiet stderr."""
from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
import threading

import pytest
from conftest import start_simulator, stop_simulator

import pigpiod_py
from pigpiod_py import PigpioConnectionError, PigpioTimeoutError, SessionClosedError


def dead_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SilentServer:
    """Accepts connections and never answers: a daemon that hangs."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted: list = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self.listener.close()
        for conn in self.accepted:
            conn.close()


def test_dead_port_is_a_connection_error():
    port = dead_port()
    with pytest.raises(PigpioConnectionError) as info:
        pigpiod_py.open("127.0.0.1", port)
    assert info.value.name == "pigif_bad_connect"
    assert "127.0.0.1:%d" % port in str(info.value)


def test_unresolvable_host():
    with pytest.raises(PigpioConnectionError) as info:
        pigpiod_py.open("no-such-host.invalid", 8888)
    assert info.value.name == "pigif_bad_getaddrinfo"


def test_failed_connects_do_not_use_up_library_slots(daemon):
    port = dead_port()
    for _ in range(100):
        with pytest.raises(PigpioConnectionError):
            pigpiod_py.open("127.0.0.1", port)
    with pigpiod_py.open(daemon.host, daemon.port) as pi:
        assert pi.pigpio_version() == 79


def test_thirty_two_sessions_then_a_clear_error(daemon):
    sessions = [pigpiod_py.open(daemon.host, daemon.port) for _ in range(32)]
    try:
        with pytest.raises(PigpioConnectionError) as info:
            pigpiod_py.open(daemon.host, daemon.port)
        assert info.value.name == "pigif_too_many_pis"
    finally:
        for s in sessions:
            s.close()
    with pigpiod_py.open(daemon.host, daemon.port) as pi:
        assert pi.read(17) in (0, 1)


def test_open_close_cycles_reuse_slots(daemon):
    for _ in range(200):
        pigpiod_py.open(daemon.host, daemon.port).close()


def test_a_hung_daemon_gives_a_typed_timeout_and_closes_the_session():
    server = SilentServer()
    try:
        session = pigpiod_py.open("127.0.0.1", server.port, timeout=0.3)
        with pytest.raises(PigpioTimeoutError):
            session.read(17)
        assert session.closed
        with pytest.raises(SessionClosedError):
            session.read(17)
    finally:
        server.close()


def test_unsigned_commands_report_a_hung_daemon_too():
    server = SilentServer()
    try:
        session = pigpiod_py.open("127.0.0.1", server.port, timeout=0.3)
        with pytest.raises(PigpioTimeoutError):
            session.tick()
    finally:
        server.close()


def test_batch_time_out():
    server = SilentServer()
    try:
        session = pigpiod_py.open("127.0.0.1", server.port, timeout=0.3)
        with pytest.raises(PigpioTimeoutError):
            session.batch().write(17, 1).flush()
        session.close()
    finally:
        server.close()


def test_bad_timeout_value(daemon):
    with pytest.raises(ValueError):
        pigpiod_py.open(daemon.host, daemon.port, timeout=0)


@pytest.mark.skipif(bool(__import__("os").environ.get("PIGPIO_ADDR")), reason="starts simulators")
def test_two_daemons_at_once():
    a, b = start_simulator(), start_simulator()
    try:
        with pigpiod_py.open(a.host, a.port) as pa, pigpiod_py.open(b.host, b.port) as pb:
            pa.write(17, 1)
            pb.write(17, 0)
            assert pa.read(17) == 1 and pb.read(17) == 0
            assert a.control.pin(17)["level"] == 1 and b.control.pin(17)["level"] == 0
    finally:
        stop_simulator(a)
        stop_simulator(b)


@pytest.mark.skipif(bool(__import__("os").environ.get("PIGPIO_ADDR")), reason="kills a simulator")
def test_daemon_killed_gives_connection_error_and_nothing_on_stderr():
    """libpigpiod_if2 prints from its notification thread when the daemon
    goes away; the binding must not let it."""
    script = textwrap.dedent(
        """
        import sys, time
        import pigpiod_py
        from pigpiod_py.simprocess import SimulatorProcess
        sim = SimulatorProcess(control=False)
        pi = pigpiod_py.open(sim.host, sim.port)
        pi.write(17, 1)
        sim.stop()
        time.sleep(0.3)
        try:
            pi.read(17)
        except pigpiod_py.PigpioConnectionError as exc:
            print("connection error:", exc.name)
        print("closed:", pi.closed)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert ("connection error: pigif_bad_recv" in out.stdout
            or "connection error: pigif_bad_send" in out.stdout)
    assert "closed: True" in out.stdout
    assert out.stderr == ""

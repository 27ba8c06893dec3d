"""Who may connect: loopback by default, pigpiod's -n allow list and -l."""
from __future__ import annotations

import resource
import socket
import struct
import subprocess
import sys
import time

import pytest

import pigpiod_py
from pigpiod_py.simprocess import SimulatorProcess

PIGPV = struct.pack("<4I", 26, 0, 0, 0)


def ask_version(host: str, port: int, source: str = "127.0.0.1") -> bytes:
    with socket.create_connection((host, port), timeout=5, source_address=(source, 0)) as s:
        s.sendall(PIGPV)
        s.settimeout(5)
        try:
            return s.recv(16)
        except ConnectionResetError:
            return b""


def test_listens_on_loopback_by_default(sim):
    assert sim.host == "127.0.0.1"


def test_allow_list_closes_other_clients():
    with SimulatorProcess("--allow", "127.0.0.2", control=False) as sim:
        assert ask_version(sim.host, sim.port, source="127.0.0.1") == b""
        reply = ask_version(sim.host, sim.port, source="127.0.0.2")
        assert struct.unpack("<4i", reply)[3] == 79
        session = pigpiod_py.open(sim.host, sim.port)  # connects from 127.0.0.1
        with pytest.raises(pigpiod_py.PigpioConnectionError):
            session.read(17)
        assert session.closed


def test_several_allowed_addresses():
    with SimulatorProcess("-n", "127.0.0.1", "-n", "127.0.0.3", control=False) as sim:
        assert struct.unpack("<4i", ask_version(sim.host, sim.port))[3] == 79
        with pigpiod_py.open(sim.host, sim.port) as pi:
            assert pi.pigpio_version() == 79


def test_localhost_only_overrides_the_host():
    with SimulatorProcess("--host", "0.0.0.0", "-l", control=False) as sim:
        assert sim.host == "127.0.0.1"
        assert struct.unpack("<4i", ask_version(sim.host, sim.port))[3] == 79


def test_allow_list_names_resolve_as_pigpiod_resolves_them():
    with SimulatorProcess("-n", "localhost", control=False) as sim:
        assert struct.unpack("<4i", ask_version(sim.host, sim.port))[3] == 79


def test_an_allow_list_name_that_does_not_resolve_is_an_error():
    with pytest.raises(RuntimeError):
        SimulatorProcess("-n", "no-such-host.invalid", control=False)


@pytest.mark.skipif(not socket.has_dualstack_ipv6(), reason="no dual-stack IPv6")
def test_an_ipv6_host_listens_dual_stack():
    try:
        sim = SimulatorProcess("--host", "::", control=False)
    except RuntimeError:
        pytest.skip("IPv6 is not available here")
    with sim:
        assert struct.unpack("<4i", ask_version("127.0.0.1", sim.port))[3] == 79
        with socket.create_connection(("::1", sim.port), timeout=5) as s:
            s.sendall(PIGPV)
            assert struct.unpack("<4i", s.recv(16))[3] == 79


def control_answers(host: str, port: int, source: str = "127.0.0.1") -> bytes:
    with socket.create_connection((host, port), timeout=5, source_address=(source, 0)) as s:
        s.sendall(b'{"op": "permission_mask"}\n')
        try:
            return s.recv(100)
        except ConnectionResetError:
            return b""


def own_address() -> str:
    """A non-loopback address of this machine (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            pytest.skip("no route off this machine")
        address = probe.getsockname()[0]
    if address.startswith("127."):
        pytest.skip("no address other than loopback")
    return address


def test_control_port_stays_on_loopback_whatever_the_host():
    outside = own_address()
    with SimulatorProcess("--host", "0.0.0.0") as sim:
        assert struct.unpack("<4i", ask_version(outside, sim.port, source=outside))[3] == 79
        with pytest.raises(OSError):
            socket.create_connection((outside, sim.control_port), timeout=2).close()
        with socket.create_connection(("127.0.0.1", sim.control_port), timeout=5):
            pass


def test_control_port_honours_the_allow_list():
    with SimulatorProcess("-n", "127.0.0.2") as sim:
        assert control_answers("127.0.0.1", sim.control_port, source="127.0.0.1") == b""
        assert b"result" in control_answers("127.0.0.1", sim.control_port, source="127.0.0.2")


def test_an_accept_flood_does_not_stop_the_server():
    """EMFILE in accept: the flood's clients wait, and everybody is served once it ends."""
    limit = 64
    process = subprocess.Popen(
        [sys.executable, "-m", "pigpiod_py.sim", "--port", "0"], stdout=subprocess.PIPE,
        text=True, preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit)))
    try:
        _, host, port, *_ = process.stdout.readline().split()
        flood = []
        for _ in range(limit + 20):  # more than the simulator has descriptors
            try:
                flood.append(socket.create_connection((host, int(port)), timeout=2))
            except OSError:
                break
        time.sleep(0.3)  # the simulator meets EMFILE meanwhile
        for sock in flood:
            sock.close()
        deadline = time.monotonic() + 30
        while True:
            answer = b""
            try:
                answer = ask_version(host, int(port))
            except OSError:
                pass
            if answer or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert struct.unpack("<4i", answer)[3] == 79
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()

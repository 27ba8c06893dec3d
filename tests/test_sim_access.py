"""Who may connect: loopback by default, pigpiod's -n allow list and -l."""
from __future__ import annotations

import socket
import struct

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

"""Fuzzing the simulator's socket protocol with hypothesis.

Whatever a client sends (random bytes, truncated extensions, huge lengths,
unknown commands, a client vanishing mid-command) it gets answers in
pigpiod's format or a closed connection, and nobody else is affected.
"""
from __future__ import annotations

import socket
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pigpiod_py.constants import Command, ErrorCode

HEADER = struct.Struct("<4I")
#: Commands that wait (MICS, MILS) or start background work are kept short.
SLOW = {int(Command.MILS), int(Command.MICS), int(Command.PROC), int(Command.PROCR),
        int(Command.SHELL)}
KNOWN_ERRORS = {int(code) for code in ErrorCode}
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def connect(sim) -> socket.socket:
    s = socket.create_connection((sim.host, sim.port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def drain(s: socket.socket, timeout: float = 0.2) -> bytes:
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    return data


def still_serves(sim) -> bool:
    with connect(sim) as s:
        s.sendall(HEADER.pack(int(Command.PIGPV), 0, 0, 0))
        reply = s.recv(16)
    return len(reply) == 16 and HEADER.unpack(reply)[3] == 79


@pytest.fixture
def witness(sim):
    """A connection opened before the fuzzing that must keep working."""
    s = connect(sim)
    yield s
    s.close()


def check_witness(witness: socket.socket) -> None:
    witness.settimeout(5)
    witness.sendall(HEADER.pack(int(Command.TICK), 0, 0, 0))
    assert len(witness.recv(16)) == 16


@FUZZ
@given(st.binary(min_size=1, max_size=400))
def test_random_bytes_never_break_the_daemon(sim, witness, data):
    with connect(sim) as s:
        s.sendall(data)
        drain(s, 0.05)
    check_witness(witness)


@FUZZ
@given(cmd=st.integers(0, 2**32 - 1), p1=st.integers(0, 2**32 - 1), p2=st.integers(0, 2**32 - 1),
       ext=st.binary(max_size=64))
def test_well_framed_commands_get_a_well_framed_answer(sim, witness, cmd, p1, p2, ext):
    if cmd in SLOW:
        p1 = p1 % 1000
    with connect(sim) as s:
        s.sendall(HEADER.pack(cmd, p1, p2, len(ext)) + ext)
        s.settimeout(5)
        reply = s.recv(16, socket.MSG_WAITALL)
        if cmd == int(Command.NOIB):
            return  # the socket becomes a report stream
        assert len(reply) == 16
        echo_cmd, echo_p1, _, res = struct.unpack("<IIIi", reply)
        assert echo_cmd == cmd
        if res < 0:
            assert res in KNOWN_ERRORS
        if cmd >= 256 or cmd == 48:
            assert res == ErrorCode.UNKNOWN_COMMAND
    check_witness(witness)


@FUZZ
@given(cmd=st.integers(0, 130), declared=st.integers(1, 65535), sent=st.integers(0, 100))
def test_truncated_extensions_and_vanishing_clients(sim, witness, cmd, declared, sent):
    with connect(sim) as s:
        s.sendall(HEADER.pack(cmd, 0, 0, declared) + b"\x01" * min(sent, declared - 1))
    check_witness(witness)


@pytest.mark.parametrize("length", [65536, 2**31, 2**32 - 1])
def test_huge_extension_lengths_close_only_that_connection(sim, witness, length):
    with connect(sim) as s:
        s.sendall(HEADER.pack(int(Command.WRITE), 17, 1, length))
        assert drain(s, 2.0) == b""  # closed without an answer
    check_witness(witness)
    assert still_serves(sim)


def test_many_half_written_frames_at_once(sim, witness):
    sockets = [connect(sim) for _ in range(50)]
    for i, s in enumerate(sockets):
        s.sendall(HEADER.pack(int(Command.WRITE), 17, 1, 0)[: i % 16])
    for s in sockets:
        s.close()
    check_witness(witness)
    assert still_serves(sim)

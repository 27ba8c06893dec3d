"""Fuzzing the simulator's socket protocol, control port and script language with hypothesis.

Whatever a client sends (random bytes, truncated extensions, huge lengths,
unknown commands, a client vanishing mid-command) it gets answers in
pigpiod's format or a closed connection, and nobody else is affected.  Any
control line gets a ``result`` or an ``error`` and the connection stays;
any script can be stopped and deleted.
"""
from __future__ import annotations

import json
import socket
import struct
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pigpiod_py.constants import Command, ErrorCode, ScriptState
from pigpiod_py.sim.interfaces.client import RawClient
from pigpiod_py.sim.control import OPERATIONS

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


# -- the control port --------------------------------------------------------------

def control_connection(sim) -> tuple[socket.socket, Any]:
    s = socket.create_connection((sim.host, sim.process.control_port), timeout=10)
    return s, s.makefile("rb")


def control_ask(s: socket.socket, lines: Any, line: bytes) -> dict[str, Any]:
    s.sendall(line + b"\n")
    reply = json.loads(lines.readline())
    assert isinstance(reply, dict) and set(reply) in ({"result"}, {"error"})
    return reply


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=12)


@FUZZ
@given(line=st.binary(max_size=200).filter(lambda b: b"\n" not in b))
def test_control_port_answers_any_line(sim, witness, line):
    s, lines = control_connection(sim)
    with s, lines:
        control_ask(s, lines, line)
        assert "result" in control_ask(s, lines, b'{"op": "permission_mask"}')
    check_witness(witness)


@FUZZ
@given(op=st.sampled_from(sorted(OPERATIONS - {"reset"})), args=st.lists(JSON, max_size=6))
def test_control_operations_with_any_arguments(sim, witness, op, args):
    s, lines = control_connection(sim)
    with s, lines:
        control_ask(s, lines, json.dumps({"op": op, "args": args}).encode())
        assert "result" in control_ask(s, lines, b'{"op": "permission_mask"}')
    check_witness(witness)
    assert still_serves(sim)


# -- the script language -----------------------------------------------------------

#: Script instructions and the operands each takes: x value, r register, t tag, n name.
INSTRUCTIONS = {**{name: "x" for name in ("add", "and", "cmp", "div", "lda", "ldab", "mlt",
                                          "mod", "or", "rla", "rra", "stab", "sub", "xor")},
                **{name: "r" for name in ("dcr", "inr", "pop", "push", "sta", "xa")},
                **{name: "rx" for name in ("ld", "rl", "rr")},
                **{name: "t" for name in ("call", "jm", "jmp", "jnz", "jp", "jz", "tag")},
                **{name: "" for name in ("dcra", "halt", "inra", "nop", "popa", "pusha", "ret")},
                "x": "rr", "evtwt": "x", "wait": "x", "sys": "n",
                "w": "xx", "r": "x", "m": "xx", "mils": "x", "mics": "x", "tick": "",
                "evt": "x", "wvclr": "", "wvnew": "", "wvcre": "", "wvtx": "x", "wvhlt": "",
                "pwm": "xx", "servo": "xx", "br1": "", "bc1": "x", "bs1": "x", "trig": "xxx"}
NUMBER = st.one_of(st.integers(-2**40, 2**40).map(str), st.integers(0, 2**36).map(hex),
                   st.integers(0, 40).map(str))
REGISTER = st.one_of(st.integers(0, 160).map(lambda n: f"v{n}"),
                     st.integers(0, 11).map(lambda n: f"p{n}"))
OPERANDS = {"x": st.one_of(NUMBER, REGISTER), "r": REGISTER, "t": st.integers(0, 5).map(str),
            "n": st.sampled_from(["x", "go", "a-b"])}


@st.composite
def instruction(draw: Any) -> str:
    name = draw(st.sampled_from(sorted(INSTRUCTIONS)))
    return " ".join([name, *(draw(OPERANDS[kind]) for kind in INSTRUCTIONS[name])])


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(program=st.lists(instruction(), min_size=1, max_size=25),
       params=st.lists(st.integers(0, 2**32 - 1), max_size=10))
def test_any_script_runs_stops_and_goes(sim, witness, program, params):
    """Whatever a script computes, it stays under control: it can be stopped and deleted."""
    with RawClient(sim.host, sim.port, timeout=10) as raw:
        sid = raw.command(Command.PROC, 0, 0, " ".join(program).encode())
        if sid < 0:
            assert sid in KNOWN_ERRORS
            return
        deadline = time.monotonic() + 10
        while status(raw, sid) == ScriptState.INITING:
            assert time.monotonic() < deadline
        assert raw.command(Command.PROCR, sid, 0, struct.pack("<%dI" % len(params), *params)) == 0
        time.sleep(0.02)
        assert raw.command(Command.PROCS, sid) == 0
        deadline = time.monotonic() + 10
        while status(raw, sid) in (ScriptState.RUNNING, ScriptState.WAITING):
            assert time.monotonic() < deadline, "a stopped script kept running"
            time.sleep(0.01)
        assert raw.command(Command.PROCD, sid) == 0
    check_witness(witness)


def status(raw: RawClient, sid: int) -> int:
    count, data = raw.command_data(Command.PROCP, sid)
    assert count == 44
    return int(struct.unpack_from("<I", data)[0])

"""The simulator's script VM: instructions, waits, states, limits (pigpio module, pigs, raw)."""
from __future__ import annotations

import os
import shutil
import struct
import subprocess
import time

import pytest
from sim_clients import pigpio_pi_fixture, wait_until  # noqa: F401 (fixture "pi")

from pigpiod_py._pigpiod import lib
from pigpiod_py.constants import Command
from pigpiod_py.sim.interfaces.client import RawClient
from pigpiod_py.sim.scripts.parse import parse, parse_number

pigpio = pytest.importorskip("pigpio")
PIGS = shutil.which("pigs")


def _finish(pi, sid, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state, params = pi.script_status(sid)
        if state not in (lib.PI_SCRIPT_RUNNING, lib.PI_SCRIPT_WAITING, lib.PI_SCRIPT_INITING):
            return state, params
        time.sleep(0.005)
    raise AssertionError("script %d still running" % sid)


def _stored(pi, text):
    """Store a script and wait until it is ready to run."""
    sid = pi.store_script(text)
    while pi.script_status(sid)[0] == lib.PI_SCRIPT_INITING:
        time.sleep(0.002)
    return sid


def _run(pi, text, *params):
    sid = _stored(pi, text)
    pi.run_script(sid, list(params))
    return sid, _finish(pi, sid)


def test_numbers_like_strtol():
    assert [parse_number(t) for t in ("12", "-7", "+3", "0x1F", "010", "0", "abc", "1x")] == \
        [12, -7, 3, 31, 8, 0, None, None]


@pytest.mark.parametrize("text, code", [
    ("lda 1 foo", lib.PI_BAD_SCRIPT_CMD),
    ("lda p10", lib.PI_BAD_SCRIPT_CMD),
    ("jmp x", lib.PI_BAD_SCRIPT_CMD),
    ("tag 3 tag 3 jmp 9", lib.PI_DUP_TAG),
    (" ".join("tag %d" % k for k in range(51)), lib.PI_TOO_MANY_TAGS),
    ("call 4", lib.PI_BAD_TAG),
    ("wvag 1 2 3", lib.PI_BAD_SCRIPT_CMD),
    ("procr 0", lib.PI_BAD_SCRIPT_CMD),
    ("sys ../x", lib.PI_BAD_SCRIPT_CMD),
])
def test_parse_errors(text, code):
    assert parse(text) == code


def test_arithmetic_and_registers(pi):
    text = ("lda 7 add 5 sta p0 mlt -2 sta p1 div 5 sta p2 lda 17 mod 5 sta p3 "
            "lda 1 rla 4 sta p4 ld v0 0x0F or v0 xor 3 and 0xFE sta p5 "
            "ld v1 2 ld v2 9 x v1 v2 lda v1 sta p6 xa v2 sta p7 "
            "ld v3 1 rl v3 3 ld p8 v3 lda -16 rra 2 sta p9")
    sid, (state, params) = _run(pi, text)
    assert state == lib.PI_SCRIPT_HALTED
    assert params == (12, -24, -4, 2, 16, 28, 9, 2, 8, -4)
    pi.delete_script(sid)


def test_jumps_calls_and_stack(pi):
    text = ("ld v0 0 tag 1 inr v0 cmp 0 lda v0 cmp 5 jm 1 "
            "call 10 sta p1 lda 40 push v0 pusha popa pop p3 sta p2 halt "
            "tag 10 lda 99 ret")
    sid, (_state, params) = _run(pi, text)
    assert params[1:4] == (99, 40, 5)
    pi.delete_script(sid)


def test_scratch_bytes(pi):
    sid, (_, params) = _run(pi, "lda 0x1234 stab 7 lda 0 ldab 7 sta p0 lda 5 ldab 70000 sta p1")
    assert params[:2] == (0x34, 5)
    pi.delete_script(sid)


def test_stack_overflow_fails_then_halts(pi):
    sid, (state, params) = _run(pi, "ld p0 0 tag 1 pusha inr p0 jmp 1")
    assert state == lib.PI_SCRIPT_HALTED
    assert params[0] == 256
    sid2, (state, params) = _run(pi, "ld p0 1 popa ld p0 2")
    assert params[0] == 1
    pi.delete_script(sid)
    pi.delete_script(sid2)


def test_commands_and_results(pi):
    sid, (_, params) = _run(pi, "w 22 1 r 22 sta p0 m 22 r mg 22 sta p1 pigpv sta p2 "
                                "w 60 1 sta p3")
    assert params[:4] == (1, 0, 79, lib.PI_BAD_GPIO)
    pi.delete_script(sid)


def test_wait_for_an_edge(pi, sim):
    pi.set_mode(23, pigpio.INPUT)
    sim.control.drive(23, 0)
    sid = _stored(pi, "wait 0x800000 sta p0")
    pi.run_script(sid)
    assert wait_until(lambda: pi.script_status(sid)[0] == lib.PI_SCRIPT_WAITING)
    sim.control.drive(23, 1)
    _state, params = _finish(pi, sid)
    assert params[0] == 1 << 23
    pi.delete_script(sid)


def test_event_wait_and_parameter_cut(pi):
    sid = _stored(pi, "evtwt 0x30 sta p0")
    pi.run_script(sid)
    assert wait_until(lambda: pi.script_status(sid)[0] == lib.PI_SCRIPT_WAITING)
    pi.event_trigger(4)
    assert _finish(pi, sid)[1][0] == 16
    pi.run_script(sid)
    assert wait_until(lambda: pi.script_status(sid)[0] == lib.PI_SCRIPT_WAITING)
    pi.run_script(sid, [0, 3])        # running: only parameters, and the wait ends
    _state, params = _finish(pi, sid)
    assert params[:2] == (0, 3)
    pi.delete_script(sid)


def test_stop_cuts_a_long_delay(pi):
    sid = _stored(pi, "mils 60000 ld p0 1")
    pi.run_script(sid)
    time.sleep(0.05)
    start = time.monotonic()
    pi.stop_script(sid)
    _state, params = _finish(pi, sid)
    assert time.monotonic() - start < 2
    assert params[0] == 0
    pi.delete_script(sid)


def test_raw_management_results(sim):
    with RawClient(sim.host, sim.port) as raw:
        sid = raw.command(Command.PROC, 0, 0, b"ld p3 -5")
        assert sid == 0
        assert raw.command(Command.PROCR, 32, 0) == lib.PI_BAD_SCRIPT_ID
        assert raw.command(Command.PROCR, 0, 0, bytes(44)) == lib.PI_TOO_MANY_PARAM
        assert raw.command(Command.PROCR, 5, 0) == lib.PI_BAD_SCRIPT_ID
        assert raw.command(Command.PROCU, 0, 0, struct.pack("<2I", 1, 2)) == 0
        res, data = raw.command_data(Command.PROCP, 0)
        assert res == 44 and len(data) == 44
        assert struct.unpack("<11I", data)[1:4] == (1, 2, 0)
        assert raw.command(Command.PROCS, 0) == 0
        assert raw.command(Command.PROCD, 0) == 0
        assert raw.command(Command.PROCD, 0) == lib.PI_BAD_SCRIPT_ID
        assert raw.command(Command.PROCP, 40) == lib.PI_BAD_SCRIPT_ID
        ids = [raw.command(Command.PROC, 0, 0, b"halt") for _ in range(33)]
        assert ids[:32] == list(range(32)) and ids[32] == lib.PI_NO_SCRIPT_ROOM


@pytest.mark.skipif(PIGS is None, reason="pigs is not installed")
def test_pigs_script_commands(sim):
    env = dict(os.environ, PIGPIO_ADDR=sim.host, PIGPIO_PORT=str(sim.port))

    def pigs(*words):
        return subprocess.run([PIGS, *words], env=env, capture_output=True, text=True,
                              timeout=30, check=False)

    sid = pigs("proc", "ld", "p1", "p0", "add", "1").stdout.strip()
    assert sid == "0"
    assert wait_until(lambda: pigs("procp", sid).stdout.split()[0] != "0")  # not INITING
    assert pigs("procr", sid, "41").returncode == 0
    assert wait_until(lambda: pigs("procp", sid).stdout.split()[:3] == ["1", "41", "41"])
    assert pigs("procd", sid).returncode == 0
    assert pigs("proc", "jmp", "7").returncode == 253


# -- pigpio.c's 32-bit arithmetic -------------------------------------------------

INT_MIN, INT_MAX = -(2 ** 31), 2 ** 31 - 1


@pytest.mark.parametrize("text, expected", [
    ("ld v0 1 rl v0 -1 ld p0 v0", 0),              # a negative count is its low byte: 255
    ("ld v0 1 rl v0 2000000000 ld p0 v0", 1),      # 2000000000 & 0xFF == 0
    ("ld v0 1 rl v0 31 ld p0 v0", INT_MIN),
    ("ld v0 -8 rr v0 -1 ld p0 v0", -1),            # arithmetic: the sign fills
    ("ld v0 -8 rr v0 256 ld p0 v0", -8),           # 256 & 0xFF == 0
    ("lda 1 rla 33 sta p0", 0),
    ("lda 1 rla -230 sta p0", 1 << 26),          # -230 & 0xFF == 26
    ("lda 0x7FFFFFFF add 1 sta p0", INT_MIN),
    ("lda 2000000000 mlt 3 sta p0", 2000000000 * 3 - 2 ** 32),
    ("lda 0x100000001 sta p0", 1),                 # operands are ints
    ("lda -2147483648 div -1 sta p0", INT_MIN),    # as ARM's sdiv
    ("lda -7 mod 2 sta p0", -1),
    ("lda -7 div 2 sta p0", -3),
    ("lda 0 dcra sta p0", -1),
    ("ld p0 2147483647 inr p0", INT_MIN),
])
def test_arithmetic_is_32_bit(pi, text, expected):
    sid, (state, params) = _run(pi, text)
    assert state == lib.PI_SCRIPT_HALTED
    assert params[0] == expected
    pi.delete_script(sid)


def test_a_fault_in_a_script_never_leaves_it_running(pi):
    for text in ("lda 1 div 0", "lda -3 pusha ret", "lda 9 pusha ret",
                 "lda 3 rla -1 rra -2000000000 ld v0 1 rl v0 -5"):
        sid, (state, _params) = _run(pi, text)
        assert state == lib.PI_SCRIPT_HALTED
        pi.delete_script(sid)


def test_stopping_a_waiting_script_never_deadlocks(sim):
    """WAIT polls the pins under the daemon lock; PROCS holds it too."""
    with RawClient(sim.host, sim.port, timeout=10) as raw:
        sid = raw.command(Command.PROC, 0, 0, b"tag 0 wait 0x800000 jmp 0")
        assert wait_until(lambda: raw.command(Command.PROCR, sid) == 0)
        def state() -> int:
            return int(struct.unpack_from("<I", raw.command_data(Command.PROCP, sid)[1])[0])

        for _ in range(1000):
            assert wait_until(lambda: state() == lib.PI_SCRIPT_WAITING, step=0.0002)
            assert raw.command(Command.PROCS, sid) == 0
            assert wait_until(lambda: state() == lib.PI_SCRIPT_HALTED, step=0.0002)
            assert raw.command(Command.PROCR, sid) == 0
        assert raw.command(Command.PROCD, sid) == 0

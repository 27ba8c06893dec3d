"""The simulator's waves against pigpiod's figures, through the pigpio module and pigs."""
from __future__ import annotations

import os
import shutil
import struct
import subprocess

import pytest
from sim_clients import wait_until

from pigpiod_py._pigpiod import lib
from pigpiod_py.constants import Command
from pigpiod_py.sim.waves.chain import parse_chain
from pigpiod_py.sim.interfaces.client import RawClient
from pigpiod_py.sim.waves.pool import WavePool
from pigpiod_py.sim.waves.latch import Loop, Run, Segment, Series, WaveLatch
from pigpiod_py.wave_model import merge, serial_pulses

pigpio = pytest.importorskip("pigpio")

GPIO = 25
MASK = 1 << GPIO
#: The 556-character text of x_pigpiod_if2.c / x_pigpio.py test 5.
TEXT = """
Now is the winter of our discontent
Made glorious summer by this sun of York;
And all the clouds that lour'd upon our house
In the deep bosom of the ocean buried.
Now are our brows bound with victorious wreaths;
Our bruised arms hung up for monuments;
Our stern alarums changed to merry meetings,
Our dreadful marches to delightful measures.
Grim-visaged war hath smooth'd his wrinkled front;
And now, instead of mounting barded steeds
To fright the souls of fearful adversaries,
He capers nimbly in a lady's chamber
To the lascivious pleasing of a lute.
"""
PIGS = shutil.which("pigs")


@pytest.fixture
def pi(sim):
    client = pigpio.pi(sim.host, sim.port)
    assert client.connected
    client.set_mode(GPIO, pigpio.OUTPUT)
    yield client
    client.wave_tx_stop()
    client.wave_clear()
    client.stop()


def _test_wave():
    return [pigpio.pulse(MASK, 0, 10000), pigpio.pulse(0, MASK, 30000),
            pigpio.pulse(MASK, 0, 60000), pigpio.pulse(0, MASK, 100000)]


# -- pure functions --------------------------------------------------------------

def test_merge_combines_and_splits():
    a = [(1, 0, 10), (0, 1, 10)]
    b = [(2, 0, 5), (0, 2, 20)]
    assert merge(a, b) == [(3, 0, 5), (0, 2, 5), (0, 1, 15)]
    assert merge([], a) == a
    assert merge(a, []) == a


def test_serial_pulses_frame():
    # 0x55 at 1000 baud: start bit and alternating bits, each its own pulse
    pulses = serial_pulses(0, 1000, 8, 2, 0, b"\x55")
    assert pulses[0] == (1, 0, 1000)
    assert len(pulses) == 1 + 10
    # 0xD5 ends with a 1 bit: the stop bit extends it
    assert len(serial_pulses(0, 1000, 8, 2, 0, b"\xD5")) == 1 + 8
    assert sum(p[2] for p in pulses) == 1000 + 10_000
    assert serial_pulses(0, 1000, 9, 2, 0, b"\x01") == []   # half a 2-byte character


def test_pool_reuses_exact_fits_and_top_ids():
    pool = WavePool()
    pulses = [(1, 0, 10), (0, 1, 10)]
    assert [pool.create(pulses) for _ in range(3)] == [0, 1, 2]
    assert pool.delete(1) == 0
    assert pool.create(pulses + [(1, 0, 5)]) == 3      # no exact fit for id 1
    assert pool.create(pulses) == 1                    # exact fit
    assert pool.delete(3) == 0 and pool.delete(2) == 0
    assert pool.create(pulses) == 2                    # top ids were released
    assert pool.delete(7) < 0


def test_latch_levels_and_edges_of_a_loop():
    node = Series([Segment([], 20), Loop(Segment([(1, 0, 10), (0, 1, 30)]), 3)])
    latch = WaveLatch(0, 0, [Run(node, 1000, 0)])
    assert [latch.level(t) for t in (1000, 1020, 1029, 1030, 1060, 1140, 2000)] == \
        [0, 1, 1, 0, 1, 0, 0]
    assert list(latch.edges(0, 2000)) == [(1020, 1), (1030, 0), (1060, 1), (1070, 0),
                                          (1100, 1), (1110, 0)]


def test_chain_parser_errors():
    pool = WavePool()
    pool.create([(1, 0, 10)])
    assert parse_chain(bytes([0, 255]), pool) == lib.PI_BAD_CHAIN_CMD
    assert parse_chain(bytes([255, 1, 2, 0]), pool) == lib.PI_BAD_CHAIN_LOOP
    assert parse_chain(bytes([255, 0, 255, 1, 2, 0]), pool) == lib.PI_BAD_CHAIN_LOOP
    assert parse_chain(bytes([255, 0, 0, 255, 3, 0]), pool) == lib.PI_BAD_FOREVER
    assert parse_chain(bytes([255, 0] * 11 + [0]), pool) == lib.PI_CHAIN_NESTING
    assert parse_chain(bytes([255, 0, 0, 255, 1, 2, 0] * 21), pool) == lib.PI_CHAIN_COUNTER
    assert parse_chain(bytes([1]), pool) == lib.PI_BAD_WAVE_ID
    assert parse_chain(bytes([255, 9]), pool) == lib.PI_BAD_CHAIN_CMD
    assert parse_chain(bytes([0] * 599), pool) == lib.PI_CHAIN_TOO_BIG
    assert not isinstance(parse_chain(bytes([0] * 598), pool), int)


# -- x_pigpiod_if2.c test 5 ------------------------------------------------------

def test_x_pigpio_wave_figures(pi, sim):
    pi.wave_clear()
    assert pi.wave_add_generic(_test_wave()) == 4
    wid = pi.wave_create()
    assert wid == 0
    ticks = []
    counter = pi.callback(GPIO, pigpio.FALLING_EDGE, lambda g, level, tick: ticks.append(tick))
    assert pi.wave_send_repeat(wid) == 9
    wait_until(lambda: len(ticks) >= 50, timeout=60)
    pi.wave_tx_stop()
    counter.cancel()
    # 50 falls in 5 s as on a Pi: at 10 and 100 ms of every 200 ms, exactly
    gaps = [pigpio.tickDiff(a, b) for a, b in zip(ticks[:50], ticks[1:50])]
    assert gaps == [90_000, 110_000] * 24 + [90_000]
    pi.wave_clear()
    assert len(TEXT) == 556
    assert pi.wave_add_serial(GPIO, 4800, TEXT, 5000000) == 3405
    assert pi.wave_get_micros() == 6158148
    assert pi.wave_get_pulses() == 3405
    assert pi.wave_get_cbs() == 6810
    wid = pi.wave_create()
    assert pi.wave_send_once(wid) == 6811
    assert pi.wave_tx_busy() == 1
    assert pi.wave_tx_at() == wid
    pi.wave_tx_stop()
    assert pi.wave_tx_busy() == 0
    assert pi.wave_tx_at() == 9999
    assert (pi.wave_get_max_micros(), pi.wave_get_max_pulses(), pi.wave_get_max_cbs()) == \
        (1800000000, 12000, 25016)
    pi.wave_clear()
    assert (pi.wave_get_micros(), pi.wave_get_pulses(), pi.wave_get_cbs()) == (0, 0, 0)
    with RawClient(sim.host, sim.port) as raw:
        assert [raw.command(cmd, 1) for cmd in (Command.WVSM, Command.WVSP, Command.WVSC)] == \
            [6158148, 3405, 6810]


def test_wide_characters(pi):
    """9-16 data bits: two little-endian bytes a character."""
    pi.wave_clear()
    assert pi.wave_add_serial(GPIO, 1000, b"\xff\x01\x00\x00", 0, bb_bits=9) == 1 + 2 + 2
    pulses = serial_pulses(GPIO, 1000, 9, 2, 0, b"\xff\x01\x00\x00")
    assert [p[2] for p in pulses] == [1000, 1000, 10000, 10000, 1000]


def test_serial_wave_edges(pi):
    """1702 falling edges for the text (start bits and 0 bits after 1 bits)."""
    pi.wave_clear()
    pi.wave_add_serial(GPIO, 38400, TEXT, 0)
    wid = pi.wave_create()
    counter = pi.callback(GPIO, pigpio.FALLING_EDGE)
    pi.wave_send_once(wid)
    assert wait_until(lambda: not pi.wave_tx_busy())
    wait_until(lambda: counter.tally() >= 1702)
    assert counter.tally() == 1702
    counter.cancel()


def test_pad_sequence(pi):
    pi.wave_clear()
    pi.wave_add_generic(_test_wave())
    assert pi.wave_create_and_pad(50) == 0
    pi.wave_add_generic(_test_wave())
    assert pi.wave_create_and_pad(50) == 1
    assert pi.wave_delete(0) == 0
    pi.wave_add_generic(_test_wave()[:2])
    with pytest.raises(pigpio.error):
        pi.wave_create()
    pi.wave_add_generic(_test_wave())
    assert pi.wave_create_and_pad(50) == 0
    assert pi.wave_send_once(0) == 23836 * 50 // 100


def test_chain_of_x_pigpio(pi):
    pi.wave_clear()
    pi.wave_add_generic(_test_wave())
    w0 = pi.wave_create()
    pi.wave_add_generic([pigpio.pulse(MASK, 0, 20000), pigpio.pulse(0, MASK, 20000)])
    w1 = pi.wave_create()
    counter = pi.callback(GPIO, pigpio.FALLING_EDGE)
    assert pi.wave_chain([w1, w0]) == 0
    assert pi.wave_tx_at() == 9998
    assert wait_until(lambda: not pi.wave_tx_busy())
    wait_until(lambda: counter.tally() >= 3)
    assert counter.tally() == 3
    counter.cancel()


def test_chain_timing_on_notifications(pi):
    """Nested loops: the exact tick spacing of the edges in the reports."""
    pi.wave_clear()
    pi.wave_add_generic([pigpio.pulse(MASK, 0, 1000), pigpio.pulse(0, MASK, 1000)])
    w0 = pi.wave_create()
    ticks = []
    counter = pi.callback(GPIO, pigpio.RISING_EDGE, lambda g, lev, tick: ticks.append(tick))
    # 2 x (3 x w0, delay 5000)
    pi.wave_chain([255, 0, 255, 0, w0, 255, 1, 3, 0, 255, 2, 0x88, 0x13, 255, 1, 2, 0])
    wait_until(lambda: len(ticks) >= 6)
    counter.cancel()
    gaps = [(b - a) & 0xFFFFFFFF for a, b in zip(ticks, ticks[1:])]
    assert gaps == [2000, 2000, 7000, 2000, 2000]


@pytest.mark.parametrize("cmd, p1, p2, ext, result", [
    (Command.WVCRE, 0, 0, b"", lib.PI_EMPTY_WAVEFORM),
    (Command.WVTX, 3, 0, b"", lib.PI_BAD_WAVE_ID),
    (Command.WVTXM, 0, 4, b"", lib.PI_BAD_WAVE_ID),
    (Command.WVAS, GPIO, 49, struct.pack("<3I", 8, 2, 0) + b"x", lib.PI_BAD_WAVE_BAUD),
    (Command.WVAS, GPIO, 9600, struct.pack("<3I", 8, 9, 0) + b"x", lib.PI_BAD_STOPBITS),
    (Command.WVAS, 1, 9600, struct.pack("<3I", 8, 2, 0) + b"x", lib.PI_NOT_PERMITTED),
    (Command.WVCAP, 101, 0, b"", lib.PI_BAD_PARAM),
    (Command.WVCAP, 50, 0, b"\0\0", lib.PI_BAD_WAVE_ID),
    (Command.WVCAP, 50, 0, b"", lib.PI_EMPTY_WAVEFORM),
    (Command.WVSC, 3, 0, b"", lib.PI_BAD_WVSC_COMMND),
    (Command.WVSM, 3, 0, b"", lib.PI_BAD_WVSM_COMMND),
    (Command.WVSP, 3, 0, b"", lib.PI_BAD_WVSP_COMMND),
    (Command.WVTAT, 0, 0, b"", lib.PI_NO_TX_WAVE),
    (Command.WVAG, 0, 0, struct.pack("<3I", 3, 0, 10), lib.PI_SOME_PERMITTED),
])
def test_raw_results(sim, cmd, p1, p2, ext, result):
    with RawClient(sim.host, sim.port) as client:
        assert client.command(cmd, p1, p2, ext) == result


@pytest.mark.skipif(PIGS is None, reason="pigs is not installed")
def test_pigs_wave_commands(sim):
    env = dict(os.environ, PIGPIO_ADDR=sim.host, PIGPIO_PORT=str(sim.port))
    run = subprocess.run(
        [PIGS, "m", str(GPIO), "w", "wvclr", "wvag", str(MASK), "0", "100", "0", str(MASK),
         "100", "wvcre", "wvsp", "0", "wvsp", "2", "wvsc", "0", "wvsm", "0", "wvtx", "0",
         "wvcap", "200"],
        env=env, capture_output=True, text=True, timeout=30, check=False)
    assert run.stdout.split()[:7] == ["2", "0", "2", "12000", "4", "200", "5"]
    assert run.returncode == 253        # WVCAP 200 -> PI_BAD_PARAM


def test_serial_wave_read_back_by_bit_banged_reader(pi):
    """The classic self-test: a serial wave on a pin read back on the same pin."""
    pi.wave_clear()
    try:
        pi.bb_serial_read_open(GPIO, 4800, 8)
    except pigpio.error as exc:
        if "unknown command" in str(exc).lower() or getattr(exc, "value", "") == -88:
            pytest.xfail("the simulator's SLRO (bit-banged serial reader) answers -88")
        raise
    try:
        pi.wave_add_serial(GPIO, 4800, TEXT, 5000)
        wid = pi.wave_create()
        pi.wave_send_once(wid)
        received = bytearray()

        def everything_read() -> bool:
            received.extend(pi.bb_serial_read(GPIO)[1])
            return len(received) >= len(TEXT)
        wait_until(everything_read)
        assert bytes(received) == TEXT.encode()
    finally:
        pi.bb_serial_read_close(GPIO)


def test_wave_send_stops_hardware_pwm(pi):
    pi.hardware_PWM(18, 1000, 500000)
    assert pi.get_PWM_dutycycle(18) == 500000
    pi.wave_clear()
    pi.wave_add_generic(_test_wave())
    pi.wave_send_once(pi.wave_create())
    with pytest.raises(pigpio.error):
        pi.get_PWM_dutycycle(18)          # PI_NOT_PWM_GPIO: the channel was stopped


def test_hardware_pwm_stops_the_wave_being_sent(pi):
    pi.wave_clear()
    pi.wave_add_generic(_test_wave())
    pi.wave_send_repeat(pi.wave_create())
    assert pi.wave_tx_busy() == 1
    pi.hardware_PWM(18, 1000, 500000)
    assert pi.wave_tx_busy() == 0
    pi.hardware_PWM(18, 0, 0)

"""What the Lua binding offers beside the core commands: the library's wall
clock, the serial byte functions, a description of the board, and names on
sessions, handles, waves and scripts."""
from __future__ import annotations

import time

import pytest

import pigpiod_py
from pigpiod_py import Session
from pigpiod_py.errors import PigpioTypeError, PigpioValueError


@pytest.fixture
def pi(daemon):
    with pigpiod_py.open(daemon.host, daemon.port) as session:
        yield session


def test_time_time_is_the_wall_clock(pi):
    before = time.time()
    now = pi.time_time()
    assert isinstance(now, float) and before - 1 <= now <= time.time() + 1
    assert Session.time_time() >= now  # also without a session


def wait_for_bytes(port, count, timeout=5.0):
    deadline = time.monotonic() + timeout
    while port.in_waiting < count and time.monotonic() < deadline:
        time.sleep(0.01)
    assert port.in_waiting == count


def test_serial_bytes_one_at_a_time(pi):
    with pi.open_serial("/dev/ttyAMA0", 9600, timeout=0) as port:  # a loopback
        assert port.read_byte() is None  # nothing waits: no wait, no error
        port.write_byte(0x41)
        port.write_byte(0)
        wait_for_bytes(port, 2)
        assert [port.read_byte(), port.read_byte(), port.read_byte()] == [0x41, 0, None]
        port.write(b"xyz")
        wait_for_bytes(port, 3)
        assert port.read(1) == b"x"  # the rest is in the port's look-ahead now
        assert port.read_byte() == ord("y") and port.read(1) == b"z"
        with pytest.raises(PigpioValueError):
            port.write_byte(256)
        with pytest.raises(PigpioTypeError):
            port.write_byte(b"a")


def test_the_board_of_the_daemon(sim, pi):
    board = pi.board()
    assert board.revision == 0xC03111 == pi.hardware_revision()
    assert (board.model, board.board_revision, board.processor) == ("4B", "1.1", "BCM2711")
    assert (board.memory_mb, board.manufacturer) == (4096, "Sony UK")
    assert str(board) == "Raspberry Pi 4B rev 1.1, BCM2711, 4 GB, Sony UK"
    header = board.header()
    assert header.name == "J8" and len(header.pins) == 40
    assert header.pin(11).gpio == 17 and header.physical(17) == 11
    assert (header.pin(1).kind, header.pin(2).kind, header.pin(6).kind) == ("power", "power", "ground")
    assert board.user_gpios == tuple(range(2, 28))
    sim.control.set_revision(0x000E)  # a model B rev 2 (26-pin P1 and the P5 pads)
    old = pi.board()
    assert (old.model, old.memory_mb, old.manufacturer) == ("B", 512, "Sony UK")
    assert [h.name for h in old.headers] == ["P1", "P5"]
    assert old.header("P5").physical(28) == 3


# -- names ------------------------------------------------------------------

def test_a_session_name_shows_in_repr_and_errors(daemon):
    with pigpiod_py.open(daemon.host, daemon.port, name="kitchen") as pi:
        assert pi.name == "kitchen" and "'kitchen'" in repr(pi)
    with pytest.raises(pigpiod_py.SessionClosedError) as info:
        pi.read(17)
    assert "kitchen" in str(info.value)


def test_handle_wave_and_script_names_show_in_repr_and_errors(daemon):
    with pigpiod_py.open(daemon.host, daemon.port) as pi:
        accel = pi.open_i2c(1, 0x53, name="accelerometer")
        assert "'accelerometer'" in repr(accel)
        with pytest.raises(pigpiod_py.DeviceIOError) as info:
            accel.read_block_data(0)  # not an SMBus block device
        assert str(info.value).startswith("accelerometer: ")
        accel.close()
        assert repr(accel).endswith("'accelerometer' closed>")
        wave = pi.wave().square(17, 100, cycles=2).create(name="burst")
        script = pi.store_script("mils 1", name="tick")
        assert "'burst'" in repr(wave) and "'tick'" in repr(script)
        assert "'tick'" not in repr(pi.store_script("mils 1"))
        with pytest.raises(pigpiod_py.PigpioTypeError):
            pi.open_i2c(1, 0x50, name=7)


def test_bad_session_names(daemon):
    for name in (7, "\0", "x" * 300):
        with pytest.raises((pigpiod_py.PigpioTypeError, pigpiod_py.PigpioValueError)):
            pigpiod_py.open(daemon.host, daemon.port, name=name)

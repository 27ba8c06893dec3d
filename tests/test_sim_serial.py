"""Simulator serial ports through pigpio.py, pigs and raw commands."""
from __future__ import annotations

from sim_clients import gpio_fixture, needs_pigs, pigs, raw_fixture  # noqa: F401 (fixtures)

from pigpiod_py._pigpiod import lib
from pigpiod_py.constants import Command
from pigpiod_py.sim.buses.serial import BAUDS, INPUT_LIMIT


def test_pigpio_module_loopback(gpio):
    """x_pigpiod_if2.c test 10's steps: /dev/ttyAMA0 at 57600 with TX looped to RX."""
    h = gpio.serial_open("/dev/ttyAMA0", 57600)
    assert h >= 0
    assert gpio.serial_read_byte(h) == lib.PI_SER_READ_NO_DATA
    assert gpio.serial_read(h, 10)[0] == lib.PI_SER_READ_NO_DATA
    assert gpio.serial_write_byte(h, 0xAA) == 0
    assert gpio.serial_write_byte(h, 0x55) == 0
    assert gpio.serial_data_available(h) == 2
    assert gpio.serial_read_byte(h) == 0xAA
    assert gpio.serial_read_byte(h) == 0x55
    text = b"To be, or not to be, that is the question-"
    assert gpio.serial_write(h, text) == 0
    assert gpio.serial_read(h, 100) == (len(text), bytearray(text))
    assert gpio.serial_close(h) == 0
    assert gpio.serial_close(h) == lib.PI_BAD_HANDLE


def test_open_validation_order(raw):
    assert raw.command(Command.SERO, 9601, 1, b"/dev/i2c-1") == lib.PI_BAD_SER_DEVICE
    assert raw.command(Command.SERO, 9601, 1, b"/dev/ttyAMA0") == lib.PI_BAD_SER_SPEED
    assert raw.command(Command.SERO, 9600, 1, b"/dev/ttyAMA0") == lib.PI_BAD_FLAGS
    assert raw.command(Command.SERO, 9600, 0, b"/dev/serialX") == lib.PI_SER_OPEN_FAILED
    for baud in sorted(BAUDS):
        h = raw.command(Command.SERO, baud, 0, b"/dev/serial1")
        assert h >= 0
        raw.command(Command.SERC, h)
    handles = [raw.command(Command.SERO, 9600, 0, b"/dev/ttyS0") for _ in range(16)]
    assert handles == list(range(16))
    assert raw.command(Command.SERO, 9600, 0, b"/dev/ttyS0") == lib.PI_NO_HANDLE
    assert raw.command(Command.SERW, 3, 0, b"") == lib.PI_BAD_PARAM
    assert raw.command(Command.SERWB, 3, 256) == lib.PI_BAD_PARAM
    assert raw.command_data(Command.SERR, 3, 0)[0] == lib.PI_BAD_PARAM
    assert raw.command(Command.SERDA, 16) == lib.PI_BAD_HANDLE


def test_open_flushes_input_and_buffer_limit(raw, sim):
    sim.control.serial_inject("/dev/ttyAMA0", b"stale")
    h = raw.command(Command.SERO, 9600, 0, b"/dev/ttyAMA0")
    assert raw.command(Command.SERDA, h) == 0
    sim.control.serial_inject("/dev/ttyAMA0", bytes(INPUT_LIMIT + 10))
    assert raw.command(Command.SERDA, h) == INPUT_LIMIT


@needs_pigs
def test_pigs(sim):
    assert pigs(sim, "sero", "/dev/ttyAMA0", "9600", "0").stdout == "0\n"
    assert pigs(sim, "serw", "0", "65", "66").returncode == 0
    assert pigs(sim, "serda", "0").stdout == "2\n"
    assert pigs(sim, "serr", "0", "5").stdout == "2 65 66\n"
    assert pigs(sim, "serrb", "0").returncode == 253

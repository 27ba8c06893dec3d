"""Simulator bit-banged SPI and serial receive through pigpio.py and raw commands."""
from __future__ import annotations

import time

from sim_clients import gpio_fixture, pigpio, raw_fixture, u32s  # noqa: F401 (fixtures)

from pigpiod_py._pigpiod import lib
from pigpiod_py.constants import Command
from pigpiod_py.sim.steps import Steps, serial_steps

CS, MISO, MOSI, SCLK = 5, 6, 13, 19


def read_serial(gpio, pin, length, timeout=10.0):
    data = b""
    deadline = time.monotonic() + timeout
    while len(data) < length and time.monotonic() < deadline:
        count, chunk = gpio.bb_serial_read(pin)
        assert count >= 0
        if count:
            data += bytes(chunk)
        time.sleep(0.01)
    return data


def test_wave_read_back_on_the_same_gpio(gpio):
    """x_pigpiod_if2.c test 5: a serial wave read back with SLRO on its own gpio."""
    text = b"Now is the winter of our discontent made glorious summer by this sun of York"
    gpio.set_mode(4, pigpio.OUTPUT)
    assert gpio.bb_serial_read_open(4, 4800, 8) == 0
    gpio.wave_clear()
    assert gpio.wave_add_serial(4, 4800, text, 0) > 0
    wid = gpio.wave_create()
    assert wid >= 0
    assert gpio.wave_send_once(wid) > 0
    while gpio.wave_tx_busy():
        time.sleep(0.05)
    time.sleep(1.5)  # longer than the pin history the simulator keeps
    count, data = gpio.bb_serial_read(4)
    assert (count, bytes(data)) == (len(text), text)
    assert gpio.bb_serial_read_close(4) == 0


def test_serial_read_from_a_wired_pin(gpio, sim):
    sim.control.wire(17, 27)
    assert gpio.bb_serial_read_open(27, 9600, 8) == 0
    sim.control.serial_tx(17, 9600, b"wired")
    assert read_serial(gpio, 27, 5) == b"wired"


def test_serial_read_inverted(gpio, sim):
    assert gpio.bb_serial_read_open(4, 2400, 7) == 0
    assert gpio.bb_serial_invert(4, 1) == 0
    sim.control.serial_tx(4, 2400, [0x41, 0x7F, 0x00], bits=7, inverted=True)
    assert read_serial(gpio, 4, 3) == bytes([0x41, 0x7F, 0x00])
    assert gpio.bb_serial_invert(4, 0) == 0
    sim.control.serial_tx(4, 2400, [0x2A], bits=7)
    assert read_serial(gpio, 4, 1) == b"\x2a"


def test_serial_validation(raw):
    assert raw.command(Command.SLRO, 32, 9600, u32s(8)) == lib.PI_BAD_USER_GPIO
    assert raw.command(Command.SLRO, 4, 49, u32s(8)) == lib.PI_BAD_WAVE_BAUD
    assert raw.command(Command.SLRO, 4, 250001, u32s(8)) == lib.PI_BAD_WAVE_BAUD
    assert raw.command(Command.SLRO, 4, 9600, u32s(0)) == lib.PI_BAD_DATABITS
    assert raw.command(Command.SLRO, 4, 9600, u32s(33)) == lib.PI_BAD_DATABITS
    assert raw.command_data(Command.SLR, 4, 10)[0] == lib.PI_NOT_SERIAL_GPIO
    assert raw.command_data(Command.SLR, 4, 0)[0] == lib.PI_BAD_SERIAL_COUNT
    assert raw.command(Command.SLRI, 4, 1) == lib.PI_NOT_SERIAL_GPIO
    assert raw.command(Command.SLRC, 4) == lib.PI_NOT_SERIAL_GPIO
    assert raw.command(Command.SLRO, 4, 9600, u32s(8)) == 0
    assert raw.command(Command.SLRO, 4, 9600, u32s(8)) == lib.PI_GPIO_IN_USE
    assert raw.command(Command.SLRI, 4, 2) == lib.PI_BAD_SER_INVERT
    assert raw.command_data(Command.SLR, 4, 10) == (0, b"")
    assert raw.command(Command.SLRC, 4) == 0
    assert raw.command(Command.BI2CO, 2, 3, u32s(100000)) == 0
    assert raw.command(Command.SLRC, 2) == 0  # bit-banged I2C there: nothing done
    assert raw.command(Command.SLRO, 2, 9600, u32s(8)) == lib.PI_GPIO_IN_USE


def test_bb_spi_through_pigpio_module(gpio, sim):
    sim.control.spi_attach("bb%d" % CS, "mcp3202")
    sim.control.spi_set_input("bb%d" % CS, 1, 0.825)
    assert gpio.bb_spi_open(CS, MISO, MOSI, SCLK, 250000, 0) == 0
    count, data = gpio.bb_spi_xfer(CS, [1, 0xE0, 0])
    assert count == 3
    assert (data[1] & 0x0F) << 8 | data[2] == 1024
    assert gpio.bb_spi_open(CS, MISO, MOSI, SCLK, 250000, 0) == lib.PI_GPIO_IN_USE
    assert gpio.bb_spi_open(26, MISO, MOSI, SCLK, 1000, 4) == 0  # another CS on the bus
    assert sim.control.pin(26)["level"] == 0  # active high: idles low
    assert gpio.bb_spi_close(CS) == 0
    assert sim.control.pin(SCLK)["mode"] == 1  # the bus stays while CS 26 is open
    assert gpio.bb_spi_close(26) == 0
    assert sim.control.pin(SCLK)["mode"] == 0
    assert gpio.bb_spi_close(26) == lib.PI_NOT_SPI_GPIO


def test_bb_spi_validation(raw, sim):
    ext = u32s(MISO, MOSI, SCLK, 1000, 0)
    assert raw.command(Command.BSPIO, 32, 0, ext) == lib.PI_NOT_PERMITTED  # perm comes first
    assert raw.command(Command.BSPIO, 60, 0, ext) == lib.PI_BAD_USER_GPIO
    assert raw.command(Command.BSPIO, CS, 0, u32s(MISO, MOSI, SCLK, 49, 0)) == lib.PI_BAD_SPI_BAUD
    assert raw.command(Command.BSPIO, CS, 0, u32s(MISO, MISO, SCLK, 1000, 0)) \
        == lib.PI_GPIO_IN_USE
    assert raw.command(Command.BSPIO, 0, 0, ext) == lib.PI_NOT_PERMITTED  # gpio 0: not a user pin
    assert raw.command_data(Command.BSPIX, CS, 0, b"x")[0] == lib.PI_NOT_SPI_GPIO
    assert raw.command(Command.BSPIO, CS, 0, ext) == 0
    assert raw.command_data(Command.BSPIX, CS, 0, b"")[0] == lib.PI_BAD_POINTER
    assert raw.command(Command.BSPIC, 33) == lib.PI_BAD_USER_GPIO


def test_steps_wave():
    steps = Steps(1, [(10, 0), (20, 1)])
    assert [steps.level(t) for t in (0, 10, 15, 20, 99)] == [1, 0, 0, 1, 1]
    assert steps.edges(10, 20) == [(20, 1)]
    frame = serial_steps(0, 10000, [0x55], bits=8)  # 100 µs bits, alternating
    assert [t for t, _level in frame.changes] == [k * 100 for k in range(10)]
    inverted = serial_steps(0, 10000, [0x55], bits=8, inverted=True)
    assert inverted.before == 0 and inverted.changes[0] == (0, 1)

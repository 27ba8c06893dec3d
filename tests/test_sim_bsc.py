"""Simulator BSC slave through pigpio.py and raw commands."""
from __future__ import annotations

import struct
import time

import pytest
from sim_clients import gpio_fixture, needs_pigs, pigs, raw_fixture  # noqa: F401 (fixtures)

from pigpiod_py._pigpiod import lib
from pigpiod_py.constants import Command
from pigpiod_py.sim.buses.bsc import FIFO_DEPTH, bsc_pins

I2C_CONTROL = 0x13 << 16 | 0x305


def test_pigpio_module_bsc_i2c(gpio, sim):
    sim.control.set_revision(0xA02082)  # not a BCM2711: SDA 18, SCL 19
    status, count, data = gpio.bsc_i2c(0x13, b"abc")
    assert count == 0 and status >> 16 == 3 and (status >> 6) & 0x1F == 3
    assert [sim.control.pin(g)["mode"] for g in (18, 19)] == [7, 7]
    sim.control.bsc_master_write(0x13, b"hello")
    assert sim.control.bsc_master_read(0x13, 3) == b"abc"
    status, count, data = gpio.bsc_i2c(0x13)
    assert (count, bytes(data)) == (5, b"hello")
    assert status & lib.BSC_FR_RXFE and status & lib.BSC_FR_TXFE
    gpio.bsc_i2c(0)
    assert [sim.control.pin(g)["mode"] for g in (18, 19)] == [0, 0]


def test_raw_reply_layout(raw):
    res, data = raw.command_data(Command.BSCX, I2C_CONTROL, 0, b"\x01\x02")
    assert res == 4 and struct.unpack("<I", data)[0] == 2 << 16 | 2 << 6 | lib.BSC_FR_RXFE
    res, data = raw.command_data(Command.BSCX, I2C_CONTROL | lib.BSC_CR_BRK, 0, b"")
    assert struct.unpack("<I", data)[0] & 0xFFFF == lib.BSC_FR_RXFE | lib.BSC_FR_TXFE
    res, data = raw.command_data(Command.BSCX, 0, 0, b"")
    assert (res, data) == (4, bytes(4))
    res, data = raw.command_data(Command.BSCX, I2C_CONTROL, 0, bytes(600))
    assert struct.unpack("<I", data)[0] >> 16 == FIFO_DEPTH


def test_event_31(gpio, sim):
    events = []
    cb = gpio.event_callback(lib.PI_EVENT_BSC, lambda event, tick: events.append(event))
    gpio.bsc_i2c(0x13)
    time.sleep(0.05)
    sim.control.bsc_master_write(0x13, b"x")
    deadline = time.monotonic() + 5
    while not events and time.monotonic() < deadline:
        time.sleep(0.01)
    assert events == [lib.PI_EVENT_BSC]
    gpio.bsc_i2c(0)  # shut down: no more events
    with pytest.raises(ValueError):
        sim.control.bsc_master_write(0x13, b"x")
    cb.cancel()


def test_pins_by_board():
    assert bsc_pins(False, 1) == (18, 19)
    assert bsc_pins(True, 1) == (10, 11)
    assert bsc_pins(False, 2) == (19, 20, 18, 21)
    assert bsc_pins(True, 2) == (11, 9, 10, 8)


@needs_pigs
def test_pigs_bscx(sim):
    words = pigs(sim, "bscx", str(I2C_CONTROL), "1", "2").stdout.split()
    assert words == ["1", str(2 << 16 | 2 << 6 | lib.BSC_FR_RXFE)]
    sim.control.bsc_master_write(0x13, b"\x07\x08")
    words = pigs(sim, "bscx", str(I2C_CONTROL)).stdout.split()
    assert words[0] == "3" and words[2:] == ["7", "8"]

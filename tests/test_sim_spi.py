"""Simulator hardware SPI through pigpio.py and raw commands."""
from __future__ import annotations

import pytest
from sim_clients import gpio_fixture, needs_pigs, pigs, raw_fixture, u32s  # noqa: F401 (fixtures)

from pigpiod_py._pigpiod import lib
from pigpiod_py.constants import Command
from pigpiod_py.sim.buses.spi_bits import SpiFrame, exchange, from_bits, to_bits
from pigpiod_py.sim.devices.spi import Loopback, Mcp3008, Mcp3202, make_spi_device


def test_pigpio_module_default_rig(gpio, sim):
    sim.control.spi_set_input("main1", 1, 3.3)
    loop = gpio.spi_open(0, 1000000, 0)
    adc = gpio.spi_open(1, 1000000, 0)
    assert (loop, adc) == (0, 1)
    assert gpio.spi_xfer(loop, b"abc") == (3, bytearray(b"abc"))
    assert gpio.spi_write(loop, b"abcd") == 4
    assert gpio.spi_read(loop, 2) == (2, bytearray(2))
    count, data = gpio.spi_xfer(adc, [1, 0xE0, 0])
    assert count == 3 and (data[1] & 0xF) << 8 | data[2] == 4095
    assert gpio.spi_close(adc) == 0
    assert gpio.spi_close(adc) == lib.PI_BAD_HANDLE
    assert gpio.spi_xfer(adc, b"x")[0] == lib.PI_BAD_HANDLE


def test_open_validation_order(raw, sim):
    assert raw.command(Command.SPIO, 2, 10, u32s(0)) == lib.PI_BAD_SPI_CHANNEL
    assert raw.command(Command.SPIO, 3, 10, u32s(0x100)) == lib.PI_BAD_SPI_CHANNEL
    assert raw.command(Command.SPIO, 2, 10, u32s(0x100)) == lib.PI_BAD_SPI_SPEED
    assert raw.command(Command.SPIO, 0, 31999, u32s(0)) == lib.PI_BAD_SPI_SPEED
    assert raw.command(Command.SPIO, 0, 125000001, u32s(0)) == lib.PI_BAD_SPI_SPEED
    assert raw.command(Command.SPIO, 0, 32000, u32s(0x400001)) == lib.PI_BAD_FLAGS
    assert raw.command(Command.SPIO, 0, 32000, u32s(0x400000)) == 0
    handles = [raw.command(Command.SPIO, 0, 32000, u32s(0)) for _ in range(31)]
    assert handles == list(range(1, 32))
    assert raw.command(Command.SPIO, 0, 32000, u32s(0)) == lib.PI_NO_HANDLE
    assert raw.command_data(Command.SPIR, 5, 0)[0] == 0
    assert raw.command_data(Command.SPIR, 32, 1)[0] == lib.PI_BAD_HANDLE
    sim.control.set_revision(0x0E)
    assert raw.command(Command.SPIO, 9, 10, u32s(0x100)) == lib.PI_NO_AUX_SPI


def test_reserved_chip_select_follows_its_gpio(gpio, sim):
    sim.control.spi_set_input("main1", 0, 3.3)
    adc = gpio.spi_open(1, 1000000, 1 << 6)  # CE1 not reserved: the user drives gpio 7
    assert sim.control.pin(7)["mode"] == 0
    gpio.write(7, 1)
    assert gpio.spi_xfer(adc, [1, 0xA0, 0])[1] == bytearray(3)
    gpio.write(7, 0)
    data = gpio.spi_xfer(adc, [1, 0xA0, 0])[1]
    assert (data[1] & 0xF) << 8 | data[2] == 4095


def test_models_and_bits():
    adc = Mcp3008(vref=5.0)
    adc.set_input(0, 5.0)
    adc.set_input(1, 2.5)
    bits = to_bits(bytes([1, 0x00, 0]), SpiFrame())  # differential CH0 - CH1
    value = int("".join(map(str, adc.exchange(bits)[14:24])), 2)
    assert value == 512
    with pytest.raises(ValueError):
        adc.set_input(8, 1.0)
    frame = SpiFrame(word_bits=16)
    assert from_bits(to_bits(b"\x34\x12", frame), frame, 2) == b"\x34\x12"
    assert exchange(None, True, b"\xff", SpiFrame()) == b"\0"
    assert exchange(Loopback(), False, b"\x5a\x5a", SpiFrame(three_wire=1)) == b"\x5a\0"
    with pytest.raises(ValueError):
        make_spi_device("toaster")


@needs_pigs
def test_pigs(sim):
    assert pigs(sim, "spio", "0", "100000", "0").stdout == "0\n"
    assert pigs(sim, "spix", "0", "1", "2", "3").stdout == "3 1 2 3\n"
    assert pigs(sim, "spiw", "0", "9", "9").returncode == 0
    assert pigs(sim, "spio", "2", "100000", "0").returncode == 253


def test_adc_result_follows_lsb_first_after_the_last_bit():
    """MCP3008 Figure 5-1; MCP3202 MSBF: 0 repeats the result LSB first, 1 sends zeros."""
    adc = Mcp3008(vref=1.024)
    adc.set_input(2, 0.4)  # code 400 = 0b0110010000
    bits = adc.exchange(to_bits(bytes([1, 0xA0, 0, 0]), SpiFrame()))
    assert bits[14:24] == [int(b) for b in "0110010000"]
    assert bits[24:32] == [int(b) for b in "00010011"]  # B1..B8, LSB first
    mcp3202 = Mcp3202(vref=4.096)
    mcp3202.set_input(0, 1.0)  # code 1000 = 0b001111101000
    for msbf, tail in ((0, "00101111"), (1, "00000000")):
        config = 0x80 | msbf << 5
        bits = mcp3202.exchange(to_bits(bytes([1, config, 0, 0]), SpiFrame()))
        assert bits[12:24] == [int(b) for b in "001111101000"]
        assert bits[24:32] == [int(b) for b in tail]


@pytest.mark.parametrize("options", [{"vref": 0}, {"vref": -1.0}, {"vref": float("nan")}])
def test_adc_reference_must_be_positive(options):
    with pytest.raises(ValueError):
        make_spi_device({"model": "mcp3008", **options})


def test_adc_input_must_be_finite(sim):
    with pytest.raises(ValueError):
        sim.control.spi_set_input("main1", 0, float("inf"))

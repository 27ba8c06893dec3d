"""Simulator I2C (hardware and bit-banged) through real clients and raw commands."""
from __future__ import annotations

import struct

import pytest
from sim_clients import gpio_fixture, needs_pigs, pigpio, pigs, raw_fixture, u32s  # noqa: F401 (fixtures)

from pigpiod_py._pigpiod import lib
from pigpiod_py.constants import Command
from pigpiod_py.sim.config import SimConfig
from pigpiod_py.sim.buses.i2c import I2cBuses
from pigpiod_py.sim.devices.i2c import Eeprom, RegisterFile, make_device


def test_adxl345_keeps_its_register_pointer(gpio):
    """x_pigpiod_if2.c 11.2-11.7: a new read starts at the register last addressed."""
    h = gpio.i2c_open(1, 0x53)
    assert gpio.i2c_write_device(h, b"\x00") == 0
    assert gpio.i2c_read_device(h, 1) == (1, bytearray(b"\xE5"))
    assert gpio.i2c_read_byte(h) == 0xE5
    assert gpio.i2c_read_byte_data(h, 0) == 0xE5
    assert gpio.i2c_read_byte_data(h, 48) == 2  # INT_SOURCE at reset
    assert gpio.i2c_write_device(h, b"\x1D" + b"[aBcDeFgHjKM]") == 0
    assert gpio.i2c_write_device(h, b"\x1D") == 0
    assert gpio.i2c_read_device(h, 13) == (13, bytearray(b"[aBcDeFgHjKM]"))
    assert gpio.i2c_read_device(h, 2) == (2, bytearray(b"[a"))
    assert gpio.i2c_write_block_data(h, 0x1C, b"[1234567890#]") == 0  # count byte to reserved 0x1C
    assert gpio.i2c_read_i2c_block_data(h, 0x1D, 13) == (13, bytearray(b"[1234567890#]"))


#: ADXL345 reset values (data sheet Table 19): DEVID, BW_RATE and INT_SOURCE are not 0.
ADXL345_RESET = {0x00: 0xE5, 0x2C: 0x0A, 0x30: 0x02}
ADXL345_WRITABLE = set(range(0x1D, 0x2B)) | set(range(0x2C, 0x30)) | {0x31, 0x38}


def test_adxl345_reset_values_and_read_only_registers(gpio):
    h = gpio.i2c_open(1, 0x53)
    reset = [gpio.i2c_read_byte_data(h, r) for r in range(0x40)]
    assert reset == [ADXL345_RESET.get(r, 0) for r in range(0x40)]
    for register in range(0x40):
        if register != 0x2D:  # POWER_CTL: its Measure bit is tested below
            assert gpio.i2c_write_byte_data(h, register, 0x55) == 0
    after = [gpio.i2c_read_byte_data(h, r) for r in range(0x40)]
    assert after == [0x55 if r in ADXL345_WRITABLE - {0x2D} else ADXL345_RESET.get(r, 0)
                     for r in range(0x40)]


def test_adxl345_data_registers_follow_measure_mode(gpio, sim):
    sim.control.i2c_set_axes(1, 0x53, -2, 3, -256)
    h = gpio.i2c_open(1, 0x53)
    assert gpio.i2c_read_i2c_block_data(h, 0x32, 6) == (6, bytearray(6))  # standby: reset 0
    assert gpio.i2c_write_byte_data(h, 0x2D, 0x08) == 0  # Measure
    measured = struct.pack("<3h", -2, 3, -256)
    assert gpio.i2c_read_i2c_block_data(h, 0x32, 6) == (6, bytearray(measured))
    assert gpio.i2c_read_byte_data(h, 0x30) == 0x82  # DATA_READY while measuring
    assert gpio.i2c_write_byte_data(h, 0x2D, 0) == 0  # standby keeps the last sample
    sim.control.i2c_set_axes(1, 0x53, 0, 0, 256)
    assert gpio.i2c_read_i2c_block_data(h, 0x32, 6) == (6, bytearray(measured))
    assert gpio.i2c_read_byte_data(h, 0x30) == 0x02


def test_pigpio_module_adxl345(gpio):
    """The accelerometer through every pigpio.py I2C call."""
    h = gpio.i2c_open(1, 0x53)
    assert h >= 0
    assert gpio.i2c_read_byte_data(h, 0) == 0xE5
    assert gpio.i2c_write_byte_data(h, 0x2D, 0) == 0
    assert gpio.i2c_write_byte_data(h, 0x2D, 8) == 0
    assert gpio.i2c_read_byte_data(h, 0x2D) == 8
    assert gpio.i2c_write_byte(h, 0x32) == 0
    count, data = gpio.i2c_read_device(h, 6)
    assert (count, bytes(data)) == (6, bytes([0, 0, 0, 0, 0, 1]))
    count, data = gpio.i2c_read_i2c_block_data(h, 0x32, 6)
    assert count == 6
    count, data = gpio.i2c_zip(h, [4, 0x53, 7, 1, 0x32, 6, 6, 0])
    assert (count, bytes(data)) == (6, bytes([0, 0, 0, 0, 0, 1]))
    assert gpio.i2c_close(h) == 0
    assert gpio.i2c_close(h) == lib.PI_BAD_HANDLE


def test_pigpio_module_blocks(gpio):
    h = gpio.i2c_open(1, 0x50)
    assert gpio.i2c_write_block_data(h, 0x10, b"abc") == 0
    assert gpio.i2c_read_block_data(h, 0x10) == (3, bytearray(b"abc"))
    assert gpio.i2c_write_word_data(h, 0x20, 0x1234) == 0
    assert gpio.i2c_read_word_data(h, 0x20) == 0x1234
    assert gpio.i2c_write_i2c_block_data(h, 0x30, b"xyz") == 0
    assert gpio.i2c_read_i2c_block_data(h, 0x30, 3) == (3, bytearray(b"xyz"))
    assert gpio.i2c_write_quick(h, 1) == 0
    assert gpio.i2c_write_quick(h, 2) == lib.PI_BAD_PARAM
    assert gpio.i2c_write_block_data(h, 0x10, b"x" * 33) == lib.PI_BAD_PARAM
    assert gpio.i2c_read_i2c_block_data(h, 0x10, 33)[0] == lib.PI_BAD_PARAM
    gpio.i2c_close(h)


def test_no_ack_errors(gpio):
    h = gpio.i2c_open(1, 0x33)
    assert h >= 0  # the address is not probed
    assert gpio.i2c_write_byte(h, 1) == lib.PI_I2C_WRITE_FAILED
    assert gpio.i2c_read_byte(h) == lib.PI_I2C_READ_FAILED
    assert gpio.i2c_process_call(h, 0, 1) == lib.PI_I2C_READ_FAILED
    assert gpio.i2c_block_process_call(h, 0, b"a")[0] == lib.PI_I2C_READ_FAILED
    assert gpio.i2c_read_device(h, 2)[0] == lib.PI_I2C_READ_FAILED
    assert gpio.i2c_write_device(h, b"ab") == lib.PI_I2C_WRITE_FAILED
    assert gpio.i2c_zip(h, [7, 1, 0, 0])[0] == lib.PI_BAD_I2C_SEG
    gpio.i2c_close(h)


def test_open_validation_order(raw):
    assert raw.command(Command.I2CO, 9, 0x80, u32s(1)) == lib.PI_BAD_I2C_ADDR
    assert raw.command(Command.I2CO, 9, 0x10, u32s(1)) == lib.PI_BAD_FLAGS
    assert raw.command(Command.I2CO, 9, 0x10, u32s(0)) == lib.PI_BAD_I2C_BUS
    handles = [raw.command(Command.I2CO, 1, 0x10, u32s(0)) for _ in range(lib.PI_I2C_SLOTS)]
    assert handles == list(range(lib.PI_I2C_SLOTS))
    assert raw.command(Command.I2CO, 9, 0x10, u32s(0)) == lib.PI_NO_HANDLE
    assert raw.command(Command.I2CC, 7) == 0
    assert raw.command(Command.I2CO, 1, 0x10, u32s(0)) == 7
    assert raw.command(Command.I2CC, 512) == lib.PI_BAD_HANDLE


@pytest.mark.parametrize("program, result", [
    (b"", lib.PI_BAD_POINTER),
    (bytes([9]), lib.PI_BAD_I2C_CMD),
    (bytes([4]), lib.PI_BAD_I2C_CMD),
    (bytes([5, 1]), lib.PI_BAD_I2C_CMD),
    (bytes([7, 1, 0x32]), lib.PI_BAD_I2C_WLEN),  # a Write needs a byte after its data
    (bytes([6]), lib.PI_BAD_I2C_RLEN),
    (bytes([1, 6, 0xFF, 0x7F, 0]), lib.PI_BAD_I2C_RLEN),
    (bytes([7, 1, 0, 6, 1, 0]), 1),
    (bytes([0, 9, 9]), 0),
    (bytes([1, 6, 2, 0, 0]), 2),  # Escape: a 2-byte parameter
    (bytes([1, 2, 6, 1, 0]), 1),  # ... for the next command only
])
def test_zip_errors(raw, program, result):
    h = raw.command(Command.I2CO, 1, 0x53, u32s(0))
    assert raw.command_data(Command.I2CZ, h, 0, program)[0] == result


def test_smbus_checks_raw(raw):
    h = raw.command(Command.I2CO, 1, 0x53, u32s(0))
    assert raw.command(Command.I2CRB, h, 256) == lib.PI_BAD_PARAM
    assert raw.command(Command.I2CWB, h, 0x2D, u32s(256)) == lib.PI_BAD_PARAM
    assert raw.command(Command.I2CWW, h, 0x2D, u32s(0x10000)) == lib.PI_BAD_PARAM
    assert raw.command(Command.I2CWS, h, 256) == lib.PI_BAD_PARAM
    assert raw.command(Command.I2CRD, h, 0) == lib.PI_BAD_PARAM
    assert raw.command(Command.I2CWD, h, 0) == lib.PI_BAD_PARAM
    assert raw.command(Command.I2CRB, 300, 0) == lib.PI_BAD_HANDLE
    assert raw.command(Command.I2CRB, h + 1, 0) == lib.PI_BAD_HANDLE


def test_bit_banged_through_pigpio_module(gpio, sim):
    h = gpio.i2c_open(1, 0x53)
    gpio.i2c_write_byte_data(h, 0x2D, 0x08)
    assert gpio.bb_i2c_open(20, 21, 100000) == 0
    assert sim.control.pin(20)["mode"] == 0
    count, data = gpio.bb_i2c_zip(20, [4, 0x53, 2, 7, 1, 0x32, 2, 6, 6, 3, 0])
    assert (count, bytes(data)) == (6, bytes([0, 0, 0, 0, 0, 1]))
    assert gpio.bb_i2c_zip(20, [4, 0x10, 2, 6, 1, 3, 0])[0] == lib.PI_I2C_READ_FAILED
    assert gpio.bb_i2c_zip(20, [2, 7, 2, 0x53])[0] == lib.PI_BAD_I2C_WLEN
    assert gpio.bb_i2c_zip(20, [2, 6, 0, 3])[0] == lib.PI_BAD_I2C_CMD
    assert gpio.bb_i2c_zip(21, [0])[0] == lib.PI_NOT_I2C_GPIO
    assert gpio.bb_i2c_open(21, 22, 100000) == lib.PI_GPIO_IN_USE
    assert gpio.bb_i2c_open(22, 23, 49) == lib.PI_BAD_I2C_BAUD
    assert gpio.bb_i2c_open(32, 23, 100) == lib.PI_BAD_USER_GPIO
    assert gpio.bb_i2c_close(20) == 0
    assert gpio.bb_i2c_close(20) == lib.PI_NOT_I2C_GPIO


def test_control_devices(sim, gpio):
    sim.control.i2c_attach(0, 0x20, {"model": "eeprom", "size": 4096, "page": 32})
    sim.control.i2c_set_axes(1, 0x53, -2, 3, -256)
    sim.control.i2c_set_celsius(1, 0x48, -10.25)
    h = gpio.i2c_open(0, 0x20)
    assert gpio.i2c_write_device(h, b"\x01\x00hello") == 0  # 2-byte address 0x100
    assert gpio.i2c_write_device(h, b"\x01\x00") == 0
    assert bytes(gpio.i2c_read_device(h, 5)[1]) == b"hello"
    assert sim.control.i2c_state(0, 0x20)["kind"] == "eeprom"
    a = gpio.i2c_open(1, 0x53)
    gpio.i2c_write_byte_data(a, 0x2D, 0x08)
    assert struct.unpack("<3h", gpio.i2c_read_i2c_block_data(a, 0x32, 6)[1]) == (-2, 3, -256)
    t = gpio.i2c_open(1, 0x48)
    raw = int.from_bytes(gpio.i2c_read_device(t, 2)[1], "big")
    assert (raw >> 4) - 4096 == -164  # -10.25 / 0.0625
    sim.control.i2c_detach(1, 0x48)
    assert gpio.i2c_read_byte(t) == lib.PI_I2C_READ_FAILED
    with pytest.raises(ValueError):
        sim.control.i2c_attach(1, 0x30, "toaster")


@needs_pigs
def test_pigs(sim):
    assert pigs(sim, "i2co", "1", "0x53", "0").stdout == "0\n"
    assert pigs(sim, "i2crb", "0", "0").stdout == "229\n"
    assert pigs(sim, "i2cwb", "0", "0x2D", "8").returncode == 0
    assert pigs(sim, "i2cz", "0", "7", "1", "0x32", "6", "6", "0").stdout == "6 0 0 0 0 0 1\n"
    failed = pigs(sim, "i2cwd", "0")
    assert failed.returncode == 253
    assert pigs(sim, "i2cc", "0").returncode == 0


def test_models_directly():
    regs = RegisterFile()
    regs.write(b"\xFE\x01\x02\x03")  # wraps from 0xFF to 0
    regs.write(b"\xFE")
    assert regs.read(3) == b"\x01\x02\x03"
    eeprom = Eeprom(size=128, page=4)
    eeprom.write(b"\x02ABCD")
    assert bytes(eeprom.memory[:4]) == b"CDAB"
    eeprom.write(b"\x7F")
    assert eeprom.read(3) == b"\0CD"  # a read rolls over from the last byte to the first
    with pytest.raises(ValueError):
        make_device("nothing")
    buses = I2cBuses({1: {0x10: "registers"}})
    assert buses.transfer(1, 0x11, [("r", 1)]) is None
    assert SimConfig(i2c={"1": {"0x20": "eeprom"}}).i2c == {1: {0x20: "eeprom"}}


@pytest.mark.parametrize("options", [
    {"size": 1e10}, {"size": 10 ** 10}, {"size": 512}, {"size": 2048}, {"size": 100},
    {"size": 131072}, {"size": 256, "page": 3}, {"size": 256, "page": 512}])
def test_eeprom_sizes_of_real_parts_only(options):
    with pytest.raises(ValueError, match="EEPROM"):
        make_device("eeprom", **options)


def test_huge_eeprom_is_refused_by_the_control_port(sim):
    with pytest.raises(ValueError, match="EEPROM has"):
        sim.control.i2c_attach(1, 0x51, {"model": "eeprom", "size": 10 ** 10})
    with pytest.raises(ValueError, match="register file"):
        sim.control.i2c_attach(1, 0x51, {"model": "registers", "size": 10 ** 9})


def test_eeprom_two_address_bytes(gpio, sim):
    sim.control.i2c_attach(1, 0x51, {"model": "eeprom", "size": 65536, "page": 128})
    h = gpio.i2c_open(1, 0x51)
    assert gpio.i2c_write_device(h, b"\xFF\xFE" + b"xyz") == 0  # page of 128: wraps to 0xFF80
    assert gpio.i2c_write_device(h, b"\xFF\xFE") == 0
    assert gpio.i2c_read_device(h, 4) == (4, bytearray(b"xy\0\0"))  # then rolls over to 0
    assert gpio.i2c_write_device(h, b"\xFF\x80") == 0
    assert gpio.i2c_read_device(h, 1) == (1, bytearray(b"z"))


def test_tmp102_registers(gpio, sim):
    sim.control.i2c_set_celsius(1, 0x48, -10.25)
    h = gpio.i2c_open(1, 0x48)

    def register(pointer):
        gpio.i2c_write_device(h, bytes([pointer]))
        return int.from_bytes(gpio.i2c_read_device(h, 2)[1], "big")

    assert [register(p) for p in range(4)] == [0xF5C0, 0x60A0, 0x4B00, 0x5000]
    gpio.i2c_write_device(h, b"\x00\x12\x34")  # the temperature is read-only
    assert register(0) == 0xF5C0
    gpio.i2c_write_device(h, b"\x01\x00\x10")  # EM; R1 R0 and AL are read-only
    assert register(1) == 0x6030
    assert register(0) == 0xFAE1  # 13 bits, bit 0 flags extended mode
    sim.control.i2c_set_celsius(1, 0x48, 150)
    assert register(0) == 0x4B01
    gpio.i2c_write_device(h, b"\x02\x12\x3F")  # limits: the unused low bits read 0
    assert register(2) == 0x1238
    with pytest.raises(ValueError):
        sim.control.i2c_set_celsius(1, 0x48, 151)

"""I2C devices through the binding, against the simulator's default rig."""
from __future__ import annotations

import pytest

import pigpiod_py
from pigpiod_py.errors import (
    BadHandleError,
    DeviceIOError,
    NoHandleError,
    PigpioTypeError,
    PigpioValueError,
)
from pigpiod_py.i2c import I2CZip

ACCEL, EEPROM, TEMP = 0x53, 0x50, 0x48


@pytest.fixture
def pi(daemon):
    with pigpiod_py.open(daemon.host, daemon.port) as session:
        yield session


def test_zip_builder_bytes():
    assert bytes(I2CZip().address(0x53).write(b"\x32").read(6)) == bytes(
        [4, 0x53, 7, 1, 0x32, 6, 6, 0])
    assert bytes(I2CZip().combined_on().read(300).combined_off().flags(0x1234)) == bytes(
        [2, 1, 6, 0x2C, 1, 3, 5, 0x34, 0x12, 0])
    assert bytes(I2CZip()) == b"\0"
    with pytest.raises(PigpioValueError):
        I2CZip().address(0x80)
    with pytest.raises(PigpioValueError):
        I2CZip().read(0)
    with pytest.raises(PigpioTypeError):
        I2CZip().write("text")  # type: ignore[arg-type]


def test_accelerometer_smbus(pi, sim):
    with pi.open_i2c(1, ACCEL) as accel:
        assert accel.read_byte_data(0) == 0xE5
        accel.write_byte_data(0x2D, 0x08)
        assert accel.read_byte_data(0x2D) == 0x08
        assert accel.read_i2c_block_data(0x32, 6) == bytes([0, 0, 0, 0, 0, 1])
        accel.write_byte(0x00)
        assert accel.read_byte() == 0xE5
        assert accel.zip(I2CZip().write(b"\x32").read(6)) == bytes([0, 0, 0, 0, 0, 1])


def test_register_words_and_blocks(pi):
    with pi.open_i2c(1, EEPROM) as dev:
        dev.write_word_data(0x10, 0xBEEF)
        assert dev.read_word_data(0x10) == 0xBEEF
        dev.write_word_data(0x22, 0x5678)
        assert dev.process_call(0x20, 0x1234) == 0x5678  # the word after the one written
        assert dev.read_word_data(0x20) == 0x1234
        dev.write_block_data(0x30, b"\x01\x02\x03")
        assert dev.read_i2c_block_data(0x30, 4) == b"\x03\x01\x02\x03"
        assert dev.read_block_data(0x30) == b"\x01\x02\x03"
        dev.write_i2c_block_data(0x44, b"\x02\x99\x88")
        assert dev.block_process_call(0x40, b"\xAA\xBB\xCC") == b"\x99\x88"
        dev.write_i2c_block_data(0x48, b"abcdefgh")
        assert dev.read_i2c_block_data(0x48, 8) == b"abcdefgh"
        dev.write_quick(0)


def test_eeprom_page_write_wraps(pi):
    with pi.open_i2c(1, EEPROM) as dev:
        dev.write(b"\x06" + b"ABCD")  # page of 8: 6, 7, then wraps to 0, 1
        dev.write(b"\x00")
        assert dev.read(8) == b"CD\0\0\0\0AB"


def test_temperature_sensor(pi):
    with pi.open_i2c(1, TEMP) as dev:
        raw = dev.zip(I2CZip().write(b"\x00").read(2))
        assert (int.from_bytes(raw, "big") >> 4) * 0.0625 == 21.5


def test_scan_default_rig(pi):
    assert pi.scan_i2c(1) == [0x48, 0x50, 0x53]
    assert pi.scan_i2c(0) == []


def test_no_ack(pi):
    with pi.open_i2c(1, 0x22) as dev:
        with pytest.raises(DeviceIOError) as info:
            dev.write_byte(1)
        assert info.value.name == "PI_I2C_WRITE_FAILED"
        with pytest.raises(DeviceIOError) as info:
            dev.read_byte_data(0)
        assert info.value.name == "PI_I2C_READ_FAILED"
        with pytest.raises(DeviceIOError) as info:
            dev.zip(I2CZip().read(1))
        assert info.value.name == "PI_BAD_I2C_SEG"


def test_bad_arguments(pi):
    with pi.open_i2c(1, ACCEL) as dev:
        for call in (lambda: dev.write_block_data(0, b""),
                     lambda: dev.write_block_data(0, b"x" * 33),
                     lambda: dev.read_i2c_block_data(0, 33), lambda: dev.read_byte_data(256),
                     lambda: dev.write_word_data(0, 0x10000), lambda: dev.read(0)):
            with pytest.raises(PigpioValueError):
                call()
        with pytest.raises(PigpioTypeError):
            dev.write("abc")  # type: ignore[arg-type]
    with pytest.raises(PigpioValueError) as info:
        pi.open_i2c(1, 0x80)
    assert info.value.name == "PI_BAD_I2C_ADDR"
    with pytest.raises(PigpioValueError) as info:
        pi.open_i2c(7, 0x10)
    assert info.value.name == "PI_BAD_I2C_BUS"
    with pytest.raises(PigpioValueError) as info:
        pi.open_i2c(1, 0x10, 1)
    assert info.value.name == "PI_BAD_FLAGS"


def test_closed_handle_and_close_idempotent(pi):
    dev = pi.open_i2c(1, ACCEL)
    dev.close()
    dev.close()
    with pytest.raises(BadHandleError):
        dev.read_byte()


def test_session_close_closes_devices(daemon):
    session = pigpiod_py.open(daemon.host, daemon.port)
    devices = [session.open_i2c(1, ACCEL) for _ in range(3)]
    session.close()
    assert all(dev.closed for dev in devices)


def test_handle_limit(pi, sim):
    devices = []
    with pytest.raises(NoHandleError):
        for _ in range(513):
            devices.append(pi.open_i2c(1, ACCEL))
    assert len(devices) == 512
    assert sorted(dev.handle for dev in devices) == list(range(512))

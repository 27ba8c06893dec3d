"""Bit-banged I2C, SPI and serial receive through the binding, against the simulator."""
from __future__ import annotations

import time

import pytest

import pigpiod_py
from pigpiod_py.bitbang import BitBangI2CZip, BitBangSpiFlags
from pigpiod_py.errors import (
    BadGpioError,
    DeviceIOError,
    PigpioTypeError,
    PigpioValueError,
    WrongStateError,
)

SDA, SCL = 5, 6


@pytest.fixture
def pi(daemon):
    with pigpiod_py.open(daemon.host, daemon.port) as session:
        yield session


def test_zip_builder_bytes():
    program = BitBangI2CZip().address(0x53).start().write(b"\x32").start().read(6).stop()
    assert bytes(program) == bytes([4, 0x53, 2, 7, 1, 0x32, 2, 6, 6, 3, 0])
    assert bytes(BitBangI2CZip().write(bytes(300))) == bytes([1, 7, 0x2C, 1]) + bytes(300) + b"\0"


def test_flags_encoding():
    assert int(BitBangSpiFlags()) == 0
    assert int(BitBangSpiFlags(mode=3, cs_active_high=True)) == 7
    assert int(BitBangSpiFlags(tx_lsb_first=True, rx_lsb_first=True)) == 0xC000
    with pytest.raises(PigpioValueError):
        BitBangSpiFlags(mode=4)


def test_bb_i2c_reaches_bus_1_devices(pi, sim):
    with pi.open_bb_i2c(SDA, SCL, 100_000) as bus:
        assert [sim.control.pin(g)["mode"] for g in (SDA, SCL)] == [0, 0]
        program = BitBangI2CZip().address(0x53).start().write(b"\0").start().read(1).stop()
        assert bus.zip(program) == b"\xe5"
        with pytest.raises(DeviceIOError) as info:
            bus.zip(BitBangI2CZip().address(0x11).start().read(1).stop())
        assert info.value.name == "PI_I2C_READ_FAILED"
        with pytest.raises(DeviceIOError) as info:
            bus.zip(BitBangI2CZip().start().write(b"x").stop())  # address 0: nobody
        assert info.value.name == "PI_I2C_WRITE_FAILED"
        with pytest.raises(PigpioValueError) as info:
            bus.zip(bytes([6, 0, 0]))  # a read of 0 bytes
        assert info.value.name == "PI_BAD_I2C_CMD"


def test_bb_i2c_errors(pi):
    with pytest.raises(BadGpioError):
        pi.open_bb_i2c(32, SCL)
    with pytest.raises(PigpioValueError) as info:
        pi.open_bb_i2c(SDA, SCL, 10)
    assert info.value.name == "PI_BAD_I2C_BAUD"
    with pytest.raises(WrongStateError) as info:
        pi.open_bb_i2c(SDA, SDA)
    assert info.value.name == "PI_GPIO_IN_USE"
    bus = pi.open_bb_i2c(SDA, SCL)
    with pytest.raises(WrongStateError):
        pi.open_bb_i2c(SCL, 7)
    bus.close()
    bus.close()
    with pytest.raises(pigpiod_py.BadHandleError):
        bus.zip(BitBangI2CZip().read(1))


CS, MISO, MOSI, SCLK = 12, 13, 19, 26


def test_bb_spi_devices(pi, sim):
    sim.control.spi_attach("bb%d" % CS, "mcp3008")
    sim.control.spi_set_input("bb%d" % CS, 3, 3.3)
    sim.control.spi_attach("bb16", "loopback")
    with pi.open_bb_spi(CS, MISO, MOSI, SCLK, 100_000) as adc, \
            pi.open_bb_spi(16, MISO, MOSI, SCLK, 50_000) as loop:
        reply = adc.xfer(bytes([1, 0x80 | 3 << 4, 0]))
        assert (reply[1] & 3) << 8 | reply[2] == 1023
        assert loop.xfer(b"\x12\x34") == b"\x12\x34"
        assert [sim.control.pin(g)["mode"] for g in (CS, MISO, MOSI, SCLK)] == [1, 0, 1, 1]
        assert sim.control.pin(CS)["level"] == 1
    assert [sim.control.pin(g)["mode"] for g in (CS, MISO, MOSI, SCLK)] == [0, 0, 0, 0]


def test_bb_spi_without_device_reads_miso(pi, sim):
    sim.control.drive(MISO, 1)
    with pi.open_bb_spi(CS, MISO, MOSI, SCLK, 100_000, BitBangSpiFlags(mode=3)) as spi:
        assert spi.xfer(b"\0\0") == b"\xff\xff"


def test_bb_spi_errors(pi):
    with pytest.raises(PigpioValueError) as info:
        pi.open_bb_spi(CS, MISO, MOSI, SCLK, 300_000)
    assert info.value.name == "PI_BAD_SPI_BAUD"
    with pytest.raises(WrongStateError):
        pi.open_bb_spi(CS, CS, MOSI, SCLK)
    with pytest.raises(PigpioTypeError):
        pi.open_bb_spi(CS, MISO, MOSI, SCLK, 1000, 3)  # type: ignore[arg-type]
    with pi.open_bb_spi(CS, MISO, MOSI, SCLK) as spi:
        with pytest.raises(WrongStateError):
            pi.open_bb_spi(16, MOSI, MISO, SCLK)  # bus pins in other roles
        with pytest.raises(PigpioValueError):
            spi.xfer(b"")
    with pytest.raises(pigpiod_py.BadHandleError):
        spi.xfer(b"x")


def _read_all(reader, expected_length, timeout=10.0):
    data = b""
    deadline = time.monotonic() + timeout
    while len(data) < expected_length and time.monotonic() < deadline:
        data += reader.read()
        time.sleep(0.01)
    return data


@pytest.mark.parametrize("baud", [4800, 9600, 115200])
def test_bb_serial_read(pi, sim, baud):
    text = b"Now is the winter of our discontent"
    with pi.open_bb_serial_read(4, baud, 8) as reader:
        sim.control.serial_tx(4, baud, text)
        assert _read_all(reader, len(text)) == text


def test_bb_serial_read_wide_and_inverted(pi, sim):
    with pi.open_bb_serial_read(4, 19200, 12) as reader:
        sim.control.serial_tx(4, 19200, [0xABC, 0x123], bits=12, stop_bits=2)
        assert _read_all(reader, 4) == bytes([0xBC, 0x0A, 0x23, 0x01])
        reader.invert(False)
        with pytest.raises(PigpioTypeError):
            reader.invert(1)  # type: ignore[arg-type]


def test_bb_serial_read_errors(pi):
    with pytest.raises(PigpioValueError) as info:
        pi.open_bb_serial_read(4, 40, 8)
    assert info.value.name == "PI_BAD_WAVE_BAUD"
    with pytest.raises(PigpioValueError) as info:
        pi.open_bb_serial_read(4, 9600, 33)
    assert info.value.name == "PI_BAD_DATABITS"
    with pytest.raises(BadGpioError):
        pi.open_bb_serial_read(32, 9600, 8)
    reader = pi.open_bb_serial_read(4, 9600, 8)
    with pytest.raises(WrongStateError) as info:
        pi.open_bb_serial_read(4, 9600, 8)
    assert info.value.name == "PI_GPIO_IN_USE"
    reader.close()
    reader.close()
    with pytest.raises(pigpiod_py.BadHandleError):
        reader.read()


def test_session_close_closes_bitbang(daemon, sim):
    session = pigpiod_py.open(daemon.host, daemon.port)
    objects = [session.open_bb_i2c(SDA, SCL), session.open_bb_spi(CS, MISO, MOSI, SCLK),
               session.open_bb_serial_read(4, 9600)]
    session.close()
    assert all(obj.closed for obj in objects)
    with pigpiod_py.open(daemon.host, daemon.port) as again:  # the gpios are free again
        again.open_bb_i2c(SDA, SCL).close()
        again.open_bb_serial_read(4, 9600).close()

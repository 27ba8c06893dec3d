"""Hardware SPI through the binding, against the simulator's default rig."""
from __future__ import annotations

import pytest

import pigpiod_py
from pigpiod_py.errors import (
    BadHandleError,
    NoHandleError,
    PigpioError,
    PigpioTypeError,
    PigpioValueError,
)
from pigpiod_py.spi import SpiFlags

BAUD = 1_000_000


@pytest.fixture
def pi(daemon):
    with pigpiod_py.open(daemon.host, daemon.port) as session:
        yield session


@pytest.mark.parametrize("flags, value", [
    (SpiFlags(), 0),
    (SpiFlags(mode=3), 3),
    (SpiFlags(active_high=(0,)), 0x4),
    (SpiFlags(active_high=(1, 2), aux=True), 0x118),
    (SpiFlags(unreserved=(0, 1, 2)), 0xE0),
    (SpiFlags(aux=True), 0x100),
    (SpiFlags(three_wire=True, turnaround_bytes=3), 0x200 | 3 << 10),
    (SpiFlags(aux=True, tx_lsb_first=True, rx_lsb_first=True), 0x100 | 0xC000),
    (SpiFlags(aux=True, word_bits=12), 0x100 | 12 << 16),
    (SpiFlags(aux=True, word_bits=32), 0x100 | 32 << 16),
])
def test_flags_encoding(flags, value):
    assert int(flags) == value
    assert SpiFlags.from_int(value) == flags


def test_flags_refused():
    for bad in (dict(mode=4), dict(active_high=(3,)), dict(word_bits=12),
                dict(tx_lsb_first=True), dict(aux=True, three_wire=True),
                dict(turnaround_bytes=16)):
        with pytest.raises(PigpioValueError):
            SpiFlags(**bad)


def test_loopback_on_ce0(pi):
    with pi.open_spi(0, BAUD) as loop:
        assert loop.xfer(b"hello") == b"hello"
        assert loop.write(b"abc") == 3
        assert loop.read(4) == b"\0\0\0\0"
        assert loop.xfer(b"") == b""


def mcp3202(device, channel):
    reply = device.xfer(bytes([1, 0xA0 | channel << 6, 0]))
    return (reply[1] & 0x0F) << 8 | reply[2]


def test_adc_on_ce1(pi, sim):
    sim.control.spi_set_input("main1", 0, 1.65)
    sim.control.spi_set_input("main1", 1, 3.3)
    with pi.open_spi(1, BAUD) as adc:
        assert mcp3202(adc, 0) == 2048
        assert mcp3202(adc, 1) == 4095
    with pi.open_spi(1, BAUD, SpiFlags(active_high=(1,))) as adc:
        assert mcp3202(adc, 1) == 0  # never selected
    with pi.open_spi(1, BAUD, SpiFlags(mode=1)) as adc:
        sim.control.spi_set_input("main1", 0, 1.0)
        code = int(1.0 / 3.3 * 4096)
        assert mcp3202(adc, 0) == code << 1 & 0xFFF  # each bit read one clock early


def test_pin_modes(pi, sim):
    assert sim.control.pin(11)["mode"] == 0
    first = pi.open_spi(0, BAUD)
    second = pi.open_spi(1, BAUD)
    assert [sim.control.pin(g)["mode"] for g in (7, 8, 9, 10, 11)] == [4] * 5
    first.close()
    assert sim.control.pin(11)["mode"] == 4
    second.close()
    assert [sim.control.pin(g)["mode"] for g in (7, 8, 9, 10, 11)] == [0] * 5
    with pi.open_spi(2, BAUD, SpiFlags(aux=True, unreserved=(2,))):
        assert [sim.control.pin(g)["mode"] for g in (16, 17, 18, 19, 20, 21)] == [0, 1, 1, 3, 3, 3]
        assert sim.control.pin(17)["level"] == 1


def test_aux_bit_order_and_words(pi, sim):
    sim.control.spi_attach("aux0", "loopback")
    flags = SpiFlags(aux=True, tx_lsb_first=True)
    with pi.open_spi(0, BAUD, flags) as loop:
        assert loop.xfer(b"\x01\x80") == b"\x80\x01"
    with pi.open_spi(0, BAUD, SpiFlags(aux=True, word_bits=12)) as loop:
        assert loop.xfer(b"\x34\xF2") == b"\x34\x02"


def test_errors(pi, sim):
    with pytest.raises(PigpioValueError) as info:
        pi.open_spi(2, BAUD)
    assert info.value.name == "PI_BAD_SPI_CHANNEL"
    with pytest.raises(PigpioValueError) as info:
        pi.open_spi(0, 1000)
    assert info.value.name == "PI_BAD_SPI_SPEED"
    with pytest.raises(PigpioTypeError):
        pi.open_spi(0, BAUD, 3)  # type: ignore[arg-type]
    dev = pi.open_spi(0, BAUD)
    dev.close()
    dev.close()
    with pytest.raises(BadHandleError):
        dev.xfer(b"x")
    with pi.open_spi(0, BAUD) as dev:
        with pytest.raises(PigpioValueError):
            dev.read(65536)
        with pytest.raises(PigpioTypeError):
            dev.write("x")  # type: ignore[arg-type]


def test_no_aux_on_old_board(pi, sim):
    sim.control.set_revision(0x000E)
    with pytest.raises(PigpioError) as info:
        pi.open_spi(0, BAUD, SpiFlags(aux=True))
    assert info.value.name == "PI_NO_AUX_SPI"


def test_handle_limit_and_session_close(daemon):
    session = pigpiod_py.open(daemon.host, daemon.port)
    devices = []
    with pytest.raises(NoHandleError):
        for _ in range(33):
            devices.append(session.open_spi(0, BAUD))
    assert len(devices) == 32
    session.close()
    assert all(dev.closed for dev in devices)

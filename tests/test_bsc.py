"""The BSC slave peripheral through the binding, with the simulator as the master."""
from __future__ import annotations

import time

import pytest

import pigpiod_py
from pigpiod_py.bsc import BscStatus
from pigpiod_py.errors import BadHandleError, PigpioTypeError, PigpioValueError


@pytest.fixture
def pi(daemon):
    with pigpiod_py.open(daemon.host, daemon.port) as session:
        yield session


def test_status_decoding():
    status = BscStatus.from_word(3 << 16 | 2 << 11 | 5 << 6 | 0x10 | 0x1)
    assert (status.copied, status.rx_fifo, status.tx_fifo) == (3, 2, 5)
    assert status.tx_busy and status.tx_empty and not status.rx_empty and not status.tx_full


def test_i2c_slave_exchange(pi, sim):
    with pi.open_i2c_slave(0x13) as slave:
        assert [sim.control.pin(g)["mode"] for g in (10, 11)] == [7, 7]  # BCM2711: ALT3
        sim.control.bsc_master_write(0x13, b"ping")
        status, received = slave.transfer(b"pong")
        assert received == b"ping"
        assert status.copied == 4 and status.tx_fifo == 4 and status.rx_empty
        assert sim.control.bsc_master_read(0x13, 5) == b"pong\0"
        with pytest.raises(ValueError):
            sim.control.bsc_master_write(0x14, b"x")
    assert [sim.control.pin(g)["mode"] for g in (10, 11)] == [0, 0]
    with pytest.raises(ValueError):
        sim.control.bsc_master_write(0x13, b"x")


def test_fifo_depth(pi, sim):
    with pi.open_i2c_slave(0x20) as slave:
        status, _ = slave.transfer(bytes(range(40)))
        assert status.copied == 16 and status.tx_full
        sim.control.bsc_master_write(0x20, bytes(20))
        status, received = slave.transfer()
        assert len(received) == 16 and status.copied == 0


def test_event_31_on_master_activity(pi, sim):
    seen = []
    with pi.open_i2c_slave(0x13) as slave:
        slave.on_event(lambda event, tick: seen.append(event))
        pi.sleep(0.05)
        sim.control.bsc_master_write(0x13, b"hi")
        deadline = time.monotonic() + 5
        while not seen and time.monotonic() < deadline:
            pi.sleep(0.01)
        assert seen and seen[0] == 31


def test_spi_slave(pi, sim):
    sim.control.set_revision(0xA02082)  # a Pi 3: the SPI slave pins are 18-21
    with pi.open_spi_slave(mode=3) as slave:
        assert [sim.control.pin(g)["mode"] for g in (18, 19, 20, 21)] == [7] * 4
        slave.transfer(b"\xAA\xBB")
        assert sim.control.bsc_master_xfer(b"\x01\x02\x03") == b"\xAA\xBB\0"
        assert slave.transfer()[1] == b"\x01\x02\x03"


def test_errors_and_close(pi, daemon):
    with pytest.raises(PigpioValueError):
        pi.open_i2c_slave(0x80)
    with pytest.raises(PigpioValueError):
        pi.open_spi_slave(4)
    slave = pi.open_i2c_slave(0x13)
    with pytest.raises(PigpioValueError):
        slave.transfer(bytes(513))
    with pytest.raises(PigpioTypeError):
        slave.transfer("text")  # type: ignore[arg-type]
    slave.close()
    slave.close()
    with pytest.raises(BadHandleError):
        slave.transfer()
    session = pigpiod_py.open(daemon.host, daemon.port)
    other = session.open_spi_slave()
    session.close()
    assert other.closed

"""Serial ports through the binding, against the simulator's loopback ttys."""
from __future__ import annotations

import time

import pytest

import pigpiod_py
from pigpiod_py.errors import (
    BadHandleError,
    NoHandleError,
    PigpioError,
    PigpioTypeError,
    PigpioValueError,
)


@pytest.fixture
def pi(daemon):
    with pigpiod_py.open(daemon.host, daemon.port) as session:
        yield session


def test_loopback_read_write(pi):
    with pi.open_serial("/dev/ttyAMA0", 57600, timeout=0) as port:
        assert port.read(10) == b""
        assert port.write(b"hello\nworld") == 11
        assert port.in_waiting == 11
        assert port.readline() == b"hello\n"
        assert port.in_waiting == 5
        assert port.read(3) == b"wor"
        assert port.read(10) == b"ld"
        assert port.write(b"") == 0


def test_serial0_is_a_link(pi, sim):
    with pi.open_serial("/dev/serial0", 9600, timeout=0) as port:
        port.write(b"xyz")
        assert sim.control.serial_written("/dev/ttyAMA0") == b"xyz"
        sim.control.serial_inject("/dev/ttyAMA0", b"in")
        assert port.read(10) == b"xyzin"


def test_timeouts(pi, sim):
    with pi.open_serial("/dev/ttyS0", 115200, timeout=0.2) as port:
        start = time.monotonic()
        assert port.read(4) == b""
        assert time.monotonic() - start >= 0.19
        port.timeout = 0.5
        sim.control.serial_inject("/dev/ttyS0", b"ab")
        assert port.read(4) == b"ab"
        sim.control.serial_inject("/dev/ttyS0", b"line one\nrest")
        assert port.read_until(b"one") == b"line one"
        assert port.read_until(b"X", size=2) == b"\nr"
        port.timeout = None
        sim.control.serial_inject("/dev/ttyS0", b"tail")
        assert port.read(7) == b"esttail"
        with pytest.raises(PigpioValueError):
            port.timeout = -1


def test_errors(pi):
    for args, name in ((("/dev/i2c-1", 9600), "PI_BAD_SER_DEVICE"),
                       (("/dev/ttyAMA0", 9601), "PI_BAD_SER_SPEED"),
                       (("/dev/ttyAMA0", 9600, 1), "PI_BAD_FLAGS"),
                       (("/dev/ttyNOPE", 9600), "PI_SER_OPEN_FAILED")):
        with pytest.raises(PigpioError) as info:
            pi.open_serial(*args)
        assert info.value.name == name
    with pytest.raises(PigpioTypeError):
        pi.open_serial(b"/dev/ttyAMA0")  # type: ignore[arg-type]
    with pytest.raises(PigpioValueError):
        pi.open_serial("/dev/ttyAMA0", 9600, timeout=-1)
    port = pi.open_serial("/dev/ttyAMA0", 9600)
    port.close()
    port.close()
    with pytest.raises(BadHandleError):
        port.write(b"x")
    with pi.open_serial("/dev/ttyAMA0", 9600) as port:
        with pytest.raises(PigpioTypeError):
            port.write("text")  # type: ignore[arg-type]


def test_handle_limit_and_session_close(daemon):
    session = pigpiod_py.open(daemon.host, daemon.port)
    ports = []
    with pytest.raises(NoHandleError):
        for _ in range(17):
            ports.append(session.open_serial("/dev/ttyAMA0", 9600))
    assert len(ports) == 16
    session.close()
    assert all(port.closed for port in ports)

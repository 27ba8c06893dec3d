"""Bad input: a clear typed error before anything is sent, and the session
stays usable; error codes map to classes through one explicit table."""
from __future__ import annotations

import math
import threading

import pytest
from conftest import start_simulator, stop_simulator

import pigpiod_py
from pigpiod_py import (
    Edge,
    PigpioError,
    PigpioTypeError,
    PigpioValueError,
    SessionClosedError,
)
from pigpiod_py.constants import ClientErrorCode, ErrorCode, FileMode
from pigpiod_py.errors import (
    DeviceIOError,
    UnsupportedError,
    WrongStateError,
    _BY_NAME,
    _NOT_CODES,
    error_class,
    error_name,
)

GPIO = 17
BIG = "x" * 65536


@pytest.fixture
def pi(daemon):
    with pigpiod_py.open(daemon.host, daemon.port, dispatch="thread") as session:
        yield session


NAN = math.nan


@pytest.mark.parametrize("call, error", [
    (lambda pi: pi.pull(NAN), PigpioValueError),
    (lambda pi: pi.wait_for_edge(GPIO, Edge.RISING, NAN), PigpioValueError),
    (lambda pi: pi.wait_for_event(3, NAN), PigpioValueError),
    (lambda pi: pi.sleep(NAN), PigpioValueError),
    (lambda pi: pi.open_serial("/dev/ttyAMA0", 9600, timeout=NAN), PigpioValueError),
    (lambda pi: pi.custom_2(0, b"", ret_max=2**63), PigpioValueError),
    (lambda pi: pi.custom_2(0, b"", ret_max=-1), PigpioValueError),
    (lambda pi: pi.open_file("/x", mode=math.inf), PigpioTypeError),
    (lambda pi: pi.list_files(BIG), PigpioValueError),
    (lambda pi: pi.shell("s", BIG), PigpioValueError),
    (lambda pi: pi.custom_1(0, 0, BIG.encode()), PigpioValueError),
    (lambda pi: pi.open_file("/" + BIG), PigpioValueError),
    (lambda pi: pi.open_serial("/dev/tty" + BIG), PigpioValueError),
    (lambda pi: pi.store_script("w 17 1 " + BIG), PigpioValueError),
    (lambda pi: pi.open_file("/data/\udc80"), PigpioValueError),
    (lambda pi: pi.list_files("/data/\0x"), PigpioValueError),
    (lambda pi: pi.shell("é", ""), PigpioValueError),
])
def test_bad_arguments_are_refused_before_sending(pi, call, error):
    with pytest.raises(error):
        call(pi)
    pi.write(GPIO, 1)
    assert pi.read(GPIO) == 1  # the connection was not harmed


@pytest.mark.parametrize("host, error", [
    (b"127.0.0.1", PigpioTypeError),
    ("127.0.0.1\0evil", PigpioValueError),
    ("\udc80", PigpioValueError),
])
def test_bad_hosts_are_typed_errors(daemon, host, error):
    with pytest.raises(error):
        pigpiod_py.open(host, daemon.port)


@pytest.mark.parametrize("port", [0, 65536, -1, "8888", 8888.0])
def test_bad_ports_are_typed_errors(daemon, port):
    with pytest.raises((PigpioValueError, PigpioTypeError)):
        pigpiod_py.open(daemon.host, port)


@pytest.mark.parametrize("timeout", [math.inf, 1e300, None])
def test_an_endless_time_out_means_no_limit(daemon, timeout):
    with pigpiod_py.open(daemon.host, daemon.port, timeout=timeout) as session:
        assert session.timeout is None
        session.write(GPIO, 1)
        assert session.read(GPIO) == 1


@pytest.mark.parametrize("timeout", [0, -1, NAN, "5"])
def test_bad_session_time_outs(daemon, timeout):
    with pytest.raises((PigpioValueError, PigpioTypeError)):
        pigpiod_py.open(daemon.host, daemon.port, timeout=timeout)


@pytest.mark.parametrize("mode", ["thread", "manual", "main"])
def test_pull_inf_waits_without_limit(daemon, mode):
    with pigpiod_py.open(daemon.host, daemon.port, dispatch=mode) as session:
        session.callback(GPIO, Edge.EITHER)
        session.set_mode(GPIO, pigpiod_py.Mode.OUTPUT)
        session.write(GPIO, 0)
        writer = threading.Timer(0.2, lambda: session.write(GPIO, 1))
        writer.start()
        try:
            event = session.pull(math.inf)
        finally:
            writer.join()
        assert event is not None and event.level == 1


def test_remote_file_read_none_reads_everything(sim, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.txt").write_bytes(b"all of it")
    access = tmp_path / "access"
    access.write_text("/data/*.txt r\n")
    daemon = start_simulator("--files-dir", str(tmp_path), "--access-file", str(access))
    try:
        with pigpiod_py.open(daemon.host, daemon.port) as session:
            with session.open_file("/data/a.txt", FileMode.READ) as f:
                assert f.read(None) == b"all of it"
    finally:
        stop_simulator(daemon)


@pytest.mark.parametrize("used_events", [False, True])
def test_a_callback_on_a_closed_session_is_refused(daemon, used_events):
    session = pigpiod_py.open(daemon.host, daemon.port)
    if used_events:
        session.callback(GPIO)
    session.close()
    with pytest.raises(SessionClosedError):
        session.callback(GPIO, Edge.EITHER, lambda *a: None)
    with pytest.raises(SessionClosedError):
        session.event_callback(1)


def test_capacity_is_checked_at_open(daemon):
    for capacity in (3, 1 << 27, "big"):
        with pytest.raises((PigpioValueError, PigpioTypeError)):
            pigpiod_py.open(daemon.host, daemon.port, capacity=capacity)


@pytest.mark.parametrize("gather", [-0.001, 0.2, math.nan, math.inf, None, "4ms"])
def test_gather_is_checked_at_open(daemon, gather):
    with pytest.raises((PigpioValueError, PigpioTypeError)):
        pigpiod_py.open(daemon.host, daemon.port, gather=gather)


# -- error codes -------------------------------------------------------------------

def test_every_error_code_has_an_explicit_class():
    names = [m.name for m in ErrorCode if m.name not in _NOT_CODES]
    names += [m.name for m in ClientErrorCode]
    assert [name for name in names if name not in _BY_NAME] == []


@pytest.mark.parametrize("code, cls", [
    (ErrorCode.INIT_FAILED, PigpioError),
    (ErrorCode.TIMER_FAILED, PigpioError),
    (ErrorCode.NOT_ON_BCM2711, UnsupportedError),
    (ErrorCode.I2C_READ_FAILED, DeviceIOError),
    (ErrorCode.NOT_PWM_GPIO, WrongStateError),
    (-3001, PigpioError),  # a custom function's own code
])
def test_codes_map_to_their_class(code, cls):
    assert error_class(code) is cls


def test_range_markers_are_not_names():
    assert error_name(-2000) == "pigif_bad_send"
    assert error_name(-2099).startswith("unknown")

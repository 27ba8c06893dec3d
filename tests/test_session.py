"""Session: the core GPIO API against the daemon (simulator or real)."""
from __future__ import annotations

import pytest

import pigpiod_py
from pigpiod_py import (
    BadGpioError,
    Mode,
    NotPermittedError,
    PigpioTypeError,
    PigpioValueError,
    Pull,
    SessionClosedError,
    WrongStateError,
)
from pigpiod_py.constants import ErrorCode

GPIO = 17  # writable on every 40-pin board


@pytest.fixture
def pi(daemon):
    with pigpiod_py.open(daemon.host, daemon.port) as session:
        yield session


def test_write_read_and_mode(pi):
    pi.write(GPIO, 1)
    assert pi.get_mode(GPIO) is Mode.OUTPUT
    assert pi.read(GPIO) == 1
    pi.write(GPIO, 0)
    assert pi.read(GPIO) == 0


@pytest.mark.parametrize("mode", list(Mode))
def test_every_mode_round_trips(pi, mode):
    pi.set_mode(GPIO, mode)
    assert pi.get_mode(GPIO) == mode
    pi.set_mode(GPIO, Mode.INPUT)


def test_pulls_decide_an_undriven_input(pi):
    pi.set_mode(GPIO, Mode.INPUT)
    pi.set_pull(GPIO, Pull.UP)
    assert pi.read(GPIO) == 1
    pi.set_pull(GPIO, Pull.DOWN)
    assert pi.read(GPIO) == 0


def test_banks(pi):
    for g in (22, 23):
        pi.set_mode(g, Mode.OUTPUT)
    pi.set_bank_1((1 << 22) | (1 << 23))
    assert (pi.read_bank_1() >> 22) & 3 == 3
    pi.clear_bank_1(1 << 23)
    assert (pi.read_bank_1() >> 22) & 3 == 1
    assert pi.read(22) == 1 and pi.read(23) == 0
    assert 0 <= pi.read_bank_2() < (1 << 22)


def test_bank_outside_permissions_is_typed(pi):
    with pytest.raises(NotPermittedError) as info:
        pi.set_bank_2(0xFFFFFF)
    assert info.value.code == ErrorCode.SOME_PERMITTED
    pi.set_bank_2(0)


def test_pwm(pi):
    assert pi.set_pwm_frequency(GPIO, 0) == 10
    assert pi.set_pwm_frequency(GPIO, 1000) == 1000
    assert pi.set_pwm_range(GPIO, 2000) == 200
    assert pi.get_pwm_range(GPIO) == 2000
    assert pi.get_pwm_real_range(GPIO) == 200
    pi.set_pwm_dutycycle(GPIO, 500)
    assert pi.get_pwm_dutycycle(GPIO) == 500
    assert pi.get_pwm_frequency(GPIO) == 1000
    with pytest.raises(PigpioValueError) as info:
        pi.set_pwm_dutycycle(GPIO, 2001)
    assert info.value.name == "PI_BAD_DUTYCYCLE"
    pi.set_pwm_dutycycle(GPIO, 0)


def test_servo_and_state_errors(pi):
    pi.set_mode(GPIO, Mode.INPUT)
    with pytest.raises(WrongStateError):
        pi.get_servo_pulsewidth(GPIO)
    pi.set_servo_pulsewidth(GPIO, 1500)
    assert pi.get_servo_pulsewidth(GPIO) == 1500
    with pytest.raises(WrongStateError) as info:
        pi.get_pwm_dutycycle(GPIO)
    assert info.value.code == ErrorCode.NOT_PWM_GPIO
    with pytest.raises(PigpioValueError):
        pi.set_servo_pulsewidth(GPIO, 400)
    pi.set_servo_pulsewidth(GPIO, 0)


def test_hardware_pwm_and_clock(pi):
    pi.hardware_pwm(18, 1000, 250000)
    assert pi.get_pwm_dutycycle(18) == 250000
    assert pi.get_pwm_frequency(18) == 1000
    assert pi.get_pwm_range(18) == 1000000
    pi.hardware_pwm(18, 0, 0)
    with pytest.raises(BadGpioError) as info:
        pi.hardware_pwm(17, 1000, 1)
    assert info.value.name == "PI_NOT_HPWM_GPIO"
    pi.hardware_clock(4, 5000000)
    assert pi.get_pwm_frequency(4) == 5000000
    pi.hardware_clock(4, 0)
    with pytest.raises(PigpioValueError):
        pi.hardware_pwm(18, 1000, 1000001)


def test_trigger_filters_watchdog(pi):
    pi.set_mode(GPIO, Mode.OUTPUT)
    pi.trigger(GPIO, 10, 1)
    assert pi.read(GPIO) == 0
    with pytest.raises(PigpioValueError):
        pi.trigger(GPIO, 101, 1)
    pi.set_glitch_filter(GPIO, 100)
    pi.set_noise_filter(GPIO, 1000, 5000)
    pi.set_watchdog(GPIO, 100)
    pi.set_watchdog(GPIO, 0)
    with pytest.raises(PigpioValueError) as info:
        pi.set_watchdog(GPIO, 60001)
    assert info.value.code == ErrorCode.BAD_WDOG_TIMEOUT
    for g in (GPIO,):
        pi.set_glitch_filter(g, 0)
        pi.set_noise_filter(g, 0, 0)


def test_information(pi):
    assert pi.pigpio_version() == 79
    assert pi.library_version() == 17
    assert pi.hardware_revision() > 0
    t1 = pi.tick()
    t2 = pi.tick()
    assert pigpiod_py.tick_diff(t1, t2) < 10_000_000


def test_pads(pi):
    old = pi.get_pad_strength(0)
    pi.set_pad_strength(0, 7)
    assert pi.get_pad_strength(0) == 8
    pi.set_pad_strength(0, old)
    with pytest.raises(PigpioValueError):
        pi.set_pad_strength(3, 8)
    with pytest.raises(PigpioValueError):
        pi.set_pad_strength(0, 17)


def test_custom_functions(pi):
    assert pi.custom_1(3, 9, b"\x01\x05") == 9
    assert pi.custom_2(0, b"abc") == b"cba"
    assert pi.custom_2(0, b"abcdef", ret_max=2) == b"ba"  # clamped, then reversed


@pytest.mark.parametrize(
    "call, error, name",
    [
        (lambda pi: pi.write(99, 1), BadGpioError, "PI_BAD_GPIO"),
        (lambda pi: pi.write(GPIO, 7), PigpioValueError, "PI_BAD_LEVEL"),
        (lambda pi: pi.write(-1, 1), BadGpioError, "PI_BAD_GPIO"),
        (lambda pi: pi.write(GPIO, -1), PigpioValueError, "PI_BAD_LEVEL"),
        (lambda pi: pi.write(2**40, 1), BadGpioError, "PI_BAD_GPIO"),
        (lambda pi: pi.write("17", 1), PigpioTypeError, "PI_BAD_PARAM"),
        (lambda pi: pi.write(17.0, 1), PigpioTypeError, "PI_BAD_PARAM"),
        (lambda pi: pi.set_mode(GPIO, 8), PigpioValueError, "PI_BAD_MODE"),
        (lambda pi: pi.set_pull(GPIO, 3), PigpioValueError, "PI_BAD_PUD"),
        (lambda pi: pi.read(54), BadGpioError, "PI_BAD_GPIO"),
        (lambda pi: pi.set_pwm_dutycycle(32, 1), NotPermittedError, "PI_NOT_PERMITTED"),
        (lambda pi: pi.set_pwm_range(GPIO, 24), PigpioValueError, "PI_BAD_DUTYRANGE"),
        (lambda pi: pi.set_watchdog(32, 10), BadGpioError, "PI_BAD_USER_GPIO"),
        (lambda pi: pi.write(0, 1), NotPermittedError, "PI_NOT_PERMITTED"),
    ],
)
def test_bad_input_is_a_typed_error_and_the_session_survives(pi, call, error, name):
    with pytest.raises(error) as info:
        call(pi)
    assert info.value.name == name
    assert isinstance(info.value.code, int) and info.value.code < 0
    assert info.value.message
    pi.write(GPIO, 1)
    assert pi.read(GPIO) == 1


def test_builtin_families():
    assert issubclass(BadGpioError, ValueError)
    assert issubclass(PigpioTypeError, TypeError)
    assert issubclass(NotPermittedError, PermissionError)
    assert issubclass(pigpiod_py.PigpioConnectionError, ConnectionError)
    assert issubclass(pigpiod_py.PigpioTimeoutError, TimeoutError)


def test_close_is_idempotent_and_later_calls_fail(daemon):
    session = pigpiod_py.open(daemon.host, daemon.port)
    assert not session.closed and "open" in repr(session)
    session.close()
    session.close()
    assert session.closed
    with pytest.raises(SessionClosedError):
        session.read(GPIO)
    with pytest.raises(SessionClosedError):
        session.tick()
    with pytest.raises(SessionClosedError):
        session.batch().write(GPIO, 1).flush()


def test_environment_defaults(daemon, monkeypatch):
    monkeypatch.setenv("PIGPIO_ADDR", daemon.host)
    monkeypatch.setenv("PIGPIO_PORT", str(daemon.port))
    with pigpiod_py.open() as session:
        assert (session.host, session.port) == (daemon.host, daemon.port)
        assert session.pigpio_version() == 79


def test_several_sessions_share_the_daemon(daemon):
    with pigpiod_py.open(daemon.host, daemon.port) as a, pigpiod_py.open(daemon.host, daemon.port) as b:
        a.write(GPIO, 1)
        assert b.read(GPIO) == 1
        b.write(GPIO, 0)
        assert a.read(GPIO) == 0

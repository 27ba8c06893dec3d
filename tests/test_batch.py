"""Pipelined commands."""
from __future__ import annotations

import pytest

import pigpiod_py
from pigpiod_py import BadGpioError, Mode, PigpioTypeError, PigpioValueError

GPIO = 17


@pytest.fixture
def pi(daemon):
    with pigpiod_py.open(daemon.host, daemon.port) as session:
        yield session


def test_results_in_order(pi):
    with pi.batch() as b:
        b.set_mode(GPIO, Mode.OUTPUT).write(GPIO, 1).read(GPIO).get_mode(GPIO)
        b.write(GPIO, 0).read(GPIO).tick().read_bank_1()
    assert b.results[:6] == [None, None, 1, Mode.OUTPUT, None, 0]
    assert 0 <= b.results[6] < 2**32 and 0 <= b.results[7] < 2**32
    assert len(b) == 0


def test_flush_returns_each_part_and_accumulates(pi):
    b = pi.batch()
    assert b.flush() == []
    assert b.write(GPIO, 1).read(GPIO).flush() == [None, 1]
    assert b.read(GPIO).flush() == [1]
    assert b.results == [None, 1, 1]


def test_every_queued_command_kind(pi):
    with pi.batch() as b:
        b.set_pull(22, 2).set_bank_1(1 << 23).clear_bank_1(1 << 23)
        b.set_bank_2(0).clear_bank_2(0).read_bank_2()
        b.set_pwm_dutycycle(GPIO, 10).set_servo_pulsewidth(GPIO, 1500).trigger(24, 10, 1)
    assert b.results[:5] == [None] * 5 and b.results[6:] == [None] * 3
    assert pi.get_servo_pulsewidth(GPIO) == 1500


def test_first_error_is_raised_with_its_position(pi):
    b = pi.batch().write(GPIO, 1).write(99, 1).read(GPIO).write(GPIO, 7)
    with pytest.raises(BadGpioError) as info:
        b.flush()
    assert info.value.index == 1
    assert "batch command 1" in str(info.value)
    # Every command was sent before any answer was read: all of them ran, in
    # order; a refused one holds its error, the first of which was raised.
    first, refused, level, bad_level = b.results
    assert first is None and level == 1
    assert refused is info.value
    assert isinstance(bad_level, PigpioValueError) and bad_level.index == 3
    assert pi.read(GPIO) == 1


def test_with_block_does_not_send_when_the_body_raises(pi):
    pi.write(GPIO, 0)
    with pytest.raises(RuntimeError):
        with pi.batch() as b:
            b.write(GPIO, 1)
            raise RuntimeError("boom")
    assert pi.read(GPIO) == 0


def test_bad_arguments_are_refused_when_queued(pi):
    b = pi.batch().write(GPIO, 1)
    with pytest.raises(PigpioValueError) as info:
        b.write(-1, 1)
    assert info.value.index == 1
    with pytest.raises(PigpioTypeError):
        b.write("x", 1)
    assert b.flush() == [None]


def test_large_batch_stays_in_order(pi):
    n = 20000
    b = pi.batch()
    for i in range(n):
        b.write(GPIO, i & 1).read(GPIO)
    results = b.flush()
    assert len(results) == 2 * n
    assert results[1::2] == [i & 1 for i in range(n)]


def test_batch_is_ordered_before_later_session_commands(pi):
    with pi.batch() as b:
        b.write(GPIO, 1)
    assert pi.read(GPIO) == 1

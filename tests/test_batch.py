"""Pipelined commands."""
from __future__ import annotations

import pytest

import pigpiod_py
from pigpiod_py import BadGpioError, Mode, PigpioError, PigpioTypeError, PigpioValueError

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


# -- bulk builders and bulk encoding ---------------------------------------------


def test_write_levels_queues_one_write_per_level(pi):
    levels = [1, 0, 1, 1, 0, 1]
    with pi.batch() as b:
        b.read(GPIO).write_levels(GPIO, levels).read(GPIO)
        b.write_levels(GPIO, bytes([0, 0, 1])).read(GPIO)
    assert len(b.results) == 1 + 6 + 1 + 3 + 1
    assert b.results[1:7] == [None] * 6 and b.results[7] == 1
    assert b.results[8:11] == [None] * 3 and b.results[11] == 1


def test_write_levels_of_an_iterator_and_of_nothing(pi):
    b = pi.batch().write_levels(GPIO, iter([0, 1, 0])).write_levels(GPIO, [])
    assert len(b) == 3
    assert b.read(GPIO).flush() == [None, None, None, 0]


@pytest.mark.parametrize("gpio, levels, error, index", [
    (GPIO, [0, 1, -1, 0], PigpioValueError, 3),
    (GPIO, [0, 1, 0, "1"], PigpioTypeError, 4),
    (GPIO, [0, 2**32], PigpioValueError, 2),
    (-1, [0, 1], PigpioValueError, 1),
    ("17", [0, 1], PigpioTypeError, 1),
])
def test_write_levels_refuses_bad_values_with_their_position(pi, gpio, levels, error, index):
    b = pi.batch().write(GPIO, 0)
    with pytest.raises(error) as info:
        b.write_levels(gpio, levels)
    assert info.value.index == index
    assert len(b) == 1  # nothing of the refused call was queued
    assert b.flush() == [None]


def test_a_level_the_daemon_refuses_has_its_error_at_its_position(pi):
    b = pi.batch().write_levels(GPIO, [1, 0, 7, 1])
    with pytest.raises(PigpioValueError) as info:
        b.flush()
    assert info.value.index == 2 and b.results[2] is info.value
    assert b.results[:2] == [None, None] and b.results[3] is None
    assert pi.read(GPIO) == 1


def test_write_bank_1_patterns(pi):
    """Two commands per value: set value & mask, clear ~value & mask."""
    gpios = (22, 23, 24)
    mask = sum(1 << g for g in gpios)
    for g in gpios:
        pi.set_mode(g, Mode.OUTPUT)
    values = [1 << 22, 1 << 23 | 1 << 24, mask, 0]
    b = pi.batch()
    for value in values:
        b.write_bank_1([value], mask).read_bank_1()
    b.flush()
    assert len(b.results) == 3 * len(values)
    assert b.results[0::3] == [None] * 4 and b.results[1::3] == [None] * 4
    assert [r & mask for r in b.results[2::3]] == values


def test_write_bank_2_patterns(pi):
    """gpio 32-53 are not the user's on a 4B: only an empty mask is permitted."""
    with pi.batch() as b:
        b.write_bank_2([0x3, 0x0], mask=0).read_bank_2()
    assert b.results[:4] == [None] * 4 and isinstance(b.results[4], int)
    with pytest.raises(PigpioError) as info:
        pi.batch().write_bank_2([1], mask=1).flush()
    assert info.value.index == 0


def test_write_bank_refuses_bad_values_with_their_position(pi):
    b = pi.batch()
    with pytest.raises(PigpioValueError) as info:
        b.write_bank_1([1, 2, -3], 0xFF)
    assert info.value.index == 4  # the third value's set command
    with pytest.raises(PigpioTypeError):
        b.write_bank_1([1], None)
    assert len(b) == 0


def test_extended_requests_keep_their_place_across_windows(pi):
    """Triggers carry an extension (16 + 4 bytes): a long mixed batch spans
    many send windows and still reads every answer in order."""
    b = pi.batch()
    n = 6000
    for i in range(n):
        b.trigger(24, 10, 1).write(GPIO, i & 1).read(GPIO)
    results = b.flush()
    assert len(results) == 3 * n
    assert results[0::3] == [None] * n and results[2::3] == [i & 1 for i in range(n)]


def test_unsigned_results_beside_an_error(pi):
    b = pi.batch().tick().write(99, 1).read_bank_1().tick()
    with pytest.raises(BadGpioError):
        b.flush()
    first, refused, bank, last = b.results
    assert 0 <= first < 2**32 and 0 <= bank < 2**32 and 0 <= last < 2**32
    assert isinstance(refused, BadGpioError) and refused.index == 1


def test_a_bulk_batch_larger_than_the_window(pi):
    n = 50001
    b = pi.batch().write_levels(GPIO, [i & 1 for i in range(n)]).read(GPIO)
    assert b.flush() == [None] * n + [0]

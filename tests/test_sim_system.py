"""Daemon-level commands: versions, tick, delays, internals, pads, custom functions."""
from __future__ import annotations

import pytest
from sim_clients import raw_pi_fixture  # noqa: F401 (fixture "pi")

from pigpiod_py.constants import Command, ErrorCode
from pigpiod_py.ticks import tick_diff


def unsigned(value: int) -> int:
    return value & 0xFFFFFFFF


def test_versions(pi):
    assert pi.command(Command.PIGPV) == 79
    assert unsigned(pi.command(Command.HWVER)) == 0xC03111


def test_tick_advances_in_microseconds(pi):
    first = unsigned(pi.command(Command.TICK))
    assert pi.command(Command.MILS, 20) == 0
    elapsed = tick_diff(first, unsigned(pi.command(Command.TICK)))
    assert 20_000 <= elapsed < 60_000_000


def test_delays(pi):
    assert pi.command(Command.MICS, 0) == 0
    assert pi.command(Command.MICS, 50) == 0
    assert pi.command(Command.MILS, 1) == 0
    assert pi.command(Command.MICS, 1_000_001) == ErrorCode.BAD_MICS_DELAY
    assert pi.command(Command.MILS, 60_001) == ErrorCode.BAD_MILS_DELAY


def test_internals_word(pi):
    assert pi.command(Command.CGI) == 0
    assert pi.command(Command.CSI, 0xFFFFFFF0) == 0
    assert unsigned(pi.command(Command.CGI)) == 0xFFFFFFF0


def test_reset_restores_the_internals_word(sim, pi):
    pi.command(Command.CSI, 0x30)
    sim.control.reset()
    assert pi.command(Command.CGI) == 0


@pytest.mark.parametrize("arg1, arg2, argx, expected", [
    (1, 2, b"", 2), (5, 2, b"", 5), (1, 2, b"\x07\x03", 7), (0, 0, b"\xff", 255),
    (0xFFFFFFFF, 0, b"", -1),  # an int result, as the daemon returns it
])
def test_custom_1_returns_the_largest_argument(pi, arg1, arg2, argx, expected):
    assert pi.command(Command.CF1, arg1, arg2, argx) == expected


@pytest.mark.parametrize("ret_max, argx, expected", [
    (8192, b"abc", b"cba"), (2, b"abcd", b"ba"), (0, b"abc", b""), (10, b"", b""),
])
def test_custom_2_reverses_the_bytes(pi, ret_max, argx, expected):
    assert pi.command_data(Command.CF2, 0, ret_max, argx) == (len(expected), expected)


@pytest.mark.parametrize("strength, read_back", [
    (1, 2), (2, 2), (3, 4), (7, 8), (8, 8), (15, 16), (16, 16)])
def test_pad_strength_reads_back_even(pi, strength, read_back):
    assert pi.command(Command.PADS, 1, strength) == 0
    assert pi.command(Command.PADG, 1) == read_back


def test_pad_power_on_strength(pi):
    assert [pi.command(Command.PADG, pad) for pad in range(3)] == [8, 8, 8]


@pytest.mark.parametrize("pad, strength, expected", [
    (3, 8, ErrorCode.BAD_PAD), (3, 0, ErrorCode.BAD_PAD),  # pad before strength
    (0, 0, ErrorCode.BAD_STRENGTH), (2, 17, ErrorCode.BAD_STRENGTH)])
def test_pad_errors(pi, pad, strength, expected):
    assert pi.command(Command.PADS, pad, strength) == expected


def test_pad_get_error(pi):
    assert pi.command(Command.PADG, 3) == ErrorCode.BAD_PAD

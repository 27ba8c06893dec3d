"""Modes, pulls, levels, banks, triggers and permissions of the simulator."""
from __future__ import annotations

import pytest
from sim_clients import raw_pi_fixture  # noqa: F401 (fixture "pi")

from pigpiod_py.constants import Command, ErrorCode, Mode, Pull

OUTSIDE_MASK = 0  # not writable with a Pi 4's default mask (2-27)


# -- modes ----------------------------------------------------------------

@pytest.mark.parametrize("mode", list(Mode))
def test_set_and_get_every_mode(pi, mode):
    assert pi.command(Command.MODES, 23, mode) == 0
    assert pi.command(Command.MODEG, 23) == mode


@pytest.mark.parametrize("gpio, mode, expected", [
    (23, 8, ErrorCode.BAD_MODE),
    (54, 0, ErrorCode.BAD_GPIO),
    (99, 9, ErrorCode.BAD_GPIO),           # beyond 53 passes the permission check
    (OUTSIDE_MASK, 9, ErrorCode.NOT_PERMITTED),  # permission before the mode check
    (28, 0, ErrorCode.NOT_PERMITTED),
])
def test_set_mode_errors(pi, gpio, mode, expected):
    assert pi.command(Command.MODES, gpio, mode) == expected


def test_get_mode_needs_no_permission(pi):
    assert pi.command(Command.MODEG, 0) == Mode.INPUT
    assert pi.command(Command.MODEG, 53) == Mode.INPUT
    assert pi.command(Command.MODEG, 54) == ErrorCode.BAD_GPIO


# -- pulls and reads ------------------------------------------------------

def test_power_on_pulls(pi):
    assert [pi.command(Command.READ, g) for g in (2, 8, 9, 27)] == [1, 1, 0, 0]
    assert pi.command(Command.BR1) == 0x1FF


def test_pull_up_and_down_on_an_input(pi):
    assert pi.command(Command.PUD, 17, Pull.UP) == 0
    assert pi.command(Command.READ, 17) == 1
    assert pi.command(Command.PUD, 17, Pull.DOWN) == 0
    assert pi.command(Command.READ, 17) == 0


def test_pull_off_keeps_the_last_level(pi):
    pi.command(Command.PUD, 17, Pull.UP)
    assert pi.command(Command.PUD, 17, Pull.OFF) == 0
    assert pi.command(Command.READ, 17) == 1
    pi.command(Command.PUD, 17, Pull.DOWN)
    pi.command(Command.PUD, 17, Pull.OFF)
    assert pi.command(Command.READ, 17) == 0


def test_pull_on_an_output_does_not_change_its_level(pi):
    pi.command(Command.WRITE, 17, 1)
    pi.command(Command.PUD, 17, Pull.DOWN)
    assert pi.command(Command.READ, 17) == 1


@pytest.mark.parametrize("gpio, pud, expected", [
    (17, 3, ErrorCode.BAD_PUD),
    (60, 3, ErrorCode.BAD_GPIO),
    (OUTSIDE_MASK, 3, ErrorCode.NOT_PERMITTED),
])
def test_pull_errors(pi, gpio, pud, expected):
    assert pi.command(Command.PUD, gpio, pud) == expected


def test_read_errors_and_unrestricted_reads(pi):
    assert pi.command(Command.READ, 54) == ErrorCode.BAD_GPIO
    assert pi.command(Command.READ, 0) == 1  # pulled up, reading needs no permission


# -- writes, latch and pin ------------------------------------------------

def test_write_makes_an_output_and_sets_the_level(sim, pi):
    assert pi.command(Command.WRITE, 9, 1) == 0
    assert pi.command(Command.MODEG, 9) == Mode.OUTPUT
    assert pi.command(Command.READ, 9) == 1
    assert sim.control.pin(9)["function"] == "written"


def test_latch_is_visible_only_on_an_output(sim, pi):
    pi.command(Command.WRITE, 9, 1)
    pi.command(Command.MODES, 9, Mode.INPUT)
    assert pi.command(Command.READ, 9) == 0  # pulled down
    pin = sim.control.pin(9)
    assert (pin["latch"], pin["level"], pin["function"]) == (1, 0, "none")
    pi.command(Command.MODES, 9, Mode.OUTPUT)
    assert pi.command(Command.READ, 9) == 1


@pytest.mark.parametrize("gpio, level, expected", [
    (17, 2, ErrorCode.BAD_LEVEL),
    (54, 0, ErrorCode.BAD_GPIO),
    (99, 2, ErrorCode.BAD_GPIO),
    (OUTSIDE_MASK, 1, ErrorCode.NOT_PERMITTED),
    (OUTSIDE_MASK, 2, ErrorCode.NOT_PERMITTED),
    (28, 0, ErrorCode.NOT_PERMITTED),
])
def test_write_errors(pi, gpio, level, expected):
    assert pi.command(Command.WRITE, gpio, level) == expected


def test_failed_write_changes_nothing(sim, pi):
    pi.command(Command.WRITE, 17, 2)
    assert sim.control.pin(17)["mode"] == Mode.INPUT


# -- banks ----------------------------------------------------------------

def test_bank_set_and_clear(pi):
    for gpio in (5, 6, 20):
        pi.command(Command.MODES, gpio, Mode.OUTPUT)
    assert pi.command(Command.BS1, (1 << 5) | (1 << 20)) == 0
    assert pi.command(Command.BR1) & ((1 << 5) | (1 << 6) | (1 << 20)) == (1 << 5) | (1 << 20)
    assert pi.command(Command.BC1, 1 << 5) == 0
    assert pi.command(Command.READ, 5) == 0 and pi.command(Command.READ, 20) == 1


def test_bank_writes_outside_the_mask_apply_the_permitted_part(pi):
    pi.command(Command.MODES, 5, Mode.OUTPUT)
    assert pi.command(Command.BS1, (1 << 5) | 1) == ErrorCode.SOME_PERMITTED
    assert pi.command(Command.READ, 5) == 1
    assert pi.command(Command.BC1, 0xFFFFFFFF) == ErrorCode.SOME_PERMITTED
    assert pi.command(Command.READ, 5) == 0


@pytest.mark.parametrize("cmd", [Command.BS2, Command.BC2])
def test_bank_2_on_a_pi_4(pi, cmd):
    assert pi.command(cmd, 0xFFFFFF) == ErrorCode.SOME_PERMITTED
    assert pi.command(cmd, 0) == 0


def test_bank_write_changes_the_latch_not_the_mode(sim, pi):
    assert pi.command(Command.BS1, 1 << 12) == 0
    pin = sim.control.pin(12)
    assert (pin["mode"], pin["latch"], pin["level"]) == (Mode.INPUT, 1, 0)


#: Bank 2 at power-on: gpio 34-36 and 46-53 are pulled up (BCM2835 Table 6-31).
POWER_ON_BANK_2 = 0b111 << 2 | 0xFF << 14


def test_bank_2_at_power_on_shows_the_reset_pulls(sim, pi):
    assert pi.command(Command.BR2) == POWER_ON_BANK_2
    pulls = {gpio: sim.control.pin(gpio)["pull"] for gpio in (28, 29, 30, 34, 37, 44, 46, 53)}
    assert pulls == {28: Pull.OFF, 29: Pull.OFF, 30: Pull.DOWN, 34: Pull.UP, 37: Pull.DOWN,
                     44: Pull.OFF, 46: Pull.UP, 53: Pull.UP}


def test_bank_2_reads_gpio_32_to_53(sim, pi):
    sim.control.drive(32, 1)
    sim.control.drive(53, 0)
    assert pi.command(Command.BR2) == (POWER_ON_BANK_2 | 1 << 0) & ~(1 << 21)


def test_bank_2_writes_with_a_wide_mask(sim, pi):
    sim.control.set_revision(0xA020A0)  # Compute Module 3: gpio 0-47 writable
    pi.command(Command.MODES, 40, Mode.OUTPUT)
    assert pi.command(Command.BS2, 1 << 8) == 0
    assert pi.command(Command.READ, 40) == 1
    assert pi.command(Command.BS2, 1 << 20) == ErrorCode.SOME_PERMITTED  # gpio 52


# -- trigger --------------------------------------------------------------

def trig(pi, gpio, length, level):
    return pi.command(Command.TRIG, gpio, length, level.to_bytes(4, "little"))


def test_trigger_leaves_the_opposite_level(pi):
    pi.command(Command.WRITE, 17, 0)
    assert trig(pi, 17, 10, 1) == 0
    assert pi.command(Command.READ, 17) == 0
    assert trig(pi, 17, 100, 0) == 0
    assert pi.command(Command.READ, 17) == 1


def test_trigger_does_not_change_the_mode(sim, pi):
    assert trig(pi, 17, 5, 0) == 0
    pin = sim.control.pin(17)
    assert (pin["mode"], pin["latch"], pin["level"]) == (Mode.INPUT, 1, 0)


@pytest.mark.parametrize("gpio, length, level, expected", [
    (17, 0, 1, ErrorCode.BAD_PULSELEN),
    (17, 101, 1, ErrorCode.BAD_PULSELEN),
    (17, 0, 2, ErrorCode.BAD_LEVEL),        # level before length
    (32, 0, 2, ErrorCode.NOT_PERMITTED),    # permission before the user-gpio check
    (99, 0, 2, ErrorCode.BAD_USER_GPIO),
    (OUTSIDE_MASK, 10, 1, ErrorCode.NOT_PERMITTED),
])
def test_trigger_errors(pi, gpio, length, level, expected):
    assert trig(pi, gpio, length, level) == expected


def test_trigger_without_extension_pulses_low(pi):
    pi.command(Command.WRITE, 17, 0)
    assert pi.command(Command.TRIG, 17, 10) == 0
    assert pi.command(Command.READ, 17) == 1


# -- revision and permissions ---------------------------------------------

@pytest.mark.parametrize("code, hwver, mask", [
    (0xC03111, 0xC03111, 0x0FFFFFFC),
    (0x2C03111, 0xC03111, 0x0FFFFFFC),            # warranty bits dropped
    (0xA02082, 0xA02082, 0x0FFFFFFC),             # 3B
    (0x9000C1, 0x9000C1, 0x0080000FFFFFFC),       # Zero W
    (0xA01041, 0xA01041, 0x0080480FFFFFFC),       # 2B
    (0xA020A0, 0xA020A0, 0x00FFFFFFFFFFFF),       # CM3
    (0x900021, 0x900021, 0x0080480FFFFFFC),       # A+
    (0x2, 0x2, 0x03E7CF93),                       # B rev 1
    (0xE, 0xE, 0xFBC7CF9C),                       # B rev 2
    (0x10, 0x10, 0x0080480FFFFFFC),               # B+
    (0x11, 0x11, 0x00FFFFFFFFFFFF),               # Compute Module
    (0x16, 0, 0x0FFFFFFC),                        # unknown old-style code
    (0xC04111, 0, 0x0FFFFFFC),                    # unknown processor
])
def test_revision_sets_hwver_and_default_mask(sim, pi, code, hwver, mask):
    sim.control.set_revision(code)
    assert pi.command(Command.HWVER) & 0xFFFFFFFF == hwver
    assert sim.control.permission_mask() == mask


def test_permission_mask_follows_the_revision(sim, pi):
    assert pi.command(Command.WRITE, 0, 1) == ErrorCode.NOT_PERMITTED
    sim.control.set_revision(0x2)  # B rev 1: gpio 0 writable, 2 not
    assert pi.command(Command.WRITE, 0, 1) == 0
    assert pi.command(Command.WRITE, 2, 1) == ErrorCode.NOT_PERMITTED

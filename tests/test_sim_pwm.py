"""Software PWM, servo, hardware PWM and hardware clock commands."""
from __future__ import annotations

import pytest
from sim_clients import raw_pi_fixture  # noqa: F401 (fixture "pi")

from pigpiod_py.constants import Command, ErrorCode, Mode

PI3 = 0xA02082
CM3 = 0xA020A0  # gpio 0-47 writable: reaches the user-gpio range checks


def u32(value: int) -> bytes:
    return value.to_bytes(4, "little")


# -- software PWM ---------------------------------------------------------

def test_pwm_defaults(pi):
    assert pi.command(Command.PRG, 4) == 255
    assert pi.command(Command.PFG, 4) == 800
    assert pi.command(Command.PRRG, 4) == 250
    assert pi.command(Command.GDC, 4) == ErrorCode.NOT_PWM_GPIO
    assert pi.command(Command.GPW, 4) == ErrorCode.NOT_SERVO_GPIO


def test_pwm_sets_output_and_dutycycle(sim, pi):
    assert pi.command(Command.PWM, 4, 128) == 0
    assert pi.command(Command.MODEG, 4) == Mode.OUTPUT
    assert pi.command(Command.GDC, 4) == 128
    pin = sim.control.pin(4)
    shown = (pin["function"], pin["dutycycle"], pin["frequency"], pin["range"])
    assert shown == ("pwm", 128, 800, 255)


def test_pwm_zero_on_a_fresh_gpio(pi):
    pi.command(Command.WRITE, 4, 1)
    assert pi.command(Command.PWM, 4, 0) == 0
    assert pi.command(Command.GDC, 4) == 0
    assert pi.command(Command.READ, 4) == 0


def test_full_and_zero_dutycycle_levels(pi):
    pi.command(Command.PWM, 4, 255)
    assert pi.command(Command.READ, 4) == 1
    pi.command(Command.PWM, 4, 0)
    assert pi.command(Command.READ, 4) == 0


@pytest.mark.parametrize("gpio, value, expected", [
    (4, 256, ErrorCode.BAD_DUTYCYCLE),
    (40, 0, ErrorCode.NOT_PERMITTED),      # permission first: not BAD_USER_GPIO
    (0, 300, ErrorCode.NOT_PERMITTED),
    (99, 0, ErrorCode.BAD_USER_GPIO),
])
def test_pwm_errors(pi, gpio, value, expected):
    assert pi.command(Command.PWM, gpio, value) == expected


def test_pwm_user_gpio_check_with_a_wide_mask(sim, pi):
    sim.control.set_revision(CM3)
    assert pi.command(Command.PWM, 40, 0) == ErrorCode.BAD_USER_GPIO
    assert pi.command(Command.SERVO, 32, 1500) == ErrorCode.BAD_USER_GPIO


def test_dutycycle_is_checked_against_the_current_range(pi):
    pi.command(Command.PRS, 4, 1000)
    assert pi.command(Command.PWM, 4, 1000) == 0
    assert pi.command(Command.PWM, 4, 1001) == ErrorCode.BAD_DUTYCYCLE


def test_prs_returns_the_real_range(pi):
    assert pi.command(Command.PRS, 4, 2000) == 250
    assert pi.command(Command.PFS, 4, 1000) == 1000
    assert pi.command(Command.PRS, 4, 2000) == 200
    assert pi.command(Command.PRG, 4) == 2000
    assert pi.command(Command.PRRG, 4) == 200


@pytest.mark.parametrize("gpio, value, expected", [
    (4, 24, ErrorCode.BAD_DUTYRANGE),
    (4, 40001, ErrorCode.BAD_DUTYRANGE),
    (OUTSIDE := 1, 24, ErrorCode.NOT_PERMITTED),
    (35, 24, ErrorCode.NOT_PERMITTED),
    (64, 24, ErrorCode.BAD_USER_GPIO),
])
def test_prs_errors(pi, gpio, value, expected):
    assert pi.command(Command.PRS, gpio, value) == expected


def test_range_change_rescales_a_running_dutycycle(pi):
    pi.command(Command.PWM, 4, 100)
    pi.command(Command.PRS, 4, 510)
    assert pi.command(Command.GDC, 4) == 200
    pi.command(Command.PRS, 4, 100)
    assert pi.command(Command.GDC, 4) == 39  # floor(100 * 200 / 510)


def test_range_change_without_pwm_keeps_nothing_to_rescale(pi):
    assert pi.command(Command.PRS, 4, 100) == 250
    assert pi.command(Command.GDC, 4) == ErrorCode.NOT_PWM_GPIO


# 5 µs table: 8000 4000 2000 1600 1000 800 500 400 320 250 200 160 100 80 50 40 20 10
@pytest.mark.parametrize("asked, chosen", [
    (0, 10), (1, 10), (10, 10), (14, 10), (15, 20), (100, 100), (1000, 1000),
    (900, 1000),   # tie between 1000 and 800 goes to the higher
    (6000, 8000),  # tie between 8000 and 4000
    (5999, 4000), (8000, 8000), (8001, 8000), (0xFFFFFFFF, 8000), (284, 250), (285, 320),
])
def test_pfs_snaps_to_the_table(pi, asked, chosen):
    assert pi.command(Command.PFS, 4, asked) == chosen
    assert pi.command(Command.PFG, 4) == chosen


def test_pfs_keeps_the_dutycycle(pi):
    pi.command(Command.PWM, 4, 77)
    pi.command(Command.PFS, 4, 100)
    assert pi.command(Command.GDC, 4) == 77
    assert pi.command(Command.PRRG, 4) == 2000


@pytest.mark.parametrize("gpio, expected", [
    (0, ErrorCode.NOT_PERMITTED), (40, ErrorCode.NOT_PERMITTED), (70, ErrorCode.BAD_USER_GPIO)])
def test_pfs_errors(pi, gpio, expected):
    assert pi.command(Command.PFS, gpio, 100) == expected


@pytest.mark.parametrize("cmd", [Command.GDC, Command.GPW, Command.PRG, Command.PFG, Command.PRRG])
def test_read_backs_check_the_user_gpio_only(pi, cmd):
    assert pi.command(cmd, 32) == ErrorCode.BAD_USER_GPIO
    assert pi.command(cmd, 0) in (ErrorCode.NOT_PWM_GPIO, ErrorCode.NOT_SERVO_GPIO, 255, 800, 250)


def test_modes_to_another_mode_stops_pwm(pi):
    pi.command(Command.PWM, 4, 255)
    assert pi.command(Command.MODES, 4, Mode.OUTPUT) == 0  # same mode: still running
    assert pi.command(Command.GDC, 4) == 255
    pi.command(Command.MODES, 4, Mode.INPUT)
    assert pi.command(Command.GDC, 4) == ErrorCode.NOT_PWM_GPIO
    pi.command(Command.MODES, 4, Mode.OUTPUT)
    assert pi.command(Command.READ, 4) == 0  # the latch was cleared when PWM stopped


def test_write_stops_pwm(pi):
    pi.command(Command.PWM, 4, 255)
    pi.command(Command.WRITE, 4, 0)
    assert pi.command(Command.GDC, 4) == ErrorCode.NOT_PWM_GPIO
    assert pi.command(Command.READ, 4) == 0


def test_bank_writes_do_not_stop_pwm(pi):
    pi.command(Command.PWM, 4, 255)
    pi.command(Command.BC1, 1 << 4)
    assert pi.command(Command.READ, 4) == 1
    assert pi.command(Command.GDC, 4) == 255


# -- servo ----------------------------------------------------------------

def test_servo(sim, pi):
    assert pi.command(Command.SERVO, 17, 1500) == 0
    assert pi.command(Command.GPW, 17) == 1500
    assert pi.command(Command.GDC, 17) == ErrorCode.NOT_PWM_GPIO
    assert pi.command(Command.MODEG, 17) == Mode.OUTPUT
    assert pi.command(Command.PRG, 17) == 255 and pi.command(Command.PFG, 17) == 800
    assert sim.control.pin(17)["pulsewidth"] == 1500
    assert pi.command(Command.SERVO, 17, 0) == 0
    assert pi.command(Command.GPW, 17) == 0


@pytest.mark.parametrize("gpio, width, expected", [
    (17, 499, ErrorCode.BAD_PULSEWIDTH),
    (17, 2501, ErrorCode.BAD_PULSEWIDTH),
    (17, 1, ErrorCode.BAD_PULSEWIDTH),
    (1, 1, ErrorCode.NOT_PERMITTED),
    (33, 1, ErrorCode.NOT_PERMITTED),
    (100, 1, ErrorCode.BAD_USER_GPIO),
])
def test_servo_errors(pi, gpio, width, expected):
    assert pi.command(Command.SERVO, gpio, width) == expected


@pytest.mark.parametrize("width", [500, 2500])
def test_servo_limits_accepted(pi, width):
    assert pi.command(Command.SERVO, 17, width) == 0


def test_servo_and_pwm_exclude_each_other(pi):
    pi.command(Command.SERVO, 17, 1000)
    pi.command(Command.PWM, 17, 10)
    assert pi.command(Command.GPW, 17) == ErrorCode.NOT_SERVO_GPIO
    assert pi.command(Command.GDC, 17) == 10
    pi.command(Command.SERVO, 17, 2000)
    assert pi.command(Command.GDC, 17) == ErrorCode.NOT_PWM_GPIO
    assert pi.command(Command.GPW, 17) == 2000


# -- hardware PWM ---------------------------------------------------------

def hp(pi, gpio, hz, duty):
    return pi.command(Command.HP, gpio, hz, u32(duty))


def test_hardware_pwm_on_a_pi_4(sim, pi):
    assert hp(pi, 18, 1000, 250000) == 0
    assert pi.command(Command.MODEG, 18) == Mode.ALT5
    assert pi.command(Command.GDC, 18) == 250000
    assert pi.command(Command.PFG, 18) == 1000
    assert pi.command(Command.PRG, 18) == 1000000
    assert pi.command(Command.PRRG, 18) == 375000  # 375 MHz / 1000
    assert sim.control.pin(18)["function"] == "hwpwm"


def test_hardware_pwm_frequency_rounding(sim, pi):
    assert hp(pi, 12, 7_000_000, 500000) == 0
    assert pi.command(Command.PRRG, 12) == 54       # round(375e6 / 7e6)
    assert pi.command(Command.PFG, 12) == 6944444   # round(375e6 / 54)
    sim.control.set_revision(PI3)
    assert hp(pi, 12, 7_000_000, 500000) == 0
    assert pi.command(Command.PRRG, 12) == 36       # round(250e6 / 7e6)
    assert pi.command(Command.PFG, 12) == 6944444


def test_hardware_pwm_channel_is_shared(pi):
    hp(pi, 12, 1000, 100000)
    hp(pi, 18, 2000, 300000)  # also channel 0
    assert pi.command(Command.GDC, 12) == 300000
    assert pi.command(Command.PFG, 12) == 2000
    hp(pi, 13, 5000, 1)       # channel 1 does not touch channel 0
    assert pi.command(Command.PFG, 18) == 2000


def test_hardware_pwm_stop(pi):
    hp(pi, 18, 1000, 1000000)
    assert pi.command(Command.READ, 18) == 1
    assert hp(pi, 18, 0, 0) == 0
    assert pi.command(Command.GDC, 18) == ErrorCode.NOT_PWM_GPIO
    assert pi.command(Command.MODEG, 18) == Mode.ALT5  # mode left alone
    assert pi.command(Command.READ, 18) == 0


def test_hardware_pwm_replaces_software_pwm(pi):
    pi.command(Command.PWM, 18, 100)
    hp(pi, 18, 1000, 0)
    assert pi.command(Command.GDC, 18) == 0
    pi.command(Command.MODES, 18, Mode.OUTPUT)
    assert pi.command(Command.GDC, 18) == ErrorCode.NOT_PWM_GPIO


@pytest.mark.parametrize("gpio, hz, duty, expected", [
    (17, 1000, 0, ErrorCode.NOT_HPWM_GPIO),
    (18, 1000, 1000001, ErrorCode.BAD_HPWM_DUTY),
    (18, 187_500_001, 1000001, ErrorCode.BAD_HPWM_DUTY),   # duty before frequency
    (18, 187_500_001, 0, ErrorCode.BAD_HPWM_FREQ),
    (40, 1000, 0, ErrorCode.NOT_PERMITTED),
    (54, 1000, 0, ErrorCode.BAD_GPIO),
    (1, 1000, 0, ErrorCode.NOT_PERMITTED),
])
def test_hardware_pwm_errors(pi, gpio, hz, duty, expected):
    assert hp(pi, gpio, hz, duty) == expected


def test_hardware_pwm_limits_follow_the_processor(sim, pi):
    assert hp(pi, 18, 187_500_000, 0) == 0
    sim.control.set_revision(PI3)
    assert hp(pi, 18, 125_000_001, 0) == ErrorCode.BAD_HPWM_FREQ
    assert hp(pi, 18, 125_000_000, 0) == 0


# -- hardware clock -------------------------------------------------------

def test_hardware_clock(sim, pi):
    assert pi.command(Command.HC, 4, 1_000_000) == 0
    assert pi.command(Command.MODEG, 4) == Mode.ALT0
    assert pi.command(Command.PFG, 4) == 1_000_000
    assert pi.command(Command.GDC, 4) == 500000
    assert pi.command(Command.PRG, 4) == 1000000
    assert pi.command(Command.PRRG, 4) == 1000000
    assert sim.control.pin(4)["function"] == "hwclk"
    assert pi.command(Command.HC, 4, 0) == 0
    assert pi.command(Command.GDC, 4) == ErrorCode.NOT_PWM_GPIO
    assert pi.command(Command.MODEG, 4) == Mode.ALT0


def test_hardware_clock_reports_the_achieved_frequency(sim, pi):
    sim.control.set_revision(PI3)
    assert pi.command(Command.HC, 4, 30_000_000) == 0
    assert pi.command(Command.PFG, 4) == 29_411_765  # PLLD / 17: an integer divider above 23.8 MHz
    assert pi.command(Command.HC, 6, 5000) == 0
    assert pi.command(Command.PFG, 6) == 5000


def test_clock_1_needs_the_password(pi):
    assert pi.command(Command.HC, 5, 1_000_000) == ErrorCode.BAD_HCLK_PASS
    assert pi.command(Command.HC, 0x5A000005, 1_000_000) == 0
    assert pi.command(Command.PFG, 5) == 1_000_000


@pytest.mark.parametrize("word, hz, expected", [
    (17, 1_000_000, ErrorCode.NOT_HCLK_GPIO),
    (4, 13183, ErrorCode.BAD_HCLK_FREQ),           # below the BCM2711 minimum
    (4, 375_000_001, ErrorCode.BAD_HCLK_FREQ),
    (5, 1, ErrorCode.BAD_HCLK_FREQ),               # frequency before password
    (32, 1_000_000, ErrorCode.NOT_PERMITTED),
    (0x5A000000 | 32, 1_000_000, ErrorCode.NOT_PERMITTED),  # permission on the gpio part
    (60, 1_000_000, ErrorCode.BAD_GPIO),
])
def test_hardware_clock_errors(pi, word, hz, expected):
    assert pi.command(Command.HC, word, hz) == expected


def test_hardware_clock_limits_follow_the_processor(sim, pi):
    sim.control.set_revision(PI3)
    assert pi.command(Command.HC, 4, 4689) == 0
    assert pi.command(Command.HC, 4, 4688) == ErrorCode.BAD_HCLK_FREQ

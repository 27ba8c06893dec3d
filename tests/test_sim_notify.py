"""Notification handles, events, watchdogs and filters."""
from __future__ import annotations

import struct
import time

import pytest
from sim_clients import raw_pi_fixture, u32s  # noqa: F401 (fixture "pi")

from pigpiod_py.constants import Command, ErrorCode
from pigpiod_py.sim.interfaces.client import RawClient, request
from pigpiod_py.sim.notifications.reports import RECORD, RECORD_SIZE

RESPONSE_SIZE = 16


def test_no_hands_out_the_lowest_free_slot(pi):
    handles = [pi.command(Command.NO) for _ in range(32)]
    assert handles == list(range(32))
    assert pi.command(Command.NO) == ErrorCode.NO_HANDLE
    assert pi.command(Command.NC, 7) == 0
    assert pi.command(Command.NC, 3) == 0
    assert pi.command(Command.NO) == 3
    assert pi.command(Command.NO) == 7


def test_pipe_handles_outlive_their_connection(sim):
    with RawClient(sim.host, sim.port) as first:
        assert first.command(Command.NO) == 0
    with RawClient(sim.host, sim.port) as second:
        assert second.command(Command.NB, 0, 0xFF) == 0
        assert second.command(Command.NO) == 1


@pytest.mark.parametrize("cmd, p2", [
    (Command.NB, 1), (Command.NP, 0), (Command.NC, 0), (Command.EVM, 1)])
def test_handle_commands_validate_the_handle(pi, cmd, p2):
    assert pi.command(cmd, 0, p2) == ErrorCode.BAD_HANDLE   # not open
    assert pi.command(cmd, 32, p2) == ErrorCode.BAD_HANDLE  # out of range
    assert pi.command(cmd, 0xFFFFFFFF, p2) == ErrorCode.BAD_HANDLE
    handle = pi.command(Command.NO)
    assert pi.command(cmd, handle, p2) == 0


def test_handle_life_cycle(pi):
    handle = pi.command(Command.NO)
    assert pi.command(Command.NB, handle, 0xFFFFFFFF) == 0
    assert pi.command(Command.NP, handle) == 0
    assert pi.command(Command.NB, handle, 1 << 4) == 0   # paused -> running again
    assert pi.command(Command.EVM, handle, 0xFFFFFFFF) == 0
    assert pi.command(Command.NC, handle) == 0
    assert pi.command(Command.NB, handle, 1) == ErrorCode.BAD_HANDLE
    assert pi.command(Command.NC, handle) == ErrorCode.BAD_HANDLE


def test_in_band_handle_dies_with_its_socket(sim, pi):
    with RawClient(sim.host, sim.port) as reports:
        handle = reports.command(Command.NOIB)
        assert handle == 0
        assert pi.command(Command.NB, handle, 1 << 4) == 0  # from another socket
    deadline = time.monotonic() + 30  # the daemon notices the close asynchronously
    while pi.command(Command.NB, handle, 1) == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pi.command(Command.NB, handle, 1) == ErrorCode.BAD_HANDLE
    assert pi.command(Command.NO) == 0


def test_in_band_and_pipe_handles_share_the_slots(sim, pi):
    assert pi.command(Command.NO) == 0
    with RawClient(sim.host, sim.port) as reports:
        assert reports.command(Command.NOIB) == 1
        assert pi.command(Command.NO) == 2


def test_in_band_handle_closed_by_nc_leaves_the_socket_usable(sim):
    with RawClient(sim.host, sim.port) as reports:
        handle = reports.command(Command.NOIB)
        assert reports.command(Command.NC, handle) == 0
        assert reports.command(Command.PIGPV) == 79


def test_second_noib_on_a_socket_replaces_the_first(sim, pi):
    with RawClient(sim.host, sim.port) as reports:
        assert reports.command(Command.NOIB) == 0
        assert reports.command(Command.NOIB) == 1
        assert pi.command(Command.NB, 0, 1) == ErrorCode.BAD_HANDLE
        assert pi.command(Command.NB, 1, 1) == 0


def test_noib_without_free_slots(sim, pi):
    for _ in range(32):
        pi.command(Command.NO)
    with RawClient(sim.host, sim.port) as reports:
        assert reports.command(Command.NOIB) == ErrorCode.NO_HANDLE


def test_reset_frees_every_handle(sim, pi):
    for _ in range(5):
        pi.command(Command.NO)
    sim.control.reset()
    assert pi.command(Command.NO) == 0


# -- events ---------------------------------------------------------------

def test_event_trigger(pi):
    assert pi.command(Command.EVT, 0) == 0
    assert pi.command(Command.EVT, 31) == 0
    assert pi.command(Command.EVT, 32) == ErrorCode.BAD_EVENT_ID


# -- watchdogs and filters ------------------------------------------------

def test_watchdog_is_stored_without_permission_check(sim, pi):
    assert pi.command(Command.WDOG, 0, 60000) == 0
    assert sim.control.pin(0)["watchdog"] == 60000
    assert pi.command(Command.WDOG, 0, 0) == 0
    assert sim.control.pin(0)["watchdog"] == 0


@pytest.mark.parametrize("gpio, timeout, expected", [
    (4, 60001, ErrorCode.BAD_WDOG_TIMEOUT),
    (32, 60001, ErrorCode.BAD_USER_GPIO),
    (54, 10, ErrorCode.BAD_USER_GPIO),
])
def test_watchdog_errors(pi, gpio, timeout, expected):
    assert pi.command(Command.WDOG, gpio, timeout) == expected


def test_glitch_filter(sim, pi):
    assert pi.command(Command.FG, 1, 300000) == 0
    assert sim.control.pin(1)["glitch"] == 300000
    assert pi.command(Command.FG, 1, 300001) == ErrorCode.BAD_FILTER
    assert pi.command(Command.FG, 32, 300001) == ErrorCode.BAD_USER_GPIO


def fn(pi, gpio, steady, active):
    return pi.command(Command.FN, gpio, steady, active.to_bytes(4, "little"))


def test_noise_filter(sim, pi):
    assert fn(pi, 1, 1000, 1000000) == 0
    assert sim.control.pin(1)["noise"] == [1000, 1000000]


@pytest.mark.parametrize("gpio, steady, active, expected", [
    (4, 300001, 0, ErrorCode.BAD_FILTER),
    (4, 0, 1000001, ErrorCode.BAD_FILTER),
    (40, 300001, 1000001, ErrorCode.BAD_USER_GPIO),
])
def test_noise_filter_errors(pi, gpio, steady, active, expected):
    assert fn(pi, gpio, steady, active) == expected


def test_pin_of_a_non_user_gpio_has_no_alert_settings(sim):
    pin = sim.control.pin(40)
    assert (pin["watchdog"], pin["glitch"], pin["noise"], pin["dutycycle"]) == (None,) * 4


# -- what a handle reports, and when -------------------------------------------

def records_until_reply(client: RawClient, command: int, p1: int = 0) -> tuple[list, int]:
    """The reports on a notification socket before the reply to ``command``; its result."""
    data = b""
    records = []
    while True:
        while len(data) < RESPONSE_SIZE:
            data += client.sock.recv(65536)
        cmd, echo_p1, echo_p2, result = struct.unpack_from("<3Ii", data)
        if (cmd, echo_p1, echo_p2) == (command, p1, 0):
            return records, result
        records.append(RECORD.unpack_from(data))
        data = data[RECORD_SIZE:]


def test_a_handle_reports_changes_from_when_it_watches(sim, pi):
    """A change just before NB (in the same alert pass) is not reported to the handle."""
    with RawClient(sim.host, sim.port) as reports:
        handle = reports.command(Command.NOIB)
        for level in (1, 0) * 10:
            assert pi.command(Command.NB, handle, 0) == 0
            assert pi.command(Command.WRITE, 17, level) == 0   # before the handle watches
            assert pi.command(Command.NB, handle, 1 << 17) == 0
            assert pi.command(Command.WRITE, 18, 1 - level) == 0  # an unwatched gpio
            assert pi.command(Command.WRITE, 17, 1 - level) == 0  # while it watches
            reports.send(request(Command.TICK))  # its reply follows the reports before it
            records, _ = records_until_reply(reports, Command.TICK)
            assert [(flags, word >> 17 & 1) for _, flags, _, word in records] == [
                (0, 1 - level)]


def test_events_reach_the_handles_monitoring_them_when_fired(sim, pi):
    with RawClient(sim.host, sim.port) as reports:
        handle = reports.command(Command.NOIB)
        for _ in range(10):
            assert pi.command(Command.EVM, handle, 0) == 0
            assert pi.command(Command.EVT, 5) == 0            # nobody monitors event 5 yet
            assert pi.command(Command.EVM, handle, 1 << 5 | 1 << 6) == 0
            assert pi.command(Command.EVT, 6) == 0
            reports.send(request(Command.TICK))
            records, _ = records_until_reply(reports, Command.TICK)
            assert [flags for _, flags, _, _ in records] == [0x80 | 6]


def test_changes_before_a_command_are_reported_before_its_reply(sim, pi):
    """x_pigpio.py 5.31: after the reply to WVHLT no report of the stopped wave may follow.

    The commands go on the notification socket itself: on one TCP stream the
    order the simulator wrote reports and replies in is the order they arrive.
    """
    pulses = u32s(1 << 25, 0, 100, 0, 1 << 25, 100)
    with RawClient(sim.host, sim.port) as reports:
        handle = reports.command(Command.NOIB)
        assert pi.command(Command.MODES, 25, 1) == 0
        assert pi.command(Command.NB, handle, 1 << 25) == 0
        assert pi.command(Command.WVAG, 0, 0, pulses) == 2
        wave = pi.command(Command.WVCRE)
        for _ in range(10):
            assert pi.command(Command.WVTXR, wave) > 0
            time.sleep(0.01)
            reports.send(request(Command.WVHLT))
            records_until_reply(reports, Command.WVHLT)
            reports.send(request(Command.READ, 25))
            records, stopped = records_until_reply(reports, Command.READ, 25)
            if records:
                assert records[-1][3] >> 25 & 1 == stopped
            reports.sock.settimeout(0.05)
            with pytest.raises(TimeoutError):
                reports.recv_exact(1)  # nothing more: the wave stopped before READ began
            reports.sock.settimeout(30)

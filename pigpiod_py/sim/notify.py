"""Notification handles, events, watchdogs and filters (their settings).

32 slots are shared by pipe handles (``NO``) and in-band socket handles
(``NOIB``); an in-band handle belongs to its connection and is closed with it.
The reports themselves are made from the board's timeline (later).
"""
from __future__ import annotations

from enum import IntEnum

from .._pigpiod import lib
from ..constants import Command
from .checks import Handlers, ext_u32
from .clock import now_us

SLOTS = lib.PI_NOTIFY_SLOTS
_USER_GPIOS = lib.PI_MAX_USER_GPIO + 1
BAD_HANDLE = lib.PI_BAD_HANDLE
BAD_USER_GPIO = lib.PI_BAD_USER_GPIO


class State(IntEnum):
    """States of an open handle (pigpio's internal numbers)."""

    OPENED = 3
    RUNNING = 4
    PAUSED = 5


class Handle:
    """One open notification handle."""

    __slots__ = ("bits", "events", "owner", "state")

    def __init__(self, owner: object | None) -> None:
        self.owner = owner  # the connection of an in-band handle, None for a pipe
        self.state = State.OPENED
        self.bits = 0
        self.events = 0


class Notifier:
    """Handle slots, fired events, and per-gpio watchdog and filter settings."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.slots: list[Handle | None] = [None] * SLOTS
        self.fired = 0
        #: Per user gpio: (timeout ms, set at µs), glitch steady µs, noise (steady, active).
        self.watchdog: list[tuple[int, int]] = [(0, 0)] * _USER_GPIOS
        self.glitch: list[int] = [0] * _USER_GPIOS
        self.noise: list[tuple[int, int]] = [(0, 0)] * _USER_GPIOS

    def handlers(self) -> Handlers:
        return {
            Command.NO: self.open_pipe,
            Command.NB: self.begin,
            Command.NP: self.pause,
            Command.NC: self.close,
            Command.EVM: self.monitor_events,
            Command.EVT: self.trigger_event,
            Command.WDOG: self.set_watchdog,
            Command.FG: self.set_glitch_filter,
            Command.FN: self.set_noise_filter,
        }

    # -- handles ---------------------------------------------------------

    def open(self, owner: object | None) -> int:
        """The lowest free slot, now open, or PI_NO_HANDLE."""
        for number, slot in enumerate(self.slots):
            if slot is None:
                self.slots[number] = Handle(owner)
                return number
        return lib.PI_NO_HANDLE

    def open_in_band(self, owner: object) -> int:
        """NOIB: a new handle for ``owner``, replacing any it had before."""
        number = self.open(owner)
        self.close_owned(owner, keep=number)
        return number

    def close_owned(self, owner: object, keep: int | None = None) -> None:
        """Close the in-band handles of a connection (but ``keep``)."""
        for number, slot in enumerate(self.slots):
            if slot is not None and slot.owner is owner and number != keep:
                self.slots[number] = None

    def _handle(self, number: int) -> Handle | None:
        return self.slots[number] if number < SLOTS else None

    def open_pipe(self, p1: int, p2: int, ext: bytes) -> int:
        return self.open(None)

    def begin(self, number: int, bits: int, ext: bytes) -> int:
        handle = self._handle(number)
        if handle is None:
            return BAD_HANDLE
        handle.bits = bits
        handle.state = State.RUNNING
        return 0

    def pause(self, number: int, p2: int, ext: bytes) -> int:
        handle = self._handle(number)
        if handle is None:
            return BAD_HANDLE
        handle.bits = 0
        handle.state = State.PAUSED
        return 0

    def close(self, number: int, p2: int, ext: bytes) -> int:
        if self._handle(number) is None:
            return BAD_HANDLE
        self.slots[number] = None
        return 0

    def monitor_events(self, number: int, bits: int, ext: bytes) -> int:
        handle = self._handle(number)
        if handle is None:
            return BAD_HANDLE
        handle.events = bits
        return 0

    def trigger_event(self, event: int, p2: int, ext: bytes) -> int:
        if event > lib.PI_MAX_EVENT:
            return lib.PI_BAD_EVENT_ID
        self.fired |= 1 << event
        return 0

    # -- watchdogs and filters (no permission check, as pigpiod) -----------

    def set_watchdog(self, gpio: int, timeout: int, ext: bytes) -> int:
        if gpio > lib.PI_MAX_USER_GPIO:
            return BAD_USER_GPIO
        if timeout > lib.PI_MAX_WDOG_TIMEOUT:
            return lib.PI_BAD_WDOG_TIMEOUT
        self.watchdog[gpio] = (timeout, now_us())
        return 0

    def set_glitch_filter(self, gpio: int, steady: int, ext: bytes) -> int:
        return self._set_filter(gpio, steady, None)

    def set_noise_filter(self, gpio: int, steady: int, ext: bytes) -> int:
        return self._set_filter(gpio, steady, ext_u32(ext))

    def _set_filter(self, gpio: int, steady: int, active: int | None) -> int:
        if gpio > lib.PI_MAX_USER_GPIO:
            return BAD_USER_GPIO
        if steady > lib.PI_MAX_STEADY or (active or 0) > lib.PI_MAX_ACTIVE:
            return lib.PI_BAD_FILTER
        if active is None:
            self.glitch[gpio] = steady
        else:
            self.noise[gpio] = (steady, active)
        return 0

"""Notification handles, events, watchdogs and filters: the commands and their state.

32 slots are shared by pipe handles (``NO``, reports into a FIFO) and in-band
socket handles (``NOIB``, reports on the socket that asked); an in-band handle
belongs to its connection and is closed with it.  ``NC`` frees the slot at
once (pigpiod leaves it closing until its next alert pass, a millisecond
later).  The reports themselves are made by :mod:`alerts`.

A handle reports exactly what happens while it watches: level changes of a
gpio from the moment ``NB`` adds it to the handle's bits, and the events fired
while ``EVM`` has them monitored.  (pigpiod applies a handle's current bits
to its whole next batch of samples, up to a millisecond before ``NB``, so
a client could see an edge from before it asked.)
"""
from __future__ import annotations

import threading
from enum import IntEnum
from typing import Callable, Protocol

from ...constants import Command
from ..checks import Handlers, ext_u32
from ..clock import now_us
from .fifo import FifoDirectory
from .filters import GlitchFilter, NoiseFilter
from .reports import Stream, bit_numbers
from ... import _numbers as lib

SLOTS = lib.PI_NOTIFY_SLOTS
_USER_GPIOS = lib.PI_MAX_USER_GPIO + 1
BAD_HANDLE = lib.PI_BAD_HANDLE
BAD_USER_GPIO = lib.PI_BAD_USER_GPIO


class State(IntEnum):
    """States of an open handle (pigpio's internal numbers)."""

    OPENED = 3
    RUNNING = 4
    PAUSED = 5


class Sink(Protocol):
    """Where a handle's reports go: a client socket's outlet or a FIFO."""

    @property
    def backlog(self) -> int:
        """Bytes written but not yet sent."""
        ...

    def write(self, data: bytes) -> bool:
        """Write reports; False if the sink failed."""
        ...

    def release(self) -> None:
        """The handle is closed: let go of the sink."""
        ...


class Handle:
    """One open notification handle."""

    __slots__ = ("bits", "events", "fired", "joined", "sink", "state", "stream")

    def __init__(self, sink: Sink, t: int) -> None:
        self.sink = sink
        self.state = State.OPENED
        self.bits = 0
        self.events = 0
        #: The monitored events fired since the last alert pass -> when (event count).
        self.fired: dict[int, int] = {}
        #: gpio -> when NB added it to ``bits``, until a pass has covered that moment.
        self.joined: dict[int, int] = {}
        self.stream = Stream(t)

    def watch(self, bits: int, t: int) -> None:
        """Report the gpios in ``bits`` from ``t`` on."""
        for gpio in bit_numbers(bits & ~self.bits):
            self.joined[gpio] = t
        for gpio in bit_numbers(self.bits & ~bits):
            self.joined.pop(gpio, None)
        self.bits = bits

    def take_fired(self, before: int | None = None) -> int:
        """The events fired since the last call (only those fired before event count ``before``)."""
        taken = [e for e, count in self.fired.items() if before is None or count < before]
        for event in taken:
            del self.fired[event]
        return sum(1 << event for event in taken)


class Notifier:
    """Handle slots, fired events, and per-gpio watchdogs and filters."""

    def __init__(self, sample_us: int, fifos: FifoDirectory) -> None:
        self.sample_us = sample_us
        self.fifos = fifos
        #: Set when a handle opens (the alert thread sleeps while none is open).
        self.wake = threading.Event()
        self.woken_at = 0
        self.slots: list[Handle | None] = [None] * SLOTS
        #: Whether some handle reports level changes or events (the connections
        #: then make sure reports go out before replies: :meth:`.Alerts.catch_up`).
        self.watching = False
        #: How many events were ever fired (orders them against a command's start).
        self.events_fired = 0
        #: Told the number of every event fired (the scripts' EVTWT).
        self.listeners: list[Callable[[int], None]] = []
        self.reset()

    def reset(self) -> None:
        """Close every handle; no watchdogs, no filters."""
        for number in range(SLOTS):
            self._free(number)
        #: gpio -> (timeout ms, when it last fired or the gpio last changed, µs).
        self.watchdogs: dict[int, tuple[int, int]] = {}
        self.glitch = [GlitchFilter(self.sample_us) for _ in range(_USER_GPIOS)]
        self.noise = [NoiseFilter(self.sample_us) for _ in range(_USER_GPIOS)]

    def handlers(self) -> Handlers:
        """The command handlers: NO NB NP NC EVM EVT WDOG FG FN."""
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

    def _free_slot(self) -> int:
        """The lowest free slot, or PI_NO_HANDLE."""
        return next((n for n, slot in enumerate(self.slots) if slot is None), lib.PI_NO_HANDLE)

    def _open(self, number: int, sink: Sink) -> int:
        t = now_us()
        self.slots[number] = Handle(sink, t)
        if not self.wake.is_set():
            self.woken_at = t
            self.wake.set()
        return number

    def _free(self, number: int) -> None:
        handle = self.slots[number]
        if handle is not None:
            self.slots[number] = None
            handle.sink.release()
            self._update_watching()

    def _update_watching(self) -> None:
        self.watching = any(h is not None and (h.bits or h.events) for h in self.slots)

    def open_in_band(self, outlet: Sink) -> int:
        """NOIB: a handle reporting on ``outlet``, replacing any it had before."""
        number = self._free_slot()
        if number >= 0:
            self._open(number, outlet)
        self.close_owned(outlet, keep=number)
        return number

    def close_owned(self, outlet: Sink, keep: int | None = None) -> None:
        """Close the in-band handles reporting on ``outlet`` (but ``keep``)."""
        for number, slot in enumerate(self.slots):
            if slot is not None and slot.sink is outlet and number != keep:
                self._free(number)

    def _handle(self, number: int) -> Handle | None:
        return self.slots[number] if number < SLOTS else None

    def open_pipe(self, p1: int, p2: int, ext: bytes) -> int:
        """NO: a handle reporting into the FIFO pigpio<handle>."""
        number = self._free_slot()
        if number < 0:
            return number
        try:
            fifo = self.fifos.fifo(number)
        except OSError:
            return lib.PI_BAD_PATHNAME
        return self._open(number, fifo)

    def monitored(self) -> int:
        """The gpios some running handle watches (bit n = gpio n)."""
        bits = 0
        for handle in self.slots:
            if handle is not None:
                bits |= handle.bits
        return bits

    def begin(self, number: int, bits: int, ext: bytes) -> int:
        """NB: report the changes of the gpios in ``bits`` on a handle from now on."""
        handle = self._handle(number)
        if handle is None:
            return BAD_HANDLE
        handle.watch(bits, now_us())
        handle.state = State.RUNNING
        self._update_watching()
        return 0

    def pause(self, number: int, p2: int, ext: bytes) -> int:
        """NP: stop reporting on a handle (it stays open)."""
        handle = self._handle(number)
        if handle is None:
            return BAD_HANDLE
        handle.watch(0, now_us())
        handle.state = State.PAUSED
        self._update_watching()
        return 0

    def close(self, number: int, p2: int, ext: bytes) -> int:
        """NC: close a notification handle."""
        if self._handle(number) is None:
            return BAD_HANDLE
        self._free(number)
        return 0

    def monitor_events(self, number: int, bits: int, ext: bytes) -> int:
        """EVM: report the events in ``bits`` on a handle."""
        handle = self._handle(number)
        if handle is None:
            return BAD_HANDLE
        handle.events = bits
        self._update_watching()
        return 0

    def trigger_event(self, event: int, p2: int, ext: bytes) -> int:
        """EVT: reported at the next alert pass to the handles monitoring ``event`` now."""
        if event > lib.PI_MAX_EVENT:
            return lib.PI_BAD_EVENT_ID
        bit = 1 << event
        for handle in self.slots:
            if handle is not None and handle.events & bit:
                handle.fired.setdefault(event, self.events_fired)
        self.events_fired += 1
        for listener in self.listeners:
            listener(event)
        return 0

    # -- watchdogs and filters (no permission check, as pigpiod) -----------

    def set_watchdog(self, gpio: int, timeout: int, ext: bytes) -> int:
        """WDOG: report a timeout on a gpio quiet for ``timeout`` ms (0: off)."""
        if gpio > lib.PI_MAX_USER_GPIO:
            return BAD_USER_GPIO
        if timeout > lib.PI_MAX_WDOG_TIMEOUT:
            return lib.PI_BAD_WDOG_TIMEOUT
        if timeout:
            self.watchdogs[gpio] = (timeout, now_us())
        else:
            self.watchdogs.pop(gpio, None)
        return 0

    def set_glitch_filter(self, gpio: int, steady: int, ext: bytes) -> int:
        """FG: set a gpio's glitch filter."""
        error = self._check_filter(gpio, steady, 0)
        if not error:
            self.glitch[gpio].set(steady)
        return error

    def set_noise_filter(self, gpio: int, steady: int, ext: bytes) -> int:
        """FN: set a gpio's noise filter (active time in ext)."""
        active = ext_u32(ext)
        error = self._check_filter(gpio, steady, active)
        if not error:
            self.noise[gpio].set(steady, active, now_us())
        return error

    @staticmethod
    def _check_filter(gpio: int, steady: int, active: int) -> int:
        if gpio > lib.PI_MAX_USER_GPIO:
            return BAD_USER_GPIO
        if steady > lib.PI_MAX_STEADY or active > lib.PI_MAX_ACTIVE:
            return lib.PI_BAD_FILTER
        return 0

"""The alert thread: notification reports made from the timeline about every millisecond.

Like pigpiod's alert thread, each pass takes the samples since the previous
pass (:mod:`..sampler`), runs the glitch and noise filters of the monitored
gpios (:mod:`filters`), updates the watchdogs and sends every open handle its
records (:mod:`reports`).  A pass covers a whole interval of the timeline, so
edges cost a few list operations each and no work is done per sample: 20 kHz
PWM is 40 changes a millisecond.  Records are made with the daemon lock held
and written after it is released, in pass order.  While no handle is open the
thread sleeps.

A connection that answers commands while some handle watches first runs a
pass of its own (:meth:`Alerts.catch_up`): every change and event that
happened before a command began is reported before its reply is sent (what
the command itself changes follows, as from pigpiod, a moment later).
pigpiod reports up to a millisecond late, so a client that counts edges and
stops something could still see an edge from before the stop after its next
few replies.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

from ...ticks import TICK_MASK
from ..clock import TickClock, now_us
from .filters import changes_from
from .notify import Handle, Notifier, Sink
from .reports import KEEPALIVE_US, bit_numbers, flag_words
from ..sampler import Sample, Sampler

#: Sleep between passes (µs) for each value of bits 4-7 of the internals word (CSI).
ALERT_DELAYS_US = (900, 225, 240, 257, 277, 300, 327, 360, 400, 450, 514, 600, 720, 900,
                   1200, 1800)
_DELAY_SHIFT = 4
_BANK_GPIOS = 32

#: A sample with a change: (its time, the monitored gpios that changed, level word).
Row = tuple[int, int, int]
Delivery = tuple[int, Handle, bytes]


def _visible(rows: list[Row], bits: int, joined: dict[int, int]) -> list[tuple[int, int]]:
    """(time, level word) of the rows with a change a handle watching ``bits`` sees.

    A gpio in ``joined`` is seen from the sample at or after it joined on.
    """
    if not joined:
        return [(at, word) for at, mask, word in rows if mask & bits]
    seen = []
    for at, mask, word in rows:
        mask &= bits
        for gpio, since in joined.items():
            if at < since:
                mask &= ~(1 << gpio)
        if mask:
            seen.append((at, word))
    return seen


def observations(first: int, level: int, changes: list[Sample]) -> list[Sample]:
    """A pass's samples of one gpio as the filters take them (see :mod:`filters`)."""
    if changes and changes[0][0] == first:
        return changes
    return [(first, level), *changes]


class Alerts:
    """The passes, and the thread that runs them."""

    def __init__(self, lock: threading.Lock, notifier: Notifier, sampler: Sampler,
                 ticks: TickClock, internals: Callable[[], int]) -> None:
        self.lock = lock
        self.notifier = notifier
        self.sampler = sampler
        self.ticks = ticks
        self.internals = internals
        #: Silence (µs) after which a handle gets a keep-alive; tests shorten it.
        self.keepalive_us = KEEPALIVE_US
        self._pending: set[Sink] = set()
        #: Held from making a pass's records to writing them: passes go out in order.
        self._emit = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._asleep = False
        self.reset(now_us())

    def reset(self, t: int) -> None:
        """Start afresh at ``t`` (with the lock held)."""
        self._until = self._last_sample(t)
        self._monitored = 0  # the gpios the last pass watched
        self._reported = 0   # their levels at its last sample

    def _last_sample(self, t: int) -> int:
        """The last sample strictly before ``t`` (later changes may still be recorded at t)."""
        period = self.sampler.period
        return (t - 1) // period * period

    # -- the thread -------------------------------------------------------

    def start(self) -> None:
        """Start the alert thread."""
        self._thread = threading.Thread(target=self._run, name="alerts", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the alert thread and wait for it."""
        self._stopping = True
        self.notifier.wake.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stopping:
            with self._emit:
                with self.lock:
                    busy = self._busy()
                    deliveries = self._pass_now() if busy else []
                self._deliver(deliveries)
            if busy:
                time.sleep(ALERT_DELAYS_US[(self.internals() >> _DELAY_SHIFT) & 15] / 1e6)
            else:
                self.notifier.wake.wait()

    def catch_up(self, began: int, events_before: int) -> None:
        """Report the changes before ``began`` and the events fired before the
        ``events_before``-th (call without the lock, before a reply)."""
        with self._emit:
            with self.lock:
                deliveries = self._pass_now(began, events_before)
            self._deliver(deliveries)

    def _pass_now(self, now: int | None = None, events_before: int | None = None
                  ) -> list[Delivery]:
        """A pass up to now (lock held); the first after a sleep starts when a handle opened."""
        if self._asleep:
            self._asleep = False
            self.reset(self.notifier.woken_at)
        return self.run_pass(now_us() if now is None else now, events_before)

    def _busy(self) -> bool:
        """Whether passes are needed: a handle is open or reports wait (lock held).

        If not, the thread is to sleep: the wake-up event is cleared and the
        next handle to open sets it.
        """
        if self._pending or any(self.notifier.slots):
            return True
        self.notifier.wake.clear()
        self._asleep = True
        return False

    def _deliver(self, deliveries: list[Delivery]) -> None:
        """Write a pass's records (without the lock); close handles whose sink failed."""
        for sink in list(self._pending):
            sink.write(b"")
            if not sink.backlog:
                self._pending.discard(sink)
        failed = []
        for number, handle, data in deliveries:
            if not handle.sink.write(data):
                failed.append((number, handle))
            elif handle.sink.backlog:
                self._pending.add(handle.sink)
        if failed:
            with self.lock:
                for number, handle in failed:
                    if self.notifier.slots[number] is handle:
                        self.notifier.close(number, 0, b"")

    # -- one pass ---------------------------------------------------------

    def run_pass(self, now: int, events_before: int | None = None) -> list[Delivery]:
        """The records of the samples before ``now`` for every open handle (lock held).

        With ``events_before`` only the events fired before that count go out.
        """
        since, until = self._until, self._last_sample(now)
        if until <= since:
            return []
        self._until = until
        notifier = self.notifier
        monitored = notifier.monitored()
        streams, start = self._streams(monitored, since, until)
        rows, end = self._rows(streams, start, monitored, since, until)
        self._monitored, self._reported = monitored, end
        timeouts = self._watchdogs(streams, until)
        tick = self.ticks.tick(until)
        offset = self.ticks.offset

        memo: list[int] = []

        def level() -> int:  # the level word at ``until``, made when a record needs it
            if not memo:
                memo.append(end | self._unmonitored(monitored, until, until)(until))
            return memo[0]

        deliveries = []
        for number, handle in enumerate(notifier.slots):
            if handle is None:
                continue
            bits = handle.bits
            changes = [((at + offset) & TICK_MASK, word)
                       for at, word in _visible(rows, bits, handle.joined)] if bits else []
            if handle.joined:
                handle.joined = {g: t for g, t in handle.joined.items() if t > until}
            flags = flag_words(timeouts & bits, handle.take_fired(events_before))
            data = handle.stream.batch(changes, flags, until, tick, level, self.keepalive_us)
            if data:
                deliveries.append((number, handle, data))
        return deliveries

    def _streams(self, monitored: int, since: int,
                 until: int) -> tuple[dict[int, list[Sample]], int]:
        """Per monitored gpio its changes as reported (filtered), and their levels at ``since``."""
        notifier, sampler = self.notifier, self.sampler
        first = since + sampler.period
        streams: dict[int, list[Sample]] = {}
        start = 0
        for gpio in bit_numbers(monitored):
            level = sampler.level(gpio, since)
            changes = sampler.changes(gpio, since, until)
            shown = (self._reported >> gpio) & 1 if self._monitored >> gpio & 1 else level
            glitch, noise = notifier.glitch[gpio], notifier.noise[gpio]
            if glitch.steady or noise.steady:
                seen = observations(first, level, changes)
                if glitch.steady:
                    seen = glitch.apply(seen, until)
                if noise.steady:
                    seen = noise.apply(seen, until)
                changes = changes_from(shown, seen)
            elif shown != level:
                changes = changes_from(shown, observations(first, level, changes))
            start |= shown << gpio
            if changes:
                streams[gpio] = changes
        return streams, start

    def _rows(self, streams: dict[int, list[Sample]], word: int, monitored: int,
              since: int, until: int) -> tuple[list[Row], int]:
        """The samples with a change, in order, and the monitored levels after the last."""
        if not streams:
            return [], word
        if len(streams) == 1:
            ((gpio, changes),) = streams.items()
            bit = 1 << gpio
            samples = [(at, bit) for at, _ in changes]
        else:
            merged: dict[int, int] = {}
            for gpio, changes in streams.items():
                bit = 1 << gpio
                for at, _ in changes:
                    merged[at] = merged.get(at, 0) | bit
            samples = sorted(merged.items())
        others = self._unmonitored(monitored, since, until)
        rows = []
        for at, mask in samples:
            word ^= mask
            rows.append((at, mask, word | others(at)))
        return rows, word

    def _unmonitored(self, monitored: int, since: int, until: int) -> Callable[[int], int]:
        """The levels of the unmonitored gpios 0-31 at a time in ``[since, until]``."""
        timeline = self.sampler.timeline
        steady = 0
        moving = []
        for gpio in range(_BANK_GPIOS):
            if not monitored >> gpio & 1:
                level = timeline.steady(gpio, since, until)
                if level is None:
                    moving.append(gpio)
                elif level:
                    steady |= 1 << gpio
        if not moving:
            return lambda t: steady

        def levels(t: int) -> int:
            word = steady
            for gpio in moving:
                if timeline.level(gpio, t):
                    word |= 1 << gpio
            return word
        return levels

    def _watchdogs(self, streams: dict[int, list[Sample]], until: int) -> int:
        """The gpios whose watchdog fires at ``until``; restart the others that changed."""
        watchdogs = self.notifier.watchdogs
        timeouts = 0
        for gpio, (timeout_ms, quiet_since) in watchdogs.items():
            changes = streams.get(gpio)
            if changes:
                quiet_since = changes[-1][0]
            if until - quiet_since >= timeout_ms * 1000:
                timeouts |= 1 << gpio
                quiet_since = until
            watchdogs[gpio] = (timeout_ms, quiet_since)
        return timeouts

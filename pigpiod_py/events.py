"""Events: edges, watchdog time-outs and pigpio events, from the C ring to
Python handlers.

The C reader thread of a session appends records to a lock-free ring and
wakes the consumers (an eventfd, and in ``main`` mode one pending call). The
records are delivered here, at a safe point, in order:

* to the callback's function, ``func(gpio, level, tick)`` (or ``func(gpio,
  level, tick, user)`` when a user value was given); event callbacks get
  ``func(event, tick[, user])``;
* for a callback without a function: its tally is counted and the record is
  queued for :meth:`~EventChannel.pull` and ``async for`` iteration.

Dispatch modes: ``main`` runs handlers in the main thread at the next bytecode
boundary (blocking helpers such as ``session.sleep`` dispatch while they
wait); ``thread`` runs them in one dispatcher thread per session; ``manual``
runs nothing until ``pull()`` / ``dispatch()``.

A handler that raises never stops dispatch: the other records of the batch
are still delivered. In ``main`` and ``manual`` mode the first exception is
then raised in the thread that dispatched (the main thread, or the caller of
``pull``/``dispatch``/``sleep``); in ``thread`` mode it is logged and kept in
``handler_errors``. ``KeyboardInterrupt`` and ``SystemExit`` propagate at once.
"""
from __future__ import annotations

import asyncio
import atexit
import collections
import itertools
import logging
import os
import select
import struct
import threading
import time
import weakref
from dataclasses import dataclass
from enum import IntEnum
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterator,
    Callable,
    Deque,
    Dict,
    List,
    NamedTuple,
    Optional,
    Tuple,
)

from ._pigpiod import ffi as _ffi
from ._pigpiod import lib as _lib
from .checks import wait_seconds
from .constants import Command, Edge, Level
from .errors import PigpioValueError, SessionClosedError, make_error

if TYPE_CHECKING:
    from .session import Session

log = logging.getLogger("pigpiod_py")

DISPATCH_MODES = ("main", "thread", "manual")
#: Ring capacity by default: over three seconds of a 20 kHz PWM pin.
DEFAULT_CAPACITY = 1 << 16
_TAKE = 4096
#: pgd_record_t: tick, kind, id, level, spare (see include/pgd_events.h).
_RECORD = struct.Struct("=IBBBx")
_EVENT = _lib.PGD_EVENT
_DISCONNECT = _lib.PGD_DISCONNECT
_EDGE_NAMES: Dict[int, str] = {Edge.RISING: "rising", Edge.FALLING: "falling", Edge.EITHER: "either"}


class EventKind(IntEnum):
    """What a record reports."""

    EDGE = _lib.PGD_EDGE
    WATCHDOG = _lib.PGD_WATCHDOG
    EVENT = _lib.PGD_EVENT
    DISCONNECT = _lib.PGD_DISCONNECT
    RECONNECT = _lib.PGD_RECONNECT


@dataclass(frozen=True)
class Event:
    """One delivered record.

    ``gpio`` is the gpio for edges and watchdog time-outs and the event
    number for pigpio events; ``level`` is 0/1, or 2 (``Level.TIMEOUT``) for a
    watchdog time-out; ``tick`` is the daemon's microsecond tick.
    """

    kind: EventKind
    gpio: int
    level: int
    tick: int
    user: Any = None
    callback: Optional["Callback"] = None


class EventStats(NamedTuple):
    """Counters of a session's event path since open (or ``reset``)."""

    queued: int       #: records waiting in the C ring now
    high_water: int   #: most records ever waiting in the ring at once
    dropped: int      #: records lost because the ring was full
    delivered: int    #: records taken from the ring and dispatched
    reports: int      #: 12-byte reports read from the daemon
    pull_queued: int  #: records waiting for pull() / async iteration
    pull_dropped: int  #: records lost because the pull queue was full


class Callback:
    """A subscription to edges of one gpio (or to one pigpio event).

    Without a function it counts (:meth:`tally`) and queues its records for
    ``pull()``. :meth:`cancel` is idempotent.
    """

    def __init__(self, channel: "EventChannel", kind: EventKind, number: int, edge: int,
                 func: Optional[Callable[..., Any]], user: Any) -> None:
        self._channel = channel
        self.kind = kind
        self.number = number
        self.edge = edge
        self.func = func
        self.user = user
        self._tally = 0
        self.active = True

    @property
    def gpio(self) -> int:
        """The gpio (or event number) this callback watches."""
        return self.number

    def tally(self) -> int:
        """How many records this callback received."""
        return self._tally

    def reset_tally(self) -> None:
        """Set the tally back to 0."""
        self._tally = 0

    def cancel(self) -> None:
        """Stop receiving records; idempotent."""
        if self.active:
            self.active = False
            self._channel._remove(self)

    def _accepts(self, level: int) -> bool:
        if level == Level.TIMEOUT or self.edge == Edge.EITHER:
            return True
        return (self.edge == Edge.RISING) == (level == 1)

    def _deliver(self, kind: int, level: int, tick: int) -> Optional[Event]:
        """Run the function (or return the record to queue)."""
        self._tally += 1
        func = self.func
        if func is None:
            return Event(EventKind(kind), self.number, level, tick, self.user, self)
        if kind == _EVENT:
            if self.user is None:
                func(self.number, tick)
            else:
                func(self.number, tick, self.user)
        elif self.user is None:
            func(self.number, level, tick)
        else:
            func(self.number, level, tick, self.user)
        return None

    def __repr__(self) -> str:
        what = "event %d" % self.number if self.kind == EventKind.EVENT else "gpio %d %s" % (
            self.number, _EDGE_NAMES.get(self.edge, self.edge))
        return "<Callback %s%s>" % (what, "" if self.active else " cancelled")


_tokens = itertools.count(1)
_channels: "weakref.WeakValueDictionary[int, EventChannel]" = weakref.WeakValueDictionary()


def _run_pending(token: int) -> None:
    """Called by the C pending call in the main thread (``main`` mode)."""
    channel = _channels.get(token)
    if channel is not None and channel.attached:
        _lib.pgd_events_rearm(channel._ev)
        channel.dispatch()


def _dispatch_loop(ref: "weakref.ReferenceType[EventChannel]") -> None:
    """The dispatcher thread of ``thread`` mode. It holds its channel only
    weakly while it waits, so a session dropped without ``close()`` can
    still be collected (and then closes itself)."""
    channel = ref()
    while channel is not None and not channel.closed:
        stop = channel._stop_r
        fds = [stop] + ([channel._fd] if channel._fd >= 0 else [])
        del channel
        ready, _, _ = select.select(fds, [], [])
        if stop in ready and b"x" in os.read(stop, 64):
            break
        channel = ref()
        if channel is not None:
            channel.dispatch()
    channel = ref()
    if channel is not None and channel.closed:  # closed from a handler: nobody joins us
        channel._close_stop_pipe()


@atexit.register
def _stop_pending_calls() -> None:
    _lib.pgd_events_shutdown()
    for channel in list(_channels.values()):
        channel.close()


class EventChannel:
    """The event path of one session: its notification socket, C ring,
    callbacks, pull queue and dispatcher."""

    def __init__(self, session: "Session", dispatch: str, capacity: int) -> None:
        if dispatch not in DISPATCH_MODES:
            raise ValueError("dispatch must be one of %s, not %r" % (DISPATCH_MODES, dispatch))
        if not isinstance(capacity, int) or not 16 <= capacity <= 1 << 26:
            raise ValueError("capacity must be an int from 16 to 2**26, got %r" % (capacity,))
        self._session = session
        self.mode = dispatch
        self._capacity = capacity
        self._ev = _ffi.NULL
        self._fd = -1
        self.handle = -1
        self._buffer = _ffi.new("pgd_record_t[]", _TAKE)
        self._lock = threading.RLock()       # one consumer at a time, in order
        self._changed = threading.Condition(self._lock)
        self._gpio_callbacks: Dict[int, List[Callback]] = collections.defaultdict(list)
        self._event_callbacks: Dict[int, List[Callback]] = collections.defaultdict(list)
        self._masks = (0, 0)                # (gpios notified, events notified)
        self._targets: Dict[Tuple[int, int, int], Tuple[Callback, ...]] = {}
        self._queue: Deque[Event] = collections.deque()
        self._pull_dropped = 0
        self._delivered = 0
        self.handler_errors: List[BaseException] = []
        self._async_waiters: List[Any] = []  # (loop, asyncio.Event) of events() iterators
        self.closed = False
        self._dispatching_in: Optional[int] = None  # thread now dispatching
        self._token = next(_tokens)
        self._thread: Optional[threading.Thread] = None
        self._stop_r, self._stop_w = -1, -1
        self._attach()
        _channels[self._token] = self
        if dispatch == "thread":
            self._stop_r, self._stop_w = os.pipe()
            self._thread = threading.Thread(target=_dispatch_loop, args=(weakref.ref(self),),
                                            name="pigpiod_py events", daemon=True)
            self._thread.start()

    # -- the C side ----------------------------------------------------------

    def _attach(self) -> None:
        """Open the notification socket, its ring and its reader thread."""
        session = self._session
        error = _ffi.new("int *")
        connection = session._connection
        ev = _lib.pgd_events_open(connection.host.encode(), str(connection.port).encode(),
                                  int((connection.timeout or 0) * 1000), self._capacity, error)
        if ev == _ffi.NULL:
            raise make_error(error[0])
        self._ev = ev
        self.handle = _lib.pgd_events_handle(ev)
        self._fd = _lib.pgd_events_fd(ev)
        if self.mode == "main":
            _lib.pgd_events_main_dispatch(ev, self._token)

    def _detach(self) -> None:
        """Stop the reader and free the ring (the Python side stays)."""
        if self._ev != _ffi.NULL:
            _lib.pgd_events_close(self._ev)
            self._ev = _ffi.NULL
            self._fd = -1
            self._masks = (0, 0)

    @property
    def attached(self) -> bool:
        """True while the notification socket is up."""
        return bool(self._ev != _ffi.NULL)

    def connection_lost(self) -> None:
        """The daemon went away: detach and queue a DISCONNECT record."""
        with self._lock:
            if not self.attached:
                return
            self._detach()
            self._enqueue(Event(EventKind.DISCONNECT, -1, 0, 0))
            self._wake_waiters()
        self._poke_dispatcher(b"r")

    def reconnected(self) -> None:
        """The session is back: reattach, restore what the daemon must
        report, and queue a RECONNECT record."""
        with self._lock:
            if self.closed or self.attached:
                return
            self._attach()
            self._update_masks()
            self._enqueue(Event(EventKind.RECONNECT, -1, 0, 0))
            self._wake_waiters()
        self._poke_dispatcher(b"r")

    def _poke_dispatcher(self, why: bytes) -> None:
        with self._lock:
            if self._stop_w >= 0:
                os.write(self._stop_w, why)

    # -- subscriptions -------------------------------------------------------

    def add_gpio(self, gpio: int, edge: int, func: Optional[Callable[..., Any]], user: Any) -> Callback:
        """Register a callback on ``edge`` of gpio 0-31 (see :meth:`Session.callback`)."""
        if not isinstance(gpio, int) or not 0 <= gpio <= 31:
            raise PigpioValueError(_lib.PI_BAD_USER_GPIO, "callback gpio must be 0-31, got %r" % (gpio,))
        if edge not in (Edge.RISING, Edge.FALLING, Edge.EITHER):
            raise PigpioValueError(_lib.PI_BAD_EDGE, "edge must be RISING, FALLING or EITHER, got %r" % (edge,))
        return self._add(Callback(self, EventKind.EDGE, gpio, Edge(edge), func, user))

    def add_event(self, event: int, func: Optional[Callable[..., Any]], user: Any) -> Callback:
        """Register a callback on event 0-31 (see :meth:`Session.event_callback`)."""
        if not isinstance(event, int) or not 0 <= event <= _lib.PI_MAX_EVENT:
            raise PigpioValueError(_lib.PI_BAD_EVENT_ID, "event must be 0-31, got %r" % (event,))
        return self._add(Callback(self, EventKind.EVENT, event, Edge.EITHER, func, user))

    def _add(self, cb: Callback) -> Callback:
        if cb.func is not None and not callable(cb.func):
            raise TypeError("func must be callable or None, got %r" % (cb.func,))
        with self._lock:
            table = self._event_callbacks if cb.kind == EventKind.EVENT else self._gpio_callbacks
            table[cb.number].append(cb)
            self._update_masks()
        return cb

    def _remove(self, cb: Callback) -> None:
        with self._lock:
            table = self._event_callbacks if cb.kind == EventKind.EVENT else self._gpio_callbacks
            if cb in table.get(cb.number, ()):
                table[cb.number].remove(cb)
                if not table[cb.number]:
                    del table[cb.number]
            if not self.closed:
                self._update_masks()

    def _update_targets(self) -> None:
        """Who receives each (kind, gpio or event, level) record."""
        targets: Dict[Tuple[int, int, int], Tuple[Callback, ...]] = {}
        for gpio, callbacks in self._gpio_callbacks.items():
            for level in (0, 1):
                accepting = tuple(cb for cb in callbacks if cb._accepts(level))
                if accepting:
                    targets[(EventKind.EDGE, gpio, level)] = accepting
            targets[(EventKind.WATCHDOG, gpio, Level.TIMEOUT)] = tuple(callbacks)
        for event, callbacks in self._event_callbacks.items():
            targets[(EventKind.EVENT, event, 0)] = tuple(callbacks)
        self._targets = targets

    def _update_masks(self) -> None:
        """Tell the reader what to keep, and the daemon what to report.
        The reader learns first when bits are added, last when removed."""
        self._update_targets()
        rising = falling = 0
        for gpio, callbacks in self._gpio_callbacks.items():
            for cb in callbacks:
                if cb.edge in (Edge.RISING, Edge.EITHER):
                    rising |= 1 << gpio
                if cb.edge in (Edge.FALLING, Edge.EITHER):
                    falling |= 1 << gpio
        gpios = 0
        for gpio in self._gpio_callbacks:
            gpios |= 1 << gpio
        events = 0
        for event in self._event_callbacks:
            events |= 1 << event
        if not self.attached:
            return  # restored by reconnected()
        _lib.pgd_events_select(self._ev, rising, falling, gpios, events)
        old_gpios, old_events = self._masks
        self._masks = (gpios, events)
        if gpios != old_gpios:
            self._session._call(_lib.pgd_notify_begin, self.handle, gpios)
        if events != old_events:
            self._session._connection.command(Command.EVM, self.handle, events)

    # -- delivery -------------------------------------------------------------

    def dispatch(self) -> int:
        """Deliver every waiting record now; returns how many were taken.

        Raises the first exception a handler raised (after delivering the
        rest) unless this channel dispatches in its own thread.
        """
        errors: List[BaseException] = []
        total = 0
        with self._lock:
            if self._reentered():
                return 0  # a handler, or a pending call, inside dispatch
            self._dispatching_in = threading.get_ident()
            try:
                total = self._dispatch_locked(errors)
            finally:
                self._dispatching_in = None
            if total:
                self._wake_waiters()
        if errors:
            self._report(errors)
        return total

    def _reentered(self) -> bool:
        return self._dispatching_in == threading.get_ident()

    def _dispatch_locked(self, errors: List[BaseException]) -> int:
        total = 0
        while self.attached:
            n = _lib.pgd_events_take(self._ev, self._buffer, _TAKE)
            if not n:
                break
            total += n
            records = _RECORD.iter_unpack(_ffi.buffer(self._buffer, n * _RECORD.size)[:])
            for tick, kind, number, level in records:
                targets = self._targets.get((kind, number, level))
                if targets is None:
                    if kind == _DISCONNECT:
                        connection = self._session._connection
                        connection.lost(connection.token)
                    continue
                for cb in targets:
                    if not cb.active:
                        continue
                    try:
                        event = cb._deliver(kind, level, tick)
                    except Exception as exc:  # noqa: BLE001 - kept and re-raised, see _report
                        errors.append(exc)
                        continue
                    if event is not None:
                        self._enqueue(event)
            self._delivered += n
        return total

    def _wake_waiters(self) -> None:
        self._changed.notify_all()
        for loop, ready in list(self._async_waiters):
            loop.call_soon_threadsafe(ready.set)

    def _enqueue(self, event: Event) -> None:
        if len(self._queue) >= self._capacity:
            self._pull_dropped += 1
        else:
            self._queue.append(event)

    def _report(self, errors: List[BaseException]) -> None:
        if self.mode == "thread":
            for exc in errors:
                log.error("event handler raised", exc_info=exc)
            self.handler_errors.extend(errors)
            return
        first = errors[0]
        if len(errors) > 1 and hasattr(first, "add_note"):
            first.add_note("%d more event handler(s) raised in the same batch" % (len(errors) - 1))
        raise first

    def _close_stop_pipe(self) -> None:
        with self._lock:
            if self._stop_r >= 0:
                os.close(self._stop_r)
                os.close(self._stop_w)
                self._stop_r = self._stop_w = -1

    # -- waiting --------------------------------------------------------------

    def wait(self, timeout: Optional[float], until: Callable[[], bool]) -> bool:
        """Dispatch while waiting until ``until()`` is true or ``timeout``
        seconds passed (None: no limit); returns ``until()``.

        In ``main`` mode only the main thread dispatches, and while it waits
        here it takes the records itself, so pending calls are switched off
        meanwhile (they would only make the GIL change hands)."""
        timeout = wait_seconds(timeout)
        on_main = self.mode == "main" and threading.current_thread() is threading.main_thread()
        if on_main and self.attached:
            _lib.pgd_events_main_dispatch(self._ev, 0)
        try:
            return self._wait(timeout, until, dispatching=self._may_dispatch())
        finally:
            if on_main and self.attached:
                _lib.pgd_events_main_dispatch(self._ev, self._token)
                self.dispatch()  # what arrived while pending calls were off

    def _may_dispatch(self) -> bool:
        """Whether the calling thread delivers records itself."""
        if self.mode == "main":
            return threading.current_thread() is threading.main_thread()
        return self.mode == "manual"

    def _wait(self, timeout: Optional[float], until: Callable[[], bool], dispatching: bool) -> bool:
        deadline = None if timeout is None else time.monotonic() + max(timeout, 0.0)
        while True:
            if until():
                return True
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return until()
            if self._reentered():  # a handler waiting: records wait for it
                time.sleep(remaining if remaining is not None else 0.05)
            elif not dispatching:  # another thread delivers and notifies
                with self._changed:
                    if not until():
                        self._changed.wait(remaining)
            elif self._fd < 0:  # reconnecting: look again now and then
                time.sleep(min(remaining, 0.05) if remaining is not None else 0.05)
            else:
                select.select([self._fd], [], [], remaining)
                self.dispatch()

    def pull(self, timeout: Optional[float] = 0) -> Optional[Event]:
        """The next record of the callbacks without a function, waiting up to
        ``timeout`` seconds (``<= 0``: return at once; None: no limit). After
        close the records still queued are returned, then SessionClosedError."""
        timeout = wait_seconds(timeout)
        if self.closed:
            if self._queue:
                return self._queue.popleft()
            raise SessionClosedError(_lib.pigif_unconnected_pi, "the session is closed")
        if timeout is not None and timeout <= 0:
            if not self._queue and self._may_dispatch():
                self.dispatch()
        else:
            self.wait(timeout, lambda: bool(self._queue) or self.closed)
        return self._queue.popleft() if self._queue else None

    async def events(self) -> AsyncIterator[Event]:
        """Records of the callbacks without a function, as they arrive; ends
        after the session closed and its queue is empty."""
        loop = asyncio.get_running_loop()
        ready = asyncio.Event()
        waiter = (loop, ready)
        watched = -1
        self._async_waiters.append(waiter)
        try:
            while True:
                if self.mode != "thread" and watched != self._fd:
                    if watched >= 0:
                        loop.remove_reader(watched)
                    watched = self._fd
                    if watched >= 0:
                        loop.add_reader(watched, ready.set)
                ready.clear()
                if self._may_dispatch() and not self.closed:
                    self.dispatch()
                while self._queue:
                    yield self._queue.popleft()
                if self.closed:
                    return
                await ready.wait()
        finally:
            self._async_waiters.remove(waiter)
            if watched >= 0:
                loop.remove_reader(watched)

    # -- information and lifetime ------------------------------------------------

    def fileno(self) -> int:
        """The eventfd, readable while records wait in the ring."""
        return self._fd

    def stats(self) -> EventStats:
        """Counters of the event path (queued, high water, dropped, delivered, ...)."""
        s = _ffi.new("pgd_stats_t *")
        if self.attached:
            _lib.pgd_events_stats(self._ev, s)
        return EventStats(s.queued, s.high_water, s.dropped, self._delivered, s.reports,
                          len(self._queue), self._pull_dropped)

    def reset_stats(self) -> None:
        """Zero the counters :meth:`stats` reports."""
        with self._lock:
            if self.attached:
                _lib.pgd_events_reset_stats(self._ev)
            self._delivered = 0
            self._pull_dropped = 0

    def close(self) -> None:
        """Stop the reader and dispatcher threads and free the ring; records
        already queued stay readable through pull()."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            _channels.pop(self._token, None)
            for table in (self._gpio_callbacks, self._event_callbacks):
                for callbacks in table.values():
                    for cb in callbacks:
                        cb.active = False
                table.clear()
            self._detach()
            self._wake_waiters()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._poke_dispatcher(b"x")
            self._thread.join()
            self._close_stop_pipe()

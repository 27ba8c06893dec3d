"""EventChannel: one session's event path, from the C rings to handlers,
``pull()``, waits and asyncio.

Records of callbacks with a function are delivered at a safe point chosen by
the dispatch mode (:mod:`.dispatch`), in order; one dispatch takes at most
what was waiting when it started, so a flood is dropped and counted at the
ring instead of starving the program. Records of callbacks without a
function wait in their own C ring for :meth:`EventChannel.pull` and
``async for``.

Every wait returns within a moment of a close or a lost connection, and
asyncio keeps working across reconnects: the file descriptors belong to the
channel, not to a connection.
"""
from __future__ import annotations

import array
import asyncio
import collections
import threading
import time
import weakref
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterator,
    Callable,
    Deque,
    List,
    Optional,
    Tuple,
)

from .._pigpiod import ffi as _ffi
from .._pigpiod import lib as _lib
from ..checks import user_gpio, wait_seconds
from ..constants import Command, Edge
from ..errors import PigpioTypeError, PigpioValueError, SessionClosedError
from .dispatch import DISPATCHERS, Dispatcher, ThreadDispatcher, safe_point
from .records import (
    KEY,
    RECORD,
    RECORD_WORDS,
    TICK,
    Event,
    EventKind,
    EventStats,
    percentile_bounds,
)
from .ring import LATENCY_LOWER, Ring, new_buffer
from .subscriptions import NO_USER, Callback, Routes, Subscriptions, tally_counts

if TYPE_CHECKING:
    from ..connection import Connection

#: The longest gather of a busy stream before a read, by default (s); see
#: pgd_events_gather: it starts at 1 ms and doubles while the stream stays busy.
DEFAULT_GATHER = 0.016
#: Records taken from a ring per C call.
TAKE = 4096
#: After a take that left records, the dispatch signal comes again this
#: soon (µs), or after the pause the dispatch's own length asks for.
_AGAIN_US = 1
#: Longest single poll of a waiter: a wake-up taken by another kind of
#: waiter (asyncio) costs at most this.
_POLL_SLICE = 0.05
_DISCONNECT = int(EventKind.DISCONNECT)
_PUMP_NEWS = int(_lib.PGD_PUMP_NEWS)

#: Every open channel (module-level waits service the manual-mode ones).
channels: "weakref.WeakSet[EventChannel]" = weakref.WeakSet()


class EventChannel:
    """The event path of one session (see the module docstring)."""

    def __init__(self, connection: "Connection", mode: str, capacity: int,
                 gather: float = DEFAULT_GATHER) -> None:
        self.mode = mode
        self._connection = connection
        self.ring = Ring(capacity)
        self.ring.gather(gather)
        self._capacity = capacity
        self._subscriptions = Subscriptions()
        self._lock = threading.RLock()          # one dispatch at a time, in order
        self._buffer, self._view = new_buffer(TAKE)
        self._words = self._view.cast("I")
        self._ticks = _ffi.new("uint32_t[]", TAKE)
        self._levels = _ffi.new("uint8_t[]", TAKE)
        self._pulled: Deque[Event] = collections.deque()  # expanded, for pull()
        self._pull_dropped = 0
        self._changed = threading.Condition()   # waiters look again
        self._poll_lock = threading.Lock()      # one waiter polls the fd at a time
        self._dispatching_in: Optional[int] = None
        self._sleepers = 0                      # waiters asleep while another polls
        self._notified = (0, 0)                 # (gpios, events) the daemon reports
        self.handle = -1
        self.closed = False
        self._dispatcher: Dispatcher = DISPATCHERS[mode](self)
        try:
            self._attach()
            self._dispatcher.start()
        except BaseException:
            self.ring.close()
            raise
        channels.add(self)

    # -- the connection ------------------------------------------------------

    def _attach(self) -> None:
        connection = self._connection
        self.handle = self.ring.connect(connection.host, connection.port,
                                        connection.timeout_ms)
        self._notified = (0, 0)
        self._apply(self._subscriptions.routes)

    @property
    def attached(self) -> bool:
        """True while the notification socket is up."""
        return self.ring.connected

    def connection_lost(self) -> None:
        """The daemon went away: stop the reader; pull() gets what was
        queued, then a DISCONNECT record."""
        with self._lock:
            if self.closed or not self.attached:
                return
            self.ring.disconnect()
            self._drain_queued()
            self._enqueue(Event(EventKind.DISCONNECT, -1, 0, 0))
        self.ring.kick()
        self._wake_waiters()

    def reconnected(self) -> None:
        """The session is back: reattach, restore what the daemon reports,
        and queue a RECONNECT record."""
        with self._lock:
            if self.closed or self.attached:
                return
            self._attach()
            self._enqueue(Event(EventKind.RECONNECT, -1, 0, 0))
        self.ring.kick()
        self._wake_waiters()

    # -- subscriptions -------------------------------------------------------

    def add_gpio(self, gpio: int, edge: int, func: Optional[Callable[..., Any]], user: Any,
                 batch: bool = False, queue: bool = True) -> Callback:
        """Register a callback on ``edge`` of gpio 0-31 (see :meth:`Session.callback`)."""
        user_gpio(gpio)
        if edge not in (Edge.RISING, Edge.FALLING, Edge.EITHER) or isinstance(edge, bool):
            raise PigpioValueError(_lib.PI_BAD_EDGE,
                                   "edge must be RISING, FALLING or EITHER, got %r" % (edge,))
        return self._add(Callback(self, EventKind.EDGE, gpio, Edge(edge), func, user, batch,
                                  queue))

    def add_event(self, event: int, func: Optional[Callable[..., Any]], user: Any,
                  queue: bool = True) -> Callback:
        """Register a callback on event 0-31 (see :meth:`Session.event_callback`)."""
        if isinstance(event, bool) or not isinstance(event, int) or \
                not 0 <= event <= _lib.PI_MAX_EVENT:
            raise PigpioValueError(_lib.PI_BAD_EVENT_ID, "event must be 0-31, got %r" % (event,))
        return self._add(Callback(self, EventKind.EVENT, event, Edge.EITHER, func, user, False,
                                  queue))

    def _add(self, cb: Callback) -> Callback:
        if cb.func is not None and not callable(cb.func):
            raise PigpioTypeError(_lib.PI_BAD_PARAM, "func must be callable or None, got %r"
                                  % (cb.func,))
        if cb.batch and cb.func is None:
            raise PigpioValueError(_lib.PI_BAD_PARAM, "batch delivery needs a function")
        with self._lock:
            if self.closed:
                raise SessionClosedError(_lib.PGD_ERR_CLOSED, "the session is closed")
            self._apply(self._subscriptions.add(cb))
        return cb

    def remove(self, cb: Callback) -> None:
        """Forget a callback (its ``cancel()``)."""
        with self._lock:
            routes = self._subscriptions.remove(cb)
            if not self.closed:
                self._apply(routes)

    def wait_for(self, kind: EventKind, number: int, edge: int,
                  timeout: Optional[float]) -> bool:
        """Wait up to ``timeout`` seconds for one more arrival of a gpio edge
        (watchdog time-outs included, as for callbacks) or an event; counted
        in C, no record is made."""
        limit = wait_seconds(timeout)
        counts = tally_counts(kind, number, edge)
        before = self.count(counts)
        with self._lock:
            if self.closed:
                raise SessionClosedError(_lib.PGD_ERR_CLOSED, "the session is closed")
            self._apply(self._subscriptions.watch(counts, 1))
        try:
            return self.wait(limit, lambda: self.count(counts) > before)
        finally:
            with self._lock:
                if not self.closed:
                    self._apply(self._subscriptions.watch(counts, -1))

    def count(self, counts: List[Tuple[int, int]]) -> int:
        """The sum of these C counts (what, gpio or event)."""
        return sum(self.ring.count(what, number) for what, number in counts)

    def _apply(self, routes: Routes) -> None:
        """Tell the reader where records go, and the daemon what to report."""
        self.ring.route(routes.dispatch, routes.queue, routes.watch,
                        self._dispatcher.waiters_dispatch)
        if not self.attached:
            return  # restored by reconnected()
        gpios, events = routes.notify_gpios, routes.notify_events
        old_gpios, old_events = self._notified
        self._notified = (gpios, events)
        if gpios != old_gpios:
            self._connection.call(_lib.pgd_notify_begin, self.handle, gpios)
        if events != old_events:
            self._connection.command(Command.EVM, self.handle, events)

    # -- dispatch --------------------------------------------------------------

    def dispatch(self) -> int:
        """Deliver the records that wait now; returns how many. Raises what
        a handler raised, after the rest was delivered (unless this channel
        dispatches in its own thread, which logs it)."""
        errors: List[BaseException] = []
        total = 0
        limit = self.ring.waiting()
        while True:
            taken, more = self._dispatch(errors)
            total += taken
            if not more or total >= limit:
                break
        if errors:
            self._dispatcher.report(errors)
        return total

    def dispatch_once(self) -> None:
        """One take, its handlers' errors reported as :meth:`dispatch` does
        (the dispatcher thread's step: more records keep its fd readable)."""
        errors: List[BaseException] = []
        self._dispatch(errors)
        if errors:
            self._dispatcher.report(errors)

    def dispatch_main(self, errors: List[BaseException]) -> int:
        """The dispatch signal's step for this channel: read a busy stream's
        socket (:meth:`Ring.pump_now`), then one dispatch of at most one take
        (what waited when it started, up to TAKE records); errors are
        appended. In how many µs the signal should come again (0: when
        records arrive)."""
        again = self.ring.pump_now()
        return max(again, _AGAIN_US) if self._dispatch(errors)[1] else again

    def _dispatch(self, errors: List[BaseException]) -> Tuple[int, bool]:
        me = threading.get_ident()
        with self._lock:
            if self.closed or self._dispatching_in == me:
                return 0, False  # a handler, or a signal, inside a dispatch
            self._dispatching_in = me
            try:
                n = self.ring.take(self._buffer, TAKE)
                ended = bool(n) and self._deliver(n, errors)
            finally:
                self._dispatching_in = None
        if ended:  # not under the lock: the loss closes the session, which joins threads
            self._connection.lost(self._connection.token)
        if n and self._sleepers:
            self._wake_waiters()
        return n, n == TAKE

    def _deliver(self, n: int, errors: List[BaseException]) -> bool:
        """Run the handlers of ``n`` records in the buffer; whether the
        stream's end (a DISCONNECT record) was among them."""
        ended = False
        routes = self._subscriptions.routes
        if routes.batches:
            self._deliver_batches(routes, n, errors)
            n = _lib.pgd_records_keep(self._buffer, n, routes.single_gpios,
                                      routes.single_events)
            if not n:
                return False
        get = routes.single.get
        end = n * RECORD_WORDS
        words = self._words
        for key, tick in zip(words[KEY:end:RECORD_WORDS], words[TICK:end:RECORD_WORDS]):
            call = get(key)
            if call is None:
                ended |= key & 0xFF == _DISCONNECT
            elif call.__class__ is not tuple:
                try:
                    call(tick)  # type: ignore[operator]  # `is not tuple` does not narrow
                except Exception as exc:  # noqa: BLE001 - reported, see dispatch()
                    errors.append(exc)
            else:
                for cb, one in call:
                    if cb.active:
                        try:
                            one(tick)
                        except Exception as exc:  # noqa: BLE001 - reported, see dispatch()
                            errors.append(exc)
        return ended

    def _deliver_batches(self, routes: Routes, n: int, errors: List[BaseException]) -> None:
        for gpio, targets in routes.batches.items():
            for cb, func, user, levels_mask in targets:
                count = _lib.pgd_records_select(self._buffer, n, gpio, levels_mask,
                                                self._ticks, self._levels)
                if not count or not cb.active:
                    continue
                ticks = array.array("I")
                ticks.frombytes(_ffi.buffer(self._ticks, 4 * count))
                levels = bytes(_ffi.buffer(self._levels, count))
                try:
                    if user is NO_USER:
                        func(gpio, ticks, levels)
                    else:
                        func(gpio, ticks, levels, user)
                except Exception as exc:  # noqa: BLE001 - reported, see dispatch()
                    errors.append(exc)

    # -- pull --------------------------------------------------------------------

    def _enqueue(self, event: Event) -> None:
        if len(self._pulled) >= self._capacity:
            self._pull_dropped += 1
        else:
            self._pulled.append(event)

    def _drain_queued(self) -> None:
        """Move the records the C queue ring holds into the pull queue, as
        events of the callbacks that queue them."""
        while True:
            n = self.ring.take_queued(self._buffer, TAKE)
            if not n:
                return
            pulled = self._subscriptions.routes.pulled
            for tick, key, _ in RECORD.iter_unpack(self._view[:n * RECORD.size]):
                kind, number, level = key & 0xFF, key >> 8 & 0xFF, key >> 16
                for cb in pulled.get(key, ()):
                    self._enqueue(Event(EventKind(kind), number, level, tick, cb.user, cb))

    def _next(self) -> Optional[Event]:
        with self._lock:
            if not self._pulled:
                self._drain_queued()
            return self._pulled.popleft() if self._pulled else None

    def _ready(self) -> bool:
        return bool(self._pulled) or self.ring.queued() > 0

    def pull(self, timeout: Optional[float] = 0) -> Optional[Event]:
        """The next record of the callbacks without a function, waiting up to
        ``timeout`` seconds (``<= 0``: return at once; None or inf: no
        limit); None on time-out. After close the records still queued are
        returned, then SessionClosedError."""
        limit = wait_seconds(timeout)
        if self.closed:
            event = self._next()
            if event is None:
                raise SessionClosedError(_lib.PGD_ERR_CLOSED, "the session is closed")
            return event
        self.wait(limit, lambda: self._ready() or self.closed)
        return self._next()

    async def events(self) -> AsyncIterator[Event]:
        """Records of the callbacks without a function, as they arrive; ends
        after the session closed and its queue is empty."""
        loop = asyncio.get_running_loop()
        ready = asyncio.Event()
        with self.ring.waiting_for_pull() as live:
            if live:
                loop.add_reader(self.ring.pull_fd, ready.set)
            try:
                while True:
                    ready.clear()
                    self.ring.clear_pull_fd()
                    if self._dispatcher.waiters_dispatch and not self.closed:
                        self.dispatch()
                    event = self._next()
                    while event is not None:
                        yield event
                        event = self._next()
                    if self.closed or not live:
                        return
                    await ready.wait()
            finally:
                if live:
                    loop.remove_reader(self.ring.pull_fd)

    # -- waiting -------------------------------------------------------------------

    def wait(self, timeout: Optional[float], until: Callable[[], bool]) -> bool:
        """Wait until ``until()`` is true or ``timeout`` seconds passed (None:
        no limit); returns ``until()``. Dispatches meanwhile where this mode
        lets the waiting thread do it; returns at once when the channel
        closes or its connection is lost."""
        limit = wait_seconds(timeout)
        deadline = None if limit is None else time.monotonic() + limit
        with self.ring.waiting_for_pull() as live:
            while True:
                if self._dispatcher.waiters_dispatch:
                    self.dispatch()
                if until() or self.closed or not live:
                    return until()
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return until()
                if self._poll_lock.acquire(blocking=False):
                    try:
                        self._poll(remaining)
                    finally:
                        self._poll_lock.release()
                        if self._sleepers:
                            self._wake_waiters()  # one of them polls next
                else:
                    self._sleep(remaining, until)

    def _sleep(self, remaining: Optional[float], until: Callable[[], bool]) -> None:
        """Wait to be woken while another thread polls: by a dispatch, or
        when that thread stops polling. At most one poll slice, so a waiter
        that began to sleep just after the poller left polls soon itself."""
        with self._changed, safe_point():
            if until() or self.closed:
                return
            self._sleepers += 1
            try:
                self._changed.wait(_POLL_SLICE if remaining is None
                                   else min(remaining, _POLL_SLICE))
            finally:
                self._sleepers -= 1

    def _poll(self, remaining: Optional[float]) -> None:
        """Wait for the pull fd (one waiter at a time, reading the socket
        meanwhile: see :meth:`Ring.pump`), then clear it."""
        step = _POLL_SLICE if remaining is None else min(remaining, _POLL_SLICE)
        with safe_point():
            pumped = self.ring.pump(self.ring.pull_fd, timeout=step)
        if pumped != _PUMP_NEWS:  # with news, this call read them: the fd was not told
            self.ring.clear_pull_fd()

    def _wake_waiters(self) -> None:
        with self._changed:
            self._changed.notify_all()

    # -- information and lifetime ------------------------------------------------

    def fileno(self) -> int:
        """A descriptor readable while records for pull() wait (and, in
        manual mode, records for handlers); it stays the same for the life
        of the session, reconnects included."""
        return self.ring.pull_fd

    @property
    def handler_errors(self) -> List[BaseException]:
        """Exceptions handlers raised in ``thread`` dispatch mode."""
        dispatcher = self._dispatcher
        return dispatcher.errors if isinstance(dispatcher, ThreadDispatcher) else []

    def stats(self) -> EventStats:
        """Counters of the event path (queued, high water, dropped, delivered, ...)."""
        queued, high, dropped, _, consumed, reports = self.ring.stats(queue=False)
        pull_queued, pull_high, pull_dropped, _, pulled, _ = self.ring.stats(queue=True)
        p50, p99 = percentile_bounds(self.ring.latency(), LATENCY_LOWER, (0.5, 0.99))
        return EventStats(queued, max(high, pull_high), dropped, consumed + pulled, reports,
                          pull_queued + len(self._pulled), pull_dropped + self._pull_dropped,
                          p50, p99)

    def reset_stats(self) -> None:
        """Zero the counters :meth:`stats` reports."""
        with self._lock:
            self.ring.reset_stats()
            self._pull_dropped = 0

    def close(self) -> None:
        """Stop the reader and dispatcher; records already queued for pull()
        stay readable. Every waiter returns."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            self._drain_queued()
            self._subscriptions.clear()
        self._dispatcher.stop()
        self.ring.close()
        self._wake_waiters()


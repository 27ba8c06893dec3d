"""Subscriptions: callbacks, and what they ask of the reader and the daemon.

A callback with a function gets its records one by one (``func(gpio, level,
tick[, user])``) or, with ``batch=True``, all of one dispatch's at once
(``func(gpio, ticks, levels[, user])``: an ``array('I')`` of ticks and a
``bytes`` of levels). A callback without a function costs no Python per
record: the C reader counts for its tally, and with ``queue=True`` (the
default) keeps its records for ``pull()`` in their own ring.
"""
from __future__ import annotations

import functools
import threading
import weakref
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple, Union

from .._pigpiod import lib as _lib
from ..constants import Edge, Level
from .records import EventKind, record_key

if TYPE_CHECKING:
    from .channel import EventChannel

_EDGE_NAMES: Dict[int, str] = {Edge.RISING: "rising", Edge.FALLING: "falling", Edge.EITHER: "either"}
RISING, FALLING, TIMEOUTS, EVENTS = (_lib.PGD_RISING, _lib.PGD_FALLING, _lib.PGD_TIMEOUTS,
                                     _lib.PGD_EVENTS)
#: Levels each edge setting accepts (time-outs always).
_LEVELS = {Edge.RISING: (1, 2), Edge.FALLING: (0, 2), Edge.EITHER: (0, 1, 2)}
NO_USER = object()
#: A per-record function as the dispatch calls it: with the record's tick.
Call = Callable[[int], Any]


class Callback:
    """A subscription to edges of one gpio (or to one pigpio event).

    Without a function it counts (:meth:`tally`) and, unless made with
    ``queue=False``, queues its records for ``pull()``. :meth:`cancel` is
    idempotent.
    """

    def __init__(self, channel: "EventChannel", kind: EventKind, number: int, edge: int,
                 func: Optional[Callable[..., Any]], user: Any, batch: bool,
                 queue: bool) -> None:
        self._channel = channel
        self.kind = kind
        self.number = number
        self.edge = edge
        self.func = func
        self.user = user
        self.batch = batch
        self.queue = queue and func is None
        self.active = True
        self._base = 0
        self._base = self._count()

    @property
    def gpio(self) -> int:
        """The gpio (or event number) this callback watches."""
        return self.number

    def _counts(self) -> List[Tuple[int, int]]:
        return tally_counts(self.kind, self.number, self.edge)

    def _count(self) -> int:
        return self._channel.count(self._counts()) - self._base

    def tally(self) -> int:
        """How many of its records the daemon reported since the callback
        was made (or :meth:`reset_tally`), delivered or not."""
        return self._count()

    def reset_tally(self) -> None:
        """Set the tally back to 0."""
        self._base += self._count()

    def cancel(self) -> None:
        """Stop receiving records; idempotent."""
        if self.active:
            self.active = False
            self._channel.remove(self)

    def __repr__(self) -> str:
        what = "event %d" % self.number if self.kind == EventKind.EVENT else "gpio %d %s" % (
            self.number, _EDGE_NAMES.get(self.edge, self.edge))
        return "<Callback %s%s>" % (what, "" if self.active else " cancelled")


def tally_counts(kind: EventKind, number: int, edge: int) -> List[Tuple[int, int]]:
    """The C counts (what, gpio or event) that add up to the arrivals a
    callback on ``edge`` of gpio ``number`` (or on event ``number``) gets:
    its edges and the gpio's watchdog time-outs."""
    if kind == EventKind.EVENT:
        return [(EVENTS, number)]
    whats = {Edge.RISING: (RISING,), Edge.FALLING: (FALLING,),
             Edge.EITHER: (RISING, FALLING)}[Edge(edge)]
    return [(what, number) for what in whats + (TIMEOUTS,)]


class Routes:
    """Everything derived from the live subscriptions, rebuilt at each change.

    ``single``: record key -> how its per-record functions are called,
    ``call(tick)`` passing the function the record's gpio (or event), level
    and the user value as it wants them: the ``call`` of the one callback
    that takes the key, or ((callback, call), ...) when several do (then
    each callback's ``active`` is looked at). The common case costs one
    dict lookup per record: :meth:`forget` takes a cancelled callback out
    of these routes in place, so a dispatch already under way stops calling
    it. ``batches``: gpio -> ((callback, func, user, levels mask),
    ...). ``pulled``: record key -> callbacks that queue. The masks tell the
    reader where records go, and the daemon which gpios and events to report.
    """

    def __init__(self, callbacks: List[Callback], watched: Dict[Tuple[int, int], int]) -> None:
        #: key -> call(tick), or ((callback, call(tick)), ...)
        self.single: Dict[int, Union[Call, Tuple[Tuple[Callback, Call], ...]]] = {}
        self.batches: Dict[int, Tuple[Tuple[Callback, Callable[..., Any], Any, int], ...]] = {}
        self.pulled: Dict[int, Tuple[Callback, ...]] = {}
        dispatch, queue, watch, counted = [0] * 4, [0] * 4, [0] * 4, [0] * 4
        single: Dict[int, List[Tuple[Callback, Call]]] = {}
        batches: Dict[int, List[Tuple[Callback, Callable[..., Any], Any, int]]] = {}
        pulled: Dict[int, List[Callback]] = {}
        for cb in callbacks:
            masks = dispatch if cb.func is not None else queue if cb.queue else None
            for what, number in cb._counts():
                counted[what] |= 1 << number
                if masks is not None:
                    masks[what] |= 1 << number
            user = NO_USER if cb.user is None else cb.user
            for key in _keys(cb):
                if cb.func is None:
                    if cb.queue:
                        pulled.setdefault(key, []).append(cb)
                elif not cb.batch:
                    single.setdefault(key, []).append((cb, _caller(cb.func, key, user)))
            if cb.func is not None and cb.batch:
                levels = sum(1 << level for level in _LEVELS[Edge(cb.edge)])
                batches.setdefault(cb.number, []).append((cb, cb.func, user, levels))
        for (what, number), users in watched.items():
            if users:
                watch[what] |= 1 << number
        self._single_calls = single
        for key, calls in single.items():
            self._place(key, calls)
        self.batches = {k: tuple(v) for k, v in batches.items()}
        self.pulled = {k: tuple(v) for k, v in pulled.items()}
        self.dispatch, self.queue, self.watch = dispatch, queue, watch
        #: Gpios and events whose records some per-record function takes.
        self.single_gpios = self.single_events = 0
        for key in self.single:
            bit = 1 << (key >> 8 & 0xFF)
            if key & 0xFF == EventKind.EVENT:
                self.single_events |= bit
            else:
                self.single_gpios |= bit
        every = [c | w for c, w in zip(counted, watch)]
        self.notify_gpios = every[RISING] | every[FALLING] | every[TIMEOUTS]
        self.notify_events = every[EVENTS]

    def _place(self, key: int, calls: List[Tuple[Callback, Call]]) -> None:
        if len(calls) == 1:
            self.single[key] = calls[0][1]
        elif calls:
            self.single[key] = tuple(calls)
        else:
            self.single.pop(key, None)

    def forget(self, cb: Callback) -> None:
        """Stop routing records to ``cb`` (in place: see ``single``)."""
        for key, calls in self._single_calls.items():
            if any(other is cb for other, _ in calls):
                calls[:] = [(other, call) for other, call in calls if other is not cb]
                self._place(key, calls)


def _caller(func: Callable[..., Any], key: int, user: Any) -> Call:
    """``func`` as a function of a record's tick, for records of ``key``:
    ``func(gpio, level, tick[, user])`` or, for an event, ``func(event,
    tick[, user])``. Without a user value, a partial: no Python frame of
    ours per record."""
    number, level = key >> 8 & 0xFF, key >> 16
    if key & 0xFF == EventKind.EVENT:
        if user is NO_USER:
            return functools.partial(func, number)
        return lambda tick: func(number, tick, user)
    if user is NO_USER:
        return functools.partial(func, number, level)
    return lambda tick: func(number, level, tick, user)


def _keys(cb: Callback) -> List[int]:
    """The record keys a callback receives."""
    if cb.kind == EventKind.EVENT:
        return [record_key(EventKind.EVENT, cb.number, 0)]
    return [record_key(EventKind.WATCHDOG if level == Level.TIMEOUT else EventKind.EDGE,
                       cb.number, level) for level in _LEVELS[Edge(cb.edge)]]


class Subscriptions:
    """The callbacks and waiters of one channel, and their :class:`Routes`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._callbacks: List[Callback] = []
        self._watched: Dict[Tuple[int, int], int] = {}
        #: Every Routes a dispatch may still be using (the newest is ``routes``).
        self._in_use: "weakref.WeakSet[Routes]" = weakref.WeakSet()
        self.routes = self._rebuild()

    def add(self, cb: Callback) -> Routes:
        """Register a callback; the new routes."""
        with self._lock:
            self._callbacks.append(cb)
            return self._rebuild()

    def remove(self, cb: Callback) -> Routes:
        """Forget a callback, in the routes a dispatch may be using too; the new routes."""
        with self._lock:
            if cb in self._callbacks:
                self._callbacks.remove(cb)
            for routes in list(self._in_use):
                routes.forget(cb)
            return self._rebuild()

    def watch(self, counts: List[Tuple[int, int]], users: int) -> Routes:
        """Add ``users`` (1 or -1) waiters on these counts; the new routes."""
        with self._lock:
            for key in counts:
                self._watched[key] = self._watched.get(key, 0) + users
            return self._rebuild()

    def clear(self) -> None:
        """Deactivate every callback (the channel closes)."""
        with self._lock:
            for cb in self._callbacks:
                cb.active = False
            self._callbacks.clear()
            self._watched.clear()
            for routes in list(self._in_use):
                routes.single.clear()
            self._rebuild()

    def _rebuild(self) -> Routes:
        self.routes = Routes(self._callbacks, self._watched)
        self._in_use.add(self.routes)
        return self.routes

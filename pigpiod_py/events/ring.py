"""Ring: the C side of a session's event path (``include/pgd_events.h``).

It owns the C object and frees it exactly once, when it is closed and no
thread uses it any more: a thread that waits on its file descriptors holds a
use (:meth:`Ring.using`), and every other call runs under the ring's lock and
does nothing once it is closed. So a close or a lost connection racing
statistics, dispatch or waits never touches freed memory or a reused fd.
"""
from __future__ import annotations

import contextlib
import math
import threading
from typing import Any, Iterator, List, Optional, Sequence, Tuple

from .._pigpiod import ffi as _ffi
from .._pigpiod import lib as _lib
from ..errors import SessionClosedError, make_error

#: Masks routes are made of: rising, falling, watchdog time-outs, events.
Masks = Sequence[int]
NO_MASKS = (0, 0, 0, 0)


class Ring:
    """The C rings, counts and reader of one session's event path."""

    def __init__(self, capacity: int) -> None:
        error = _ffi.new("int *")
        ev = _lib.pgd_events_new(capacity, error)
        if ev == _ffi.NULL:
            raise make_error(error[0])
        self._ev: Any = ev
        self._lock = threading.Lock()
        self._users = 0
        self.closed = False
        self.dispatch_fd: int = _lib.pgd_events_dispatch_fd(ev)
        self.pull_fd: int = _lib.pgd_events_pull_fd(ev)
        self.connected = False

    # -- lifetime ------------------------------------------------------------

    @contextlib.contextmanager
    def waiting_for_pull(self) -> Iterator[bool]:
        """:meth:`using`, and the reader delivers at once meanwhile."""
        with self.using() as live:
            if live:
                _lib.pgd_events_waiters(self._ev, 1)
            try:
                yield live
            finally:
                if live:
                    _lib.pgd_events_waiters(self._ev, -1)

    @contextlib.contextmanager
    def using(self) -> Iterator[bool]:
        """Keep the C object and its fds alive meanwhile; yields False when
        it is closed already (then there is nothing to wait on)."""
        with self._lock:
            if self.closed:
                live = False
            else:
                live = True
                self._users += 1
        try:
            yield live
        finally:
            if live:
                with self._lock:
                    self._users -= 1
                    self._free_if_unused()

    def close(self) -> None:
        """Disconnect; the C object goes once its last user left."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            _lib.pgd_events_disconnect(self._ev)
            self.connected = False
            _lib.pgd_events_kick(self._ev)  # waiters look again, and leave
            self._free_if_unused()

    def _free_if_unused(self) -> None:
        if self.closed and self._users == 0 and self._ev is not None:
            _lib.pgd_events_free(self._ev)
            self._ev = None

    # -- the connection ----------------------------------------------------------

    def connect(self, host: str, port: int, timeout_ms: int) -> int:
        """Start the reader on a new notification socket; the daemon's handle."""
        with self._lock:
            if self.closed:
                raise SessionClosedError(_lib.PGD_ERR_CLOSED, "the session is closed")
            handle: int = _lib.pgd_events_connect(self._ev, host.encode(), str(port).encode(),
                                                  timeout_ms)
            if handle < 0:
                raise make_error(handle)
            self.connected = True
            return handle

    def disconnect(self) -> None:
        """Stop the reader (the rings, counts and fds stay)."""
        with self._lock:
            if not self.closed:
                _lib.pgd_events_disconnect(self._ev)
                self.connected = False

    # -- what the reader does ------------------------------------------------------

    def route(self, dispatch: Masks, queue: Masks, watch: Masks, mirror: bool) -> None:
        """Where records go (see pgd_events_route)."""
        with self._lock:
            if not self.closed:
                _lib.pgd_events_route(self._ev, list(dispatch), list(queue), list(watch),
                                      int(mirror))

    def gather(self, seconds: float) -> None:
        """How long a busy stream is gathered before each read (see pgd_events_gather)."""
        with self._lock:
            if not self.closed:
                _lib.pgd_events_gather(self._ev, int(seconds * 1e6))

    def signal_main(self, on: bool) -> None:
        """Whether dispatch records are announced to the main thread by signal."""
        with self._lock:
            if not self.closed:
                _lib.pgd_events_signal_main(self._ev, int(on))

    def pump(self, wanted_fd: int, stop_fd: int = -1, timeout: Optional[float] = None) -> int:
        """Wait until ``wanted_fd`` (the dispatch or pull fd) or ``stop_fd`` is
        readable or ``timeout`` seconds passed (None: no limit), reading the
        notification socket meanwhile in this thread (see pgd_events_pump;
        one wake-up per gathered batch instead of the reader's and ours).
        The caller holds a use (:meth:`using`); returns a ``PGD_PUMP_*``."""
        timeout_ms = -1 if timeout is None else max(0, math.ceil(timeout * 1000))
        return int(_lib.pgd_events_pump(self._ev, wanted_fd, stop_fd, timeout_ms))

    def pump_now(self) -> int:
        """The main thread's read of a busy stream, at each dispatch signal
        (see pgd_events_pump_now): in how many µs to signal again, or 0."""
        with self._lock:
            return 0 if self.closed else int(_lib.pgd_events_pump_now(self._ev))

    # -- taking --------------------------------------------------------------------

    def waiting(self) -> int:
        """Records waiting in the dispatch ring."""
        with self._lock:
            return 0 if self.closed else int(_lib.pgd_events_waiting(self._ev))

    def take(self, buffer: Any, limit: int) -> int:
        """Move up to ``limit`` dispatch records into ``buffer``."""
        with self._lock:
            return 0 if self.closed else int(_lib.pgd_events_take(self._ev, buffer, limit))

    def take_queued(self, buffer: Any, limit: int) -> int:
        """Move up to ``limit`` records for pull() into ``buffer``."""
        with self._lock:
            return 0 if self.closed else int(_lib.pgd_events_take_queued(self._ev, buffer, limit))

    def queued(self) -> int:
        """Records waiting for pull() in the C ring."""
        return self.stats(queue=True)[0]

    def clear_pull_fd(self) -> None:
        """Make the pull fd unreadable until the next wake-up."""
        with self._lock:
            if not self.closed:
                _lib.pgd_events_clear_pull_fd(self._ev)

    def kick(self) -> None:
        """Make waiters on the pull fd look again."""
        with self._lock:
            if not self.closed:
                _lib.pgd_events_kick(self._ev)

    # -- counts ---------------------------------------------------------------------

    def count(self, what: int, number: int) -> int:
        """Arrivals of one kind (PGD_RISING ...) for one gpio or event."""
        with self._lock:
            return 0 if self.closed else int(_lib.pgd_events_count(self._ev, what, number))

    def stats(self, queue: bool) -> Tuple[int, int, int, int, int, int]:
        """(queued, high water, dropped, produced, consumed, reports) of a ring."""
        out = _ffi.new("pgd_stats_t *")
        with self._lock:
            if not self.closed:
                _lib.pgd_events_stats(self._ev, int(queue), out)
        return (out.queued, out.high_water, out.dropped, out.produced, out.consumed,
                out.reports)

    def latency(self) -> List[int]:
        """The dispatch latency histogram (see pgd_events_latency)."""
        out = _ffi.new("uint64_t[]", _lib.PGD_LATENCY_BUCKETS)
        with self._lock:
            if not self.closed:
                _lib.pgd_events_latency(self._ev, out)
        return list(out)

    def reset_stats(self) -> None:
        """Zero the counters :meth:`stats` reports."""
        with self._lock:
            if not self.closed:
                _lib.pgd_events_reset_stats(self._ev)


#: The lowest latency (µs) of each histogram bucket.
LATENCY_LOWER = [int(_lib.pgd_latency_lower(b)) for b in range(_lib.PGD_LATENCY_BUCKETS)]


def new_buffer(size: int) -> Tuple[Any, memoryview]:
    """A C array of ``size`` records and a view of its bytes."""
    buffer = _ffi.new("pgd_record_t[]", size)
    return buffer, memoryview(_ffi.buffer(buffer))

"""The housekeeper: one background thread per process, while connections exist.

Twice a second it lets every open connection release the daemon handles
whose objects were dropped without ``close()`` and check that an idle daemon
still answers (:meth:`Connection.housekeep`), and it finishes the sessions
that were collected without ``close()``. Work that may block on the network
happens here, never in a finalizer.
"""
from __future__ import annotations

import logging
import threading
import time
import weakref
from collections import deque
from typing import TYPE_CHECKING, Any, Callable, Deque, Optional

if TYPE_CHECKING:
    from .connection import Connection

PERIOD = 0.5
log = logging.getLogger("pigpiod_py")

_connections: "weakref.WeakSet[Connection]" = weakref.WeakSet()
_retired: Deque[Callable[[], None]] = deque()
_wake = threading.Event()
_lock = threading.Lock()
_thread: Optional[threading.Thread] = None


def watch(connection: "Connection") -> None:
    """Look after ``connection`` while it is referenced elsewhere."""
    _connections.add(connection)
    _ensure_thread()


def retire(finish: Callable[[], None]) -> None:
    """Run ``finish`` (closing what a collected session left open) in the
    housekeeper's thread. Safe in a finalizer: it never blocks."""
    _retired.append(finish)
    _wake.set()
    _ensure_thread()


def _ensure_thread() -> None:
    global _thread
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_run, name="pigpiod_py housekeeper", daemon=True)
            _thread.start()


def _run() -> None:
    global _thread
    idle_rounds = 0
    while True:
        _wake.wait(PERIOD)
        _wake.clear()
        while _retired:
            _safely(_retired.popleft())
        idle_rounds = 0 if _look_after_connections() else idle_rounds + 1
        if idle_rounds >= 4:  # nothing to look after for two seconds: stop
            with _lock:
                if not _connections and not _retired:
                    _thread = None
                    return
            idle_rounds = 0


def _look_after_connections() -> int:
    """One round over the live connections; how many there were. (A function
    of its own, so that no reference outlives the round.)"""
    connections = list(_connections)
    now = time.monotonic()
    for connection in connections:
        _safely(connection.housekeep, now)
    return len(connections)


def _safely(work: Callable[..., None], *args: Any) -> None:
    try:
        work(*args)
    except Exception:  # noqa: BLE001 - the housekeeper must keep going; logged
        log.exception("housekeeping failed")

"""Module-level waits that service every session (the Lua binding's
module-level wait): :func:`sleep` and :func:`wait`.

Main-mode handlers run during any wait of the main thread anyway (they are
signalled); thread-mode ones in their threads. What these add is the
manual-mode sessions: their records are dispatched while the program waits.
"""
from __future__ import annotations

import contextlib
import select
import time
from typing import Callable, Optional

from ..checks import wait_seconds
from .channel import channels
from .dispatch import safe_point

#: Longest single poll: a channel opened meanwhile is serviced this soon.
_SLICE = 0.05


def sleep(seconds: float) -> None:
    """Sleep ``seconds``, dispatching the records of every session meanwhile."""
    wait(None, seconds)


def wait(until: Optional[Callable[[], bool]] = None, timeout: Optional[float] = None) -> bool:
    """Dispatch the records of every session until ``until()`` is true or
    ``timeout`` seconds passed (None: no limit); returns ``until()`` (False
    without one)."""
    limit = wait_seconds(timeout)
    deadline = None if limit is None else time.monotonic() + limit

    def done() -> bool:
        return bool(until is not None and until())

    while True:
        manual = [c for c in list(channels) if c.mode == "manual" and not c.closed]
        for channel in manual:
            channel.dispatch()
        if done():
            return True
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            return done()
        step = _SLICE if remaining is None else min(remaining, _SLICE)
        with contextlib.ExitStack() as uses:
            poller = select.poll()
            for channel in manual:
                if uses.enter_context(channel.ring.using()):
                    poller.register(channel.ring.pull_fd, select.POLLIN)
            with safe_point():
                if manual:
                    poller.poll(step * 1000)
                else:
                    time.sleep(step)

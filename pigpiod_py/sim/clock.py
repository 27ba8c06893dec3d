"""Time for the simulator: a microsecond axis, the daemon's 32-bit tick, delays.

The timeline uses absolute microseconds of the monotonic clock (which never
wrap); the 32-bit tick that clients see is their low 32 bits (plus an offset
the control API may set), so like the real system timer it counts
microseconds and wraps every 2**32 µs.
"""
from __future__ import annotations

import time

from ..ticks import TICK_MASK
from .. import _numbers as lib

_monotonic_ns = time.monotonic_ns


def now_us() -> int:
    """Microseconds of the monotonic clock: the simulator's time axis."""
    return _monotonic_ns() // 1000


class TickClock:
    """The daemon's 32-bit tick of each point on the time axis."""

    def __init__(self) -> None:
        self.offset = 0

    def tick(self, t_us: int) -> int:
        """The tick (unsigned 32-bit, wrapping) at ``t_us``."""
        return (t_us + self.offset) & TICK_MASK

    def set(self, value: int, t_us: int) -> None:
        """Make the tick at ``t_us`` read ``value`` (time goes on from there)."""
        self.offset = value - t_us


def wait_until(t_us: int) -> None:
    """Return at ``t_us``: sleep through long waits, busy-wait the last stretch."""
    remaining = t_us - now_us()
    if remaining > lib.PI_MAX_BUSY_DELAY:
        time.sleep((remaining - lib.PI_MAX_BUSY_DELAY) / 1e6)
    while now_us() < t_us:
        pass

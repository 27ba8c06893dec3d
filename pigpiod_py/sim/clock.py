"""Time for the simulator: a microsecond axis, the daemon's 32-bit tick, delays.

The timeline uses absolute microseconds of the monotonic clock (which never
wrap); the 32-bit tick that clients see is their low 32 bits, so like the real
system timer it counts microseconds since boot and wraps every 2**32 µs.
"""
from __future__ import annotations

import time

from .._pigpiod import lib
from ..ticks import TICK_MASK

_monotonic_ns = time.monotonic_ns


def now_us() -> int:
    """Microseconds of the monotonic clock: the simulator's time axis."""
    return _monotonic_ns() // 1000


def tick(t_us: int) -> int:
    """The daemon tick (unsigned 32-bit, wrapping) of a point on the time axis."""
    return t_us & TICK_MASK


def wait_until(t_us: int) -> None:
    """Return at ``t_us``: sleep through long waits, busy-wait the last stretch."""
    remaining = t_us - now_us()
    if remaining > lib.PI_MAX_BUSY_DELAY:
        time.sleep((remaining - lib.PI_MAX_BUSY_DELAY) / 1e6)
    while now_us() < t_us:
        pass

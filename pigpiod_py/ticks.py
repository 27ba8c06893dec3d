"""Arithmetic on pigpio's 32-bit microsecond ticks, which wrap every ~72 min."""
from __future__ import annotations

TICK_MASK = 0xFFFFFFFF


def tick_diff(start: int, end: int) -> int:
    """Microseconds from tick ``start`` to tick ``end``, across a wrap."""
    return (end - start) & TICK_MASK


def tick_add(tick: int, microseconds: int) -> int:
    """The tick ``microseconds`` after (or, if negative, before) ``tick``."""
    return (tick + microseconds) & TICK_MASK

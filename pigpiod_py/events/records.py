"""What the event path delivers: record kinds, events and counters."""
from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any, NamedTuple, Optional

from .._pigpiod import lib as _lib

if TYPE_CHECKING:
    from .subscriptions import Callback

#: A C record (pgd_record_t) as three words: the tick; kind | id << 8 |
#: level << 16, one int that names who receives it; the arrival time.
RECORD = struct.Struct("=III")
#: Records as 32-bit words: ``words[TICK::RECORD_WORDS]`` are the ticks,
#: ``words[KEY::RECORD_WORDS]`` the keys (strided views: no tuple per record).
RECORD_WORDS, TICK, KEY = 3, 0, 1


def record_key(kind: int, number: int, level: int) -> int:
    """The second word of a record: who it is for."""
    return kind | number << 8 | level << 16


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

    queued: int       #: records waiting for handlers in the C ring now
    high_water: int   #: most records ever waiting in one of the C rings
    dropped: int      #: records for handlers lost because their ring was full
    delivered: int    #: records taken from the C rings (dispatched or pulled)
    reports: int      #: 12-byte reports read from the daemon
    pull_queued: int  #: records waiting for pull() / async iteration
    pull_dropped: int  #: records for pull() lost because their ring was full
    #: Latency from a report's arrival to the dispatch of its records, µs:
    #: median and 99th percentile (upper bounds, within 25 %); None before any.
    latency_p50_us: Optional[float] = None
    latency_p99_us: Optional[float] = None


def percentile_bounds(histogram: "list[int]", lower: "list[int]",
                      fractions: "tuple[float, ...]") -> "list[Optional[float]]":
    """The upper bound of the bucket holding each fraction of a histogram."""
    total = sum(histogram)
    found: "list[Optional[float]]" = []
    for fraction in fractions:
        if not total:
            found.append(None)
            continue
        rank, seen = fraction * total, 0
        for bucket, count in enumerate(histogram):
            seen += count
            if seen >= rank:
                upper = lower[bucket + 1] if bucket + 1 < len(lower) else lower[bucket]
                found.append(float(upper))
                break
    return found

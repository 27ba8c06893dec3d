"""Notification reports: pigpiod's 12-byte records and their order.

A record is four little-endian fields: seqno (u16, counted per handle from 0,
wrapping), flags (u16), tick (u32) and level (u32, the levels of gpio 0-31 at
that moment).  Flags are 0 for a level change, ``0x20 | gpio`` for a watchdog
time-out, ``0x80 | event`` for an event and ``0x40`` for a keep-alive.  What
one alert pass sends a handle is its level changes in sample order, then its
watchdog time-outs by ascending gpio, then its events by ascending number; or,
when that is nothing and the handle has had no record for more than a minute,
one keep-alive.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Callable

from ...protocol import RECORD, RECORD_SIZE
from ... import _numbers as lib

__all__ = ["RECORD", "RECORD_SIZE", "Stream", "bit_numbers", "flag_words"]

WATCHDOG = lib.PI_NTFY_FLAGS_WDOG
ALIVE = lib.PI_NTFY_FLAGS_ALIVE
EVENT = lib.PI_NTFY_FLAGS_EVENT
#: Silence after which a handle gets a keep-alive (µs, as pigpiod).
KEEPALIVE_US = 60_000_000
SEQNO_MASK = 0xFFFF


def bit_numbers(mask: int) -> Iterator[int]:
    """The numbers of the bits set in ``mask``, ascending."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def flag_words(timeouts: int, events: int) -> list[int]:
    """The flags of a pass's watchdog records, then its event records, in order."""
    return ([WATCHDOG | gpio for gpio in bit_numbers(timeouts)]
            + [EVENT | event for event in bit_numbers(events)])


class Stream:
    """The records of one handle: their numbering and the keep-alive clock."""

    __slots__ = ("last", "seqno")

    def __init__(self, t: int) -> None:
        self.seqno = 0
        self.last = t  # when the handle last got a record (time axis, µs)

    def batch(self, changes: list[tuple[int, int]], flags: list[int], t: int, tick: int,
              level: Callable[[], int], keepalive_us: int) -> bytes:
        """The records of one pass at time ``t`` (``tick``).

        ``changes`` are (tick, level word) of the samples with a change for this
        handle; ``flags`` the watchdog and event records; ``level()`` the level
        word those and a keep-alive carry.
        """
        pack = RECORD.pack
        seqno = self.seqno
        records = [pack((seqno + i) & SEQNO_MASK, 0, at, word)
                   for i, (at, word) in enumerate(changes)]
        seqno += len(records)
        if not records and not flags and t - self.last > keepalive_us:
            flags = [ALIVE]
        if flags:
            word = level()
            for i, flag in enumerate(flags):
                records.append(pack((seqno + i) & SEQNO_MASK, flag, tick, word))
            seqno += len(flags)
        if not records:
            return b""
        self.seqno = seqno & SEQNO_MASK
        self.last = t
        return b"".join(records)

"""Building the pending wave: merging pulse lists and making serial pulses.

A pulse is ``(on_mask, off_mask, delay_us)``.  New pulses are merged with the
pending ones on one time axis starting at 0 (pigpio's rawWaveAddGeneric): at
each step the earlier due pulse is copied (or both, combined, when due
together) and the delay is the time to the next due pulse; the result lasts
until the later of the two lists ends.
"""
from __future__ import annotations

from .typed_lib import lib

Pulse = tuple[int, int, int]

#: "Due" time of a list with no pulses left.
_NONE_DUE = 1 << 64


def delay_blocks(delay: int) -> int:
    """DMA control blocks a delay takes (the default, full secondary DMA channel)."""
    return 1 if delay else 0


def pulse_blocks(pulses: list[Pulse]) -> int:
    """Control blocks of a pulse list, without the wave's initial delay block."""
    return sum((1 if on or off else 0) + delay_blocks(delay) for on, off, delay in pulses)


def slots(pulses: list[Pulse]) -> int:
    """On/off slots a pulse list needs: one per non-zero mask."""
    return sum((1 if on else 0) + (1 if off else 0) for on, off, _ in pulses)


def merge(pending: list[Pulse], new: list[Pulse]) -> list[Pulse]:
    """``new`` merged into ``pending`` on a common time axis from 0."""
    lists = (new, pending)
    pos = [0, 0]
    due = [0 if new else _NONE_DUE, 0 if pending else _NONE_DUE]
    out: list[list[int]] = []
    now = longest = 0
    while pos[0] < len(new) or pos[1] < len(pending):
        first = min(due)
        if now < first:
            out[-1][2] += first - now
            now = first
        on = off = 0
        for k in (0, 1):
            if due[k] == first:
                p_on, p_off, delay = lists[k][pos[k]]
                on |= p_on
                off |= p_off
                due[k] = now + delay
                pos[k] += 1
                longest = max(longest, due[k])
        nxt = min(due)
        out.append([on, off, nxt - now])
        now = nxt
        for k in (0, 1):
            if pos[k] >= len(lists[k]):
                due[k] = _NONE_DUE
    if out and now < longest:
        out[-1][2] += longest - now
    return [(on, off, delay) for on, off, delay in out]


def _bit_ends(baud: int, bits: int, stop_half: int) -> list[int]:
    """Duration of the start bit, each data bit and the stop period (µs)."""
    full_ns = 1_000_000_000 // baud
    ends = [((k + 1) * full_ns + 500) // 1000 for k in range(bits + 1)]
    ends.append(((bits + 1) * full_ns + stop_half * full_ns // 2 + 500) // 1000)
    return [b - a for a, b in zip([0] + ends, ends)]


def characters(bits: int, data: bytes) -> list[int]:
    """The characters in ``data``: 1, 2 or 4 little-endian bytes each by ``bits``."""
    size = 1 if bits <= 8 else 2 if bits <= 16 else 4
    count = len(data) // size
    return [int.from_bytes(data[k * size:(k + 1) * size], "little") for k in range(count)]


def serial_pulses(gpio: int, baud: int, bits: int, stop_half: int, offset: int,
                  data: bytes) -> list[Pulse]:
    """The pulses of asynchronous serial ``data`` on ``gpio`` (idle high, LSB first)."""
    chars = characters(bits, data)
    if not chars:
        return []
    times = _bit_ends(baud, bits, stop_half)
    mask = 1 << gpio
    pulses = [[mask, 0, max(offset, times[0])]]
    for char in chars:
        pulses.append([0, mask, times[0]])
        level = 0
        for b in range(bits):
            value = (char >> b) & 1
            if value == level:
                pulses[-1][2] += times[b + 1]
            else:
                level = value
                pulses.append([mask if value else 0, 0 if value else mask, times[b + 1]])
        if level:
            pulses[-1][2] += times[bits + 1]
        else:
            pulses.append([mask, 0, times[bits + 1]])
    return [(on, off, delay) for on, off, delay in pulses]


def check_serial(gpio: int, baud: int, bits: int, stop_half: int, count: int,
                 offset: int) -> int:
    """The first WVAS range error (after the permission check), else 0."""
    if gpio > lib.PI_MAX_USER_GPIO:
        return lib.PI_BAD_USER_GPIO
    if not lib.PI_WAVE_MIN_BAUD <= baud <= lib.PI_WAVE_MAX_BAUD:
        return lib.PI_BAD_WAVE_BAUD
    if not lib.PI_MIN_WAVE_DATABITS <= bits <= lib.PI_MAX_WAVE_DATABITS:
        return lib.PI_BAD_DATABITS
    if not lib.PI_MIN_WAVE_HALFSTOPBITS <= stop_half <= lib.PI_MAX_WAVE_HALFSTOPBITS:
        return lib.PI_BAD_STOPBITS
    if count > lib.PI_WAVE_MAX_CHARS:
        return lib.PI_TOO_MANY_CHARS
    if offset > lib.PI_WAVE_MAX_MICROS:
        return lib.PI_BAD_SER_OFFSET
    return 0

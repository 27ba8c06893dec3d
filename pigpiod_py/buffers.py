"""Buffers the library fills: what a data-returning call hands back."""
from __future__ import annotations

from typing import Any, Callable

from ._pigpiod import ffi as _ffi


def receive(count: int, fill: Callable[[Any], int]) -> bytes:
    """Bytes a library call puts in a fresh ``count``-byte buffer (``fill(buf)``
    returns how many)."""
    buf = _ffi.new("char[]", max(count, 1))
    got = fill(buf)
    return bytes(_ffi.unpack(buf, min(got, count)))

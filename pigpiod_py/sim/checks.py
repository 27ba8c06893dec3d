"""What the command modules share: the handler type and argument checks."""
from __future__ import annotations

import struct
from typing import Callable, Union

from .board import Board
from .. import _numbers as lib

#: A command handler: (p1, p2, extension) -> result code, or the bytes that
#: follow the response of a data-returning command.
#: What a handler answers: a result code, or the bytes of a data command.
Reply = Union[int, bytes]
Handler = Callable[[int, int, bytes], Reply]
Handlers = dict[int, Handler]

_U32 = struct.Struct("<I")


def writable(board: Board, gpio: int, limit: int, error: int) -> int:
    """0 if a client may change ``gpio``, else the error code.

    Like pigpiod, the write-permission mask is checked before the range, so a
    gpio outside the mask gives PI_NOT_PERMITTED even where its number is out
    of range for the command; numbers above 53 pass it and get ``error``.
    """
    if gpio <= lib.PI_MAX_GPIO and not (board.mask >> gpio) & 1:
        return lib.PI_NOT_PERMITTED
    return error if gpio > limit else 0


def over(value: int, limit: int, error: int) -> int:
    """``error`` if ``value`` exceeds ``limit``, else 0 (chain checks with ``or``)."""
    return error if value > limit else 0


def ext_u32(ext: bytes, index: int = 0) -> int:
    """The ``index``-th little-endian u32 of an extension (missing bytes are 0)."""
    chunk = ext[4 * index:4 * index + 4]
    value: int = _U32.unpack(chunk.ljust(4, b"\0"))[0]
    return value

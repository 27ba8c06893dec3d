"""pigpiod's socket protocol framing, in pure Python (no compiled module needed).

A request is a 16-byte header of four little-endian u32 (cmd, p1, p2, p3)
followed by p3 extension bytes.  A response is cmd, p1, p2 and a result (a
signed 32-bit value sent as its bit pattern), followed by ``result`` bytes
for the data commands.  A notification report is 12 bytes: seqno (u16),
flags (u16), tick (u32), level (u32).

>>> request(4, 17, 1)                       # WRITE 17 1
b'\\x04\\x00\\x00\\x00\\x11\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00'
>>> response(4, 17, 1, -2)[12:]
b'\\xfe\\xff\\xff\\xff'
"""
from __future__ import annotations

import struct
from typing import Union

#: Request header (and a response header read unsigned): cmd, p1, p2, p3.
HEADER = struct.Struct("<4I")
HEADER_SIZE = HEADER.size
#: Response header with its result read as signed: cmd, p1, p2, result.
RESPONSE = struct.Struct("<3Ii")
#: A notification report: seqno, flags, tick, level.
RECORD = struct.Struct("<HHII")
RECORD_SIZE = RECORD.size
#: The daemon closes a connection whose request declares this many extension bytes or more.
MAX_EXTENSION = 65536
#: The 32-bit pattern of a parameter or result.
WORD_MASK = 0xFFFFFFFF

#: A handler's answer: a result code, or the bytes a data command returns.
Answer = Union[int, bytes]


def request(cmd: int, p1: int = 0, p2: int = 0, ext: bytes = b"") -> bytes:
    """The bytes of one request (negative parameters are sent as their bit patterns)."""
    return HEADER.pack(cmd, p1 & WORD_MASK, p2 & WORD_MASK, len(ext)) + ext


def response(cmd: int, p1: int, p2: int, result: int) -> bytes:
    """A 16-byte response header (``result`` sent as its 32-bit pattern)."""
    return HEADER.pack(cmd, p1, p2, result & WORD_MASK)


def answer(cmd: int, p1: int, p2: int, reply: Answer) -> bytes:
    """The whole response to a request: the header, then a data command's bytes."""
    if isinstance(reply, bytes):
        return HEADER.pack(cmd, p1, p2, len(reply)) + reply
    return HEADER.pack(cmd, p1, p2, reply & WORD_MASK)

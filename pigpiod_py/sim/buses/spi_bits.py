"""What an SPI device sees of a master's transfer: words, bit order, mode, 3-wire.

The master side is described by an :class:`SpiFrame` (word size, bit orders,
clock mode, 3-wire turn-around); :func:`exchange` turns the master's buffer
into the device's MOSI bits and the device's MISO bits back into the buffer
the master receives.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..devices.spi import Bits, SpiDevice


@dataclass
class SpiFrame:
    """How a master clocks a transfer."""

    mode: int = 0
    word_bits: int = 8
    tx_lsb_first: bool = False
    rx_lsb_first: bool = False
    #: 3-wire: bytes written before the shared line turns around (None: 4-wire).
    three_wire: Optional[int] = None

    @property
    def word_bytes(self) -> int:
        """Bytes per word: 1, 2 or 4."""
        return 1 if self.word_bits <= 8 else 2 if self.word_bits <= 16 else 4


def to_bits(data: bytes, frame: SpiFrame) -> Bits:
    """The MOSI bit stream of a buffer (whole words only)."""
    size = frame.word_bytes
    bits: Bits = []
    for pos in range(0, len(data) - size + 1, size):
        word = int.from_bytes(data[pos:pos + size], "little")
        order = range(frame.word_bits) if frame.tx_lsb_first else range(frame.word_bits - 1, -1, -1)
        bits.extend((word >> k) & 1 for k in order)
    return bits


def from_bits(bits: Bits, frame: SpiFrame, length: int) -> bytes:
    """The buffer a master assembles from MISO bits (``length`` bytes)."""
    size, width = frame.word_bytes, frame.word_bits
    out = bytearray()
    for start in range(0, len(bits) - width + 1, width):
        chunk = bits[start:start + width]
        if frame.rx_lsb_first:
            chunk = chunk[::-1]
        out += int("".join(map(str, chunk)), 2).to_bytes(size, "little")
    return bytes(out.ljust(length, b"\0"))


def exchange(device: Optional[SpiDevice], selected: bool, data: bytes, frame: SpiFrame) -> bytes:
    """Clock ``data`` through ``device``; what the master receives.

    An absent or unselected device leaves MISO low.  A mode 1 or 2 master
    samples MISO half a clock after a mode 0/3 device changes it, so it reads
    each bit one clock early.  In 3-wire mode the device hears only the bytes
    before the turn-around and the master hears its own bytes on the shared line.
    """
    mosi = to_bits(data, frame)
    turn = len(mosi) if frame.three_wire is None else min(len(mosi), 8 * frame.three_wire)
    heard = mosi[:turn] + [0] * (len(mosi) - turn)
    if device is None or (device.uses_select and not selected):
        miso = [0] * len(mosi)
    else:
        miso = device.exchange(heard)
        if device.uses_select and frame.mode in (1, 2):
            miso = miso[1:] + [0]
    if frame.three_wire is not None:
        miso = mosi[:turn] + miso[turn:]
    return from_bits(miso, frame, len(data))

"""Hardware SPI devices and the typed flags word of ``spi_open``.

>>> flags = SpiFlags(mode=0)
>>> with session.open_spi(1, 1_000_000, flags) as adc:   # an MCP3202 on CE1
...     reply = adc.xfer(b"\\x01\\xa0\\x00")
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

from ._pigpiod import lib as _lib
from .buffers import receive
from .checks import Data, checked_bytes, checked_int
from .errors import PigpioTypeError, PigpioValueError
from .family import CommandFamily
from .handles import Handle

#: Largest transfer one command carries.
MAX_TRANSFER = 65535
# Bit positions of the flags word (pigpio's spiOpen documentation).
_ACTIVE_HIGH_SHIFT, _UNRESERVED_SHIFT, _AUX_BIT, _THREE_WIRE_BIT = 2, 5, 8, 9
_TURNAROUND_SHIFT, _TX_LSB_BIT, _RX_LSB_BIT, _WORD_SHIFT = 10, 14, 15, 16
_AUX_CHANNELS = 3


def _bits(channels: Tuple[int, ...], shift: int) -> int:
    return sum(1 << (shift + channel) for channel in set(channels))


def _channels(value: int, shift: int) -> Tuple[int, ...]:
    return tuple(c for c in range(_AUX_CHANNELS) if value >> (shift + c) & 1)


@dataclass(frozen=True)
class SpiFlags:
    """The flags of :meth:`SpiMethods.open_spi`, field by field.

    ``mode`` 0-3 (CPOL = bit 1, CPHA = bit 0); ``active_high``: chip selects
    (channel numbers) that are active high; ``unreserved``: chip selects whose
    gpio the daemon leaves alone; ``aux``: the auxiliary SPI block;
    ``three_wire`` with ``turnaround_bytes`` (0-15) written before the shared
    line turns around (main block only); ``tx_lsb_first`` / ``rx_lsb_first``
    and ``word_bits`` (1-32) need the auxiliary block. ``int(flags)`` is the
    word sent to the daemon.
    """

    mode: int = 0
    active_high: Tuple[int, ...] = ()
    unreserved: Tuple[int, ...] = ()
    aux: bool = False
    three_wire: bool = False
    turnaround_bytes: int = 0
    tx_lsb_first: bool = False
    rx_lsb_first: bool = False
    word_bits: int = 8

    def __post_init__(self) -> None:
        checked_int(self.mode, 0, 3, "SPI mode", _lib.PI_BAD_FLAGS)
        for channel in self.active_high + self.unreserved:
            checked_int(channel, 0, _AUX_CHANNELS - 1, "chip select", _lib.PI_BAD_FLAGS)
        checked_int(self.turnaround_bytes, 0, 15, "turnaround_bytes", _lib.PI_BAD_FLAGS)
        checked_int(self.word_bits, 1, 32, "word_bits", _lib.PI_BAD_FLAGS)
        aux_only = self.tx_lsb_first or self.rx_lsb_first or self.word_bits != 8
        if aux_only and not self.aux:
            raise PigpioValueError(_lib.PI_BAD_FLAGS,
                                   "bit order and word size need the auxiliary SPI (aux=True)")
        if self.aux and (self.three_wire or self.turnaround_bytes):
            raise PigpioValueError(_lib.PI_BAD_FLAGS, "3-wire mode is for the main SPI only")

    def __int__(self) -> int:
        return (self.mode
                | _bits(self.active_high, _ACTIVE_HIGH_SHIFT)
                | _bits(self.unreserved, _UNRESERVED_SHIFT)
                | self.aux << _AUX_BIT
                | self.three_wire << _THREE_WIRE_BIT
                | self.turnaround_bytes << _TURNAROUND_SHIFT
                | self.tx_lsb_first << _TX_LSB_BIT
                | self.rx_lsb_first << _RX_LSB_BIT
                | (0 if self.word_bits == 8 else self.word_bits) << _WORD_SHIFT)

    @classmethod
    def from_int(cls, value: int) -> "SpiFlags":
        """The fields of a raw flags word."""
        checked_int(value, 0, 1 << 22, "SPI flags", _lib.PI_BAD_FLAGS)
        return cls(mode=value & 3,
                   active_high=_channels(value, _ACTIVE_HIGH_SHIFT),
                   unreserved=_channels(value, _UNRESERVED_SHIFT),
                   aux=bool(value >> _AUX_BIT & 1),
                   three_wire=bool(value >> _THREE_WIRE_BIT & 1),
                   turnaround_bytes=value >> _TURNAROUND_SHIFT & 15,
                   tx_lsb_first=bool(value >> _TX_LSB_BIT & 1),
                   rx_lsb_first=bool(value >> _RX_LSB_BIT & 1),
                   word_bits=(value >> _WORD_SHIFT & 63) or 8)


class SpiDevice(Handle):
    """A device on a hardware SPI chip select (``Session.open_spi``)."""

    def __init__(self, session: CommandFamily, token: int, handle: int, channel: int,
                 baud: int, flags: SpiFlags, name: Optional[str] = None) -> None:
        super().__init__(session, token, _lib.pgd_spi_close, handle, name=name)
        self.handle = handle
        self.channel = channel
        self.baud = baud
        self.flags = flags

    def _describe(self) -> str:
        return "%s channel %d handle %d" % ("aux" if self.flags.aux else "main", self.channel,
                                            self.handle)

    def __enter__(self) -> "SpiDevice":
        return self

    def read(self, count: int) -> bytes:
        """Clock out ``count`` zero bytes; the bytes received."""
        count = checked_int(count, 0, MAX_TRANSFER, "count", _lib.PI_BAD_SPI_COUNT)
        return receive(count, lambda buf: self._call(_lib.pgd_spi_read, self.handle, buf, count))

    def write(self, data: Data) -> int:
        """Send ``data``; the number of bytes sent."""
        data = checked_bytes(data, 0, MAX_TRANSFER)
        return self._call(_lib.pgd_spi_write, self.handle, data, len(data))

    def xfer(self, data: Data) -> bytes:
        """Send ``data`` and return the as many bytes received meanwhile."""
        data = checked_bytes(data, 0, MAX_TRANSFER)
        return receive(len(data), lambda buf: self._call(_lib.pgd_spi_xfer, self.handle, data, buf,
                                                         len(data)))


class SpiMethods(CommandFamily):
    """Session methods for hardware SPI devices."""

    def open_spi(self, channel: int, baud: int, flags: Optional[SpiFlags] = None, *,
                 name: Optional[str] = None) -> SpiDevice:
        """Open chip select ``channel`` (0-1 main, 0-2 aux) at ``baud`` bits/s."""
        flags = SpiFlags() if flags is None else flags
        if not isinstance(flags, SpiFlags):
            raise PigpioTypeError(_lib.PI_BAD_FLAGS, "flags must be SpiFlags, not %s (use "
                                  "SpiFlags.from_int for a raw word)" % type(flags).__name__)
        handle, token = self._open(_lib.pgd_spi_open, channel, baud, int(flags))
        return SpiDevice(self, token, handle, channel, baud, flags, name=name)

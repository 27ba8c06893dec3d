"""Bit-banged I2C, SPI and serial receive on any gpios (driven by the daemon).

>>> with session.open_bb_i2c(sda=2, scl=3, baud=100_000) as bus:
...     bus.zip(BitBangI2CZip().address(0x53).start().write(b"\\0")
...             .start().read(1).stop())                   # b"\\xe5"
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from ._pigpiod import lib as _lib
from .buffers import receive
from .checks import Data, checked_bytes, checked_int
from .errors import PigpioTypeError
from .family import CommandFamily
from .handles import Handle
from .i2c import ZipProgram, ZipProgramT, zip_buffers

#: The receive buffer of a bit-banged serial reader (bytes).
SERIAL_BUFFER = 8192
MAX_TRANSFER = 65535
# Bit positions of the bit-banged SPI flags word (pigpio's bbSPIOpen documentation).
_CS_HIGH_BIT, _TX_LSB_BIT, _RX_LSB_BIT = 2, 14, 15


class BitBangI2CZip(ZipProgram):
    """Builder of a :meth:`BitBangI2C.zip` program: starts and stops are explicit.

    ``read(n)`` sends the address with the read bit, then reads ``n`` bytes;
    ``write(data)`` sends the address with the write bit, then ``data``. The
    address defaults to 0.
    """

    def start(self: ZipProgramT) -> ZipProgramT:
        """A start condition (a repeated start if already started)."""
        self._code.append(_lib.PI_I2C_START)
        return self

    def stop(self: ZipProgramT) -> ZipProgramT:
        """A stop condition."""
        self._code.append(_lib.PI_I2C_STOP)
        return self


class BitBangI2C(Handle):
    """A bit-banged I2C bus on two gpios (``Session.open_bb_i2c``)."""

    def __init__(self, session: CommandFamily, token: int, sda: int, scl: int, baud: int,
                 name: Optional[str] = None) -> None:
        super().__init__(session, token, _lib.pgd_bb_i2c_close, sda, name=name)
        self.sda = sda
        self.scl = scl
        self.baud = baud

    def _describe(self) -> str:
        return "sda %d scl %d %d baud" % (self.sda, self.scl, self.baud)

    def __enter__(self) -> "BitBangI2C":
        return self

    def zip(self, program: Union[BitBangI2CZip, Data]) -> bytes:
        """Run a program (a :class:`BitBangI2CZip`); the bytes its reads returned."""
        code, space = zip_buffers(program)
        return receive(space, lambda buf: self._call(_lib.pgd_bb_i2c_zip, self.sda, code, len(code),
                                                     buf, space))


@dataclass(frozen=True)
class BitBangSpiFlags:
    """Flags of a bit-banged SPI chip select: ``mode`` 0-3 (CPOL bit 1, CPHA bit 0),
    chip select active high, bit orders. ``int(flags)`` is the word sent."""

    mode: int = 0
    cs_active_high: bool = False
    tx_lsb_first: bool = False
    rx_lsb_first: bool = False

    def __post_init__(self) -> None:
        checked_int(self.mode, 0, 3, "SPI mode", _lib.PI_BAD_FLAGS)

    def __int__(self) -> int:
        return (self.mode | self.cs_active_high << _CS_HIGH_BIT
                | self.tx_lsb_first << _TX_LSB_BIT | self.rx_lsb_first << _RX_LSB_BIT)


class BitBangSpi(Handle):
    """A bit-banged SPI chip select and its bus pins (``Session.open_bb_spi``)."""

    def __init__(self, session: CommandFamily, token: int, cs: int, miso: int, mosi: int,
                 sclk: int, baud: int, flags: BitBangSpiFlags, name: Optional[str] = None) -> None:
        super().__init__(session, token, _lib.pgd_bb_spi_close, cs, name=name)
        self.cs, self.miso, self.mosi, self.sclk = cs, miso, mosi, sclk
        self.baud = baud
        self.flags = flags

    def _describe(self) -> str:
        return "cs %d miso %d mosi %d sclk %d" % (self.cs, self.miso, self.mosi, self.sclk)

    def __enter__(self) -> "BitBangSpi":
        return self

    def xfer(self, data: Data) -> bytes:
        """Send 1-65535 bytes with the chip select asserted; the bytes received."""
        data = checked_bytes(data, 1, MAX_TRANSFER)
        return receive(len(data), lambda buf: self._call(_lib.pgd_bb_spi_xfer, self.cs, data, buf,
                                                         len(data)))


class BitBangSerialReader(Handle):
    """Serial data received by the daemon on one gpio (``Session.open_bb_serial_read``).

    Characters of 1-8 data bits take one byte, 9-16 two, 17-32 four
    (little-endian).
    """

    def __init__(self, session: CommandFamily, token: int, gpio: int, baud: int,
                 data_bits: int, name: Optional[str] = None) -> None:
        super().__init__(session, token, _lib.pgd_bb_serial_read_close, gpio, name=name)
        self.gpio = gpio
        self.baud = baud
        self.data_bits = data_bits

    def _describe(self) -> str:
        return "gpio %d %d baud %d bits" % (self.gpio, self.baud, self.data_bits)

    def __enter__(self) -> "BitBangSerialReader":
        return self

    def read(self) -> bytes:
        """Everything received since the last read (b"" if nothing)."""
        return receive(SERIAL_BUFFER, lambda buf: self._call(_lib.pgd_bb_serial_read, self.gpio, buf,
                                                             SERIAL_BUFFER))

    def invert(self, inverted: bool = True) -> None:
        """Receive inverted logic (True) or normal logic (False)."""
        if not isinstance(inverted, bool):
            raise PigpioTypeError(_lib.PI_BAD_SER_INVERT, "inverted must be a bool")
        self._call(_lib.pgd_bb_serial_invert, self.gpio, int(inverted))


class BitBangMethods(CommandFamily):
    """Session methods for bit-banged I2C, SPI and serial receive."""

    def open_bb_i2c(self, sda: int, scl: int, baud: int = 100_000, *,
                    name: Optional[str] = None) -> BitBangI2C:
        """Bit-bang I2C on ``sda`` and ``scl`` (gpios 0-31) at 50-500000 baud."""
        _, token = self._open(_lib.pgd_bb_i2c_open, sda, scl, baud)
        return BitBangI2C(self, token, sda, scl, baud, name=name)

    def open_bb_spi(self, cs: int, miso: int, mosi: int, sclk: int, baud: int = 100_000,
                    flags: Union[BitBangSpiFlags, None] = None, *,
                    name: Optional[str] = None) -> BitBangSpi:
        """Bit-bang SPI with chip select ``cs`` at 50-250000 baud (bus pins may be shared
        by several chip selects)."""
        flags = BitBangSpiFlags() if flags is None else flags
        if not isinstance(flags, BitBangSpiFlags):
            raise PigpioTypeError(_lib.PI_BAD_FLAGS, "flags must be BitBangSpiFlags, not %s"
                                  % type(flags).__name__)
        _, token = self._open(_lib.pgd_bb_spi_open, cs, miso, mosi, sclk, baud, int(flags))
        return BitBangSpi(self, token, cs, miso, mosi, sclk, baud, flags, name=name)

    def open_bb_serial_read(self, gpio: int, baud: int, data_bits: int = 8, *,
                            name: Optional[str] = None) -> BitBangSerialReader:
        """Receive serial data on ``gpio`` at 50-250000 baud, 1-32 data bits."""
        _, token = self._open(_lib.pgd_bb_serial_read_open, gpio, baud, data_bits)
        return BitBangSerialReader(self, token, gpio, baud, data_bits, name=name)

"""The BSC slave peripheral: the Pi as an I2C slave (``open_i2c_slave``) or SPI slave
(``open_spi_slave``).

>>> with session.open_i2c_slave(0x13) as slave:
...     slave.on_event(lambda event, tick: print("master activity"))
...     status, received = slave.transfer(b"reply")
"""
from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Tuple, TypeVar

from ._pigpiod import ffi as _ffi
from ._pigpiod import lib as _lib
from .checks import Data, checked_bytes, checked_int
from .errors import BadHandleError
from .events import Callback
from .family import CommandFamily
from .handles import Handle

#: Bytes one transfer can queue for the master, and receive.
MAX_TRANSFER = _lib.BSC_FIFO_SIZE
#: libpigpiod_if2's own error codes are -2000 and up; daemon codes are above -200.
_LOWEST_ERROR = -3000
# Control word bits (pigpio's bscXfer documentation).
_CPHA_BIT, _CPOL_BIT, _ADDRESS_SHIFT = 3, 4, 16
_TX_COUNT_SHIFT, _RX_COUNT_SHIFT, _COUNT_MASK = 6, 11, 0x1F


@dataclass(frozen=True)
class BscStatus:
    """The status word of a transfer, decoded."""

    #: Bytes of this transfer's data moved into the transmit FIFO.
    copied: int
    tx_busy: bool
    rx_empty: bool
    tx_full: bool
    rx_full: bool
    tx_empty: bool
    rx_busy: bool
    #: Bytes in the transmit and receive FIFOs.
    tx_fifo: int
    rx_fifo: int
    #: The raw word.
    word: int

    @classmethod
    def from_word(cls, word: int) -> "BscStatus":
        """Decode the word the daemon sends."""
        return cls(copied=word >> 16, tx_busy=bool(word & _lib.BSC_FR_TXBUSY),
                   rx_empty=bool(word & _lib.BSC_FR_RXFE), tx_full=bool(word & _lib.BSC_FR_TXFF),
                   rx_full=bool(word & _lib.BSC_FR_RXFF), tx_empty=bool(word & _lib.BSC_FR_TXFE),
                   rx_busy=bool(word & _lib.BSC_FR_RXBUSY),
                   tx_fifo=word >> _TX_COUNT_SHIFT & _COUNT_MASK,
                   rx_fifo=word >> _RX_COUNT_SHIFT & _COUNT_MASK, word=word)


class BscSlave(Handle):
    """The BSC peripheral configured as a slave; closing it shuts the peripheral down."""

    def __init__(self, session: CommandFamily, control: int, name: Optional[str] = None) -> None:
        super().__init__(session, session._connection.token, _bsc_xfer, _request(0, b""), name=name)
        self.control = control
        self._callbacks: List[Callback] = []

    def transfer(self, data: Data = b"") -> Tuple[BscStatus, bytes]:
        """Queue up to 512 bytes for the master; the status and the bytes received."""
        if self._closed:
            raise BadHandleError(_lib.PI_BAD_HANDLE, "%r is closed" % (self,))
        xfer = _request(self.control, checked_bytes(data, 0, MAX_TRANSFER))
        word = self._call(_bsc_xfer, xfer)
        return BscStatus.from_word(word), bytes(_ffi.unpack(xfer.rxBuf, xfer.rxCnt))

    def on_event(self, func: Callable[..., Any], user: Any = None) -> Callback:
        """Call ``func(event, tick[, user])`` on slave activity (pigpio event 31)."""
        callback = self.session.event_callback(_lib.PI_EVENT_BSC, func, user)
        self._callbacks.append(callback)
        return callback

    def _close_local(self) -> None:
        for callback in self._callbacks:
            callback.cancel()
        self._callbacks.clear()


def _request(control: int, data: bytes) -> Any:
    """A ``bsc_xfer_t`` for one transfer."""
    xfer = _ffi.new("bsc_xfer_t *")
    xfer.control = control
    xfer.txCnt = len(data)
    xfer.txBuf[0:len(data)] = data
    return xfer


def _bsc_xfer(token: int, xfer: Any) -> int:
    """``bsc_xfer`` with its status word as the daemon sent it (the library
    byte-swaps it with ntohl)."""
    result: int = _lib.pgd_bsc_xfer(token, xfer)
    if _LOWEST_ERROR <= result < 0:
        return result
    return socket.ntohl(result & 0xFFFFFFFF)


class I2CSlave(BscSlave):
    """The Pi as an I2C slave at a 7-bit address (``Session.open_i2c_slave``)."""

    def __init__(self, session: CommandFamily, address: int, name: Optional[str] = None) -> None:
        control = (address << _ADDRESS_SHIFT | _lib.BSC_CR_TXE | _lib.BSC_CR_RXE
                   | _lib.BSC_CR_I2C | _lib.BSC_CR_EN)
        super().__init__(session, control, name=name)
        self.address = address

    def _describe(self) -> str:
        return "address 0x%02x" % self.address

    def __enter__(self) -> "I2CSlave":
        return self


class SpiSlave(BscSlave):
    """The Pi as an SPI slave in mode 0-3 (``Session.open_spi_slave``)."""

    def __init__(self, session: CommandFamily, mode: int, name: Optional[str] = None) -> None:
        control = ((mode & 1) << _CPHA_BIT | (mode >> 1) << _CPOL_BIT | _lib.BSC_CR_TXE
                   | _lib.BSC_CR_RXE | _lib.BSC_CR_SPI | _lib.BSC_CR_EN)
        super().__init__(session, control, name=name)
        self.mode = mode

    def _describe(self) -> str:
        return "mode %d" % self.mode

    def __enter__(self) -> "SpiSlave":
        return self


_Slave = TypeVar("_Slave", bound=BscSlave)


class BscMethods(CommandFamily):
    """Session methods for the BSC slave peripheral."""

    def open_i2c_slave(self, address: int, *, name: Optional[str] = None) -> I2CSlave:
        """Answer as an I2C slave at 7-bit ``address`` (1-127)."""
        checked_int(address, 1, _lib.PI_MAX_I2C_ADDR, "address", _lib.PI_BAD_I2C_ADDR)
        return _started(I2CSlave(self, address, name=name))

    def open_spi_slave(self, mode: int = 0, *, name: Optional[str] = None) -> SpiSlave:
        """Answer as an SPI slave in SPI ``mode`` 0-3."""
        checked_int(mode, 0, 3, "SPI mode")
        return _started(SpiSlave(self, mode, name=name))


def _started(slave: _Slave) -> _Slave:
    """Configure the peripheral (an empty transfer); close the object if that fails."""
    try:
        slave.transfer()
    except BaseException:
        slave.close()
        raise
    return slave

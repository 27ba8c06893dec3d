"""The BSC slave peripheral (BSCX): the Pi as an I2C or SPI slave.

The peripheral has 16-byte transmit and receive FIFOs and a flag register;
BSCX configures it, moves the caller's bytes into the transmit FIFO while
there is room and drains the receive FIFO (pigpio.c's bscXfer).  A simulated
master (the control API) writes to and reads from the slave; its activity
changes the flag register, which fires event 31 (PI_EVENT_BSC) unless a
BSCX with control word 0 shut the peripheral down.
"""
from __future__ import annotations

import struct
from collections import deque
from typing import Callable, Optional

from ...constants import Command, Mode
from ..board import Board
from ..checks import Handlers
from ..clock import now_us
from ... import _numbers as lib

#: Depth of each hardware FIFO.
FIFO_DEPTH = 16
#: Bytes of one BSCX's transmit data and receive buffer.
XFER_SIZE = lib.BSC_FIFO_SIZE
_STATUS = struct.Struct("<I")
#: Flag register fields: transmit count at bit 6, receive count at bit 11.
TX_COUNT_SHIFT, RX_COUNT_SHIFT = 6, 11
CONTROL_MASK = 0x3FFF
I2C_MODE, SPI_MODE = 1, 2


def bsc_pins(bcm2711: bool, mode: int) -> tuple[int, ...]:
    """The gpios the peripheral takes in a mode (I2C: SDA, SCL; SPI: SCLK, MOSI, MISO, CE)."""
    if bcm2711:
        i2c = (lib.BSC_SDA_2711, lib.BSC_SCL_SCLK_2711)
        spi = (lib.BSC_SCL_SCLK_2711, lib.BSC_MOSI_2711, lib.BSC_MISO_2711, lib.BSC_CE_N_2711)
    else:
        i2c = (lib.BSC_SDA, lib.BSC_SCL_SCLK)
        spi = (lib.BSC_SCL_SCLK, lib.BSC_MOSI, lib.BSC_MISO, lib.BSC_CE_N)
    return spi if mode == SPI_MODE else i2c


class BscSlave:
    """Handler for BSCX, and the simulated master's side of the peripheral."""

    def __init__(self, board: Board, fire_event: Callable[[], object]) -> None:
        self.board = board
        self.fire_event = fire_event
        self.reset()

    def reset(self) -> None:
        """Back to the power-on state: off, FIFOs empty."""
        self.mode = 0
        self.control = 0
        self.address = 0
        self.tx: deque[int] = deque()
        self.rx: deque[int] = deque()
        self.events_on = True

    def handlers(self) -> Handlers:
        """The command handlers: BSCX."""
        return {Command.BSCX: self.xfer}

    def flags(self) -> int:
        """The flag register (FR) as the peripheral shows it now."""
        tx, rx = len(self.tx), len(self.rx)
        return ((0 if rx else lib.BSC_FR_RXFE) | (lib.BSC_FR_TXFF if tx >= FIFO_DEPTH else 0)
                | (lib.BSC_FR_RXFF if rx >= FIFO_DEPTH else 0) | (0 if tx else lib.BSC_FR_TXFE)
                | tx << TX_COUNT_SHIFT | rx << RX_COUNT_SHIFT)

    def xfer(self, control: int, p2: int, ext: bytes) -> bytes:
        """BSCX: configure the BSC slave (0: off), queue ext to send; status and bytes received."""
        if not control:
            self._shut_down()
            return _STATUS.pack(0)
        mode = SPI_MODE if control & lib.BSC_CR_SPI else I2C_MODE
        if mode > self.mode:
            t = now_us()
            for gpio in bsc_pins(self.board.bcm2711, mode):
                self.board.set_mode(gpio, Mode.ALT3, t)
            self.mode = mode
        self.control = control & CONTROL_MASK
        self.address = (control >> 16) & lib.PI_MAX_I2C_ADDR
        self.events_on = True
        if self.control & lib.BSC_CR_BRK:
            self.tx.clear()
            self.rx.clear()
        data = ext[:XFER_SIZE]
        copied = min(len(data), FIFO_DEPTH - len(self.tx))
        self.tx.extend(data[:copied])
        received = bytes(self.rx.popleft() for _ in range(min(len(self.rx), XFER_SIZE)))
        return _STATUS.pack(copied << 16 | self.flags()) + received

    def _shut_down(self) -> None:
        if self.mode:
            t = now_us()
            for gpio in bsc_pins(self.board.bcm2711, self.mode):
                self.board.set_mode(gpio, Mode.INPUT, t)
        self.mode = 0
        self.control = 0
        self.events_on = False

    # -- the simulated master ---------------------------------------------

    def _enabled(self, mode_bit: int) -> bool:
        return bool(self.control & lib.BSC_CR_EN and self.control & mode_bit)

    def _acknowledges(self, address: int) -> bool:
        return self._enabled(lib.BSC_CR_I2C) and address == self.address

    def _activity(self, before: int) -> None:
        if self.events_on and self.flags() != before:
            self.fire_event()

    def _receive(self, data: bytes) -> None:
        if self.control & lib.BSC_CR_RXE:
            for byte in data:
                if len(self.rx) < FIFO_DEPTH:  # a full FIFO overruns: the byte is lost
                    self.rx.append(byte)

    def _send(self, count: int) -> bytes:
        """Bytes for the master; 0 once the transmit FIFO runs dry (an underrun)."""
        if not self.control & lib.BSC_CR_TXE:
            return bytes(count)
        return bytes(self.tx.popleft() if self.tx else 0 for _ in range(count))

    def master_write(self, address: int, data: bytes) -> bool:
        """An I2C master writes ``data`` to ``address``; False if not acknowledged."""
        if not self._acknowledges(address):
            return False
        before = self.flags()
        self._receive(data)
        self._activity(before)
        return True

    def master_read(self, address: int, count: int) -> Optional[bytes]:
        """An I2C master reads ``count`` bytes from ``address``; None if not acknowledged."""
        if not self._acknowledges(address):
            return None
        before = self.flags()
        data = self._send(count)
        self._activity(before)
        return data

    def master_xfer(self, data: bytes) -> Optional[bytes]:
        """An SPI master clocks ``data`` in with chip select asserted; what the slave sent,
        or None when the peripheral is not an enabled SPI slave."""
        if not self._enabled(lib.BSC_CR_SPI):
            return None
        before = self.flags()
        sent = self._send(len(data))
        self._receive(data)
        self._activity(before)
        return sent

"""Bit-banged SPI (BSPIO/BSPIC/BSPIX): chip selects on any gpios, sharing bus pins.

The device at chip select gpio ``n`` is the SPI model configured as "bb<n>";
with none there, the master reads the MISO pin's level for every bit.
"""
from __future__ import annotations

from typing import Union

from ...constants import Command, Mode
from .bitbang_pins import SPI_CS, SPI_MISO, SPI_MOSI, SPI_SCLK, BitBangPins, user_gpios
from ..checks import Handlers, ext_u32, writable
from ..clock import now_us
from .spi import SpiDevices
from .spi_bits import SpiFrame, exchange, from_bits
from ... import _numbers as lib

CS_ACTIVE_HIGH = 1 << 2


class BitBangSpi:
    """Handlers for BSPIO BSPIC BSPIX."""

    def __init__(self, pins: BitBangPins, devices: SpiDevices) -> None:
        self.pins = pins
        self.devices = devices
        self.reset()

    def reset(self) -> None:
        """Forget every chip select."""
        #: CS gpio -> (MISO, MOSI, SCLK, flags)
        self.selects: dict[int, tuple[int, int, int, int]] = {}

    def handlers(self) -> Handlers:
        """The command handlers: BSPIO BSPIC BSPIX."""
        return {Command.BSPIO: self.open, Command.BSPIC: self.close, Command.BSPIX: self.xfer}

    def open(self, cs: int, p2: int, ext: bytes) -> int:
        """BSPIO: open bit-banged SPI on chip select ``cs`` (MISO MOSI SCLK baud flags in ext)."""
        miso, mosi, sclk, baud, flags = (ext_u32(ext, k) for k in range(5))
        board = self.pins.board
        gpios = (cs, miso, mosi, sclk)
        error = (next((e for e in (writable(board, g, lib.PI_MAX_GPIO, 0) for g in gpios) if e), 0)
                 or user_gpios(*gpios))
        if error:
            return error
        if not lib.PI_BB_SPI_MIN_BAUD <= baud <= lib.PI_BB_SPI_MAX_BAUD:
            return lib.PI_BAD_SPI_BAUD
        if not self.pins.free(cs) or len(set(gpios)) != 4:
            return lib.PI_GPIO_IN_USE
        bus = ((miso, SPI_MISO), (mosi, SPI_MOSI), (sclk, SPI_SCLK))
        new_bus = all(self.pins.free(g) for g, _role in bus)
        if not new_bus and any(self.pins.role(g) != role for g, role in bus):
            return lib.PI_GPIO_IN_USE
        t = now_us()
        self.pins.take(cs, SPI_CS)
        board.output(cs, 0 if flags & CS_ACTIVE_HIGH else 1, t)
        if new_bus:
            for gpio, role in bus:
                self.pins.take(gpio, role)
            board.set_mode(miso, Mode.INPUT, t)
            board.set_mode(sclk, Mode.OUTPUT, t)
            board.output(mosi, 0, t)
        self.selects[cs] = (miso, mosi, sclk, flags)
        return 0

    def _check(self, cs: int) -> int:
        if cs > lib.PI_MAX_USER_GPIO:
            return lib.PI_BAD_USER_GPIO
        return 0 if cs in self.selects else lib.PI_NOT_SPI_GPIO

    def close(self, cs: int, p2: int, ext: bytes) -> int:
        """BSPIC: close chip select ``cs`` (and its bus once no select uses it)."""
        error = self._check(cs)
        if error:
            return error
        t = now_us()
        miso, mosi, sclk, _flags = self.selects.pop(cs)
        self.pins.release(cs, t)
        if not any(other[2] == sclk for other in self.selects.values()):
            for gpio in (miso, mosi, sclk):
                self.pins.release(gpio, t)
        return 0

    def xfer(self, cs: int, p2: int, ext: bytes) -> Union[int, bytes]:
        """BSPIX: exchange ext with the device at ``cs``; the bytes read."""
        error = self._check(cs) or (0 if ext else lib.PI_BAD_POINTER)
        if error:
            return error
        miso, _mosi, _sclk, flags = self.selects[cs]
        frame = SpiFrame(mode=flags & 3, tx_lsb_first=bool(flags >> 14 & 1),
                         rx_lsb_first=bool(flags >> 15 & 1))
        device = self.devices.devices.get("bb%d" % cs)
        if device is None:
            level = self.pins.board.read(miso, now_us())
            return from_bits([level] * 8 * len(ext), frame, len(ext))
        return exchange(device, not flags & CS_ACTIVE_HIGH, ext, frame)

"""Hardware SPI: the main and auxiliary blocks, handles and SPIO/SPIC/SPIR/SPIW/SPIX.

Flags change what a device sees (mode, chip-select polarity and use, word
size, bit order, 3-wire; see :mod:`.spi_bits`).  The first handle on a block
configures its pins, the last close restores their modes.
"""
from __future__ import annotations

from typing import Any, Optional, Union

from ...constants import Command, Mode
from ..board import Board
from ..checks import Handlers, ext_u32
from ..clock import now_us
from ..handle_table import HandleTable
from .spi_bits import SpiFrame, exchange
from ..devices.spi import DEFAULT_SPI, SpiDevice, make_spi_device
from ... import _numbers as lib

MAX_COUNT = 65536
MAX_FLAGS = 1 << 22
#: Block -> (chip-select gpios by channel, (SCLK, MISO, MOSI)) on the header.
PINS = {"main": ((8, 7), (11, 9, 10)), "aux": ((18, 17, 16), (21, 19, 20))}
AUX_BIT = 1 << 8


def block_of(flags: int) -> str:
    """The SPI block the flags select: "aux" or "main"."""
    return "aux" if flags & AUX_BIT else "main"


def frame_of(flags: int) -> SpiFrame:
    """How a hardware SPI handle with these flags clocks its transfers."""
    if flags & AUX_BIT:
        return SpiFrame(mode=flags & 3, word_bits=(flags >> 16) & 63 or 8,
                        tx_lsb_first=bool(flags >> 14 & 1), rx_lsb_first=bool(flags >> 15 & 1))
    return SpiFrame(mode=flags & 3, three_wire=(flags >> 10) & 15 if flags >> 9 & 1 else None)


class SpiDevices:
    """The device models at each chip select ("main0", "aux2", "bb5" for bit-banged CS 5)."""

    def __init__(self, layout: Optional[dict[str, Any]] = None) -> None:
        self.layout = DEFAULT_SPI if layout is None else layout
        self.reset()

    def reset(self) -> None:
        """Back to the configured devices."""
        self.devices: dict[str, SpiDevice] = {}
        for where, spec in self.layout.items():
            self.attach(where, spec)

    def attach(self, where: str, spec: Any) -> None:
        """Put a model at a chip select (a name, or ``{"model": name, ...}``)."""
        self.devices[where] = make_spi_device(spec)

    def detach(self, where: str) -> None:
        """Remove the device at a chip select, if any."""
        self.devices.pop(where, None)

    def device(self, where: str) -> SpiDevice:
        """The model at a chip select; KeyError if none."""
        return self.devices[where]


class SpiCommands:
    """Handlers for SPIO SPIC SPIR SPIW SPIX."""

    def __init__(self, board: Board, devices: SpiDevices) -> None:
        self.board = board
        self.devices = devices
        self.handles: HandleTable[tuple[int, int]] = HandleTable(lib.PI_SPI_SLOTS)
        self.reset()

    def reset(self) -> None:
        """Close every handle; back to the configured devices."""
        #: slot -> (channel, flags)
        self.handles.clear()
        self.saved: dict[str, list[int]] = {}
        self.devices.reset()

    def handlers(self) -> Handlers:
        """The command handlers: SPIO SPIC SPIR SPIW SPIX."""
        return {Command.SPIO: self.open, Command.SPIC: self.close,
                Command.SPIR: self.handles.bind(self.read),
                Command.SPIW: self.handles.bind(self.write),
                Command.SPIX: self.handles.bind(self.xfer)}

    def _open_on(self, block: str) -> bool:
        return any(block_of(flags) == block for _channel, flags in self.handles.values())

    def open(self, channel: int, baud: int, ext: bytes) -> int:
        """SPIO: a handle on ``channel`` at ``baud`` (flags in ext)."""
        flags = ext_u32(ext)
        aux = bool(flags & AUX_BIT)
        if aux and self.board.hwver < 16:
            return lib.PI_NO_AUX_SPI
        channels = lib.PI_NUM_AUX_SPI_CHANNEL if aux else lib.PI_NUM_STD_SPI_CHANNEL
        if channel >= channels:
            return lib.PI_BAD_SPI_CHANNEL
        if not lib.PI_SPI_MIN_BAUD <= baud <= lib.PI_SPI_MAX_BAUD:
            return lib.PI_BAD_SPI_SPEED
        if flags > MAX_FLAGS:
            return lib.PI_BAD_FLAGS
        block = block_of(flags)
        if not self._open_on(block):
            self._configure(block, flags)
        return self.handles.add((channel, flags))

    def _configure(self, block: str, flags: int) -> None:
        selects, bus = PINS[block]
        t = now_us()
        self.saved[block] = [self.board.mode[g] for g in selects + bus]
        for channel, gpio in enumerate(selects):
            if flags >> (5 + channel) & 1:
                continue
            if block == "aux":
                self.board.output(gpio, 0 if flags >> (2 + channel) & 1 else 1, t)
            else:
                self.board.set_mode(gpio, Mode.ALT0, t)
        for gpio in bus:
            self.board.set_mode(gpio, Mode.ALT4 if block == "aux" else Mode.ALT0, t)

    def _restore(self, block: str, flags: int) -> None:
        selects, bus = PINS[block]
        t = now_us()
        for index, (gpio, mode) in enumerate(zip(selects + bus, self.saved.pop(block))):
            if index < len(selects) and flags >> (5 + index) & 1:
                continue
            self.board.set_mode(gpio, mode, t)

    def close(self, handle: int, p2: int, ext: bytes) -> int:
        """SPIC: close an SPI handle (the last on a block gives its pins back)."""
        target = self.handles.get(handle)
        if target is None:
            return lib.PI_BAD_HANDLE
        self.handles.remove(handle)
        block = block_of(target[1])
        if not self._open_on(block) and block in self.saved:
            self._restore(block, target[1])
        return 0

    def _transfer(self, target: tuple[int, int], data: bytes) -> Union[int, bytes]:
        if len(data) > MAX_COUNT:
            return lib.PI_BAD_SPI_COUNT
        channel, flags = target
        block = block_of(flags)
        device = self.devices.devices.get(block + str(channel))
        return exchange(device, self._selected(block, channel, flags), data, frame_of(flags))

    def _selected(self, block: str, channel: int, flags: int) -> bool:
        """Whether an active-low device at the chip select sees it asserted."""
        if flags >> (5 + channel) & 1:
            return self.board.read(PINS[block][0][channel], now_us()) == 0
        return not flags >> (2 + channel) & 1

    def read(self, target: tuple[int, int], count: int, ext: bytes) -> Union[int, bytes]:
        """SPIR: ``count`` bytes read while sending zeros."""
        return self._transfer(target, bytes(min(count, MAX_COUNT + 1)))

    def write(self, target: tuple[int, int], p2: int, ext: bytes) -> int:
        """SPIW: send ext; the count sent."""
        result = self._transfer(target, ext)
        return result if isinstance(result, int) else len(ext)

    def xfer(self, target: tuple[int, int], p2: int, ext: bytes) -> Union[int, bytes]:
        """SPIX: send ext; the bytes read meanwhile."""
        return self._transfer(target, ext)

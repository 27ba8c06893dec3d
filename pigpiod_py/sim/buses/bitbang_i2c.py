"""Bit-banged I2C (BI2CO/BI2CC/BI2CZ) on any two gpios, reaching bus 1's device models.

The BI2CZ program has explicit Start/Stop; each Read or Write is one message
to the current address (default 0).  See the reference, 8.2.
"""
from __future__ import annotations

from typing import Callable, Optional, Union

from ...constants import Command, Mode
from .bitbang_pins import I2C_SCL, I2C_SDA, BitBangPins, user_gpios
from ..checks import Handlers, ext_u32
from ..clock import now_us
from .i2c import I2cBuses
from .i2c_zip import READ_SPACE, ZipReader
from ... import _numbers as lib

#: The hardware bus whose devices a bit-banged bus reaches.
DEVICE_BUS = 1
#: One message: (address, "r" or "w", count or bytes) -> bytes read, None on a NACK.
Transfer = Callable[[int, str, Union[bytes, int]], Optional[bytes]]


class BitBangI2c:
    """Handlers for BI2CO BI2CC BI2CZ."""

    def __init__(self, pins: BitBangPins, buses: I2cBuses) -> None:
        self.pins = pins
        self.buses = buses
        self.reset()

    def reset(self) -> None:
        """Forget every open bus."""
        #: SDA gpio -> SCL gpio of each open bus.
        self.scl: dict[int, int] = {}

    def handlers(self) -> Handlers:
        """The command handlers: BI2CO BI2CC BI2CZ."""
        return {Command.BI2CO: self.open, Command.BI2CC: self.close, Command.BI2CZ: self.zip}

    def open(self, sda: int, scl: int, ext: bytes) -> int:
        """BI2CO: open a bit-banged bus on SDA ``sda``, SCL ``scl`` at the baud in ext."""
        baud = ext_u32(ext)
        error = user_gpios(sda, scl)
        if error:
            return error
        if not lib.PI_BB_I2C_MIN_BAUD <= baud <= lib.PI_BB_I2C_MAX_BAUD:
            return lib.PI_BAD_I2C_BAUD
        if not self.pins.free(sda) or not self.pins.free(scl) or scl == sda:
            return lib.PI_GPIO_IN_USE
        t = now_us()
        for gpio, role in ((sda, I2C_SDA), (scl, I2C_SCL)):
            self.pins.take(gpio, role)
            self.pins.board.set_mode(gpio, Mode.INPUT, t)
        self.scl[sda] = scl
        return 0

    def _check(self, sda: int) -> int:
        if sda > lib.PI_MAX_USER_GPIO:
            return lib.PI_BAD_USER_GPIO
        return 0 if self.pins.role(sda) == I2C_SDA else lib.PI_NOT_I2C_GPIO

    def close(self, sda: int, p2: int, ext: bytes) -> int:
        """BI2CC: close the bit-banged bus on SDA ``sda``, restoring its pins."""
        error = self._check(sda)
        if error:
            return error
        t = now_us()
        self.pins.release(sda, t)
        self.pins.release(self.scl.pop(sda), t)
        return 0

    def zip(self, sda: int, p2: int, ext: bytes) -> Union[int, bytes]:
        """BI2CZ: run a bit-banged I2C command sequence; the bytes read."""
        error = self._check(sda) or (0 if ext else lib.PI_BAD_POINTER)
        return error or run_bb_zip(ext, self._transfer)

    def _transfer(self, address: int, kind: str, payload: Union[bytes, int]) -> Optional[bytes]:
        return self.buses.transfer(DEVICE_BUS, address, [(kind, payload)])


def run_bb_zip(program: bytes, transfer: Transfer) -> Union[int, bytes]:
    """Run a BI2CZ program; the bytes read, or an error code."""
    reader = ZipReader(program, 0)
    out = bytearray()
    for command in reader.commands():
        if command in (lib.PI_I2C_START, lib.PI_I2C_STOP):
            continue
        if command not in (lib.PI_I2C_READ, lib.PI_I2C_WRITE):
            return lib.PI_BAD_I2C_CMD
        count = reader.param()
        if count == 0:
            return lib.PI_BAD_I2C_CMD
        if command == lib.PI_I2C_READ:
            if count is None or count + len(out) > READ_SPACE:
                return lib.PI_BAD_I2C_RLEN
            data = transfer(reader.address, "r", count)
            if data is None:
                return lib.PI_I2C_READ_FAILED
            out += data
        else:
            if count is None or count + reader.pos > len(program):
                return lib.PI_BAD_I2C_WLEN
            if transfer(reader.address, "w", program[reader.pos:reader.pos + count]) is None:
                return lib.PI_I2C_WRITE_FAILED
            reader.pos += count
    return bytes(out)

"""Which gpios the bit-banged functions (I2C, SPI, serial read) are using, and as what.

pigpiod keeps one record per gpio for all of them, so a gpio serves one
bit-banged function at a time; the families share one :class:`BitBangPins`.
"""
from __future__ import annotations

from typing import Optional

from ..board import Board
from ... import _numbers as lib

I2C_SDA, I2C_SCL = "i2c_sda", "i2c_scl"
SPI_CS, SPI_MISO, SPI_MOSI, SPI_SCLK = "spi_cs", "spi_miso", "spi_mosi", "spi_sclk"
SERIAL = "serial"


class BitBangPins:
    """gpio -> role, and the modes the gpios had before a function took them."""

    def __init__(self, board: Board) -> None:
        self.board = board
        self.reset()

    def reset(self) -> None:
        """Forget every taken pin."""
        self.roles: dict[int, str] = {}
        self.saved_modes: dict[int, int] = {}

    def role(self, gpio: int) -> Optional[str]:
        """What a bit-banged bus uses ``gpio`` for, or None."""
        return self.roles.get(gpio)

    def free(self, gpio: int) -> bool:
        """True if no bit-banged bus uses ``gpio``."""
        return gpio not in self.roles

    def take(self, gpio: int, role: str, save_mode: bool = True) -> None:
        """Give ``gpio`` a role (remembering its mode, to be restored by :meth:`release`)."""
        self.roles[gpio] = role
        if save_mode:
            self.saved_modes[gpio] = self.board.mode[gpio]

    def release(self, gpio: int, t: int) -> None:
        """Free ``gpio`` and put back the mode it had when taken."""
        self.roles.pop(gpio, None)
        mode = self.saved_modes.pop(gpio, None)
        if mode is not None:
            self.board.set_mode(gpio, mode, t)


def user_gpios(*gpios: int) -> int:
    """PI_BAD_USER_GPIO if any gpio is above 31, else 0."""
    return lib.PI_BAD_USER_GPIO if max(gpios) > lib.PI_MAX_USER_GPIO else 0

"""Hardware I2C devices: SMBus-style operations, raw transfers and zip programs.

>>> with session.open_i2c(1, 0x53) as accel:
...     accel.read_byte_data(0)                     # 0xE5 on an ADXL345
...     accel.zip(I2CZip().write(b"\\x32").read(6))  # the six axis bytes
"""
from __future__ import annotations

from typing import Any, Callable, List, Optional, TypeVar, Union

from ._pigpiod import lib as _lib
from .buffers import receive
from .checks import Data, checked_bytes, checked_int
from .errors import DeviceIOError
from .family import CommandFamily
from .handles import Handle

#: SMBus block transfers carry 1-32 bytes.
MAX_BLOCK = 32
#: Raw transfers and zip results: at most this many bytes.
MAX_TRANSFER = 65535
#: The addresses ``scan_i2c`` probes (those i2cdetect probes by default).
SCAN_ADDRESSES = range(0x03, 0x78)


#: A builder method returns the builder itself, typed as its own class.
ZipProgramT = TypeVar("ZipProgramT", bound="ZipProgram")


class ZipProgram:
    """Builder of the byte program shared by I2C zip and bit-banged I2C zip.

    Each method appends one command and returns the builder; ``bytes(program)``
    is the program with its final End. Parameters above 255 are sent with
    the Escape prefix automatically.
    """

    def __init__(self) -> None:
        self._code = bytearray()
        self.read_count = 0

    def _op(self, command: int, value: int) -> None:
        if value > 0xFF:
            self._code += bytes((_lib.PI_I2C_ESC, command)) + value.to_bytes(2, "little")
        else:
            self._code += bytes((command, value))

    def address(self: ZipProgramT, address: int) -> ZipProgramT:
        """Use 7-bit ``address`` for the following reads and writes."""
        self._op(_lib.PI_I2C_ADDR, checked_int(address, 0, _lib.PI_MAX_I2C_ADDR, "address",
                                               _lib.PI_BAD_I2C_ADDR))
        return self

    def flags(self: ZipProgramT, flags: int) -> ZipProgramT:
        """Set the message flags (16 bits) for the following reads and writes."""
        self._code += bytes((_lib.PI_I2C_FLAGS,)) + checked_int(
            flags, 0, 0xFFFF, "flags").to_bytes(2, "little")
        return self

    def read(self: ZipProgramT, count: int) -> ZipProgramT:
        """Read ``count`` bytes."""
        self._op(_lib.PI_I2C_READ, checked_int(count, 1, MAX_TRANSFER, "read count"))
        self.read_count += count
        return self

    def write(self: ZipProgramT, data: Data) -> ZipProgramT:
        """Write ``data``."""
        data = checked_bytes(data, 1, MAX_TRANSFER, "write data")
        self._op(_lib.PI_I2C_WRITE, len(data))
        self._code += data
        return self

    def __bytes__(self) -> bytes:
        return bytes(self._code) + bytes((_lib.PI_I2C_END,))

    def __repr__(self) -> str:
        return "<%s %s>" % (type(self).__name__, bytes(self).hex(" "))


class I2CZip(ZipProgram):
    """Builder of an :meth:`I2CDevice.zip` program (hardware I2C)."""

    def combined_on(self: ZipProgramT) -> ZipProgramT:
        """Run what is queued, then join later messages with repeated starts."""
        self._code.append(_lib.PI_I2C_COMBINED_ON)
        return self

    def combined_off(self: ZipProgramT) -> ZipProgramT:
        """Run what is queued, then end each later message with a stop."""
        self._code.append(_lib.PI_I2C_COMBINED_OFF)
        return self


def zip_buffers(program: Union[ZipProgram, Data]) -> "tuple[bytes, int]":
    """The program's bytes and the output size to allow for it."""
    if isinstance(program, ZipProgram):
        return bytes(program), max(program.read_count, 1)
    return checked_bytes(program, 1, MAX_TRANSFER, "zip program"), MAX_TRANSFER


class I2CDevice(Handle):
    """One device on a hardware I2C bus (``Session.open_i2c``).

    Method names are smbus2's, without the address argument. Transfers the
    device does not acknowledge raise :class:`DeviceIOError`.
    """

    def __init__(self, session: CommandFamily, token: int, handle: int, bus: int,
                 address: int, name: Optional[str] = None) -> None:
        super().__init__(session, token, _lib.pgd_i2c_close, handle, name=name)
        self.handle = handle
        self.bus = bus
        self.address = address

    def _describe(self) -> str:
        return "bus %d address 0x%02x handle %d" % (self.bus, self.address, self.handle)

    def __enter__(self) -> "I2CDevice":
        return self

    def _block_read(self, function: Callable[..., int], register: int,
                    data: bytes = b"") -> bytes:
        def fill(buf: Any) -> int:
            if not data:
                return self._call(function, self.handle, register, buf)
            buf[0:len(data)] = data
            return self._call(function, self.handle, register, buf, len(data))
        return receive(MAX_BLOCK, fill)

    def write_quick(self, bit: int) -> None:
        """Send ``bit`` as the read/write bit, with no data."""
        self._call(_lib.pgd_i2c_write_quick, self.handle, checked_int(bit, 0, 1, "bit"))

    def read_byte(self) -> int:
        """Read one byte (no register)."""
        return self._call(_lib.pgd_i2c_read_byte, self.handle)

    def write_byte(self, value: int) -> None:
        """Write one byte (no register)."""
        self._call(_lib.pgd_i2c_write_byte, self.handle, checked_int(value, 0, 0xFF, "byte"))

    def read_byte_data(self, register: int) -> int:
        """Read the byte of a register."""
        return self._call(_lib.pgd_i2c_read_byte_data, self.handle, _register(register))

    def write_byte_data(self, register: int, value: int) -> None:
        """Write a byte to a register."""
        self._call(_lib.pgd_i2c_write_byte_data, self.handle, _register(register),
                   checked_int(value, 0, 0xFF, "byte"))

    def read_word_data(self, register: int) -> int:
        """Read the 16-bit word (little-endian on the wire) of a register."""
        return self._call(_lib.pgd_i2c_read_word_data, self.handle, _register(register))

    def write_word_data(self, register: int, value: int) -> None:
        """Write a 16-bit word to a register."""
        self._call(_lib.pgd_i2c_write_word_data, self.handle, _register(register),
                   checked_int(value, 0, 0xFFFF, "word"))

    def process_call(self, register: int, value: int) -> int:
        """Write a word to a register and read the word the device answers."""
        return self._call(_lib.pgd_i2c_process_call, self.handle, _register(register),
                          checked_int(value, 0, 0xFFFF, "word"))

    def read_block_data(self, register: int) -> bytes:
        """SMBus block read: the device says how many bytes (at most 32)."""
        return self._block_read(_lib.pgd_i2c_read_block_data, _register(register))

    def write_block_data(self, register: int, data: Data) -> None:
        """SMBus block write of 1-32 bytes (sent with their count)."""
        data = checked_bytes(data, 1, MAX_BLOCK)
        self._call(_lib.pgd_i2c_write_block_data, self.handle, _register(register), data, len(data))

    def block_process_call(self, register: int, data: Data) -> bytes:
        """Write a 1-32 byte block and read the block the device answers."""
        data = checked_bytes(data, 1, MAX_BLOCK)
        return self._block_read(_lib.pgd_i2c_block_process_call, _register(register), data)

    def read_i2c_block_data(self, register: int, length: int) -> bytes:
        """Read ``length`` (1-32) bytes from a register on (no count byte)."""
        length = checked_int(length, 1, MAX_BLOCK, "length")
        register = _register(register)
        return receive(length, lambda buf: self._call(
            _lib.pgd_i2c_read_i2c_block_data, self.handle, register, buf, length))

    def write_i2c_block_data(self, register: int, data: Data) -> None:
        """Write 1-32 bytes to a register on (no count byte)."""
        data = checked_bytes(data, 1, MAX_BLOCK)
        self._call(_lib.pgd_i2c_write_i2c_block_data, self.handle, _register(register), data,
                   len(data))

    def read(self, count: int) -> bytes:
        """Raw read of ``count`` (1-65535) bytes."""
        count = checked_int(count, 1, MAX_TRANSFER, "count")
        return receive(count, lambda buf: self._call(_lib.pgd_i2c_read_device, self.handle, buf,
                                                     count))

    def write(self, data: Data) -> None:
        """Raw write of 1-65535 bytes."""
        data = checked_bytes(data, 1, MAX_TRANSFER)
        self._call(_lib.pgd_i2c_write_device, self.handle, data, len(data))

    def zip(self, program: Union[I2CZip, Data]) -> bytes:
        """Run a zip program (an :class:`I2CZip`); the bytes its reads returned."""
        code, space = zip_buffers(program)
        return receive(space, lambda buf: self._call(_lib.pgd_i2c_zip, self.handle, code,
                                                     len(code), buf, space))


def _register(register: int) -> int:
    return checked_int(register, 0, 0xFF, "register")


class I2CMethods(CommandFamily):
    """Session methods for hardware I2C devices."""

    def open_i2c(self, bus: int, address: int, flags: int = 0, *,
                 name: Optional[str] = None) -> I2CDevice:
        """Open the device at 7-bit ``address`` on ``bus`` (the address is not probed)."""
        checked_int(address, 0, _lib.PI_MAX_I2C_ADDR, "address", _lib.PI_BAD_I2C_ADDR)
        handle, token = self._open(_lib.pgd_i2c_open, bus, address, flags)
        return I2CDevice(self, token, handle, bus, address, name=name)

    def scan_i2c(self, bus: int) -> List[int]:
        """The addresses 0x03-0x77 on ``bus`` that acknowledge a one-byte read."""
        found = []
        with self.open_i2c(bus, 0) as device:
            for address in SCAN_ADDRESSES:
                try:
                    device.zip(I2CZip().address(address).read(1))
                except DeviceIOError:
                    continue
                found.append(address)
        return found

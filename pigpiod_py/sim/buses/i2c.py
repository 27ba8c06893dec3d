"""Hardware I2C: buses of device models, handles and the SMBus-style commands.

Every SMBus command is played as the messages it puts on the bus (see the
reference, 8.1): a device that is absent does not acknowledge, which the
daemon reports as PI_I2C_WRITE_FAILED or PI_I2C_READ_FAILED.
"""
from __future__ import annotations

from typing import Any, Optional, Union

from ...constants import Command
from ..checks import Handlers, ext_u32
from ..handle_table import HandleTable
from ..devices.i2c import DEFAULT_I2C, I2cDevice, make_device
from .i2c_zip import run_i2c_zip
from ... import _numbers as lib

#: The buses a fresh simulator has (/dev/i2c-0 and /dev/i2c-1).
BUSES = (0, 1)
MAX_BLOCK = 32
MAX_RAW = 65536
#: A message: ("w", bytes) or ("r", count).
Message = tuple[str, Union[bytes, int]]


class I2cBuses:
    """The device models on each bus, by 7-bit address."""

    def __init__(self, layout: Optional[dict[int, dict[int, Any]]] = None) -> None:
        self.layout = DEFAULT_I2C if layout is None else layout
        self.reset()

    def reset(self) -> None:
        """Back to the configured devices."""
        self.devices: dict[int, dict[int, I2cDevice]] = {bus: {} for bus in BUSES}
        for bus, devices in self.layout.items():
            for address, spec in devices.items():
                self.attach(bus, address, spec)

    def attach(self, bus: int, address: int, spec: Any) -> None:
        """Put a model (a name, or ``{"model": name, ...options}``) at an address."""
        if isinstance(spec, str):
            device = make_device(spec)
        else:
            options = dict(spec)
            device = make_device(options.pop("model"), **options)
        if not 0 <= address <= lib.PI_MAX_I2C_ADDR:
            raise ValueError("I2C address must be 0-0x7F, not %r" % (address,))
        self.devices.setdefault(bus, {})[address] = device

    def detach(self, bus: int, address: int) -> None:
        """Remove the device at an address (it stops acknowledging)."""
        self.devices.get(bus, {}).pop(address, None)

    def device(self, bus: int, address: int) -> I2cDevice:
        """The model at an address; KeyError if none."""
        return self.devices[bus][address]

    def transfer(self, bus: int, address: int, messages: list[Message]) -> Optional[bytes]:
        """Run messages as one transaction; the bytes read, or None on a NACK."""
        device = self.devices.get(bus, {}).get(address)
        if device is None:
            return None
        out = bytearray()
        for kind, payload in messages:
            if kind == "w":
                device.write(payload)
            else:
                out += device.read(payload)
        return bytes(out)


Reply = Union[int, bytes]


class I2cCommands:
    """Handlers for I2CO I2CC I2CRD I2CWD I2CWQ ... I2CPK I2CZ."""

    def __init__(self, buses: I2cBuses) -> None:
        self.buses = buses
        self.handles: HandleTable[tuple[int, int]] = HandleTable(lib.PI_I2C_SLOTS)
        self.reset()

    def reset(self) -> None:
        """Close every handle; back to the configured devices."""
        self.handles.clear()
        self.buses.reset()

    def handlers(self) -> Handlers:
        """The command handlers: I2CO I2CC and the transfers on a handle."""
        smbus = {
            Command.I2CWQ: self.write_quick, Command.I2CRS: self.read_byte,
            Command.I2CWS: self.write_byte, Command.I2CRB: self.read_byte_data,
            Command.I2CWB: self.write_byte_data, Command.I2CRW: self.read_word_data,
            Command.I2CWW: self.write_word_data, Command.I2CPC: self.process_call,
            Command.I2CRK: self.read_block_data, Command.I2CWK: self.write_block_data,
            Command.I2CRI: self.read_i2c_block, Command.I2CWI: self.write_i2c_block,
            Command.I2CPK: self.block_process_call, Command.I2CRD: self.read_device,
            Command.I2CWD: self.write_device, Command.I2CZ: self.zip,
        }
        table: Handlers = {Command.I2CO: self.open, Command.I2CC: self.close}
        for command, method in smbus.items():
            table[command] = self.handles.bind(method)
        return table

    def open(self, bus: int, address: int, ext: bytes) -> int:
        """I2CO: a handle on the device at ``address`` of ``bus`` (flags in ext must be 0)."""
        if address > lib.PI_MAX_I2C_ADDR:
            return lib.PI_BAD_I2C_ADDR
        if ext_u32(ext):
            return lib.PI_BAD_FLAGS
        if self.handles.full():
            return lib.PI_NO_HANDLE
        if bus not in self.buses.devices:
            return lib.PI_BAD_I2C_BUS
        return self.handles.add((bus, address))

    def close(self, handle: int, p2: int, ext: bytes) -> int:
        """I2CC: close an I2C handle."""
        return self.handles.remove(handle)

    # -- transfers -----------------------------------------------------------

    def _write(self, target: tuple[int, int], data: bytes) -> int:
        done = self.buses.transfer(*target, [("w", data)])
        return lib.PI_I2C_WRITE_FAILED if done is None else 0

    def _read(self, target: tuple[int, int], messages: list[Message]) -> Optional[bytes]:
        return self.buses.transfer(*target, messages)

    def write_quick(self, target: tuple[int, int], bit: int, ext: bytes) -> int:
        """I2CWQ: SMBus quick command (the bit is the R/W bit)."""
        if bit > 1:
            return lib.PI_BAD_PARAM
        return self._write(target, b"")

    def read_byte(self, target: tuple[int, int], p2: int, ext: bytes) -> int:
        """I2CRS: SMBus receive byte."""
        data = self._read(target, [("r", 1)])
        return lib.PI_I2C_READ_FAILED if data is None else data[0]

    def write_byte(self, target: tuple[int, int], value: int, ext: bytes) -> int:
        """I2CWS: SMBus send byte."""
        if value > 0xFF:
            return lib.PI_BAD_PARAM
        return self._write(target, bytes((value,)))

    def _read_register(self, target: tuple[int, int], register: int, count: int,
                       sent: bytes = b"") -> Optional[bytes]:
        return self._read(target, [("w", bytes((register,)) + sent), ("r", count)])

    def read_byte_data(self, target: tuple[int, int], register: int, ext: bytes) -> int:
        """I2CRB: SMBus read byte from a register."""
        if register > 0xFF:
            return lib.PI_BAD_PARAM
        data = self._read_register(target, register, 1)
        return lib.PI_I2C_READ_FAILED if data is None else data[0]

    def write_byte_data(self, target: tuple[int, int], register: int, ext: bytes) -> int:
        """I2CWB: SMBus write byte (ext) to a register."""
        value = ext_u32(ext)
        if register > 0xFF or value > 0xFF:
            return lib.PI_BAD_PARAM
        return self._write(target, bytes((register, value)))

    def read_word_data(self, target: tuple[int, int], register: int, ext: bytes) -> int:
        """I2CRW: SMBus read word from a register."""
        if register > 0xFF:
            return lib.PI_BAD_PARAM
        data = self._read_register(target, register, 2)
        return lib.PI_I2C_READ_FAILED if data is None else int.from_bytes(data, "little")

    def write_word_data(self, target: tuple[int, int], register: int, ext: bytes) -> int:
        """I2CWW: SMBus write word (ext) to a register."""
        value = ext_u32(ext)
        if register > 0xFF or value > 0xFFFF:
            return lib.PI_BAD_PARAM
        return self._write(target, bytes((register,)) + value.to_bytes(2, "little"))

    def process_call(self, target: tuple[int, int], register: int, ext: bytes) -> int:
        """I2CPC: SMBus process call: write a word (ext) to a register, read a word back."""
        value = ext_u32(ext)
        if register > 0xFF or value > 0xFFFF:
            return lib.PI_BAD_PARAM
        data = self._read_register(target, register, 2, value.to_bytes(2, "little"))
        return lib.PI_I2C_READ_FAILED if data is None else int.from_bytes(data, "little")

    def _read_counted(self, target: tuple[int, int], register: int, sent: bytes) -> Reply:
        """A block read: the device sends a count byte, then that many bytes."""
        head = self._read_register(target, register, 1, sent)
        if head is None or head[0] > MAX_BLOCK:
            return lib.PI_I2C_READ_FAILED
        body = self._read(target, [("r", head[0])]) if head[0] else b""
        return lib.PI_I2C_READ_FAILED if body is None else body

    def read_block_data(self, target: tuple[int, int], register: int, ext: bytes) -> Reply:
        """I2CRK: SMBus block read from a register."""
        if register > 0xFF:
            return lib.PI_BAD_PARAM
        return self._read_counted(target, register, b"")

    def block_process_call(self, target: tuple[int, int], register: int, ext: bytes) -> Reply:
        """I2CPK: SMBus block process call: write ext as a block, read a block back."""
        if register > 0xFF or not 1 <= len(ext) <= MAX_BLOCK:
            return lib.PI_BAD_PARAM
        return self._read_counted(target, register, bytes((len(ext),)) + ext)

    def write_block_data(self, target: tuple[int, int], register: int, ext: bytes) -> int:
        """I2CWK: SMBus block write of ext to a register."""
        if register > 0xFF or not 1 <= len(ext) <= MAX_BLOCK:
            return lib.PI_BAD_PARAM
        return self._write(target, bytes((register, len(ext))) + ext)

    def read_i2c_block(self, target: tuple[int, int], register: int, ext: bytes) -> Reply:
        """I2CRI: read the count (ext) of bytes from a register."""
        count = ext_u32(ext)
        if register > 0xFF or not 1 <= count <= MAX_BLOCK:
            return lib.PI_BAD_PARAM
        data = self._read_register(target, register, count)
        return lib.PI_I2C_READ_FAILED if data is None else data

    def write_i2c_block(self, target: tuple[int, int], register: int, ext: bytes) -> int:
        """I2CWI: write ext to a register (no count byte)."""
        if register > 0xFF or not 1 <= len(ext) <= MAX_BLOCK:
            return lib.PI_BAD_PARAM
        return self._write(target, bytes((register,)) + ext)

    def read_device(self, target: tuple[int, int], count: int, ext: bytes) -> Reply:
        """I2CRD: read ``count`` bytes straight from the device."""
        if not 1 <= count <= MAX_RAW:
            return lib.PI_BAD_PARAM
        data = self._read(target, [("r", count)])
        return lib.PI_I2C_READ_FAILED if data is None else data

    def write_device(self, target: tuple[int, int], p2: int, ext: bytes) -> int:
        """I2CWD: write ext straight to the device."""
        if not 1 <= len(ext) <= MAX_RAW:
            return lib.PI_BAD_PARAM
        return self._write(target, ext)

    def zip(self, target: tuple[int, int], p2: int, ext: bytes) -> Reply:
        """I2CZ: run an I2C command sequence on the handle's bus; the bytes read."""
        bus, address = target
        return run_i2c_zip(ext, address, lambda a, msgs: self.buses.transfer(bus, a, msgs))

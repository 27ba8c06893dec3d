"""Models of I2C devices: what a device answers to write and read messages.

A message is what happens between a (repeated) start and the next one: a
write message carries bytes to the device, a read message asks it for ``n``
bytes.  Every model keeps an address pointer that a write message sets (its
first byte, or two for a large EEPROM) and that reads and writes advance.
"""
from __future__ import annotations

import struct
from typing import Any, Callable


class RegisterFile:
    """A plain 256-byte register file: first written byte = register pointer."""

    kind = "registers"

    def __init__(self, size: int = 256) -> None:
        self.memory = bytearray(size)
        self.pointer = 0

    def write(self, data: bytes) -> None:
        """A write message (register pointer, then data bytes)."""
        if not data:
            return
        self.pointer = data[0] % len(self.memory)
        for byte in data[1:]:
            self.store(self.pointer, byte)
            self.pointer = (self.pointer + 1) % len(self.memory)

    def read(self, count: int) -> bytes:
        """A read message of ``count`` bytes from the pointer on."""
        out = bytearray()
        for _ in range(count):
            out.append(self.load(self.pointer))
            self.pointer = (self.pointer + 1) % len(self.memory)
        return bytes(out)

    def store(self, register: int, value: int) -> None:
        """Write one register."""
        self.memory[register] = value

    def load(self, register: int) -> int:
        """Read one register."""
        return self.memory[register]

    def state(self) -> dict[str, Any]:
        """What the control API shows of the device."""
        return {"kind": self.kind, "pointer": self.pointer, "memory": self.memory.hex()}


class Eeprom(RegisterFile):
    """A 24Cxx-style EEPROM: address pointer (2 bytes above 256 bytes), page writes.

    A write wraps inside its page, as the real parts do; reads run on
    through the whole memory.
    """

    kind = "eeprom"

    def __init__(self, size: int = 256, page: int = 8) -> None:
        super().__init__(size)
        self.page = page
        self.address_bytes = 1 if size <= 256 else 2

    def write(self, data: bytes) -> None:
        """Set the address pointer, then write the bytes after it (wrapping within the page)."""
        if len(data) < self.address_bytes:
            return
        self.pointer = int.from_bytes(data[:self.address_bytes], "big") % len(self.memory)
        base = self.pointer - self.pointer % self.page
        for byte in data[self.address_bytes:]:
            self.memory[self.pointer] = byte
            self.pointer = base + (self.pointer + 1 - base) % self.page


#: ADXL345 registers used by the accelerometer model.
DEVID, DATA_FORMAT, DATAX0 = 0x00, 0x31, 0x32
ADXL345_ID = 0xE5
_AXES = struct.Struct("<3h")


class Accelerometer(RegisterFile):
    """An ADXL345-style 3-axis accelerometer: DEVID 0xE5, axes at 0x32-0x37."""

    kind = "accelerometer"

    def __init__(self) -> None:
        super().__init__()
        self.memory[DEVID] = ADXL345_ID
        self.set_axes(0, 0, 256)  # 1 g on z at the default 256 LSB/g

    def set_axes(self, x: int, y: int, z: int) -> None:
        """The raw readings (signed 16-bit) of the three axes."""
        self.memory[DATAX0:DATAX0 + 6] = _AXES.pack(x, y, z)

    def store(self, register: int, value: int) -> None:
        """Write one register (the device id and data registers are read-only)."""
        if register != DEVID and not DATAX0 <= register < DATAX0 + 6:
            self.memory[register] = value


#: TMP102 register pointer values.
TEMPERATURE, CONFIG, T_LOW, T_HIGH = range(4)
_LSB_C = 0.0625


class TemperatureSensor:
    """A TMP102-style sensor: 2-bit pointer, 16-bit registers sent MSB first."""

    kind = "temperature"

    def __init__(self, celsius: float = 21.5) -> None:
        self.registers = [0, 0x60A0, 75 << 8, 80 << 8]
        self.pointer = TEMPERATURE
        self.set_celsius(celsius)

    def set_celsius(self, celsius: float) -> None:
        """The temperature the sensor reads (12-bit, 0.0625 °C steps)."""
        raw = int(round(celsius / _LSB_C)) & 0xFFF
        self.registers[TEMPERATURE] = raw << 4

    def write(self, data: bytes) -> None:
        """Set the pointer register, then the register it selects (temperature is read-only)."""
        if not data:
            return
        self.pointer = data[0] & 3
        if len(data) >= 3 and self.pointer != TEMPERATURE:
            self.registers[self.pointer] = data[1] << 8 | data[2]

    def read(self, count: int) -> bytes:
        """``count`` bytes of the selected register, big-endian, repeated."""
        word = self.registers[self.pointer].to_bytes(2, "big")
        return (word * (count // 2 + 1))[:count]

    def state(self) -> dict[str, Any]:
        """The model name, pointer and registers."""
        return {"kind": self.kind, "pointer": self.pointer, "registers": list(self.registers)}


I2cDevice = Any
MODELS: dict[str, Callable[..., I2cDevice]] = {
    RegisterFile.kind: RegisterFile,
    Eeprom.kind: Eeprom,
    Accelerometer.kind: Accelerometer,
    TemperatureSensor.kind: TemperatureSensor,
}
#: The default rig: bus -> address -> model name.
DEFAULT_I2C = {1: {0x53: "accelerometer", 0x50: "eeprom", 0x48: "temperature"}}


def make_device(kind: str, **options: Any) -> I2cDevice:
    """A device model by name (``registers``, ``eeprom``, ``accelerometer``, ``temperature``)."""
    if kind not in MODELS:
        raise ValueError("unknown I2C device model %r (known: %s)" % (kind, ", ".join(MODELS)))
    return MODELS[kind](**options)

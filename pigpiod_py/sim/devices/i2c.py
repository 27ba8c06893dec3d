"""Models of I2C devices: what a device answers to write and read messages.

A message is what happens between a (repeated) start and the next one: a
write message carries bytes to the device, a read message asks it for ``n``
bytes.  Each model keeps the address pointer its datasheet describes, set by
the first byte(s) of a write message.
"""
from __future__ import annotations

import struct
from typing import Any, Callable


class RegisterFile:
    """A plain register file of up to 256 bytes: first written byte = register pointer.

    Reads and writes advance the pointer, wrapping at the end.
    """

    kind = "registers"
    MAX_SIZE = 256

    def __init__(self, size: int = 256) -> None:
        if not (isinstance(size, int) and 1 <= size <= self.MAX_SIZE):
            raise ValueError(f"a register file has 1-{self.MAX_SIZE} registers, not {size!r}")
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


def _power_of_two(value: object) -> bool:
    return isinstance(value, int) and value > 0 and value & (value - 1) == 0


class Eeprom(RegisterFile):
    """A 24Cxx serial EEPROM (Microchip 24AA01-24AA512 / Atmel AT24C01-AT24C512).

    One address byte up to 256 bytes (24C01, 24C02), two (high byte first)
    from 4 KiB to 64 KiB (24C32-24C512).  A write wraps inside its page ("page
    write": the address counter's low bits roll over, the page stays); a read
    runs on through the whole memory and rolls over to 0 after the last byte.
    The 24C04-24C16 (512-2048 bytes) take their upper address bits from the
    device address instead, which the model does not do: those sizes are refused.
    """

    kind = "eeprom"
    MAX_SIZE = 65536
    _ONE_BYTE_LIMIT = 256
    _TWO_BYTE_FIRST = 4096

    def __init__(self, size: int = 256, page: int = 8) -> None:
        if not (_power_of_two(size) and 128 <= size <= self.MAX_SIZE) or \
                self._ONE_BYTE_LIMIT < size < self._TWO_BYTE_FIRST:
            raise ValueError("an EEPROM has 128, 256 or 4096-65536 bytes (a power of two), "
                             f"not {size!r}")
        if not (_power_of_two(page) and page <= min(size, 256)):
            raise ValueError(f"an EEPROM page is a power of two up to 256 bytes, not {page!r}")
        self.memory = bytearray(size)
        self.pointer = 0
        self.page = page
        self.address_bytes = 1 if size <= self._ONE_BYTE_LIMIT else 2

    def write(self, data: bytes) -> None:
        """Set the address pointer, then write the bytes after it (wrapping within the page)."""
        if len(data) < self.address_bytes:
            return
        self.pointer = int.from_bytes(data[:self.address_bytes], "big") % len(self.memory)
        base = self.pointer - self.pointer % self.page
        for byte in data[self.address_bytes:]:
            self.memory[self.pointer] = byte
            self.pointer = base + (self.pointer + 1 - base) % self.page


#: ADXL345 register map (Analog Devices ADXL345 data sheet, Table 19): the
#: reset value of every register, and the registers a write may change.
DEVID, THRESH_TAP, ACT_TAP_STATUS, BW_RATE = 0x00, 0x1D, 0x2B, 0x2C
POWER_CTL, INT_SOURCE, DATAX0, FIFO_CTL, FIFO_STATUS = 0x2D, 0x30, 0x32, 0x38, 0x39
ADXL345_ID = 0xE5
_ADXL345_RESET = {DEVID: ADXL345_ID, BW_RATE: 0x0A, INT_SOURCE: 0x02}
_ADXL345_WRITABLE = (frozenset(range(THRESH_TAP, ACT_TAP_STATUS))
                     | frozenset(range(BW_RATE, INT_SOURCE)) | {0x31, FIFO_CTL})
#: POWER_CTL's Measure bit; INT_SOURCE's DATA_READY bit.
_MEASURE, _DATA_READY = 0x08, 0x80
_AXES = struct.Struct("<3h")
#: 1 g at the default 10-bit, +-2 g range: 256 LSB.
ONE_G = 256


class Accelerometer:
    """An ADXL345 3-axis accelerometer at rest, z up (1 g on z).

    Its register pointer is set by the first byte of a write message; within
    one message reads and writes step through the registers, but the pointer
    itself stays where it was set, so a new read starts at the same register
    again (as pigpio's own I2C test expects of the part).  Reserved and
    read-only registers ignore writes; addresses past the map read 0.  The
    data registers hold 0 after reset and follow the acceleration only while
    POWER_CTL's Measure bit is set (they keep the last sample in standby);
    INT_SOURCE then also shows DATA_READY.
    """

    kind = "accelerometer"
    SIZE = 256

    def __init__(self) -> None:
        self.registers = bytearray(self.SIZE)
        for register, value in _ADXL345_RESET.items():
            self.registers[register] = value
        self.pointer = 0
        self.axes = (0, 0, ONE_G)

    def set_axes(self, x: int, y: int, z: int) -> None:
        """The acceleration the part measures, as raw readings (signed 16-bit)."""
        if not all(isinstance(v, int) and -0x8000 <= v < 0x8000 for v in (x, y, z)):
            raise ValueError(f"raw readings are 16-bit signed integers, not {(x, y, z)!r}")
        self.axes = (x, y, z)

    def _measuring(self) -> bool:
        return bool(self.registers[POWER_CTL] & _MEASURE)

    def load(self, register: int) -> int:
        """Read one register."""
        if self._measuring():
            if DATAX0 <= register < DATAX0 + _AXES.size:
                return _AXES.pack(*self.axes)[register - DATAX0]
            if register == INT_SOURCE:
                return self.registers[INT_SOURCE] | _DATA_READY
        return self.registers[register]

    def store(self, register: int, value: int) -> None:
        """Write one register (reserved and read-only ones keep their value)."""
        if register not in _ADXL345_WRITABLE:
            return
        if register == POWER_CTL and self._measuring() and not value & _MEASURE:
            self.registers[DATAX0:DATAX0 + _AXES.size] = _AXES.pack(*self.axes)
        self.registers[register] = value

    def write(self, data: bytes) -> None:
        """A write message: the register pointer, then data for it and the registers after."""
        if not data:
            return
        self.pointer = data[0]
        for offset, value in enumerate(data[1:]):
            self.store((self.pointer + offset) % self.SIZE, value)

    def read(self, count: int) -> bytes:
        """A read message: ``count`` registers from the pointer on (the pointer stays)."""
        return bytes(self.load((self.pointer + k) % self.SIZE) for k in range(count))

    def state(self) -> dict[str, Any]:
        """The model name, pointer, registers as read now, and the measured axes."""
        registers = bytes(self.load(r) for r in range(FIFO_STATUS + 1))
        return {"kind": self.kind, "pointer": self.pointer, "memory": registers.hex(),
                "axes": list(self.axes)}


#: TMP102 register pointer values (Texas Instruments TMP102 data sheet, 7.5).
TEMPERATURE, CONFIG, T_LOW, T_HIGH = range(4)
_LSB_C = 0.0625
#: Configuration register: reset value, the read-only bits (R1 R0 and AL),
#: the extended-mode bit EM.
_CONFIG_RESET, _CONFIG_READ_ONLY, _EXTENDED = 0x60A0, 0x6020, 0x0010
#: The part's specified range (°C).
MIN_C, MAX_C = -55.0, 150.0


class TemperatureSensor:
    """A TMP102: 2-bit pointer register, 16-bit registers sent MSB first.

    Temperatures are two's complement in 0.0625 °C steps, left-justified: 12
    bits (bits 15-4, up to 127.9375 °C) normally, 13 bits (bits 15-3, bit 0
    set) in extended mode (EM).  The temperature register is read-only, and so
    are the configuration's resolution (R1 R0) and alert (AL) bits.
    """

    kind = "temperature"

    def __init__(self, celsius: float = 21.5) -> None:
        self.registers = [0, _CONFIG_RESET, self._encode(75.0, 12), self._encode(80.0, 12)]
        self.pointer = TEMPERATURE
        self.celsius = 0.0
        self.set_celsius(celsius)

    @staticmethod
    def _encode(celsius: float, bits: int) -> int:
        """``celsius`` in the temperature register format (saturating at its limits)."""
        top = (1 << (bits - 1)) - 1
        raw = max(-top - 1, min(top, int(round(celsius / _LSB_C))))
        return (raw & ((1 << bits) - 1)) << (16 - bits) | (bits == 13)

    def _bits(self) -> int:
        return 13 if self.registers[CONFIG] & _EXTENDED else 12

    def set_celsius(self, celsius: float) -> None:
        """The temperature the sensor reads (within the part's -55 to 150 °C)."""
        celsius = float(celsius)
        if not MIN_C <= celsius <= MAX_C:
            raise ValueError(f"a TMP102 measures {MIN_C} to {MAX_C} °C, not {celsius}")
        self.celsius = celsius
        self.registers[TEMPERATURE] = self._encode(celsius, self._bits())

    def write(self, data: bytes) -> None:
        """Set the pointer register, then (two more bytes) the register it selects."""
        if not data:
            return
        self.pointer = data[0] & 3
        if len(data) < 3 or self.pointer == TEMPERATURE:
            return
        value = data[1] << 8 | data[2]
        if self.pointer == CONFIG:
            self.registers[CONFIG] = value & ~_CONFIG_READ_ONLY | _CONFIG_RESET & _CONFIG_READ_ONLY
            self.registers[TEMPERATURE] = self._encode(self.celsius, self._bits())
        else:  # a limit: the unused low bits read 0
            self.registers[self.pointer] = value & -(1 << (16 - self._bits()))

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

"""Control operations on the simulated buses and devices (I2C, SPI, serial, BSC).

:class:`BusControls` is mixed into :class:`.control.Controls` (the daemon side)
and :class:`BusControlClient` into :class:`.control.SimControl` (the client
side); :data:`BUS_OPERATIONS` names them for the control port.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence, Union, cast

from .clock import now_us
from .config import check_gpio
from .steps import serial_steps

if TYPE_CHECKING:
    from .daemon import Daemon

BUS_OPERATIONS = frozenset({
    "i2c_attach", "i2c_detach", "i2c_state", "i2c_set_axes", "i2c_set_celsius",
    "spi_attach", "spi_detach", "spi_state", "spi_set_input",
    "serial_inject", "serial_written", "serial_tx",
    "bsc_master_write", "bsc_master_read", "bsc_master_xfer",
})


class BusControls:
    """Daemon-side bus and device operations (each takes the daemon lock)."""

    daemon: "Daemon"

    def i2c_attach(self, bus: int, address: int, spec: Any) -> None:
        """Put a device model (name or ``{"model": name, ...}``) on an I2C bus."""
        with self.daemon.lock:
            self.daemon.i2c.buses.attach(bus, address, spec)

    def i2c_detach(self, bus: int, address: int) -> None:
        """Remove the I2C device at an address."""
        with self.daemon.lock:
            self.daemon.i2c.buses.detach(bus, address)

    def _i2c_device(self, bus: int, address: int) -> Any:
        try:
            return self.daemon.i2c.buses.device(bus, address)
        except KeyError:
            raise ValueError("no I2C device at bus %r address %r" % (bus, address)) from None

    def i2c_state(self, bus: int, address: int) -> dict[str, Any]:
        """A device's model name, pointer and memory or registers."""
        with self.daemon.lock:
            state: dict[str, Any] = self._i2c_device(bus, address).state()
            return state

    def i2c_set_axes(self, bus: int, address: int, x: int, y: int, z: int) -> None:
        """The raw readings of an accelerometer."""
        with self.daemon.lock:
            self._i2c_device(bus, address).set_axes(x, y, z)

    def i2c_set_celsius(self, bus: int, address: int, celsius: float) -> None:
        """The temperature a temperature sensor reads."""
        with self.daemon.lock:
            self._i2c_device(bus, address).set_celsius(celsius)

    def spi_attach(self, where: str, spec: Any) -> None:
        """Put an SPI model at a chip select ("main0", "aux2", "bb5", ...)."""
        with self.daemon.lock:
            self.daemon.spi.devices.attach(where, spec)

    def spi_detach(self, where: str) -> None:
        """Remove the SPI device at a chip select."""
        with self.daemon.lock:
            self.daemon.spi.devices.detach(where)

    def _spi_device(self, where: str) -> Any:
        try:
            return self.daemon.spi.devices.device(where)
        except KeyError:
            raise ValueError("no SPI device at %r" % (where,)) from None

    def spi_state(self, where: str) -> dict[str, Any]:
        """An SPI device's model name and settings."""
        with self.daemon.lock:
            state: dict[str, Any] = self._spi_device(where).state()
            return state

    def spi_set_input(self, where: str, channel: int, volts: float) -> None:
        """The voltage on an ADC input."""
        with self.daemon.lock:
            self._spi_device(where).set_input(channel, volts)

    def serial_inject(self, path: str, data_hex: str) -> None:
        """Bytes (hex) arriving on a tty's RX line."""
        with self.daemon.lock:
            self.daemon.serial.ttys.tty(path).inject(bytes.fromhex(data_hex))

    def serial_written(self, path: str) -> str:
        """What clients wrote to a tty since the last call (hex)."""
        with self.daemon.lock:
            return self.daemon.serial.ttys.tty(path).take_written().hex()

    def serial_tx(self, gpio: int, baud: int, data: Sequence[int], bits: int = 8,
                  stop_bits: float = 1, inverted: bool = False) -> int:
        """Drive an input with serial frames of ``data`` (idle high; idle low, levels
        inverted when ``inverted``), starting a bit time from now; the µs from now until
        the last stop bit ends."""
        gpio = check_gpio(gpio)
        if not 1 <= bits <= 32 or stop_bits not in (1, 1.5, 2) or not 1 <= baud <= 1_000_000:
            raise ValueError("need 1-32 data bits, 1, 1.5 or 2 stop bits, baud 1-1000000")
        if any(not 0 <= value < 1 << bits for value in data):
            raise ValueError("each value must fit in %d bits" % bits)
        with self.daemon.lock:
            board, t = self.daemon.board, now_us()
            if board.output_wins(gpio):
                raise ValueError("gpio %d is an output or wired to one" % gpio)
            lead = 1_000_000 // baud
            wave = serial_steps(t + lead, baud, data, bits, stop_bits, bool(inverted))
            board.drive(gpio, wave, t)
            return lead + int(len(data) * (bits + 1 + stop_bits) * 1_000_000 / baud)

    def bsc_master_write(self, address: int, data_hex: str) -> None:
        """A simulated I2C master writes bytes (hex) to the BSC slave at ``address``."""
        with self.daemon.lock:
            if not self.daemon.bsc.master_write(address, bytes.fromhex(data_hex)):
                raise ValueError("no BSC I2C slave acknowledged address %r" % (address,))

    def bsc_master_read(self, address: int, count: int) -> str:
        """A simulated I2C master reads ``count`` bytes (hex) from the BSC slave."""
        with self.daemon.lock:
            data = self.daemon.bsc.master_read(address, count)
        if data is None:
            raise ValueError("no BSC I2C slave acknowledged address %r" % (address,))
        return data.hex()

    def bsc_master_xfer(self, data_hex: str) -> str:
        """A simulated SPI master exchanges bytes (hex) with the BSC SPI slave."""
        with self.daemon.lock:
            data = self.daemon.bsc.master_xfer(bytes.fromhex(data_hex))
        if data is None:
            raise ValueError("the BSC peripheral is not an enabled SPI slave")
        return data.hex()


class BusControlClient:
    """Client side of :class:`BusControls` (mixed into SimControl)."""

    def _call(self, operation: str, *args: Any) -> Any:
        raise NotImplementedError

    def i2c_attach(self, bus: int, address: int, spec: Any) -> None:
        """Put a device model (name or ``{"model": name, ...}``) on an I2C bus."""
        self._call("i2c_attach", bus, address, spec)

    def i2c_detach(self, bus: int, address: int) -> None:
        """Remove the I2C device at an address."""
        self._call("i2c_detach", bus, address)

    def i2c_state(self, bus: int, address: int) -> dict[str, Any]:
        """A device's model name, pointer and memory or registers."""
        return cast("dict[str, Any]", self._call("i2c_state", bus, address))

    def i2c_set_axes(self, bus: int, address: int, x: int, y: int, z: int) -> None:
        """Set the raw readings of an accelerometer."""
        self._call("i2c_set_axes", bus, address, x, y, z)

    def i2c_set_celsius(self, bus: int, address: int, celsius: float) -> None:
        """Set the temperature a temperature sensor reads."""
        self._call("i2c_set_celsius", bus, address, celsius)

    def spi_attach(self, where: str, spec: Any) -> None:
        """Put an SPI model at a chip select ("main0", "aux2", "bb5", ...)."""
        self._call("spi_attach", where, spec)

    def spi_detach(self, where: str) -> None:
        """Remove the SPI device at a chip select."""
        self._call("spi_detach", where)

    def spi_state(self, where: str) -> dict[str, Any]:
        """An SPI device's model name and settings."""
        return cast("dict[str, Any]", self._call("spi_state", where))

    def spi_set_input(self, where: str, channel: int, volts: float) -> None:
        """Set the voltage on an ADC input."""
        self._call("spi_set_input", where, channel, volts)

    def serial_inject(self, path: str, data: bytes) -> None:
        """Make bytes arrive on a tty's RX line."""
        self._call("serial_inject", path, bytes(data).hex())

    def serial_written(self, path: str) -> bytes:
        """What clients wrote to a tty since the last call."""
        return bytes.fromhex(self._call("serial_written", path))

    def serial_tx(self, gpio: int, baud: int, data: Union[bytes, Sequence[int]], bits: int = 8,
                  stop_bits: float = 1, inverted: bool = False) -> int:
        """Drive an input with serial frames of ``data``; the µs until the last stop bit ends."""
        return cast(int, self._call(
            "serial_tx", gpio, baud, list(data), bits, stop_bits, inverted))

    def bsc_master_write(self, address: int, data: bytes) -> None:
        """Have a simulated I2C master write bytes to the BSC slave at ``address``."""
        self._call("bsc_master_write", address, bytes(data).hex())

    def bsc_master_read(self, address: int, count: int) -> bytes:
        """Have a simulated I2C master read ``count`` bytes from the BSC slave."""
        return bytes.fromhex(self._call("bsc_master_read", address, count))

    def bsc_master_xfer(self, data: bytes) -> bytes:
        """Have a simulated SPI master exchange bytes with the BSC SPI slave."""
        return bytes.fromhex(self._call("bsc_master_xfer", bytes(data).hex()))

"""The picture of one daemon: the GPIO header, I2C and SPI buses, serial
ports and the BSC slave as components of the startup layer's tree."""
from __future__ import annotations

import threading
from typing import Any, Callable, Tuple

from .._pigpiod import lib as _lib
from ..constants import Edge
from ..errors import BadHandleError, PigpioConnectionError, PigpioError, WrongStateError
from ..session import Session
from ..spi import SpiFlags
from .tree import DetachedError, Methods, Tree

I2C_BUSES = (0, 1)
SPI_BUSES = (("main", False, 2), ("aux", True, 3))  # name, auxiliary, chip-selects
SERIAL_PORTS = ("/dev/serial0", "/dev/serial1", "/dev/ttyAMA0", "/dev/ttyS0", "/dev/ttyUSB0")
I2C_METHODS = (
    "write_quick", "read_byte", "write_byte", "read_byte_data", "write_byte_data",
    "read_word_data", "write_word_data", "process_call", "read_block_data",
    "write_block_data", "block_process_call", "read_i2c_block_data",
    "write_i2c_block_data", "read", "write",
)
#: The first pigpiod revision with the auxiliary SPI (the boards with a 40-pin header).
_FIRST_AUX_SPI_REVISION = 16


class DeviceHandle:
    """The daemon handle of a device: opened on first use, closed on detach.

    Calls on one device run one at a time; a call that comes after the
    detach raises :class:`DetachedError` instead of opening a handle nobody
    would close.
    """

    def __init__(self, session: Session, label: str, opener: Callable[[], Any]) -> None:
        self._session = session
        self._label = label
        self._opener = opener
        self._lock = threading.Lock()
        self._handle: Any = None
        self._detached = False

    def use(self, func: Callable[[Any], Any]) -> Any:
        """``func(handle)``, the handle opened now if it is not yet."""
        with self._lock:
            if self._detached:
                raise DetachedError("%s was detached" % self._label)
            if self._handle is None:
                self._handle = self._opener()
            try:
                return func(self._handle)
            except BadHandleError:
                if self._session.closed:  # the session closed its handles: connection lost
                    raise PigpioConnectionError(
                        _lib.pigif_unconnected_pi, "%s: the connection to pigpiod at %s:%d is lost"
                        % (self._label, self._session.host, self._session.port)) from None
                raise

    def forward(self, name: str) -> Callable[..., Any]:
        """A function calling method ``name`` of the handle."""
        return lambda *args: self.use(lambda handle: getattr(handle, name)(*args))

    def reopen(self, opener: Callable[[], Any]) -> None:
        """Close the handle; the next use opens it with ``opener``."""
        with self._lock:
            self._close()
            self._opener = opener

    def close(self) -> None:
        """Close the handle if open; the next use opens it again."""
        with self._lock:
            self._close()

    def detach(self) -> None:
        """Close the handle for good (waiting for a call in progress)."""
        with self._lock:
            self._detached = True
            self._close()

    def _close(self) -> None:
        if self._handle is not None:
            handle, self._handle = self._handle, None
            try:
                handle.close()
            except PigpioError:
                pass  # the daemon is gone: nothing left to release


class PinEdges:
    """A gpio's edge reports to the tree, on while ``edges_on`` holds."""

    def __init__(self, tree: Tree, session: Session, gpio: int) -> None:
        self._tree = tree
        self._session = session
        self._gpio = gpio
        self._lock = threading.Lock()
        self._callback: Any = None
        self.id = 0

    def on(self) -> None:
        """Report edges (and watchdog time-outs) as events of this pin."""
        with self._lock:
            if self._callback is None:
                self._callback = self._session.callback(self._gpio, Edge.EITHER, self._report)

    def off(self) -> None:
        """Stop reporting."""
        with self._lock:
            if self._callback is not None:
                self._callback.cancel()
                self._callback = None

    def _report(self, gpio: int, level: int, tick: int) -> None:
        self._tree.emit({"type": "watchdog" if level == 2 else "edge", "id": self.id,
                         "level": level, "tick": tick})


class Picture:
    """Attaches what one daemon has under its bus, and keeps its I2C buses
    up to date on ``rescan``; every change holds ``changes``, the daemon's lock."""

    def __init__(self, tree: Tree, root: int, session: Session, changes: threading.RLock) -> None:
        self._tree = tree
        self._root = root
        self._session = session
        self._changes = changes

    def attach(self) -> None:
        """Attach everything the daemon has (about 20 round trips)."""
        with self._changes:
            header = self._tree.attach("bus", "gpio_header", self._root, None, {})
            for gpio in range(32):
                self._attach_pin(header.id, gpio)
            for number in I2C_BUSES:
                self._attach_i2c_bus(number)
            for name, auxiliary, selects in SPI_BUSES:
                self._attach_spi_bus(name, auxiliary, selects)
            self._attach_bsc()
            ports = [port for port in SERIAL_PORTS if self._serial_exists(port)]
            if ports:
                serial = self._tree.attach("bus", "serial", self._root, None, {})
                for port in ports:
                    self._attach_serial(serial.id, port)

    def rescan(self) -> None:
        """Detach and attach what changed on every I2C bus."""
        with self._changes:
            for bus in self._tree.children(self._root):
                if bus.type == "i2c":
                    self._update_i2c(bus.id, int(bus.address or 0))

    # -- gpios ---------------------------------------------------------------

    def _attach_pin(self, header: int, gpio: int) -> None:
        session = self._session
        edges = PinEdges(self._tree, session, gpio)
        pin = self._tree.attach("device", "gpio", header, str(gpio), {
            "mode": lambda: int(session.get_mode(gpio)),
            "set_mode": lambda mode: session.set_mode(gpio, mode),
            "set_pull": lambda pull: session.set_pull(gpio, pull),
            "read": lambda: session.read(gpio),
            "write": lambda level: session.write(gpio, level),
            "pwm": lambda duty: session.set_pwm_dutycycle(gpio, duty),
            "pwm_frequency": lambda hz: session.set_pwm_frequency(gpio, hz),
            "pwm_range": lambda r: session.set_pwm_range(gpio, r),
            "servo": lambda pulse: session.set_servo_pulsewidth(gpio, pulse),
            "watchdog": lambda ms: session.set_watchdog(gpio, ms),
            "edges_on": edges.on,
            "edges_off": edges.off,
        })
        edges.id = pin.id
        pin.on_detach.append(edges.off)

    # -- buses with devices ----------------------------------------------------

    def _attach_i2c_bus(self, number: int) -> None:
        try:
            addresses = self._session.scan_i2c(number)
        except PigpioConnectionError:
            raise
        except PigpioError:
            return  # no such bus on this board
        bus = self._tree.attach("bus", "i2c", self._root, str(number), {})
        bus.methods["rescan"] = lambda: self._update_i2c(bus.id, number)
        for address in addresses:
            self._attach_i2c_device(bus.id, number, address)

    def _update_i2c(self, bus: int, number: int) -> None:
        with self._changes:
            present = set(self._session.scan_i2c(number))
            attached = {int(c.address or "0", 16): c.id for c in self._tree.children(bus)}
            for address, child in attached.items():
                if address not in present:
                    self._tree.detach(child)
            for address in sorted(present - set(attached)):
                self._attach_i2c_device(bus, number, address)

    def _attach_i2c_device(self, bus: int, number: int, address: int) -> None:
        session = self._session
        device = DeviceHandle(session, "i2c_device 0x%02x on bus %d" % (address, number),
                              lambda: session.open_i2c(number, address))
        component = self._tree.attach("device", "i2c_device", bus, "0x%02x" % address, {
            name: device.forward(name) for name in I2C_METHODS})
        component.on_detach.append(device.detach)

    def _attach_spi_bus(self, name: str, auxiliary: bool, selects: int) -> None:
        session = self._session
        if auxiliary and session.hardware_revision() < _FIRST_AUX_SPI_REVISION:
            return  # pigpiod refuses the auxiliary SPI on these boards
        bus = self._tree.attach("bus", "spi", self._root, name, {})
        for select in range(selects):
            def opener(baud: int = 1_000_000, select: int = select) -> Any:
                return session.open_spi(select, baud, SpiFlags(aux=auxiliary))
            device = DeviceHandle(session, "spi_device %s ce%d" % (name, select), opener)
            methods: Methods = {m: device.forward(m) for m in ("xfer", "read", "write")}
            methods["set_baud"] = lambda baud, d=device, o=opener: d.reopen(lambda: o(baud))
            component = self._tree.attach("device", "spi_device", bus.id, "ce%d" % select, methods)
            component.on_detach.append(device.detach)

    def _serial_exists(self, port: str) -> bool:
        try:
            self._session.open_serial(port, 9600).close()
        except PigpioConnectionError:
            raise
        except PigpioError:
            return False
        return True

    def _attach_serial(self, bus: int, port: str) -> None:
        session = self._session
        device = DeviceHandle(session, "serial_port " + port,
                              lambda: session.open_serial(port, 9600, timeout=0))
        methods: Methods = {m: device.forward(m) for m in ("read", "write")}
        methods["in_waiting"] = lambda: device.use(lambda handle: handle.in_waiting)
        methods["set_baud"] = lambda baud: device.reopen(
            lambda: session.open_serial(port, baud, timeout=0))
        component = self._tree.attach("device", "serial_port", bus, port, methods)
        component.on_detach.append(device.detach)

    def _attach_bsc(self) -> None:
        session = self._session

        def not_listening() -> Any:
            raise WrongStateError(_lib.PI_BAD_HANDLE, "bsc_slave: call listen_i2c(address) first")

        slave = DeviceHandle(session, "bsc_slave", not_listening)

        def listen(address: int) -> None:
            slave.reopen(lambda: session.open_i2c_slave(address))
            slave.use(lambda handle: None)

        def transfer(data: bytes = b"") -> Tuple[int, bytes]:
            status, received = slave.use(lambda handle: handle.transfer(data))
            return status.word, received

        def stop() -> None:
            slave.reopen(not_listening)

        component = self._tree.attach("device", "bsc_slave", self._root, "bsc", {
            "listen_i2c": listen, "transfer": transfer, "stop": stop})
        component.on_detach.append(slave.detach)



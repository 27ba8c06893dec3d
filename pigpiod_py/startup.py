"""The startup layer: every connected pigpio daemon as buses and devices,
behind exactly two functions.

``pull(timeout_sec)``
    The next event (a plain dict), waiting at most ``timeout_sec`` seconds
    without using CPU; ``timeout_sec <= 0`` returns at once; ``None`` when
    nothing came.
``call(id, name, *args)``
    Calls method ``name`` of component ``id`` and returns its raw value, or
    ``None`` when that component has no such method. An unknown id raises
    ``LookupError``. Only the methods listed below are reachable.

Events: ``bus_attach`` (id, bus, bus_type, address), ``bus_detach`` (id),
``device_attach`` (id, bus, address, device_type), ``device_detach`` (id),
then ``edge`` / ``watchdog`` (id of the pin, level, tick) and ``event`` (id of
the daemon bus, event, tick). The first events describe the hardware; a bus
is detached only after everything on it. When a daemon's connection is lost
everything under its bus is detached; it is attached again when the daemon
comes back.

Bus reference (``bus_type``: address format of its devices: methods)

``pigpiod``
    the daemon; no address. ``host``, ``port``, ``version``,
    ``hardware_revision``, ``tick``, ``trigger_event(n)``, ``rescan()``.
``gpio_header``
    the user gpios; devices ``gpio``, address ``"0"``-``"31"``.
``i2c``
    an I2C bus, address ``"0"``/``"1"``; devices ``i2c_device``, address
    ``"0x53"`` (those answering a scan). ``rescan()``.
``spi``
    ``"main"`` or ``"aux"``; devices ``spi_device``, address ``"ce0"``...
``serial``
    the serial ports; devices ``serial_port``, address the tty path.

The daemon bus also carries the BSC slave: device ``bsc_slave``, address
``"bsc"``.

Device reference (``device_type``: methods)

``gpio``
    ``mode()``, ``set_mode(m)``, ``set_pull(p)``, ``read()``, ``write(l)``,
    ``pwm(dutycycle)``, ``pwm_frequency(hz)``, ``pwm_range(r)``,
    ``servo(pulse_us)``, ``watchdog(ms)``, ``edges_on()``, ``edges_off()``.
``i2c_device``
    smbus2-style: ``write_quick``, ``read_byte``, ``write_byte``,
    ``read_byte_data``, ``write_byte_data``, ``read_word_data``,
    ``write_word_data``, ``process_call``, ``read_block_data``,
    ``write_block_data``, ``block_process_call``, ``read_i2c_block_data``,
    ``write_i2c_block_data``, ``read(n)``, ``write(data)``.
``spi_device``
    ``xfer(data)``, ``read(n)``, ``write(data)``, ``set_baud(baud)``
    (default 1 MHz, mode 0).
``serial_port``
    ``read(n)``, ``write(data)``, ``in_waiting()``, ``set_baud(baud)``
    (default 9600).
``bsc_slave``
    ``listen_i2c(address)``, ``transfer(data)`` -> (status word, bytes
    received), ``stop()``.
"""
from __future__ import annotations

import collections
import itertools
import os
import threading
from typing import Any, Callable, Deque, Dict, List, Optional, Sequence, Tuple

from .constants import Edge
from .errors import PigpioError
from .session import Session
from .session import open as open_session

Event = Dict[str, Any]
Methods = Dict[str, Callable[..., Any]]

I2C_BUSES = (0, 1)
SPI_BUSES = (("main", False, 2), ("aux", True, 3))  # name, auxiliary, chip-selects
SERIAL_PORTS = ("/dev/serial0", "/dev/serial1", "/dev/ttyAMA0", "/dev/ttyS0", "/dev/ttyUSB0")
I2C_METHODS = (
    "write_quick", "read_byte", "write_byte", "read_byte_data", "write_byte_data",
    "read_word_data", "write_word_data", "process_call", "read_block_data",
    "write_block_data", "block_process_call", "read_i2c_block_data",
    "write_i2c_block_data", "read", "write",
)


class Component:
    """A bus or a device: its place in the tree and its allowed methods."""

    def __init__(self, id: int, kind: str, type_: str, parent: Optional[int],
                 address: Optional[str], methods: Methods) -> None:
        self.id = id
        self.kind = kind
        self.type = type_
        self.parent = parent
        self.address = address
        self.methods = methods
        self.children: List[int] = []
        self.on_detach: List[Callable[[], None]] = []


class Lazy:
    """A device handle opened on first use and closed on detach."""

    def __init__(self, opener: Callable[[], Any]) -> None:
        self._opener = opener
        self.handle: Any = None

    def get(self) -> Any:
        """The handle, opened now if it is not yet."""
        if self.handle is None:
            self.handle = self._opener()
        return self.handle

    def reopen(self, opener: Callable[[], Any]) -> None:
        """Close the handle; the next :meth:`get` opens it with ``opener``."""
        self.close()
        self._opener = opener

    def close(self) -> None:
        """Close the handle if open (a daemon already gone is not an error)."""
        if self.handle is not None:
            try:
                self.handle.close()
            except PigpioError:
                pass  # the daemon is gone: nothing left to release
            self.handle = None


class Startup:
    """Daemons seen as a tree of buses and devices; see the module docs."""

    def __init__(self, daemons: Sequence[Tuple[str, int]] = ()) -> None:
        self._cond = threading.Condition()
        self._events: Deque[Event] = collections.deque()
        self._components: Dict[int, Component] = {}
        self._ids = itertools.count(1)
        self._sessions: List[Session] = []
        for host, port in daemons:
            self.add_daemon(host, port)

    # -- the two functions -------------------------------------------------

    def pull(self, timeout_sec: float) -> Optional[Event]:
        """The next event, or None after ``timeout_sec`` seconds."""
        with self._cond:
            if not self._events and timeout_sec > 0:
                self._cond.wait_for(lambda: bool(self._events), timeout_sec)
            return self._events.popleft() if self._events else None

    def call(self, id: int, name: str, *args: Any) -> Any:
        """Method ``name`` of component ``id``; None when it has no such method."""
        with self._cond:
            component = self._components.get(id)
            if component is None:
                raise LookupError("no component with id %r" % (id,))
            method = component.methods.get(name)
        return None if method is None else method(*args)

    # -- the tree ------------------------------------------------------------

    def _emit(self, event: Event) -> None:
        with self._cond:
            self._events.append(event)
            self._cond.notify_all()

    def _attach(self, kind: str, type_: str, parent: Optional[int], address: Optional[str],
                methods: Methods) -> Component:
        component = Component(next(self._ids), kind, type_, parent, address, methods)
        with self._cond:
            self._components[component.id] = component
            if parent is not None:
                self._components[parent].children.append(component.id)
        if kind == "bus":
            self._emit({"type": "bus_attach", "id": component.id, "bus": parent, "bus_type": type_,
                        "address": address})
        else:
            self._emit({"type": "device_attach", "id": component.id, "bus": parent,
                        "address": address, "device_type": type_})
        return component

    def _detach(self, id: int) -> None:
        """Detach a component after everything attached to it."""
        component = self._components.get(id)
        if component is None:
            return
        for child in list(component.children):
            self._detach(child)
        for release in component.on_detach:
            release()
        with self._cond:
            del self._components[id]
            if component.parent in self._components:
                self._components[component.parent].children.remove(id)
        self._emit({"type": "%s_detach" % component.kind, "id": id})

    def _detach_children(self, id: int) -> None:
        for child in list(self._components[id].children):
            self._detach(child)

    # -- daemons ---------------------------------------------------------------

    def add_daemon(self, host: Optional[str] = None, port: Optional[int] = None) -> int:
        """Connect a daemon and attach its picture; returns its bus id."""
        session = open_session(host, port, dispatch="thread", reconnect=True)
        self._sessions.append(session)
        bus = self._attach("bus", "pigpiod", None, None, {
            "host": lambda: session.host,
            "port": lambda: session.port,
            "version": session.pigpio_version,
            "hardware_revision": session.hardware_revision,
            "tick": session.tick,
            "trigger_event": session.event_trigger,
            "rescan": lambda: self._rescan(bus.id, session),
        })
        for event in range(32):
            session.event_callback(event, lambda e, tick, b=bus.id: self._emit(
                {"type": "event", "id": b, "event": e, "tick": tick}))
        session.on_connection_change(lambda up: self._connection(bus.id, session, up))
        self._picture(bus.id, session)
        return bus.id

    def _connection(self, bus: int, session: Session, up: bool) -> None:
        if up:
            self._picture(bus, session)
        else:
            self._detach_children(bus)

    def _picture(self, bus: int, session: Session) -> None:
        header = self._attach("bus", "gpio_header", bus, None, {})
        for gpio in range(32):
            self._attach_pin(header.id, session, gpio)
        for number in I2C_BUSES:
            self._attach_i2c_bus(bus, session, number)
        for name, auxiliary, selects in SPI_BUSES:
            self._attach_spi_bus(bus, session, name, auxiliary, selects)
        self._attach_bsc(bus, session)
        ports = [port for port in SERIAL_PORTS if _serial_exists(session, port)]
        if ports:
            serial = self._attach("bus", "serial", bus, None, {})
            for port in ports:
                self._attach_serial(serial.id, session, port)

    def _rescan(self, bus: int, session: Session) -> None:
        """Detach and attach again what changed on the daemon's I2C buses."""
        for child in list(self._components[bus].children):
            component = self._components[child]
            if component.type == "i2c":
                self._update_i2c(child, session, int(component.address or 0))

    # -- gpios -------------------------------------------------------------------

    def _attach_pin(self, header: int, session: Session, gpio: int) -> None:
        callbacks: List[Any] = []
        pin: Optional[Component] = None

        def edges_on() -> None:
            attached = pin
            if not callbacks and attached is not None:
                callbacks.append(session.callback(gpio, Edge.EITHER, lambda g, level, tick: self._emit(
                    {"type": "watchdog" if level == 2 else "edge", "id": attached.id,
                     "level": level, "tick": tick})))

        def edges_off() -> None:
            while callbacks:
                callbacks.pop().cancel()

        pin = self._attach("device", "gpio", header, str(gpio), {
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
            "edges_on": edges_on,
            "edges_off": edges_off,
        })
        pin.on_detach.append(edges_off)

    # -- buses with devices --------------------------------------------------------

    def _attach_i2c_bus(self, parent: int, session: Session, number: int) -> None:
        try:
            addresses = session.scan_i2c(number)
        except PigpioError:
            return  # no such bus on this board
        bus = self._attach("bus", "i2c", parent, str(number), {})
        bus.methods["rescan"] = lambda: self._update_i2c(bus.id, session, number)
        for address in addresses:
            self._attach_i2c_device(bus.id, session, number, address)

    def _update_i2c(self, bus: int, session: Session, number: int) -> None:
        present = set(session.scan_i2c(number))
        attached = {int(self._components[c].address or "0", 16): c
                    for c in self._components[bus].children}
        for address, child in attached.items():
            if address not in present:
                self._detach(child)
        for address in sorted(present - set(attached)):
            self._attach_i2c_device(bus, session, number, address)

    def _attach_i2c_device(self, bus: int, session: Session, number: int, address: int) -> None:
        device = Lazy(lambda: session.open_i2c(number, address))
        component = self._attach("device", "i2c_device", bus, "0x%02x" % address, {
            name: _forward(device, name) for name in I2C_METHODS})
        component.on_detach.append(device.close)

    def _attach_spi_bus(self, parent: int, session: Session, name: str, auxiliary: bool,
                        selects: int) -> None:
        from .spi import SpiFlags

        if auxiliary and session.hardware_revision() < 16:
            return  # pigpiod refuses the auxiliary SPI on these boards
        bus = self._attach("bus", "spi", parent, name, {})
        for select in range(selects):
            def opener(baud: int = 1_000_000, select: int = select) -> Any:
                return session.open_spi(select, baud, SpiFlags(aux=auxiliary))
            device = Lazy(opener)
            methods: Methods = {m: _forward(device, m) for m in ("xfer", "read", "write")}
            methods["set_baud"] = lambda baud, d=device, o=opener: d.reopen(lambda: o(baud))
            component = self._attach("device", "spi_device", bus.id, "ce%d" % select, methods)
            component.on_detach.append(device.close)

    def _attach_serial(self, bus: int, session: Session, port: str) -> None:
        device = Lazy(lambda: session.open_serial(port, 9600, timeout=0))
        methods: Methods = {m: _forward(device, m) for m in ("read", "write")}
        methods["in_waiting"] = lambda: device.get().in_waiting
        methods["set_baud"] = lambda baud: device.reopen(
            lambda: session.open_serial(port, baud, timeout=0))
        component = self._attach("device", "serial_port", bus, port, methods)
        component.on_detach.append(device.close)

    def _attach_bsc(self, bus: int, session: Session) -> None:
        slave = Lazy(lambda: None)

        def listen(address: int) -> None:
            slave.reopen(lambda: session.open_i2c_slave(address))
            slave.get()

        def transfer(data: bytes = b"") -> Tuple[int, bytes]:
            status, received = slave.get().transfer(data)
            return status.word, received

        component = self._attach("device", "bsc_slave", bus, "bsc", {
            "listen_i2c": listen, "transfer": transfer, "stop": slave.close})
        component.on_detach.append(slave.close)

    # -- lifetime --------------------------------------------------------------------

    def close(self) -> None:
        """Detach everything and disconnect every daemon."""
        for id in [c.id for c in self._components.values() if c.parent is None]:
            self._detach(id)
        for session in self._sessions:
            session.close()
        self._sessions.clear()


def _forward(device: Lazy, name: str) -> Callable[..., Any]:
    return lambda *args: getattr(device.get(), name)(*args)


def _serial_exists(session: Session, port: str) -> bool:
    try:
        session.open_serial(port, 9600).close()
    except PigpioError:
        return False
    return True


def parse_address(item: str, default_port: int) -> Tuple[str, int]:
    """``host`` or ``host:port`` as (host, port)."""
    host, _, port = item.strip().rpartition(":") if ":" in item else (item.strip(), "", "")
    return host, int(port) if port else default_port


def daemons_from_environment() -> List[Tuple[str, int]]:
    """``PIGPIO_ADDR`` as a comma-separated ``host[:port]`` list (port default
    ``PIGPIO_PORT`` or 8888); localhost when unset."""
    default_port = int(os.environ.get("PIGPIO_PORT") or 8888)
    return [parse_address(item, default_port)
            for item in (os.environ.get("PIGPIO_ADDR") or "localhost").split(",")]


_default: Optional[Startup] = None
_default_lock = threading.Lock()


def _instance() -> Startup:
    global _default
    with _default_lock:
        if _default is None:
            _default = Startup(daemons_from_environment())
        return _default


def pull(timeout_sec: float) -> Optional[Event]:
    """The next event of the daemons named by ``PIGPIO_ADDR``; see the module docs."""
    return _instance().pull(timeout_sec)


def call(id: int, name: str, *args: Any) -> Any:
    """Method ``name`` of component ``id``; see the module docs."""
    return _instance().call(id, name, *args)


__all__ = ["Startup", "pull", "call"]

"""The startup layer: every connected pigpio daemon as buses and devices,
behind exactly two functions.

``pull(timeout_sec)``
    The next event (a plain dict), waiting at most ``timeout_sec`` seconds
    without using CPU: ``timeout_sec <= 0`` returns at once, ``None`` or
    ``float("inf")`` (or any time-out too long for the platform) waits
    without limit; returns ``None`` when nothing came.
``call(id, name, *args)``
    Calls method ``name`` of component ``id`` and returns its raw value.
    Returns ``None`` when that component has no such method (only the
    methods listed below are reachable). Raises ``LookupError`` for an id
    that is not attached (never was, or was detached; a call that races the
    detach of its device raises :class:`DetachedError`, a ``LookupError``).
    Errors of the method itself are the binding's typed exceptions
    (``PigpioConnectionError`` while its daemon is not connected).

Nothing waits for a daemon: each one is connected, described and watched by
a thread of its own. Its ``pigpiod`` bus is attached at once; the picture of
its hardware follows as soon as it answers, ending with ``daemon_up``. A
daemon that cannot be reached (or stops answering) gets a ``daemon_down``
event with the reason, and is tried again with back-off (0.1 s doubling up
to 5 s) until it answers; a paused daemon delays only its own subtree.

Events: ``bus_attach`` (id, bus, bus_type, address), ``bus_detach`` (id),
``device_attach`` (id, bus, address, device_type), ``device_detach`` (id);
``daemon_up`` (id of the daemon bus: its picture is complete) and
``daemon_down`` (id, error: it cannot be reached, or its connection was
lost; said once per outage); then ``edge`` / ``watchdog`` (id of the pin,
level, tick) and ``event`` (id of the daemon bus, event, tick). A bus is
detached only after everything on it. When a daemon's connection is lost
everything under its bus is detached before ``daemon_down``; it is attached
again when the daemon comes back.

Bus reference (``bus_type``: address format of its devices: methods)

``pigpiod``
    the daemon; no address. ``host``, ``port``, ``connected`` (True from
    ``daemon_up`` to ``daemon_down``), ``version``, ``hardware_revision``,
    ``tick``, ``trigger_event(n)``, ``rescan()``.
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

import os
import threading
from typing import Any, List, Optional, Sequence, Tuple

from ..session import DEFAULT_TIMEOUT
from .daemon import DaemonLink
from .tree import DetachedError, Event, Tree


class Startup(Tree):
    """Daemons seen as a tree of buses and devices; see the module docs.

    ``timeout`` bounds every command to a daemon (seconds), and so how long
    a daemon that stopped answering delays its own subtree.
    """

    def __init__(self, daemons: Sequence[Tuple[str, int]] = (),
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__()
        self._timeout = timeout
        self._links: List[DaemonLink] = []
        for host, port in daemons:
            self.add_daemon(host, port)

    def add_daemon(self, host: str, port: int) -> int:
        """Attach a daemon's bus now and its picture once it answers; returns the bus id."""
        link = DaemonLink(self, host, port, self._timeout)
        self._links.append(link)
        return link.bus.id

    def close(self) -> None:
        """Detach everything and disconnect every daemon; idempotent."""
        links, self._links = self._links, []
        for link in links:
            link.stop()
        for link in links:
            link.close()


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


def pull(timeout_sec: Optional[float]) -> Optional[Event]:
    """The next event of the daemons named by ``PIGPIO_ADDR``; see the module docs."""
    return _instance().pull(timeout_sec)


def call(id: int, name: str, *args: Any) -> Any:
    """Method ``name`` of component ``id``; see the module docs."""
    return _instance().call(id, name, *args)


__all__ = ["Startup", "DetachedError", "pull", "call", "parse_address", "daemons_from_environment"]

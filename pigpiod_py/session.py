"""Session: one connection to a pigpio daemon and the core GPIO commands."""
from __future__ import annotations

import functools
import logging
import os
import threading
import weakref
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable, List, Optional

from . import housekeeping
from ._pigpiod import lib as _lib
from .batch import Batch
from .bitbang import BitBangMethods
from .bsc import BscMethods
from .buffers import receive
from .checks import (
    MAX_EXTENSION,
    Data,
    checked_bytes,
    checked_int,
    text_argument,
    user_gpio,
    wait_seconds,
)
from .connection import Connection, command
from .constants import Command, Edge, Mode
from .errors import (
    CloseError,
    PigpioConnectionError,
    PigpioValueError,
    SessionClosedError,
)
from .events import (
    DEFAULT_CAPACITY,
    DEFAULT_GATHER,
    DISPATCH_MODES,
    Callback,
    Event,
    EventChannel,
    EventKind,
    EventStats,
)
from .files import FileMethods
from .i2c import MAX_TRANSFER, I2CMethods
from .notifier import Notifier
from .script import ScriptMethods
from .serial import SerialMethods
from .spi import SpiMethods
from .wave import WaveMethods

if TYPE_CHECKING:
    from .boards import Board

DEFAULT_TIMEOUT = 5.0
#: Seconds a connection may stay idle before the daemon is asked whether it
#: is still there (a TICK command): loss is noticed within this plus timeout.
DEFAULT_KEEPALIVE = 10.0
#: The longest ``gather`` a session takes (s).
MAX_GATHER = 0.1
log = logging.getLogger("pigpiod_py")


def _default_host() -> str:
    return os.environ.get("PIGPIO_ADDR") or "localhost"


def _default_port() -> int:
    return int(os.environ.get("PIGPIO_PORT") or _lib.PI_DEFAULT_SOCKET_PORT)


class Session(I2CMethods, SpiMethods, SerialMethods, BitBangMethods, BscMethods,
              WaveMethods, ScriptMethods, FileMethods):
    """A connection to one pigpio daemon (local or remote).

    Made by :func:`pigpiod_py.open`. Commands go through libpigpiod_if2 and
    the binding's guard; a negative result raises the typed error of its
    code. A command that gets no answer within ``timeout`` seconds raises
    :class:`PigpioTimeoutError` and closes the connection, so a late answer
    is never taken for the answer to a later command.
    """

    def __init__(
        self,
        host: Optional[str] = None,
        port: Optional[int] = None,
        *,
        timeout: Optional[float] = DEFAULT_TIMEOUT,
        dispatch: str = "main",
        capacity: int = DEFAULT_CAPACITY,
        gather: float = DEFAULT_GATHER,
        reconnect: bool = False,
        keepalive: Optional[float] = DEFAULT_KEEPALIVE,
        name: Optional[str] = None,
    ) -> None:
        if dispatch not in DISPATCH_MODES:
            raise PigpioValueError(_lib.PI_BAD_PARAM, "dispatch must be one of %s, not %r"
                                   % (DISPATCH_MODES, dispatch))
        checked_int(capacity, 16, 1 << 26, "capacity")
        gathered = wait_seconds(gather, "gather")
        if gathered is None or gathered > MAX_GATHER or gather < 0:
            raise PigpioValueError(_lib.PI_BAD_PARAM, "gather is 0 to %s s, not %r"
                                   % (MAX_GATHER, gather))
        self._gather = gathered
        self.dispatch_mode = dispatch
        self._capacity = capacity
        self._lock = threading.Lock()
        self._closing = False
        self._closed_event = threading.Event()
        self._channel: Optional[EventChannel] = None
        self._children: "weakref.WeakSet[Any]" = weakref.WeakSet()
        address = _default_host() if host is None else host
        text_argument(address, "host", 255)
        port = _default_port() if port is None else checked_int(port, 1, 65535, "port")
        if name is not None:
            text_argument(name, "name", 255)
        #: The name given at open (shown in ``repr`` and in errors), or None.
        self.name = name
        self._connection = Connection(address, port, timeout, reconnect, keepalive, name)
        self._connection.watch(self._connection_changed)

    # -- lifetime ---------------------------------------------------------

    @property
    def host(self) -> str:
        """The daemon's host name or address."""
        return self._connection.host

    @property
    def port(self) -> int:
        """The daemon's port."""
        return self._connection.port

    @property
    def timeout(self) -> Optional[float]:
        """Seconds a command may wait for its answer (None: no limit)."""
        return self._connection.timeout

    @property
    def reconnect(self) -> bool:
        """Whether a lost connection is retried in the background."""
        return self._connection.reconnect

    def close(self) -> None:
        """Release this session's handles, stop its event threads and
        disconnect; idempotent, and always complete.

        Handles that cannot be released (the daemon does not answer, or
        another client closed them) do not stop it: every failure is logged,
        and after everything is released they are raised together as one
        :class:`CloseError` (``errors`` lists them).
        """
        with self._lock:
            if self._closing:
                return
            self._closing = True
        self._closed_event.set()
        errors: List[BaseException] = []
        for child in list(self._children):
            try:
                child.close()
            except Exception as exc:  # noqa: BLE001 - collected, raised below
                log.warning("closing %r failed: %s", child, exc)
                errors.append(exc)
        try:
            if self._channel is not None:
                self._channel.close()
        finally:
            self._connection.close()
        if errors:
            raise CloseError(errors)

    @property
    def closed(self) -> bool:
        """True once the session is closed."""
        return self._closing or self._connection.closed

    @property
    def connected(self) -> bool:
        """True while the daemon connection is up (False while reconnecting)."""
        return self._connection.connected

    def on_connection_change(self, func: Callable[[bool], None]) -> None:
        """Call ``func(connected)`` when the connection is lost (False) and,
        with ``reconnect=True``, when it is back (True). It runs in the thread
        that noticed; exceptions are logged."""
        self._connection.watch(func)

    def _connection_changed(self, connected: bool) -> None:
        """The connection was lost, or a reconnect brought it back."""
        channel = self._channel
        if connected:
            if channel is not None:
                channel.reconnected()
            return
        if channel is not None:
            channel.connection_lost()
        if self._connection.closed:
            self.close()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        try:
            self.close()
        except CloseError:
            if exc_type is None:
                raise
            # The block's own exception is what matters; the failures were logged.

    def __del__(self) -> None:
        connection = getattr(self, "_connection", None)
        if connection is not None and not self.closed:
            # Closing may wait for the daemon: never in a finalizer.
            housekeeping.retire(functools.partial(_finish, self._channel, connection))

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open" if self.connected else "reconnecting"
        named = "" if self.name is None else " %r" % self.name
        return "<Session%s %s:%d %s>" % (named, self.host, self.port, state)

    # -- modes, pulls, levels ----------------------------------------------

    def set_mode(self, gpio: int, mode: int) -> None:
        """Set the function of a gpio (:class:`Mode`: INPUT, OUTPUT, ALT0-5)."""
        self._call(_lib.pgd_set_mode, gpio, mode)

    def get_mode(self, gpio: int) -> Mode:
        """The current function of a gpio."""
        return Mode(self._call(_lib.pgd_get_mode, gpio))

    def set_pull(self, gpio: int, pull: int) -> None:
        """Set the pull resistor of a gpio (:class:`Pull`: OFF, DOWN, UP)."""
        self._call(_lib.pgd_set_pull_up_down, gpio, pull)

    @command(_lib.pgd_gpio_read)
    def read(self, gpio: int) -> int:  # type: ignore[empty-body]
        """The level of a gpio: 0 or 1."""

    @command(_lib.pgd_gpio_write)
    def write(self, gpio: int, level: int) -> None:
        """Set a gpio to output at ``level`` (0 or 1)."""

    @command(_lib.pgd_gpio_trigger)
    def trigger(self, gpio: int, pulse_len: int, level: int = 1) -> None:
        """Send a pulse of ``pulse_len`` µs (1-100) at ``level`` on a gpio."""

    # -- banks --------------------------------------------------------------

    def read_bank_1(self) -> int:
        """Levels of gpio 0-31 as a bit mask."""
        return self._call(_lib.pgd_read_bank_1)

    def read_bank_2(self) -> int:
        """Levels of gpio 32-53 as a bit mask (bit 0 = gpio 32)."""
        return self._call(_lib.pgd_read_bank_2)

    @command(_lib.pgd_set_bank_1)
    def set_bank_1(self, bits: int) -> None:
        """Set the gpios 0-31 whose bits are 1."""

    @command(_lib.pgd_clear_bank_1)
    def clear_bank_1(self, bits: int) -> None:
        """Clear the gpios 0-31 whose bits are 1."""

    @command(_lib.pgd_set_bank_2)
    def set_bank_2(self, bits: int) -> None:
        """Set the gpios 32-53 whose bits are 1 (bit 0 = gpio 32)."""

    @command(_lib.pgd_clear_bank_2)
    def clear_bank_2(self, bits: int) -> None:
        """Clear the gpios 32-53 whose bits are 1 (bit 0 = gpio 32)."""

    # -- software PWM and servo --------------------------------------------

    @command(_lib.pgd_set_PWM_dutycycle)
    def set_pwm_dutycycle(self, gpio: int, dutycycle: int) -> None:
        """Start software PWM on a gpio: ``dutycycle`` out of its range."""

    def get_pwm_dutycycle(self, gpio: int) -> int:
        """The dutycycle last set (hardware PWM: 0-1000000)."""
        return self._call(_lib.pgd_get_PWM_dutycycle, gpio)

    def set_pwm_range(self, gpio: int, range_: int) -> int:
        """Set the dutycycle range (25-40000); returns the real range."""
        return self._call(_lib.pgd_set_PWM_range, gpio, range_)

    def get_pwm_range(self, gpio: int) -> int:
        """The dutycycle range of a gpio."""
        return self._call(_lib.pgd_get_PWM_range, gpio)

    def get_pwm_real_range(self, gpio: int) -> int:
        """The real range: PWM steps per period at the current frequency."""
        return self._call(_lib.pgd_get_PWM_real_range, gpio)

    def set_pwm_frequency(self, gpio: int, frequency: int) -> int:
        """Ask for a PWM frequency in Hz; returns the one selected."""
        return self._call(_lib.pgd_set_PWM_frequency, gpio, frequency)

    def get_pwm_frequency(self, gpio: int) -> int:
        """The PWM (or hardware PWM / clock) frequency of a gpio in Hz."""
        return self._call(_lib.pgd_get_PWM_frequency, gpio)

    @command(_lib.pgd_set_servo_pulsewidth)
    def set_servo_pulsewidth(self, gpio: int, pulsewidth: int) -> None:
        """Start servo pulses of ``pulsewidth`` µs (500-2500; 0 = off)."""

    def get_servo_pulsewidth(self, gpio: int) -> int:
        """The servo pulse width last set, in µs."""
        return self._call(_lib.pgd_get_servo_pulsewidth, gpio)

    # -- hardware PWM and clock ----------------------------------------------

    def hardware_pwm(self, gpio: int, frequency: int, dutycycle: int) -> None:
        """Hardware PWM on gpio 12, 13, 18, 19, ...: ``dutycycle`` of 1000000;
        frequency 0 stops it."""
        self._call(_lib.pgd_hardware_PWM, gpio, frequency, dutycycle)

    def hardware_clock(self, gpio: int, frequency: int) -> None:
        """General-purpose clock on gpio 4, 5, 6, 20, 21, ...; 0 stops it."""
        self._call(_lib.pgd_hardware_clock, gpio, frequency)

    # -- filters and watchdog ----------------------------------------------

    def set_glitch_filter(self, gpio: int, steady: int) -> None:
        """Report a level only after it was steady for ``steady`` µs."""
        self._call(_lib.pgd_set_glitch_filter, gpio, steady)

    def set_noise_filter(self, gpio: int, steady: int, active: int) -> None:
        """After ``steady`` µs of quiet, report changes for ``active`` µs."""
        self._call(_lib.pgd_set_noise_filter, gpio, steady, active)

    def set_watchdog(self, gpio: int, timeout_ms: int) -> None:
        """Report a time-out after ``timeout_ms`` without a level change
        (0-60000; 0 cancels)."""
        self._call(_lib.pgd_set_watchdog, gpio, timeout_ms)

    # -- information ----------------------------------------------------------

    def tick(self) -> int:
        """The daemon's microsecond tick (32 bits, wraps every ~72 minutes)."""
        return self._call(_lib.pgd_get_current_tick)

    def hardware_revision(self) -> int:
        """The Pi's board revision code (0 when unknown)."""
        return self._call(_lib.pgd_get_hardware_revision)

    def pigpio_version(self) -> int:
        """The daemon's pigpio version (79)."""
        return self._call(_lib.pgd_get_pigpio_version)

    @staticmethod
    def library_version() -> int:
        """The libpigpiod_if2 interface version (17)."""
        return int(_lib.pigpiod_if_version())

    def get_pad_strength(self, pad: int) -> int:
        """Drive strength of a pad (0: gpio 0-27, 1: 28-45, 2: 46-53) in mA."""
        return self._call(_lib.pgd_get_pad_strength, pad)

    def set_pad_strength(self, pad: int, milliamps: int) -> None:
        """Set the drive strength of a pad, 1-16 mA."""
        self._call(_lib.pgd_set_pad_strength, pad, milliamps)

    # -- custom functions ------------------------------------------------------

    def custom_1(self, arg1: int = 0, arg2: int = 0, argx: Data = b"") -> int:
        """Call the daemon's custom function 1; returns its value."""
        data = checked_bytes(argx, 0, MAX_EXTENSION, "argx")
        return self._call(_lib.pgd_custom_1, arg1, arg2, data, len(data))

    def custom_2(self, arg1: int = 0, argx: Data = b"", ret_max: int = 8192) -> bytes:
        """Call the daemon's custom function 2; returns its bytes (at most
        ``ret_max``, 0-65535)."""
        data = checked_bytes(argx, 0, MAX_EXTENSION, "argx")
        checked_int(ret_max, 0, MAX_TRANSFER, "ret_max")
        return receive(ret_max, lambda buf: self._call(_lib.pgd_custom_2, arg1, data, len(data),
                                                       buf, ret_max))

    # -- events ----------------------------------------------------------------

    def _events(self) -> EventChannel:
        """The session's event path, opened on first use."""
        with self._lock:
            if self.closed:
                raise SessionClosedError(_lib.pigif_unconnected_pi, "the session is closed")
            if self._channel is None:
                if not self.connected:
                    raise PigpioConnectionError(_lib.pigif_unconnected_pi,
                                                "the connection is lost; reconnecting")
                self._channel = EventChannel(self._connection, self.dispatch_mode,
                                             self._capacity, self._gather)
            return self._channel

    def callback(self, gpio: int, edge: int = Edge.RISING,
                 func: Optional[Callable[..., Any]] = None, user: Any = None, *,
                 batch: bool = False, queue: bool = True) -> Callback:
        """Call ``func(gpio, level, tick[, user])`` on every ``edge`` of
        ``gpio`` (0-31) and with level 2 on its watchdog time-outs.

        ``batch=True``: one call per dispatch with all of its records,
        ``func(gpio, ticks, levels[, user])`` (an ``array('I')`` and a
        ``bytes``), for high-rate signals. Without ``func`` the callback
        costs no Python per record: it counts in C (``tally()``) and, unless
        ``queue=False``, keeps its records for :meth:`pull`. Any number of
        callbacks may watch the same gpio."""
        return self._events().add_gpio(gpio, edge, func, user, batch, queue)

    def event_callback(self, event: int, func: Optional[Callable[..., Any]] = None,
                       user: Any = None, *, queue: bool = True) -> Callback:
        """Call ``func(event, tick[, user])`` whenever pigpio event ``event``
        (0-31) fires; without ``func``, count and queue as :meth:`callback`."""
        return self._events().add_event(event, func, user, queue)

    def event_trigger(self, event: int) -> None:
        """Fire pigpio event ``event`` (0-31) for every listener.

        Sent directly: libpigpiod_if2 1.78's ``event_trigger`` sends EVM
        instead of EVT (pigpio issue 400), which the daemon refuses."""
        self._connection.command(Command.EVT, event)

    def wait_for_edge(self, gpio: int, edge: int = Edge.RISING,
                      timeout: Optional[float] = 60.0) -> bool:
        """Wait up to ``timeout`` seconds (None or inf: no limit) for an edge
        (or a watchdog time-out) of ``gpio``; True if one came."""
        user_gpio(gpio)
        if edge not in (Edge.RISING, Edge.FALLING, Edge.EITHER) or isinstance(edge, bool):
            raise PigpioValueError(_lib.PI_BAD_EDGE,
                                   "edge must be RISING, FALLING or EITHER, got %r" % (edge,))
        return self._events().wait_for(EventKind.EDGE, gpio, edge, timeout)

    def wait_for_event(self, event: int, timeout: Optional[float] = 60.0) -> bool:
        """Wait up to ``timeout`` seconds for a pigpio event; True if it fired."""
        checked_int(event, 0, _lib.PI_MAX_EVENT, "event", _lib.PI_BAD_EVENT_ID)
        return self._events().wait_for(EventKind.EVENT, event, Edge.EITHER, timeout)

    def sleep(self, seconds: float) -> None:
        """Sleep, delivering events meanwhile where the dispatch mode needs
        it (``manual``); returns early when the session closes."""
        limit = wait_seconds(seconds, "seconds")
        channel = self._channel
        if channel is None:
            self._closed_event.wait(limit)
        else:
            channel.wait(limit, lambda: False)

    def pull(self, timeout: Optional[float] = 0) -> Optional[Event]:
        """The next record of a callback without function, waiting at most
        ``timeout`` seconds (``<= 0``: at once; None or inf: no limit); None
        on time-out. In ``manual`` mode it delivers the other callbacks'
        records meanwhile; it returns at once when the session closes (the
        records queued before stay readable) or, with ``reconnect=True``,
        with the DISCONNECT record when the connection is lost."""
        channel = self._channel
        if channel is not None and channel.closed:
            return channel.pull(timeout)  # what was queued before the close
        return self._events().pull(timeout)

    def dispatch(self) -> int:
        """Deliver the waiting records now; returns how many."""
        return self._events().dispatch()

    def fileno(self) -> int:
        """A file descriptor that is readable while records wait (selectors)."""
        return self._events().fileno()

    def events(self) -> AsyncIterator[Event]:
        """``async for event in session.events()``: the records of the
        callbacks without function, as they arrive."""
        channel = self._channel
        if channel is not None and channel.closed:
            return channel.events()
        return self._events().events()

    def event_stats(self) -> EventStats:
        """Counters of the event path: queued, high-water mark, dropped, ...
        (still readable after close)."""
        channel = self._channel
        return channel.stats() if channel is not None else self._events().stats()

    def reset_event_stats(self) -> None:
        """Zero the event counters (the high-water mark restarts from now)."""
        self._events().reset_stats()

    @property
    def handler_errors(self) -> List[BaseException]:
        """Exceptions handlers raised in ``thread`` dispatch mode."""
        return self._channel.handler_errors if self._channel is not None else []

    def open_notifier(self, gpios: Any = None, fifo_dir: str = "/dev", *,
                      name: Optional[str] = None) -> Notifier:
        """A pipe notification handle (``NO``), reading the daemon's FIFO in
        ``fifo_dir``: only possible on the daemon's machine. ``gpios`` (mask
        or numbers) starts it at once."""
        notifier = Notifier(self, fifo_dir, name=name)
        if gpios is not None:
            notifier.begin(gpios)
        return notifier

    # -- pipelined commands ----------------------------------------------------

    def batch(self) -> Batch:
        """Queue commands and send them in one write (see :class:`Batch`)."""
        return Batch(self._connection)

    # -- the board and the clock (as the Lua binding's info and time_time) -------

    def board(self) -> "Board":
        """The board the daemon runs on: model, memory, manufacturer and
        header pins (:class:`pigpiod_py.boards.Board`)."""
        from .boards import board

        return board(self.hardware_revision())

    @staticmethod
    def time_time() -> float:
        """Seconds since the epoch by this machine's clock (libpigpiod_if2's
        ``time_time``; the daemon's own clock is :meth:`tick`)."""
        return float(_lib.time_time())


def _finish(channel: Optional[EventChannel], connection: Connection) -> None:
    """Close what a session collected without ``close()`` left open
    (run by the housekeeper: it may wait for the daemon)."""
    if channel is not None:
        channel.close()
    connection.close()


def open(host: Optional[str] = None, port: Optional[int] = None, *,
         timeout: Optional[float] = DEFAULT_TIMEOUT, dispatch: str = "main",
         capacity: int = DEFAULT_CAPACITY, gather: float = DEFAULT_GATHER,
         reconnect: bool = False,
         keepalive: Optional[float] = DEFAULT_KEEPALIVE, name: Optional[str] = None) -> Session:
    """Connect to the pigpio daemon at host:port.

    Defaults: ``PIGPIO_ADDR`` / ``PIGPIO_PORT`` from the environment, then
    localhost:8888. ``timeout`` bounds the connection and every command
    (seconds; ``None`` or ``inf`` = no limit). ``dispatch`` chooses where
    event handlers run (``main``, ``thread`` or ``manual``, see
    :mod:`pigpiod_py.events`); ``capacity`` is the size of the event ring
    (16 to 2**26). ``gather``: the longest time a busy stream (eight reports
    or more in a read) is gathered before it is read again, in seconds, 0 to
    0.1 (default 16 ms; the gather starts at 1 ms and doubles at each read
    that finds the stream still busy: the handlers of a lasting busy stream
    run up to ``gather`` later, for a fraction of the CPU; 0: every read at
    once). With ``reconnect=True`` a lost connection is retried in the
    background (back-off up to 5 s) and callbacks and notification bits
    are restored; ``pull()``/``events()`` report DISCONNECT and RECONNECT
    records; commands meanwhile raise :class:`PigpioConnectionError`, and
    handles opened before raise :class:`StaleHandleError`. Without it the
    session closes. ``keepalive``: after this many idle seconds the daemon
    is asked whether it still answers, so that a Pi that vanished is noticed
    without a command (None: never; needs a ``timeout``). ``name`` labels the
    session in its ``repr`` and its errors (handles, waves and scripts take
    one too, at open). Raises
    :class:`PigpioConnectionError` when the daemon cannot be reached at first.
    """
    return Session(host, port, timeout=timeout, dispatch=dispatch, capacity=capacity,
                   gather=gather,
                   reconnect=reconnect, keepalive=keepalive, name=name)

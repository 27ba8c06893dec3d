"""Session: one connection to a pigpio daemon and the core GPIO commands."""
from __future__ import annotations

import errno
import logging
import os
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable, List, Optional

from ._pigpiod import ffi as _ffi
from ._pigpiod import lib as _lib
from .batch import Batch
from .bitbang import BitBangMethods
from .bsc import BscMethods
from .constants import Command, Edge, Mode
from .errors import (
    PigpioConnectionError,
    PigpioTimeoutError,
    SessionClosedError,
    argument_error,
    error_class,
    error_message,
    make_error,
)
from .events import (
    DEFAULT_CAPACITY,
    DISPATCH_MODES,
    Callback,
    Event,
    EventChannel,
    EventStats,
)
from .files import FileMethods
from .i2c import I2CMethods
from .notifier import Notifier
from .script import ScriptMethods
from .serial import SerialMethods
from .spi import SpiMethods
from .wave import WaveMethods

if TYPE_CHECKING:
    from .boards import Board

DEFAULT_TIMEOUT = 5.0
_CONNECTION_LOST = (_lib.pigif_bad_send, _lib.pigif_bad_recv)
#: What a uint32 command returns when the library failed, seen unsigned.
_U32_FAILURES = frozenset(
    code & 0xFFFFFFFF for code in (*_CONNECTION_LOST, _lib.pigif_unconnected_pi)
)


def _default_host() -> str:
    return os.environ.get("PIGPIO_ADDR") or "localhost"


def _default_port() -> int:
    return int(os.environ.get("PIGPIO_PORT") or _lib.PI_DEFAULT_SOCKET_PORT)


class Session(I2CMethods, SpiMethods, SerialMethods, BitBangMethods, BscMethods,
              WaveMethods, ScriptMethods, FileMethods):
    """A connection to one pigpio daemon (local or remote).

    Made by :func:`pigpiod_py.open`. Commands go through libpigpiod_if2; a
    negative result raises the typed error of its code. A command that gets
    no answer within ``timeout`` seconds raises :class:`PigpioTimeoutError`
    and closes the session, so a late answer is never taken for the answer to
    a later command.
    """

    def __init__(
        self,
        host: Optional[str] = None,
        port: Optional[int] = None,
        *,
        timeout: Optional[float] = DEFAULT_TIMEOUT,
        dispatch: str = "main",
        capacity: int = DEFAULT_CAPACITY,
        reconnect: bool = False,
    ) -> None:
        if dispatch not in DISPATCH_MODES:
            raise ValueError("dispatch must be one of %s, not %r" % (DISPATCH_MODES, dispatch))
        self.host = host or _default_host()
        self.port = int(port) if port is not None else _default_port()
        self.timeout = timeout
        self.dispatch_mode = dispatch
        self._capacity = capacity
        self._timeout_ms = _milliseconds(timeout)
        self._lock = threading.Lock()
        self._batch_socket: Any = None
        self._batch_lock = threading.Lock()
        self._channel: Optional[EventChannel] = None
        self._children: "weakref.WeakSet[Any]" = weakref.WeakSet()
        self.reconnect = reconnect
        self._connection_listeners: List[Callable[[bool], None]] = []
        self._closing = False
        self._reconnector: Optional[threading.Thread] = None
        self._pi = -1
        pi = _lib.pgd_connect(self.host.encode(), str(self.port).encode(), self._timeout_ms)
        if pi < 0:
            raise error_class(pi)(pi, "%s at %s:%d" % (error_message(pi), self.host, self.port))
        self._pi = pi

    # -- lifetime ---------------------------------------------------------

    def close(self) -> None:
        """Disconnect; idempotent. Handles made by this session are closed."""
        self._closing = True
        for child in list(self._children):
            child.close()
        with self._lock:
            pi, self._pi = self._pi, -1
            channel = self._channel
            if self._batch_socket is not None:
                self._batch_socket.close()
                self._batch_socket = None
        if channel is not None:
            channel.close()
        if pi >= 0:
            _lib.pgd_disconnect(pi)

    @property
    def closed(self) -> bool:
        """True once the session is closed."""
        return self._closing or (self._pi < 0 and self._reconnector is None)

    @property
    def connected(self) -> bool:
        """True while the daemon connection is up (False while reconnecting)."""
        return self._pi >= 0

    # -- connection loss ---------------------------------------------------------

    def _lost(self, why: str) -> None:
        """The daemon connection is gone: close the session, or (opened with
        ``reconnect=True``) reconnect in the background."""
        with self._lock:
            if self._pi < 0 or self._closing:
                return
            pi, self._pi = self._pi, -1
            if self._batch_socket is not None:
                self._batch_socket.close()
                self._batch_socket = None
        _lib.pgd_abort(pi)
        if self._channel is not None:
            self._channel.connection_lost()
        self._tell_listeners(False)
        if not self.reconnect:
            self.close()
            return
        self._reconnector = threading.Thread(target=self._reconnect_loop, daemon=True,
                                             name="pigpiod_py reconnect")
        self._reconnector.start()

    def on_connection_change(self, func: Callable[[bool], None]) -> None:
        """Call ``func(connected)`` when the connection is lost (False) and,
        with ``reconnect=True``, when it is back (True). It runs in the thread
        that noticed; exceptions are logged."""
        self._connection_listeners.append(func)

    def _tell_listeners(self, connected: bool) -> None:
        for func in list(self._connection_listeners):
            try:
                func(connected)
            except Exception:  # noqa: BLE001 - a listener must not break recovery
                logging.getLogger("pigpiod_py").exception("connection listener raised")

    def _reconnect_loop(self) -> None:
        delay = 0.05
        while not self._closing:
            pi = _lib.pgd_connect(self.host.encode(), str(self.port).encode(), self._timeout_ms)
            if pi >= 0:
                with self._lock:
                    if self._closing:
                        _lib.pgd_disconnect(pi)
                        return
                    self._pi = pi
                    self._reconnector = None
                if self._channel is not None:
                    try:
                        self._channel.reconnected()
                    except PigpioConnectionError:
                        self._lost("lost again while reconnecting")
                        return
                self._tell_listeners(True)
                return
            time.sleep(delay)
            delay = min(delay * 2, 5.0)

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_pi", -1) >= 0:
            self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return "<Session %s:%d %s>" % (self.host, self.port, state)

    def _adopt(self, child: Any) -> Any:
        """Register a handle object, to be closed with the session."""
        self._children.add(child)
        return child

    # -- command plumbing --------------------------------------------------

    def _call(self, function: Callable[..., int], *args: Any) -> int:
        try:
            result: int = function(self._pi, *args)
        except (TypeError, OverflowError) as exc:
            raise argument_error(function.__name__, args, exc) from None
        if result < 0:
            self._raise(result)
        return result

    def _call_u32(self, function: Callable[[int], int]) -> int:
        """For the commands whose result is unsigned and cannot fail: a
        library failure is only recognisable by its value, so confirm it."""
        _ffi.errno = 0
        result: int = function(self._pi)
        if result in _U32_FAILURES:
            if self._pi < 0:
                self._raise(_lib.pigif_unconnected_pi)
            if _ffi.errno in (errno.EAGAIN, errno.EWOULDBLOCK) or _lib.pgd_peer_closed(self._pi):
                self._raise(_lib.pigif_bad_recv)
            self._call(_lib.get_mode, 0)  # fails too if the connection is gone
        return result

    def _raise(self, result: int) -> None:
        if result in _CONNECTION_LOST:
            timed_out = not _lib.pgd_peer_closed(self._pi)
            self._lost("a command failed")
            if timed_out:
                raise PigpioTimeoutError(
                    _lib.PGD_ERR_TIMEOUT,
                    "pigpiod at %s:%d did not answer within %ss; session closed"
                    % (self.host, self.port, self.timeout),
                )
            raise PigpioConnectionError(result)
        if result == _lib.pigif_unconnected_pi:
            if not self.closed:
                raise PigpioConnectionError(result, "the connection is lost; reconnecting")
            raise SessionClosedError(result, "the session is closed")
        raise make_error(result)

    # -- modes, pulls, levels ----------------------------------------------

    def set_mode(self, gpio: int, mode: int) -> None:
        """Set the function of a gpio (:class:`Mode`: INPUT, OUTPUT, ALT0-5)."""
        self._call(_lib.set_mode, gpio, mode)

    def get_mode(self, gpio: int) -> Mode:
        """The current function of a gpio."""
        return Mode(self._call(_lib.get_mode, gpio))

    def set_pull(self, gpio: int, pull: int) -> None:
        """Set the pull resistor of a gpio (:class:`Pull`: OFF, DOWN, UP)."""
        self._call(_lib.set_pull_up_down, gpio, pull)

    def read(self, gpio: int) -> int:
        """The level of a gpio: 0 or 1."""
        return self._call(_lib.gpio_read, gpio)

    def write(self, gpio: int, level: int) -> None:
        """Set a gpio to output at ``level`` (0 or 1)."""
        self._call(_lib.gpio_write, gpio, level)

    def trigger(self, gpio: int, pulse_len: int, level: int = 1) -> None:
        """Send a pulse of ``pulse_len`` µs (1-100) at ``level`` on a gpio."""
        self._call(_lib.gpio_trigger, gpio, pulse_len, level)

    # -- banks --------------------------------------------------------------

    def read_bank_1(self) -> int:
        """Levels of gpio 0-31 as a bit mask."""
        return self._call_u32(_lib.read_bank_1)

    def read_bank_2(self) -> int:
        """Levels of gpio 32-53 as a bit mask (bit 0 = gpio 32)."""
        return self._call_u32(_lib.read_bank_2)

    def set_bank_1(self, bits: int) -> None:
        """Set the gpios 0-31 whose bits are 1."""
        self._call(_lib.set_bank_1, bits)

    def clear_bank_1(self, bits: int) -> None:
        """Clear the gpios 0-31 whose bits are 1."""
        self._call(_lib.clear_bank_1, bits)

    def set_bank_2(self, bits: int) -> None:
        """Set the gpios 32-53 whose bits are 1 (bit 0 = gpio 32)."""
        self._call(_lib.set_bank_2, bits)

    def clear_bank_2(self, bits: int) -> None:
        """Clear the gpios 32-53 whose bits are 1 (bit 0 = gpio 32)."""
        self._call(_lib.clear_bank_2, bits)

    # -- software PWM and servo --------------------------------------------

    def set_pwm_dutycycle(self, gpio: int, dutycycle: int) -> None:
        """Start software PWM on a gpio: ``dutycycle`` out of its range."""
        self._call(_lib.set_PWM_dutycycle, gpio, dutycycle)

    def get_pwm_dutycycle(self, gpio: int) -> int:
        """The dutycycle last set (hardware PWM: 0-1000000)."""
        return self._call(_lib.get_PWM_dutycycle, gpio)

    def set_pwm_range(self, gpio: int, range_: int) -> int:
        """Set the dutycycle range (25-40000); returns the real range."""
        return self._call(_lib.set_PWM_range, gpio, range_)

    def get_pwm_range(self, gpio: int) -> int:
        """The dutycycle range of a gpio."""
        return self._call(_lib.get_PWM_range, gpio)

    def get_pwm_real_range(self, gpio: int) -> int:
        """The real range: PWM steps per period at the current frequency."""
        return self._call(_lib.get_PWM_real_range, gpio)

    def set_pwm_frequency(self, gpio: int, frequency: int) -> int:
        """Ask for a PWM frequency in Hz; returns the one selected."""
        return self._call(_lib.set_PWM_frequency, gpio, frequency)

    def get_pwm_frequency(self, gpio: int) -> int:
        """The PWM (or hardware PWM / clock) frequency of a gpio in Hz."""
        return self._call(_lib.get_PWM_frequency, gpio)

    def set_servo_pulsewidth(self, gpio: int, pulsewidth: int) -> None:
        """Start servo pulses of ``pulsewidth`` µs (500-2500; 0 = off)."""
        self._call(_lib.set_servo_pulsewidth, gpio, pulsewidth)

    def get_servo_pulsewidth(self, gpio: int) -> int:
        """The servo pulse width last set, in µs."""
        return self._call(_lib.get_servo_pulsewidth, gpio)

    # -- hardware PWM and clock ----------------------------------------------

    def hardware_pwm(self, gpio: int, frequency: int, dutycycle: int) -> None:
        """Hardware PWM on gpio 12, 13, 18, 19, ...: ``dutycycle`` of 1000000;
        frequency 0 stops it."""
        self._call(_lib.hardware_PWM, gpio, frequency, dutycycle)

    def hardware_clock(self, gpio: int, frequency: int) -> None:
        """General-purpose clock on gpio 4, 5, 6, 20, 21, ...; 0 stops it."""
        self._call(_lib.hardware_clock, gpio, frequency)

    # -- filters and watchdog ----------------------------------------------

    def set_glitch_filter(self, gpio: int, steady: int) -> None:
        """Report a level only after it was steady for ``steady`` µs."""
        self._call(_lib.set_glitch_filter, gpio, steady)

    def set_noise_filter(self, gpio: int, steady: int, active: int) -> None:
        """After ``steady`` µs of quiet, report changes for ``active`` µs."""
        self._call(_lib.set_noise_filter, gpio, steady, active)

    def set_watchdog(self, gpio: int, timeout_ms: int) -> None:
        """Report a time-out after ``timeout_ms`` without a level change
        (0-60000; 0 cancels)."""
        self._call(_lib.set_watchdog, gpio, timeout_ms)

    # -- information ----------------------------------------------------------

    def tick(self) -> int:
        """The daemon's microsecond tick (32 bits, wraps every ~72 minutes)."""
        return self._call_u32(_lib.get_current_tick)

    def hardware_revision(self) -> int:
        """The Pi's board revision code (0 when unknown)."""
        return self._call_u32(_lib.get_hardware_revision)

    def pigpio_version(self) -> int:
        """The daemon's pigpio version (79)."""
        return self._call_u32(_lib.get_pigpio_version)

    @staticmethod
    def library_version() -> int:
        """The libpigpiod_if2 interface version (17)."""
        return int(_lib.pigpiod_if_version())

    def get_pad_strength(self, pad: int) -> int:
        """Drive strength of a pad (0: gpio 0-27, 1: 28-45, 2: 46-53) in mA."""
        return self._call(_lib.get_pad_strength, pad)

    def set_pad_strength(self, pad: int, milliamps: int) -> None:
        """Set the drive strength of a pad, 1-16 mA."""
        self._call(_lib.set_pad_strength, pad, milliamps)

    # -- custom functions ------------------------------------------------------

    def custom_1(self, arg1: int = 0, arg2: int = 0, argx: bytes = b"") -> int:
        """Call the daemon's custom function 1; returns its value."""
        return self._call(_lib.custom_1, arg1, arg2, bytes(argx), len(argx))

    def custom_2(self, arg1: int = 0, argx: bytes = b"", ret_max: int = 8192) -> bytes:
        """Call the daemon's custom function 2; returns its bytes."""
        buf = _ffi.new("char[]", max(ret_max, 1))
        count = self._call(_lib.custom_2, arg1, bytes(argx), len(argx), buf, ret_max)
        data: bytes = _ffi.unpack(buf, min(count, ret_max))
        return data

    # -- events ----------------------------------------------------------------

    def _events(self) -> EventChannel:
        """The session's event path, opened on first use."""
        with self._lock:
            if self._channel is None:
                if self.closed:
                    raise SessionClosedError(_lib.pigif_unconnected_pi, "the session is closed")
                if self._pi < 0:
                    raise PigpioConnectionError(_lib.pigif_unconnected_pi,
                                                "the connection is lost; reconnecting")
                self._channel = EventChannel(self, self.dispatch_mode, self._capacity)
            return self._channel

    def callback(self, gpio: int, edge: int = Edge.RISING,
                 func: Optional[Callable[..., Any]] = None, user: Any = None) -> Callback:
        """Call ``func(gpio, level, tick[, user])`` on every ``edge`` of
        ``gpio`` (0-31) and with level 2 on its watchdog time-outs. Without
        ``func`` the callback counts (``tally()``) and queues its records for
        :meth:`pull`. Any number of callbacks may watch the same gpio."""
        return self._events().add_gpio(gpio, edge, func, user)

    def event_callback(self, event: int, func: Optional[Callable[..., Any]] = None,
                       user: Any = None) -> Callback:
        """Call ``func(event, tick[, user])`` whenever pigpio event ``event``
        (0-31) fires; without ``func``, count and queue as :meth:`callback`."""
        return self._events().add_event(event, func, user)

    def event_trigger(self, event: int) -> None:
        """Fire pigpio event ``event`` (0-31) for every listener.

        Sent directly: libpigpiod_if2 1.78's ``event_trigger`` sends EVM
        instead of EVT (pigpio issue 400), which the daemon refuses."""
        self._command(Command.EVT, event)

    def wait_for_edge(self, gpio: int, edge: int = Edge.RISING, timeout: float = 60.0) -> bool:
        """Wait up to ``timeout`` seconds for an edge; True if one came."""
        return self._wait_for(self._events().add_gpio(gpio, edge, _mark, []), timeout)

    def wait_for_event(self, event: int, timeout: float = 60.0) -> bool:
        """Wait up to ``timeout`` seconds for a pigpio event; True if it fired."""
        return self._wait_for(self._events().add_event(event, _mark, []), timeout)

    def _wait_for(self, cb: Callback, timeout: float) -> bool:
        try:
            return self._events().wait(timeout, lambda: bool(cb.user))
        finally:
            cb.cancel()

    def sleep(self, seconds: float) -> None:
        """Sleep, delivering events meanwhile (what ``main`` and ``manual``
        dispatch need while the program waits)."""
        channel = self._channel
        if channel is None or channel.mode == "thread":
            time.sleep(seconds)
        else:
            channel.wait(seconds, lambda: False)

    def pull(self, timeout: Optional[float] = 0) -> Optional[Event]:
        """The next record of a callback without function, waiting at most
        ``timeout`` seconds (``<= 0``: at once; None: for ever); None on
        time-out. Delivers the other callbacks' records meanwhile."""
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
        """Counters of the event path: queued, high-water mark, dropped, ..."""
        return self._events().stats()

    def reset_event_stats(self) -> None:
        """Zero the event counters (the high-water mark restarts from now)."""
        self._events().reset_stats()

    @property
    def handler_errors(self) -> List[BaseException]:
        """Exceptions handlers raised in ``thread`` dispatch mode."""
        return self._channel.handler_errors if self._channel is not None else []

    def open_notifier(self, gpios: Any = None, fifo_dir: str = "/dev") -> Notifier:
        """A pipe notification handle (``NO``), reading the daemon's FIFO in
        ``fifo_dir``: only possible on the daemon's machine. ``gpios`` (mask
        or numbers) starts it at once."""
        notifier = Notifier(self, fifo_dir)
        if gpios is not None:
            notifier.begin(gpios)
        return notifier

    def _command(self, command: int, p1: int = 0, p2: int = 0) -> int:
        """A raw command without extension, on the batch connection."""
        result = Batch(self)._queue(command, p1, p2).flush()[0]
        return result or 0

    # -- pipelined commands ----------------------------------------------------

    def batch(self) -> Batch:
        """Queue commands and send them in one write (see :class:`Batch`)."""
        return Batch(self)

    def _batch_connection(self) -> Any:
        """The session's second socket, used only for batches."""
        import socket

        with self._lock:
            if self._pi < 0:
                raise SessionClosedError(_lib.pigif_unconnected_pi, "the session is closed")
            if self._batch_socket is None:
                try:
                    sock = socket.create_connection((self.host, self.port), self.timeout)
                except OSError as exc:
                    raise PigpioConnectionError(_lib.pigif_bad_connect, str(exc)) from exc
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.settimeout(self.timeout)
                self._batch_socket = sock
            return self._batch_socket

    def _drop_batch_connection(self) -> None:
        with self._lock:
            if self._batch_socket is not None:
                self._batch_socket.close()
                self._batch_socket = None

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


def _mark(*args: Any) -> None:
    """Function of the temporary callbacks of wait_for_*: the user value is
    a list, marked when the callback fires."""
    args[-1].append(True)


def _milliseconds(timeout: Optional[float]) -> int:
    if timeout is None:
        return 0
    if timeout <= 0:
        raise ValueError("timeout must be positive or None, got %r" % (timeout,))
    return max(1, int(timeout * 1000))


def open(host: Optional[str] = None, port: Optional[int] = None, *,
         timeout: Optional[float] = DEFAULT_TIMEOUT, dispatch: str = "main",
         capacity: int = DEFAULT_CAPACITY, reconnect: bool = False) -> Session:
    """Connect to the pigpio daemon at host:port.

    Defaults: ``PIGPIO_ADDR`` / ``PIGPIO_PORT`` from the environment, then
    localhost:8888. ``timeout`` bounds the connection and every command
    (seconds; ``None`` = wait for ever). ``dispatch`` chooses where event
    handlers run (``main``, ``thread`` or ``manual``, see
    :mod:`pigpiod_py.events`); ``capacity`` is the size of the event ring.
    With ``reconnect=True`` a lost connection is retried in the background
    (back-off up to 5 s) and callbacks and notification bits are restored;
    ``pull()``/``events()`` report DISCONNECT and RECONNECT records; commands
    meanwhile raise :class:`PigpioConnectionError`. Without it the session
    closes. Raises :class:`PigpioConnectionError` when the daemon cannot be
    reached at first.
    """
    return Session(host, port, timeout=timeout, dispatch=dispatch, capacity=capacity,
                   reconnect=reconnect)

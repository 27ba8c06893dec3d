"""Serial ports on the daemon's host, in pyserial's style.

>>> with session.open_serial("/dev/serial0", 115200, timeout=1.0) as port:
...     port.write(b"AT\\r\\n")
...     port.readline()
"""
from __future__ import annotations

import time
from typing import Optional

from ._pigpiod import lib as _lib
from .buffers import receive
from .checks import (
    MAX_EXTENSION,
    Data,
    checked_bytes,
    checked_int,
    text_argument,
    wait_seconds,
)
from .errors import DeviceIOError, PigpioValueError
from .family import CommandFamily
from .handles import Handle

#: Largest read or write one command carries.
MAX_TRANSFER = 65535
#: Polling intervals while a read waits for data (seconds): first, growth, ceiling.
POLL_FIRST, POLL_GROWTH, POLL_MAX = 0.001, 2.0, 0.02


class SerialPort(Handle):
    """An open serial device (``Session.open_serial``).

    ``timeout`` is pyserial's: None blocks until the requested bytes came, 0
    returns at once with what is waiting, a number of seconds bounds the wait.
    Waiting is done by polling the daemon, which has no blocking read.
    """

    def __init__(self, session: CommandFamily, token: int, handle: int, port: str,
                 baudrate: int, timeout: Optional[float], name: Optional[str] = None) -> None:
        super().__init__(session, token, _lib.pgd_serial_close, handle, name=name)
        self.handle = handle
        self.port = port
        self.baudrate = baudrate
        self.timeout = timeout
        #: Bytes fetched from the daemon but not yet returned (read_until's look-ahead).
        self._pending = bytearray()

    @property
    def timeout(self) -> Optional[float]:
        """Read time-out: None (block), 0 (never wait) or seconds."""
        return self._timeout

    @timeout.setter
    def timeout(self, value: Optional[float]) -> None:
        self._timeout = _checked_timeout(value)

    def _describe(self) -> str:
        return "%s %d baud handle %d" % (self.port, self.baudrate, self.handle)

    def __enter__(self) -> "SerialPort":
        return self

    @property
    def in_waiting(self) -> int:
        """Bytes waiting to be read."""
        return self._call(_lib.pgd_serial_data_available, self.handle) + len(self._pending)

    def write(self, data: Data) -> int:
        """Send ``data``; the number of bytes sent (nothing is sent for b"")."""
        data = checked_bytes(data, 0, MAX_TRANSFER)
        if data:
            self._call(_lib.pgd_serial_write, self.handle, data, len(data))
        return len(data)

    def write_byte(self, value: int) -> None:
        """Send one byte, 0-255 (libpigpiod_if2's ``serial_write_byte``)."""
        self._call(_lib.pgd_serial_write_byte, self.handle, checked_int(value, 0, 255, "value"))

    def read_byte(self) -> Optional[int]:
        """The next received byte, or None when none waits; never waits
        (libpigpiod_if2's ``serial_read_byte``)."""
        if self._pending:
            return self._pop(1)[0]
        try:
            return self._call(_lib.pgd_serial_read_byte, self.handle)
        except DeviceIOError as exc:
            if exc.code == _lib.PI_SER_READ_NO_DATA:
                return None
            raise

    def _fetch(self) -> bool:
        """Move what the daemon holds into the look-ahead; False if nothing came."""
        waiting = min(self._call(_lib.pgd_serial_data_available, self.handle), MAX_TRANSFER)
        if waiting:
            self._pending += receive(waiting, lambda buf: self._call(
                _lib.pgd_serial_read, self.handle, buf, waiting))
        return bool(waiting)

    def _pop(self, count: int) -> bytes:
        data = bytes(self._pending[:count])
        del self._pending[:count]
        return data

    def read(self, size: int = 1) -> bytes:
        """Up to ``size`` bytes: fewer only when the time-out ends the wait."""
        size = checked_int(size, 0, 1 << 31, "size")
        return self._read(size, None)

    def read_until(self, expected: bytes = b"\n", size: Optional[int] = None) -> bytes:
        """Bytes up to and including ``expected``, at most ``size``, within the time-out."""
        expected = checked_bytes(expected, 1, MAX_TRANSFER, "expected")
        limit = (1 << 31) if size is None else checked_int(size, 0, 1 << 31, "size")
        return self._read(limit, expected)

    def readline(self, size: Optional[int] = None) -> bytes:
        """A line ending in b"\\n" (see :meth:`read_until`)."""
        return self.read_until(b"\n", size)

    def _read(self, limit: int, expected: Optional[bytes]) -> bytes:
        deadline = None if self._timeout is None else time.monotonic() + self._timeout
        pause = POLL_FIRST
        while True:
            if expected is not None:
                found = self._pending.find(expected)
                if 0 <= found <= limit - len(expected):
                    return self._pop(found + len(expected))
            if len(self._pending) >= limit:
                return self._pop(limit)
            if self._fetch():
                pause = POLL_FIRST
                continue
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                return self._pop(limit)
            time.sleep(pause if deadline is None else min(pause, deadline - now))
            pause = min(pause * POLL_GROWTH, POLL_MAX)


def _checked_timeout(value: Optional[float]) -> Optional[float]:
    """pyserial's time-out: None (or inf) blocks, else seconds >= 0."""
    if value is not None and not isinstance(value, bool) and isinstance(value, (int, float)) \
            and value < 0:
        raise PigpioValueError(_lib.PI_BAD_PARAM,
                               "timeout must be None or seconds >= 0, not %r" % (value,))
    return wait_seconds(value, "timeout")


class SerialMethods(CommandFamily):
    """Session methods for serial ports."""

    def open_serial(self, port: str, baudrate: int = 9600, flags: int = 0,
                    timeout: Optional[float] = None, *,
                    name: Optional[str] = None) -> SerialPort:
        """Open a tty (/dev/tty* or /dev/serial*) at one of pigpiod's baud rates."""
        device = text_argument(port, "port", MAX_EXTENSION)
        timeout = _checked_timeout(timeout)
        handle, token = self._open(_lib.pgd_serial_open, device, baudrate, flags)
        return SerialPort(self, token, handle, port, baudrate, timeout, name=name)

"""Serial ports (ttys): simulated devices behind SERO/SERC/SERRB/SERWB/SERR/SERW/SERDA.

A tty model keeps what the client wrote (``written``, for the control API:
the latest 64 KiB) and the bytes waiting to be read (``waiting``: up to the
4 KiB of Linux's tty input buffer); the loopback model also feeds
what is written back to the reader, as a wire from TX to RX would.  Bytes move
at once, whatever the baud rate.
"""
from __future__ import annotations

from typing import Any, Optional, Union

from ...constants import Command
from ..checks import Handlers
from ..handle_table import HandleTable
from ... import _numbers as lib

BAUDS = frozenset({50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200,
                   38400, 57600, 115200, 230400})
PREFIXES = (b"/dev/tty", b"/dev/serial")
#: Bytes a tty holds for its reader (Linux's input buffer); more are dropped.
INPUT_LIMIT = 4096
#: Bytes of what clients wrote that a tty keeps for the control API (the latest).
WRITTEN_LIMIT = 65536
MAX_READ = 65535
#: The default rig: two loopback ports, /dev/serial0 and 1 being links to them.
DEFAULT_SERIAL: dict[str, Any] = {"/dev/ttyAMA0": "loopback", "/dev/ttyS0": "loopback",
                                  "/dev/serial0": "/dev/ttyAMA0", "/dev/serial1": "/dev/ttyS0"}
MODELS = ("loopback", "terminal")


class Tty:
    """One simulated serial device: ``loopback`` (TX wired to RX) or ``terminal``."""

    def __init__(self, kind: str) -> None:
        if kind not in MODELS:
            raise ValueError("unknown serial model %r (known: %s)" % (kind, ", ".join(MODELS)))
        self.kind = kind
        self.waiting = bytearray()
        self.written = bytearray()

    def inject(self, data: bytes) -> None:
        """Bytes arriving on RX (those beyond the input buffer are lost)."""
        self.waiting += data[:max(0, INPUT_LIMIT - len(self.waiting))]

    def write(self, data: bytes) -> None:
        """Record bytes a client sends (a loopback tty also receives them)."""
        self.written += data[-WRITTEN_LIMIT:]
        del self.written[:-WRITTEN_LIMIT]
        if self.kind == "loopback":
            self.inject(data)

    def read(self, count: int) -> bytes:
        """Remove and return up to ``count`` received bytes."""
        data = bytes(self.waiting[:count])
        del self.waiting[:count]
        return data

    def take_written(self) -> bytes:
        """What the client wrote since the last call."""
        data = bytes(self.written)
        self.written.clear()
        return data


class Ttys:
    """The simulated /dev entries: paths to models, or to another path (a link)."""

    def __init__(self, layout: Optional[dict[str, Any]] = None) -> None:
        self.layout = DEFAULT_SERIAL if layout is None else layout
        self.reset()

    def reset(self) -> None:
        """Back to the configured ttys, all empty (links share their target)."""
        self.devices: dict[str, Tty] = {}
        links = {p: target for p, target in self.layout.items() if target in self.layout}
        for path, kind in self.layout.items():
            if path not in links:
                self.devices[path] = Tty(kind)
        for path, target in links.items():
            self.devices[path] = self.devices[target]

    def tty(self, path: str) -> Tty:
        """The device at a path; ValueError if none."""
        try:
            return self.devices[path]
        except KeyError:
            raise ValueError("no simulated serial device %r" % (path,)) from None


class SerialCommands:
    """Handlers for SERO SERC SERRB SERWB SERR SERW SERDA."""

    def __init__(self, ttys: Ttys) -> None:
        self.ttys = ttys
        self.handles: HandleTable[Tty] = HandleTable(lib.PI_SER_SLOTS)
        self.reset()

    def reset(self) -> None:
        """Close every handle; back to the configured ttys."""
        self.handles.clear()
        self.ttys.reset()

    def handlers(self) -> Handlers:
        """The command handlers: SERO SERC and the transfers on a handle."""
        on_handle = {Command.SERRB: self.read_byte, Command.SERWB: self.write_byte,
                     Command.SERR: self.read, Command.SERW: self.write,
                     Command.SERDA: self.available}
        table: Handlers = {Command.SERO: self.open, Command.SERC: self.close}
        for command, method in on_handle.items():
            table[command] = self.handles.bind(method)
        return table

    def open(self, baud: int, flags: int, ext: bytes) -> int:
        """SERO: a handle on the tty named in ext at ``baud`` (flags must be 0)."""
        path = ext.split(b"\0", 1)[0]
        if not path.startswith(PREFIXES):
            return lib.PI_BAD_SER_DEVICE
        if baud not in BAUDS:
            return lib.PI_BAD_SER_SPEED
        if flags:
            return lib.PI_BAD_FLAGS
        if self.handles.full():
            return lib.PI_NO_HANDLE
        tty = self.ttys.devices.get(path.decode("latin-1"))
        if tty is None:
            return lib.PI_SER_OPEN_FAILED
        tty.waiting.clear()
        return self.handles.add(tty)

    def close(self, handle: int, p2: int, ext: bytes) -> int:
        """SERC: close a serial handle."""
        return self.handles.remove(handle)

    def read_byte(self, tty: Tty, p2: int, ext: bytes) -> int:
        """SERRB: one received byte."""
        return tty.read(1)[0] if tty.waiting else lib.PI_SER_READ_NO_DATA

    def write_byte(self, tty: Tty, value: int, ext: bytes) -> int:
        """SERWB: send one byte."""
        if value > 0xFF:
            return lib.PI_BAD_PARAM
        tty.write(bytes((value,)))
        return 0

    def read(self, tty: Tty, count: int, ext: bytes) -> Union[int, bytes]:
        """SERR: up to ``count`` received bytes."""
        if count < 1:
            return lib.PI_BAD_PARAM
        return tty.read(min(count, MAX_READ)) if tty.waiting else lib.PI_SER_READ_NO_DATA

    def write(self, tty: Tty, p2: int, ext: bytes) -> int:
        """SERW: send ext."""
        if not ext:
            return lib.PI_BAD_PARAM
        tty.write(ext)
        return 0

    def available(self, tty: Tty, p2: int, ext: bytes) -> int:
        """SERDA: how many received bytes wait."""
        return len(tty.waiting)

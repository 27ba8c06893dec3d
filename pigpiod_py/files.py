"""Files on the Pi (through the daemon's access-permits file) and its shell scripts.

>>> with session.open_file("/ram/log.txt", FileMode.READ) as f:
...     for line in f:
...         print(line)
>>> session.list_files("/ram/*.txt")
>>> session.shell("scr1", "hello world")     # /opt/pigpio/cgi/scr1 on the Pi
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Iterator, List, Union

from ._pigpiod import ffi as _ffi
from ._pigpiod import lib as _lib
from .constants import FileMode
from .errors import PigpioTypeError, PigpioValueError
from .handles import Handle
from .i2c import Data, checked_bytes, checked_int, receive

if TYPE_CHECKING:
    from .session import Session

#: The most the daemon returns for one read, and what the clients ask for a listing.
MAX_READ = 65535
LIST_SIZE = 60000
_CHUNK = 4096
_ALL_MODES = int(FileMode.READ | FileMode.WRITE | FileMode.APPEND | FileMode.CREATE
                 | FileMode.TRUNC)


def _text(value: str, what: str) -> bytes:
    if not isinstance(value, str):
        raise PigpioTypeError(_lib.PI_BAD_PARAM, "%s must be a str, not %r" % (what, value))
    data = value.encode()
    if b"\0" in data:
        raise PigpioValueError(_lib.PI_BAD_PARAM, "%s contains NUL" % what)
    return data


class RemoteFile(Handle):
    """A file open on the daemon's host: bytes in and out, iteration by line."""

    def __init__(self, session: "Session", handle: int, path: str, mode: FileMode) -> None:
        super().__init__(session)
        self.handle = handle
        self.path = path
        self.mode = mode

    def _release(self) -> None:
        self._session._call(_lib.file_close, self.handle)

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that is left when negative); b"" at the end."""
        if size < 0:
            return b"".join(iter(lambda: self.read(MAX_READ), b""))
        checked_int(size, 0, 1 << 62, "size")
        parts: List[bytes] = []
        while size > 0:
            got = self._read_some(min(size, MAX_READ))
            if not got:
                break
            parts.append(got)
            size -= len(got)
        return b"".join(parts)

    def _read_some(self, count: int) -> bytes:
        """One FR command: at most ``count`` bytes."""
        return receive(count, lambda buf: self._call(_lib.file_read, self.handle, buf, count))

    def write(self, data: Data) -> int:
        """Write all of ``data``; returns its length."""
        payload = checked_bytes(data, 0, 1 << 62)
        for first in range(0, len(payload), MAX_READ):
            chunk = payload[first:first + MAX_READ]
            self._call(_lib.file_write, self.handle, chunk, len(chunk))
        return len(payload)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Move to ``offset`` from the start / current position / end; the new position."""
        checked_int(offset, -(1 << 31), (1 << 31) - 1, "offset")
        checked_int(whence, 0, 2, "whence", _lib.PI_BAD_FILE_SEEK)
        return self._call(_lib.file_seek, self.handle, offset, whence)

    def tell(self) -> int:
        """The current position."""
        return self.seek(0, os.SEEK_CUR)

    def readline(self) -> bytes:
        """One line including its b"\\n" (b"" at the end)."""
        start = self.tell()
        line = b""
        while True:
            chunk = self.read(_CHUNK)
            if not chunk:
                return line
            end = chunk.find(b"\n")
            if end >= 0:
                line += chunk[:end + 1]
                self.seek(start + len(line))
                return line
            line += chunk

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")

    def __enter__(self) -> "RemoteFile":
        return self

    def __repr__(self) -> str:
        return "<RemoteFile %d %r%s>" % (self.handle, self.path, " closed" if self.closed else "")


# A Session mixin: its methods take self: Session, which mypy cannot check against
# the mixin class ("erased type of self", [misc]), hence their type: ignore[misc].
class FileMethods:
    """Session methods for files on the Pi and shell scripts."""

    def open_file(self: "Session", path: str,  # type: ignore[misc]
                  mode: Union[FileMode, int] = FileMode.READ) -> RemoteFile:
        """Open ``path`` on the daemon's host (permitted by its access file)."""
        name = _text(path, "path")
        checked_int(int(mode), 1, _ALL_MODES, "file mode", _lib.PI_BAD_FILE_MODE)
        if not int(mode) & (FileMode.READ | FileMode.WRITE):
            raise PigpioValueError(_lib.PI_BAD_FILE_MODE, "the mode needs READ or WRITE")
        handle = self._call(_lib.file_open, name, int(mode))
        return RemoteFile(self, handle, path, FileMode(mode))

    def list_files(self: "Session", pattern: str) -> List[str]:  # type: ignore[misc]
        """Paths on the daemon's host matching a shell pattern (directories end in /)."""
        data = _text(pattern, "pattern")
        buf = _ffi.new("char[]", LIST_SIZE)
        count = self._call(_lib.file_list, data, buf, LIST_SIZE)
        text = bytes(_ffi.unpack(buf, min(count, LIST_SIZE))).decode("utf-8", "replace")
        return [line for line in text.split("\n") if line]

    def shell(self: "Session", name: str, args: str = "") -> int:  # type: ignore[misc]
        """Run script ``name`` of the daemon's cgi directory with ``args``; its exit code.

        The daemon returns a wait status; this returns the exit code (status >> 8).
        """
        script = _text(name, "script name")
        if not script or not all(c.isalnum() or c in "_-" for c in name):
            raise PigpioValueError(_lib.PI_BAD_SCRIPT_NAME,
                                   "script names are letters, digits, _ and -: %r" % name)
        status = self._call(_lib.shell_, script, _text(args, "arguments"))
        return status >> 8

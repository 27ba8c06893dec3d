"""Files on the Pi (through the daemon's access-permits file) and its shell scripts.

>>> with session.open_file("/ram/log.txt", FileMode.READ) as f:
...     for line in f:
...         print(line)
>>> session.list_files("/ram/*.txt")
>>> session.shell("scr1", "hello world")     # /opt/pigpio/cgi/scr1 on the Pi
"""
from __future__ import annotations

import os
from typing import Iterator, List, Optional, Union

from ._pigpiod import ffi as _ffi
from ._pigpiod import lib as _lib
from .buffers import receive
from .checks import MAX_EXTENSION, Data, checked_bytes, checked_int, text_argument
from .constants import FileMode
from .errors import PigpioValueError
from .family import CommandFamily
from .handles import Handle

#: The most the daemon returns for one read, and what the clients ask for a listing.
MAX_READ = 65535
LIST_SIZE = 60000
_CHUNK = 4096
_ALL_MODES = int(FileMode.READ | FileMode.WRITE | FileMode.APPEND | FileMode.CREATE
                 | FileMode.TRUNC)


class RemoteFile(Handle):
    """A file open on the daemon's host: bytes in and out, iteration by line."""

    def __init__(self, session: CommandFamily, token: int, handle: int, path: str,
                 mode: FileMode, name: Optional[str] = None) -> None:
        super().__init__(session, token, _lib.pgd_file_close, handle, name=name)
        self.handle = handle
        self.path = path
        self.mode = mode

    def read(self, size: Optional[int] = -1) -> bytes:
        """Up to ``size`` bytes (all that is left when negative or None); b"" at the end."""
        if size is None or (isinstance(size, int) and size < 0):
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
        return receive(count, lambda buf: self._call(_lib.pgd_file_read, self.handle, buf, count))

    def write(self, data: Data) -> int:
        """Write all of ``data``; returns its length."""
        payload = checked_bytes(data, 0, 1 << 62)
        for first in range(0, len(payload), MAX_READ):
            chunk = payload[first:first + MAX_READ]
            self._call(_lib.pgd_file_write, self.handle, chunk, len(chunk))
        return len(payload)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Move to ``offset`` from the start / current position / end; the new position."""
        checked_int(offset, -(1 << 31), (1 << 31) - 1, "offset")
        checked_int(whence, 0, 2, "whence", _lib.PI_BAD_FILE_SEEK)
        return self._call(_lib.pgd_file_seek, self.handle, offset, whence)

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

    def _describe(self) -> str:
        return "%d %r" % (self.handle, self.path)


class FileMethods(CommandFamily):
    """Session methods for files on the Pi and shell scripts."""

    def open_file(self, path: str, mode: Union[FileMode, int] = FileMode.READ, *,
                  name: Optional[str] = None) -> RemoteFile:
        """Open ``path`` on the daemon's host (permitted by its access file)."""
        encoded = text_argument(path, "path", MAX_EXTENSION)
        checked_int(mode, 1, _ALL_MODES, "file mode", _lib.PI_BAD_FILE_MODE)
        if not int(mode) & (FileMode.READ | FileMode.WRITE):
            raise PigpioValueError(_lib.PI_BAD_FILE_MODE, "the mode needs READ or WRITE")
        handle, token = self._open(_lib.pgd_file_open, encoded, int(mode))
        return RemoteFile(self, token, handle, path, FileMode(mode), name=name)

    def list_files(self, pattern: str) -> List[str]:
        """Paths on the daemon's host matching a shell pattern (directories end in /)."""
        data = text_argument(pattern, "pattern", MAX_EXTENSION)
        buf = _ffi.new("char[]", LIST_SIZE)
        count = self._call(_lib.pgd_file_list, data, buf, LIST_SIZE)
        text = bytes(_ffi.unpack(buf, min(count, LIST_SIZE))).decode("utf-8", "replace")
        return [line for line in text.split("\n") if line]

    def shell(self, name: str, args: str = "") -> int:
        """Run script ``name`` of the daemon's cgi directory with ``args``; its exit code.

        The daemon returns a wait status; this returns the exit code (status >> 8).
        """
        script = text_argument(name, "script name", MAX_EXTENSION)
        if not script or not all(c.isascii() and (c.isalnum() or c in "_-") for c in name):
            raise PigpioValueError(_lib.PI_BAD_SCRIPT_NAME,
                                   "script names are letters, digits, _ and -: %r" % name)
        # The extension carries the name, a NUL and the arguments.
        arguments = text_argument(args, "arguments", MAX_EXTENSION - len(script) - 1)
        status = self._call(_lib.pgd_shell_, script, arguments)
        return status >> 8

"""File commands FO FC FR FW FS FL, confined to one directory (reference 8.8).

Clients name files by absolute paths (``/ram/data.txt``) as on a Pi; the
simulator maps them into its files directory and never outside it (``..``,
symbolic links leading out, anything not under the directory are refused).
Every open and listing is checked against the access-permits file: lines of
``pattern letter`` (R read, W write, U both, N none); the most specific
matching pattern wins; no match, no file, or no files directory: no access.
"""
from __future__ import annotations

import glob
import os
import re
from fnmatch import fnmatchcase
from typing import Optional, Union

from ...constants import Command
from ..checks import Handlers, ext_u32
from ... import _numbers as lib

READ, WRITE = lib.PI_FILE_READ, lib.PI_FILE_WRITE
APPEND, CREATE, TRUNC = lib.PI_FILE_APPEND, lib.PI_FILE_CREATE, lib.PI_FILE_TRUNC
_MODE_MASK = READ | WRITE | APPEND | CREATE | TRUNC
_LETTERS = {"R": READ, "W": WRITE, "U": READ | WRITE}
_LINE = re.compile(r"^(\S+)\s+(\S)$")
_PARTS = re.compile(r"[/*?.]+")
_WILDCARDS = set("*?[")
MAX_COUNT = 65535


def acceptable(path: str) -> bool:
    """pigpiod's sanity rules for a path or pattern."""
    if ".." in path or "\\." in path:
        return False
    names = [part for part in _PARTS.split(path) if part and not _WILDCARDS & set(part)]
    return len(names) >= 2


def read_permits(text: str) -> list[tuple[str, int]]:
    """(pattern, permission bits) of each valid line of an access file."""
    permits = []
    for line in text.splitlines():
        match = _LINE.match(line)
        if match and acceptable(match.group(1)):
            permits.append((match.group(1), _LETTERS.get(match.group(2).upper(), 0)))
    return permits


def permission(permits: list[tuple[str, int]], path: str) -> int:
    """The permission of the most specific pattern matching ``path`` (0: none)."""
    best: Optional[tuple[str, int]] = None
    for pattern, bits in permits:
        if fnmatchcase(path, pattern) and (best is None or fnmatchcase(pattern, best[0])):
            best = (pattern, bits)
    return best[1] if best else 0


class OpenFile:
    """One open file slot."""

    def __init__(self, fd: int, mode: int) -> None:
        self.fd = fd
        self.mode = mode


class FileCommands:
    """The 16 file slots of the simulated daemon."""

    def __init__(self, root: Optional[str], access_file: Optional[str]) -> None:
        self.root = os.path.realpath(root) if root else None
        self.access_file = access_file
        self.slots: list[Optional[OpenFile]] = [None] * lib.PI_FILE_SLOTS

    def reset(self) -> None:
        """Close every open file."""
        for k in range(len(self.slots)):
            self._close(k)

    def handlers(self) -> Handlers:
        """The command handlers: FO FC FR FW FS FL."""
        return {
            Command.FO: self.open, Command.FC: self.close, Command.FR: self.read,
            Command.FW: self.write, Command.FS: self.seek, Command.FL: self.list,
        }

    # -- confinement -----------------------------------------------------

    def _permits(self) -> list[tuple[str, int]]:
        if not self.access_file:
            return []
        try:
            with open(self.access_file, encoding="utf-8", errors="replace") as handle:
                return read_permits(handle.read())
        except OSError:
            return []

    def _allowed(self, path: str, need: int) -> bool:
        return (self.root is not None and path.startswith("/") and acceptable(path)
                and permission(self._permits(), path) & need == need)

    def _inside(self, real: str) -> bool:
        assert self.root is not None
        return real == self.root or real.startswith(self.root + os.sep)

    def real_path(self, path: str) -> Optional[str]:
        """Where ``path`` lives on the host, if it stays in the files directory."""
        assert self.root is not None
        real = os.path.realpath(os.path.join(self.root, path.lstrip("/")))
        return real if self._inside(real) else None

    # -- handlers --------------------------------------------------------

    def open(self, mode: int, p2: int, ext: bytes) -> int:
        """FO: open the file named in ext with ``mode`` (if permitted); a handle."""
        path = ext.split(b"\0")[0].decode("utf-8", "replace")
        if not 0 < mode <= _MODE_MASK or not mode & (READ | WRITE):
            return lib.PI_BAD_FILE_MODE
        if not self._allowed(path, mode & (READ | WRITE)):
            return lib.PI_NO_FILE_ACCESS
        if mode & (APPEND | CREATE | TRUNC) and not self._allowed(path, WRITE):
            return lib.PI_NO_FILE_ACCESS
        slot = next((k for k, f in enumerate(self.slots) if f is None), None)
        if slot is None:
            return lib.PI_NO_HANDLE
        real = self.real_path(path)
        if real is None:
            return lib.PI_NO_FILE_ACCESS
        if os.path.isdir(real):
            return lib.PI_FILE_IS_A_DIR
        flags = {READ: os.O_RDONLY, WRITE: os.O_WRONLY}.get(mode & 3, os.O_RDWR)
        flags |= ((os.O_APPEND if mode & APPEND else 0) | (os.O_CREAT if mode & CREATE else 0)
                  | (os.O_TRUNC if mode & TRUNC else 0) | os.O_NOFOLLOW)
        try:
            fd = os.open(real, flags, 0o600)
        except OSError:
            return lib.PI_FIL_OPEN_FAILED
        self.slots[slot] = OpenFile(fd, mode)
        return slot

    def _file(self, handle: int) -> Optional[OpenFile]:
        return self.slots[handle] if handle < len(self.slots) else None

    def _close(self, handle: int) -> None:
        entry = self.slots[handle]
        if entry is not None:
            self.slots[handle] = None
            os.close(entry.fd)

    def close(self, handle: int, p2: int, ext: bytes) -> int:
        """FC: close a file handle."""
        if self._file(handle) is None:
            return lib.PI_BAD_HANDLE
        self._close(handle)
        return 0

    def read(self, handle: int, count: int, ext: bytes) -> Union[int, bytes]:
        """FR: up to ``count`` bytes from a file (0 at its end)."""
        entry = self._file(handle)
        if entry is None:
            return lib.PI_BAD_HANDLE
        if count == 0:
            return lib.PI_BAD_PARAM
        if not entry.mode & READ:
            return lib.PI_FILE_NOT_ROPEN
        try:
            data = os.read(entry.fd, min(count, MAX_COUNT))
        except OSError:
            return lib.PI_BAD_FILE_READ
        return data if data else 0

    def write(self, handle: int, p2: int, ext: bytes) -> int:
        """FW: write ext to a file."""
        entry = self._file(handle)
        if entry is None:
            return lib.PI_BAD_HANDLE
        if not ext:
            return lib.PI_BAD_PARAM
        if not entry.mode & WRITE:
            return lib.PI_FILE_NOT_WOPEN
        try:
            written = os.write(entry.fd, ext)
        except OSError:
            return lib.PI_BAD_FILE_WRITE
        return 0 if written == len(ext) else lib.PI_BAD_FILE_WRITE

    def seek(self, handle: int, offset: int, ext: bytes) -> int:
        """FS: move a file's position by ``offset`` from whence (ext); the new position."""
        entry = self._file(handle)
        if entry is None:
            return lib.PI_BAD_HANDLE
        whence = ext_u32(ext)
        if whence > 2:
            return lib.PI_BAD_FILE_SEEK
        signed = offset - (1 << 32) if offset & 0x80000000 else offset
        try:
            return os.lseek(entry.fd, signed, whence)
        except OSError:
            return lib.PI_BAD_FILE_SEEK

    def list(self, count: int, p2: int, ext: bytes) -> Union[int, bytes]:
        """FL: the permitted names matching the pattern in ext, one a line (up to ``count`` bytes)."""
        pattern = ext.split(b"\0")[0].decode("utf-8", "replace")
        if not self._allowed(pattern, READ):
            return lib.PI_NO_FILE_ACCESS
        assert self.root is not None
        limit = min(count, MAX_COUNT)
        out = b""
        for real in sorted(glob.glob(os.path.join(self.root, pattern.lstrip("/")))):
            if self.real_path(real[len(self.root):]) is None:
                continue
            name = real[len(self.root):] + ("/" if os.path.isdir(real) else "")
            entry = name.encode() + b"\n"
            if len(out) + len(entry) >= limit:
                break
            out += entry
        return out if out else lib.PI_NO_FILE_MATCH

"""SHELL (and the script instruction SYS): run a script of the configured directory.

pigpiod runs ``/opt/pigpio/cgi/<name> <arguments>`` through ``system()``.  The
simulator refuses (PI_BAD_SHELL_STATUS) unless a shell directory is
configured; then it runs only regular executable files directly inside that
directory (symbolic links leading out of it are refused), never through a
shell: the argument string is split into words with shell quoting rules and
passed as arguments.  The result is the raw wait status (exit code × 256,
32512 for a missing script), as pigpiod returns.
"""
from __future__ import annotations

import os
import shlex
import subprocess
import threading
from typing import Optional

from ...constants import Command
from ..checks import Handlers
from ... import _numbers as lib

#: The wait status of ``sh`` for a command that cannot be found (127 << 8).
NOT_FOUND_STATUS = 127 << 8
#: ... and of a syntax error in the arguments (2 << 8).
SYNTAX_STATUS = 2 << 8


def valid_name(name: str) -> bool:
    """Letters, digits, ``_`` and ``-`` only (pigpiod's rule)."""
    return bool(name) and all(c.isascii() and (c.isalnum() or c in "_-") for c in name)


class Shell:
    """Runs scripts of one directory (None: refuses everything)."""

    def __init__(self, directory: Optional[str], lock: threading.Lock) -> None:
        self.directory = os.path.realpath(directory) if directory else None
        self.lock = lock

    def handlers(self) -> Handlers:
        """The command handlers: SHELL."""
        return {Command.SHELL: self.shell}

    def shell(self, name_length: int, p2: int, ext: bytes) -> int:
        """SHELL: run a script with arguments (the daemon lock is released meanwhile)."""
        name = ext[:name_length].decode("latin-1")
        rest = ext[name_length + 1:].split(b"\0")[0].decode("utf-8", "replace")
        self.lock.release()  # other connections go on while the script runs
        try:
            return self.run(name, rest)
        finally:
            self.lock.acquire()

    def script_path(self, name: str) -> Optional[str]:
        """The real path of script ``name`` if it is a file inside the directory."""
        assert self.directory is not None
        path = os.path.realpath(os.path.join(self.directory, name))
        if os.path.dirname(path) != self.directory or not os.path.isfile(path):
            return None
        return path if os.access(path, os.X_OK) else None

    def run(self, name: str, arguments: str) -> int:
        """Run ``name`` with ``arguments``; the wait status or an error code."""
        if not valid_name(name):
            return lib.PI_BAD_SCRIPT_NAME
        if self.directory is None:
            return lib.PI_BAD_SHELL_STATUS
        path = self.script_path(name)
        if path is None:
            return NOT_FOUND_STATUS
        try:
            words = shlex.split(arguments)
        except ValueError:
            return SYNTAX_STATUS
        try:
            code = subprocess.run([path, *words], cwd=self.directory, check=False,
                                  stdin=subprocess.DEVNULL).returncode
        except OSError:
            return NOT_FOUND_STATUS
        return -code if code < 0 else (code & 0xFF) << 8

"""Pipe notification handles (NO): the FIFO ``pigpio<N>`` that carries their reports.

pigpiod makes ``/dev/pigpio<N>``; the simulator makes it in its FIFO directory
(``--fifo-dir``; by default ``/dev`` when it may write there, else a directory
of its own under the temporary directory, removed when it stops).  Like
pigpiod it opens the FIFO read-write and non-blocking, so reports are written
whether anyone reads or not, each write is whole (at most ``PIPE_BUF`` bytes)
and a full pipe loses the reports that do not fit.  Unlike pigpiod it only
replaces a FIFO of that name, never another kind of file.
"""
from __future__ import annotations

import os
import select
import shutil
import stat
import tempfile
import threading

from .reports import RECORD_SIZE

DEV = "/dev"
#: Bytes of whole records per write: a pipe takes up to PIPE_BUF at once or nothing.
CHUNK = select.PIPE_BUF // RECORD_SIZE * RECORD_SIZE
MODE = 0o664


class FifoDirectory:
    """Where the FIFOs are made: the configured directory, /dev, or a temporary one."""

    def __init__(self, configured: str | None) -> None:
        self._owned = False
        if configured is not None:
            self.path = configured
        elif os.access(DEV, os.W_OK):
            self.path = DEV
        else:
            self.path = tempfile.mkdtemp(prefix="pigpiod-sim-")
            self._owned = True

    def fifo(self, handle: int) -> Fifo:
        """Make and open the FIFO of ``handle`` (OSError if that fails)."""
        return Fifo(os.path.join(self.path, "pigpio%d" % handle))

    def close(self) -> None:
        """Remove the directory if the simulator made it."""
        if self._owned:
            shutil.rmtree(self.path, ignore_errors=True)


def make_fifo(path: str, mode: int) -> str:
    """Make the FIFO ``path`` with ``mode``, replacing a FIFO (never another kind of file)."""
    try:
        if stat.S_ISFIFO(os.lstat(path).st_mode):
            os.unlink(path)
    except FileNotFoundError:
        pass
    os.mkfifo(path, mode)
    os.chmod(path, mode)
    return path


class Fifo:
    """One open notification FIFO, written by the alert thread."""

    backlog = 0  # nothing waits: what does not fit is lost

    def __init__(self, path: str) -> None:
        self.path = make_fifo(path, MODE)
        self._fd: int | None = os.open(path, os.O_RDWR | os.O_NONBLOCK)
        self._lock = threading.Lock()

    def write(self, data: bytes) -> bool:
        """Write records; False if the FIFO failed (a full pipe just loses them)."""
        with self._lock:
            if self._fd is None:
                return True
            for start in range(0, len(data), CHUNK):
                try:
                    os.write(self._fd, data[start:start + CHUNK])
                except BlockingIOError:
                    pass
                except OSError:
                    return False
        return True

    def release(self) -> None:
        """The handle is closed: close and remove the FIFO."""
        with self._lock:
            if self._fd is None:
                return
            os.close(self._fd)
            self._fd = None
        try:
            os.unlink(self.path)
        except OSError:
            pass

"""The pipe notification interface: reports through a FIFO on the daemon host.

``NO`` makes the daemon create ``/dev/pigpio<handle>`` (the simulator: its
``--fifo-dir``) and write 12-byte reports into it; only a program on the
daemon's machine can read it. Callbacks (:mod:`pigpiod_py.events`) are the
way to get edges over the network; this is the raw, lower-level interface.
"""
from __future__ import annotations

import os
import select
import struct
from typing import Iterable, Iterator, List, NamedTuple, Optional, Union

from ._pigpiod import lib as _lib
from .checks import gpio_mask, wait_seconds
from .errors import BadHandleError
from .family import CommandFamily
from .handles import Handle

_REPORT = struct.Struct("<HHII")


class Report(NamedTuple):
    """One decoded 12-byte notification report."""

    seqno: int
    flags: int
    tick: int
    level: int


class Notifier(Handle):
    """A pipe notification handle: ``begin``, ``pause``, ``read``, iterate,
    ``close`` (idempotent; also done by the session's ``close``)."""

    def __init__(self, session: CommandFamily, fifo_dir: str = "/dev", name: Optional[str] = None) -> None:
        self.handle, token = session._open(_lib.pgd_notify_open)
        super().__init__(session, token, _lib.pgd_notify_close, self.handle, name=name)
        self.path = os.path.join(fifo_dir, "pigpio%d" % self.handle)
        self._fd: Optional[int] = None
        self._partial = b""
        #: True once the daemon closed its end of the FIFO.
        self.ended = False
        try:
            self._fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            self.close()
            raise

    def begin(self, gpios: Union[int, Iterable[int]]) -> None:
        """Report changes of these gpios (a bit mask or gpio numbers)."""
        self._call(_lib.pgd_notify_begin, self.handle, gpio_mask(gpios))

    def pause(self) -> None:
        """Stop level reports until the next :meth:`begin`."""
        self._call(_lib.pgd_notify_pause, self.handle)

    def read(self, timeout: Optional[float] = None) -> List[Report]:
        """The reports that arrived, waiting up to ``timeout`` seconds for one
        (None: until one arrives); [] on time-out."""
        if self._fd is None or self.closed:
            raise BadHandleError(_lib.PI_BAD_HANDLE, "%r is closed" % (self,))
        seconds = wait_seconds(timeout)
        poller = select.poll()
        poller.register(self._fd, select.POLLIN)
        poller.poll(None if seconds is None else seconds * 1000)
        try:
            chunk = os.read(self._fd, 65536)
        except BlockingIOError:
            return []
        if not chunk:  # the daemon closed the FIFO (NC, or it stopped)
            self.ended = True
            return []
        data = self._partial + chunk
        whole = len(data) - len(data) % _REPORT.size
        self._partial = data[whole:]
        return [Report(*fields) for fields in _REPORT.iter_unpack(data[:whole])]

    def __iter__(self) -> Iterator[Report]:
        while self._fd is not None and not self.ended:
            yield from self.read(None)

    def _close_local(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _describe(self) -> str:
        return "%d %s" % (self.handle, self.path)

    def __del__(self) -> None:
        super().__del__()
        self._close_local()  # a local fd: closing it never waits

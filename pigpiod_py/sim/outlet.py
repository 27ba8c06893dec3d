"""What goes out on one client socket: command replies and notification reports.

Replies come from the connection's thread, reports (once the socket is an
in-band notification socket, NOIB) from the alert thread.  One lock is held
for every write on the socket, so a 16-byte reply never lands inside a 12-byte
report.  The alert thread never waits for a socket: it sends what the socket
takes at once and keeps the rest, in order, for its next pass or for the
connection's next reply, whichever comes first.  pigpiod writes reports with
blocking writes, so a client that stops reading stalls it for everyone; here
such a client loses whole batches of reports once ``BACKLOG_LIMIT`` bytes wait
(its seqno shows the gap) and nobody else notices.
"""
from __future__ import annotations

import socket
import threading

BACKLOG_LIMIT = 8 << 20


class Outlet:
    """The output side of one client socket."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._io = threading.Lock()     # held for every write on the socket
        self._queue = threading.Lock()  # guards _backlog, never held for I/O
        self._backlog = bytearray()
        self._closed = False

    @property
    def backlog(self) -> int:
        """Report bytes waiting to be sent."""
        return len(self._backlog)

    def _take(self) -> bytearray:
        with self._queue:
            waiting, self._backlog = self._backlog, bytearray()
        return waiting

    def reply(self, data: bytes) -> None:
        """Send command replies (blocking), after any reports still waiting."""
        with self._io:
            if self._backlog:
                self._sock.sendall(self._take())
            self._sock.sendall(data)

    def write(self, data: bytes) -> bool:
        """Queue reports and send what the socket takes now; False once the socket failed."""
        with self._queue:
            if len(self._backlog) + len(data) <= BACKLOG_LIMIT:
                self._backlog += data
        if not self._io.acquire(blocking=False):
            return True  # a reply is being sent: it or the next pass sends them
        try:
            waiting = self._take()
            if self._closed or not waiting:
                return True
            try:
                sent = self._sock.send(waiting, socket.MSG_DONTWAIT)
            except BlockingIOError:
                sent = 0
            except OSError:
                return False
            if sent < len(waiting):
                with self._queue:
                    self._backlog[:0] = waiting[sent:]
            return True
        finally:
            self._io.release()

    def close(self) -> None:
        """The connection ends: nothing more is sent."""
        with self._io:
            self._closed = True
            self._take()

    def release(self) -> None:
        """Its notification handle is closed: the socket stays the connection's."""

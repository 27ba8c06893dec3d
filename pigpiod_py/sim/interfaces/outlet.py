"""What goes out on one client socket: command replies and notification reports.

Replies come from the connection's thread, reports (once the socket is an
in-band notification socket, NOIB) from the alert thread or another
connection (:meth:`.Alerts.catch_up`).  Everything goes through one queue in
order, so a 16-byte reply never lands inside a 12-byte report.  The queue's
lock is only ever held around non-blocking sends: whoever writes sends what
the socket takes at once, and the rest waits in the queue for the next
writer.  A reply returns once its own bytes are out (the connection waits for
a client that does not read, nobody else does).  pigpiod writes reports with
blocking writes, so a client that stops reading stalls it for everyone; here
such a client loses whole batches of reports once ``BACKLOG_LIMIT`` bytes wait
(its seqno shows the gap) and nobody else notices.
"""
from __future__ import annotations

import select
import socket
import threading

BACKLOG_LIMIT = 8 << 20


class Outlet:
    """The output side of one client socket."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._lock = threading.Lock()  # guards the queue; held only for non-blocking I/O
        self._queue = bytearray()
        self._queued = 0  # bytes ever queued
        self._sent = 0    # bytes ever sent
        self._closed = False

    @property
    def backlog(self) -> int:
        """Bytes queued but not yet sent."""
        return len(self._queue)

    def _send(self, data: bytes | bytearray) -> int:
        """Send what the socket takes of ``data`` now (lock held); OSError if it failed."""
        try:
            sent = self._sock.send(data, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return 0
        self._sent += sent
        return sent

    def _send_queued(self) -> None:
        if self._queue and not self._closed:
            del self._queue[:self._send(self._queue)]

    def reply(self, data: bytes) -> None:
        """Send command replies after everything queued before them; return once they are out."""
        with self._lock:
            self._queued += len(data)
            done = self._queued
            if self._queue:
                self._queue += data
                self._send_queued()
            else:
                rest = data[self._send(data):]
                if not rest:
                    return
                self._queue += rest
        poller = select.poll()
        poller.register(self._sock, select.POLLOUT)
        while self._sent < done:
            poller.poll()
            with self._lock:
                if self._closed:
                    raise ConnectionError("the connection is closed")
                self._send_queued()

    def write(self, data: bytes) -> bool:
        """Queue reports and send what the socket takes now; False once the socket failed."""
        with self._lock:
            if len(self._queue) + len(data) <= BACKLOG_LIMIT:
                self._queue += data
                self._queued += len(data)
            try:
                self._send_queued()
            except OSError:
                return False
        return True

    def close(self) -> None:
        """The connection ends: nothing more is sent."""
        with self._lock:
            self._closed = True
            self._queue.clear()

    def release(self) -> None:
        """Its notification handle is closed: the socket stays the connection's."""

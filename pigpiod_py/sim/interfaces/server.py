"""Sockets: the listener, per-connection threads and pigpiod's framing.

A request is a 16-byte header of four little-endian u32 (cmd, p1, p2, p3)
followed by p3 extension bytes; the response is cmd, p1, p2 and a result
(signed, sent as its 32-bit pattern), followed by data for data commands.  A
connection reads large chunks, runs every complete request in them and sends
all their responses with one ``sendall`` through its :class:`Outlet`, which
also carries the reports once the socket is a notification socket (NOIB).
While some notification handle watches, the reports of every change made
before the commands began go out before their replies (:meth:`.Alerts.catch_up`).

TCP_NODELAY stays on for every socket, unless ``nagle_reports`` is set.
pigpiod turns Nagle back on for a notification socket, which holds a small
batch of reports back until the previous one is acknowledged (up to the
peer's delayed-ACK time, tens of ms); with Nagle off each alert pass's batch
leaves at once, in one segment.
"""
from __future__ import annotations

import errno
import select
import socket
import threading
import time
from typing import Collection

from ...constants import Command
from ...protocol import HEADER, HEADER_SIZE, MAX_EXTENSION, WORD_MASK
from ..clock import now_us
from ..command_table import SIZE as TABLE_SIZE
from ..command_table import unknown_command
from ..daemon import Daemon
from .outlet import Outlet

RECV_SIZE = 65536
NOIB = Command.NOIB
BACKLOG = 100
#: accept() errors that mean "out of descriptors or memory for now": wait, then go on.
_SCARCE = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
SCARCE_PAUSE_S = 0.05
#: pigpiod's limit on -n addresses.
MAX_ALLOWED = 256


def resolve_allowed(names: Collection[str]) -> frozenset[str]:
    """The IPv4 address of each allow-list name, as pigpiod's ``-n`` resolves it.

    Each name or address is resolved with getaddrinfo (IPv4 only) and its
    first address is allowed; one that does not resolve is an error.
    """
    if len(names) > MAX_ALLOWED:
        raise ValueError(f"at most {MAX_ALLOWED} allowed addresses")
    allowed = set()
    for name in names:
        try:
            address = socket.getaddrinfo(name, None, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]
        except (OSError, UnicodeError) as exc:
            raise ValueError(f"invalid -n option ({name}): {exc}") from None
        if address == "0.0.0.0":
            raise ValueError(f"invalid -n option ({name})")
        allowed.add(str(address))
    return frozenset(allowed)


class Listener:
    """A listening TCP socket serving each accepted connection in a thread.

    ``allow`` (addresses from :func:`resolve_allowed`) closes the connections
    of every other address at once, as pigpiod's ``-n``.  An IPv6 host
    listens dual-stack, as pigpiod does: IPv4 clients connect too and are
    matched against the allow list by their IPv4 address.
    """

    host: str
    port: int

    def __init__(self, host: str, port: int, allow: Collection[str] = ()) -> None:
        self._allow = frozenset(allow)
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        dual = family == socket.AF_INET6 and socket.has_dualstack_ipv6()
        self.sock = socket.create_server((host, port), family=family, backlog=BACKLOG,
                                         dualstack_ipv6=dual)
        self.host, self.port = self.sock.getsockname()[:2]
        self._clients: set[socket.socket] = set()
        self._clients_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> Listener:
        """Accept connections in a background thread."""
        self._thread = threading.Thread(target=self._accept, name="accept:%d" % self.port,
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and end every connection."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        with self._clients_lock:
            clients = list(self._clients)
        for client in clients:
            try:
                client.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join()

    def _accept(self) -> None:
        while True:
            try:
                client, address = self.sock.accept()
            except OSError as exc:
                if exc.errno in _SCARCE:  # a flood of clients: serve again once it ends
                    time.sleep(SCARCE_PAUSE_S)
                    continue
                if exc.errno == errno.ECONNABORTED:
                    continue
                return  # the listening socket was closed
            if self._allow and _plain_address(address[0]) not in self._allow:
                client.close()  # pigpiod's allow list: accepted, then closed
                continue
            with self._clients_lock:
                self._clients.add(client)
            threading.Thread(target=self._run, args=(client,), daemon=True).start()

    def _run(self, client: socket.socket) -> None:
        try:
            self.serve(client)
        except OSError:
            pass
        finally:
            with self._clients_lock:
                self._clients.discard(client)
            client.close()

    def serve(self, client: socket.socket) -> None:
        """Talk to one client until it goes away."""
        raise NotImplementedError


def _plain_address(address: str) -> str:
    """An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d."""
    return address[7:] if address.startswith("::ffff:") else address


class CommandServer(Listener):
    """The pigpiod socket interface of a :class:`Daemon`."""

    def __init__(self, daemon: Daemon, host: str, port: int, allow: Collection[str] = ()) -> None:
        super().__init__(host, port, allow)
        self.daemon = daemon

    def serve(self, client: socket.socket) -> None:
        """Run one client connection until it hangs up."""
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        Connection(self.daemon, client).run()


class Connection:
    """One client socket: framing, dispatch, and its in-band notification handle."""

    def __init__(self, daemon: Daemon, sock: socket.socket) -> None:
        self.daemon = daemon
        self.sock = sock
        self.outlet = Outlet(sock)
        #: True from the moment a read returns until its requests are answered.
        self.busy = False
        self.thread = 0  # its thread's ident, once running

    def open_in_band(self, p1: int, p2: int, ext: bytes) -> int:
        """NOIB: a notification handle reporting on this socket."""
        if self.daemon.config.nagle_reports:
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)
        return self.daemon.notifier.open_in_band(self.outlet)

    def idle(self) -> bool:
        """Whether all its client sent has run, or it waits in a delay (:meth:`Daemon.settle`)."""
        if self.thread in self.daemon.pausing:
            return True
        try:
            return not self.busy and not select.select([self.sock], [], [], 0)[0]
        except (OSError, ValueError):  # closed meanwhile
            return True

    def run(self) -> None:
        """Answer the client's commands until it hangs up, then close its handles."""
        self.thread = threading.get_ident()
        with self.daemon.lock:
            self.daemon.connections.add(self)
        try:
            self._loop()
        finally:
            with self.daemon.lock:
                self.daemon.notifier.close_owned(self.outlet)
                self.daemon.connections.discard(self)
            self.outlet.close()

    def _loop(self) -> None:
        recv = self.sock.recv
        sendall = self.outlet.reply
        table = self.daemon.table.handlers
        lock = self.daemon.lock
        notifier, alerts = self.daemon.notifier, self.daemon.alerts
        unpack = HEADER.unpack_from
        pack = HEADER.pack
        pending = b""
        while True:
            data = recv(RECV_SIZE)
            self.busy = True
            if not data:
                return
            watching = notifier.watching
            if watching:  # what happened before these commands is reported before their replies
                began, events_before = now_us(), notifier.events_fired
            buf = pending + data if pending else data
            size = len(buf)
            pos = 0
            out: list[bytes] = []
            while size - pos >= HEADER_SIZE:
                cmd, p1, p2, p3 = unpack(buf, pos)
                end = pos + HEADER_SIZE + p3
                if p3:
                    if p3 >= MAX_EXTENSION:
                        if out:
                            sendall(b"".join(out))
                        return
                    if end > size:
                        break
                    ext = buf[pos + HEADER_SIZE:end]
                else:
                    ext = b""
                handler = table[cmd] if cmd < TABLE_SIZE else unknown_command
                if cmd == NOIB:  # the socket layer's own command, as in pigpiod
                    handler = self.open_in_band
                with lock:
                    res = handler(p1, p2, ext)
                if res.__class__ is bytes:
                    out.append(pack(cmd, p1, p2, len(res)))
                    out.append(res)
                else:
                    out.append(pack(cmd, p1, p2, res & WORD_MASK))
                pos = end
            pending = buf[pos:]
            if out:
                if watching:
                    alerts.catch_up(began, events_before)
                sendall(b"".join(out) if len(out) > 1 else out[0])
            self.busy = False

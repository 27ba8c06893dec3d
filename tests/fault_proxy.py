"""A programmable fault injector between a client and a pigpiod (the simulator).

It forwards every connection, follows the request/reply framing of command
connections, and can spoil one reply of a chosen command: delay it, send part
of it and stall (the rest comes when released, too late), send part of it and
close, append bytes the header did not announce, or stop answering without
closing. Notification connections (after NOIB) are forwarded untouched.
"""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from typing import List, Optional

from pigpiod_py.constants import Command
from pigpiod_py.protocol import RESPONSE

#: Commands whose reply carries ``res`` bytes after the header when res > 0.
DATA_REPLIES = frozenset(Command[name] for name in (
    "BI2CZ", "BSCX", "BSPIX", "CF2", "FL", "FR", "I2CPK", "I2CRD", "I2CRI", "I2CRK", "I2CZ",
    "PROCP", "SERR", "SLR", "SPIR", "SPIX"))
HEADER = RESPONSE  # cmd, p1, p2, p3 of a request; cmd, p1, p2, signed result of a reply


@dataclass
class Fault:
    """What to do to the reply of the next ``command`` (None: any command).

    ``action``: "stall" (send ``keep`` bytes, at most all but the last, and
    hold the rest until :meth:`FaultProxy.release`), "close" (the same, then
    close),
    "extra" (send the reply and ``extra`` more bytes), "delay" (hold the
    whole reply ``seconds``), "silent" (hold everything from now on, the
    connection stays open).
    """

    action: str
    command: Optional[int] = None
    keep: int = 0
    extra: bytes = b""
    seconds: float = 0.0


def _recv_exact(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


class FaultProxy:
    """Listen on a free loopback port and forward to ``host:port``."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.host, self.port = self._listener.getsockname()[:2]
        self._fault: Optional[Fault] = None
        self._lock = threading.Lock()
        self._released = threading.Event()
        self.spoiled = threading.Event()  # set once a fault was applied
        self._sockets: List[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def inject(self, fault: Fault) -> None:
        """Spoil the next reply that matches ``fault``."""
        with self._lock:
            self._fault = fault
            self.spoiled.clear()
            self._released.clear()

    def release(self) -> None:
        """Let a stalled or silent reply go on (late)."""
        self._released.set()

    def close(self) -> None:
        """Stop accepting and drop every forwarded connection."""
        self._released.set()
        self._listener.close()
        for sock in self._sockets:
            try:
                sock.close()
            except OSError:
                pass

    def __enter__(self) -> "FaultProxy":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- forwarding ---------------------------------------------------------------

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            daemon = socket.create_connection(self.target)
            for sock in (client, daemon):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sockets += [client, daemon]
            commands: List[int] = []
            raw = threading.Event()  # the connection became a notification stream
            threading.Thread(target=self._requests, args=(client, daemon, commands, raw),
                             daemon=True).start()
            threading.Thread(target=self._replies, args=(daemon, client, commands, raw),
                             daemon=True).start()

    def _requests(self, client: socket.socket, daemon: socket.socket, commands: List[int],
                  raw: threading.Event) -> None:
        try:
            while True:
                header = _recv_exact(client, 16)
                cmd, _, _, p3 = HEADER.unpack(header)
                extension = _recv_exact(client, p3) if p3 > 0 else b""
                commands.append(cmd)
                if cmd == Command.NOIB:
                    raw.set()
                daemon.sendall(header + extension)
                if raw.is_set():
                    self._pump(client, daemon)
                    return
        except OSError:
            pass
        _shut(daemon)

    def _replies(self, daemon: socket.socket, client: socket.socket, commands: List[int],
                 raw: threading.Event) -> None:
        served = 0
        try:
            while True:
                header = _recv_exact(daemon, 16)
                cmd, _, _, res = HEADER.unpack(header)
                body = _recv_exact(daemon, res) if cmd in DATA_REPLIES and res > 0 else b""
                served += 1
                if not self._send_reply(client, cmd, header + body):
                    return
                if raw.is_set() and served >= len(commands):
                    self._pump(daemon, client)
                    return
        except OSError:
            pass
        _shut(client)

    def _send_reply(self, client: socket.socket, cmd: int, reply: bytes) -> bool:
        """Forward one reply, spoiled if it is the one; False once closed."""
        with self._lock:
            fault = self._fault
            if fault is not None and fault.command in (None, cmd):
                self._fault = None
            else:
                fault = None
        if fault is None:
            client.sendall(reply)
            return True
        self.spoiled.set()
        if fault.action == "delay":
            time.sleep(fault.seconds)
            client.sendall(reply)
        elif fault.action == "extra":
            client.sendall(reply + fault.extra)
        elif fault.action in ("stall", "silent"):
            keep = min(fault.keep, len(reply) - 1) if fault.action == "stall" else 0
            client.sendall(reply[:keep])
            self._released.wait()
            client.sendall(reply[keep:])
            if fault.action == "silent":  # nothing else gets through either
                return False
        elif fault.action == "close":
            client.sendall(reply[:min(fault.keep, len(reply) - 1)])
            _shut(client)
            return False
        return True

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        _shut(sink)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass

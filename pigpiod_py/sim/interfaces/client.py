"""A bare pigpiod protocol client on one socket (for tests and the benchmark)."""
from __future__ import annotations

import socket

from ...protocol import RECORD, RECORD_SIZE, RESPONSE, request

__all__ = ["RESPONSE", "RawClient", "request"]


class RawClient:
    """Send requests and read responses, nothing else."""

    def __init__(self, host: str, port: int, timeout: float = 30.0) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send(self, data: bytes) -> None:
        """Send raw bytes (whole commands, possibly several)."""
        self.sock.sendall(data)

    def recv_exact(self, count: int) -> bytes:
        """Exactly ``count`` bytes (ConnectionError if the daemon closes first)."""
        chunks = []
        while count:
            chunk = self.sock.recv(count)
            if not chunk:
                raise ConnectionError("connection closed by the daemon")
            chunks.append(chunk)
            count -= len(chunk)
        return b"".join(chunks)

    def response(self) -> tuple[int, int, int, int]:
        """The next response header: (cmd, p1, p2, signed result)."""
        return RESPONSE.unpack(self.recv_exact(RESPONSE.size))

    def command(self, cmd: int, p1: int = 0, p2: int = 0, ext: bytes = b"") -> int:
        """Run one command; its signed result."""
        self.send(request(cmd, p1, p2, ext))
        return self.response()[3]

    def command_data(
        self, cmd: int, p1: int = 0, p2: int = 0, ext: bytes = b""
    ) -> tuple[int, bytes]:
        """Run a data-returning command: (result, the bytes that followed)."""
        res = self.command(cmd, p1, p2, ext)
        return res, self.recv_exact(res) if res > 0 else b""

    def records(self, count: int) -> list[tuple[int, int, int, int]]:
        """The next ``count`` notification reports: (seqno, flags, tick, level)."""
        data = self.recv_exact(count * RECORD_SIZE)
        return list(RECORD.iter_unpack(data))

    def close(self) -> None:
        """Close the socket."""
        self.sock.close()

    def __enter__(self) -> RawClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

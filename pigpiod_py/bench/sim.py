"""``python -m pigpiod_py bench sim``: how fast the simulator answers.

Pipelined: COUNT WRITE requests sent back to back on one socket while a thread
reads the responses.  Round trip: one TICK at a time, in ten batches (the
median and the best batch mean: a loaded machine makes single runs noisy).
Without ``--port`` a simulator subprocess is started on a free port.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time

from ..constants import Command
from ..simprocess import SimulatorProcess
from ..sim.interfaces.client import RawClient, request

RESPONSE_SIZE = 16


def pipelined(client: RawClient, count: int) -> float:
    """Commands per second for ``count`` pipelined WRITEs (gpio 4, toggling)."""
    payload = b"".join(request(Command.WRITE, 4, i & 1) for i in range(count))

    def drain() -> None:
        client.recv_exact(count * RESPONSE_SIZE)

    reader = threading.Thread(target=drain)
    start = time.perf_counter()
    reader.start()
    client.send(payload)
    reader.join()
    return count / (time.perf_counter() - start)


def round_trip(client: RawClient, count: int, batches: int = 10) -> list[float]:
    """Mean microseconds per TICK request and response, for each of ``batches``."""
    size = max(1, count // batches)
    means = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(size):
            client.command(Command.TICK)
        means.append((time.perf_counter() - start) / size * 1e6)
    return means


def main(argv: list[str] | None = None) -> int:
    """Measure pipelined WRITEs and round trips against a daemon (started here unless --port)."""
    parser = argparse.ArgumentParser(prog="python -m pigpiod_py bench sim")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, help="an already running daemon")
    parser.add_argument("--count", type=int, default=200_000, help="pipelined WRITEs")
    parser.add_argument("--round-trips", type=int, default=20_000)
    args = parser.parse_args(argv)
    process = None
    host, port = args.host, args.port
    if port is None:
        process = SimulatorProcess(control=False)
        host, port = process.host, process.port
    try:
        with RawClient(host, port) as client:
            rate = pipelined(client, args.count)
            print("pipelined: %d WRITE commands, %.0f commands/s" % (args.count, rate))
            means = round_trip(client, args.round_trips)
            print("round trip: %d TICK commands, median %.1f us, best batch %.1f us"
                  % (args.round_trips, statistics.median(means), min(means)))
    finally:
        if process is not None:
            process.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

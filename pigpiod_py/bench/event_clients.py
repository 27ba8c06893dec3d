"""The clients of the events benchmark, each run in its own process.

``python -m pigpiod_py.bench.event_clients KIND HOST PORT GPIO EXPECTED SECONDS``
counts the edges of GPIO delivered to a Python handler until EXPECTED arrived
or SECONDS passed, and prints one JSON object: events, seconds from the first
to the last delivery, median latency (handler time minus the edge's tick, on
the daemon's clock, calibrated at start) and the drops the client knows of.
The line ``ready`` on stdout tells the runner the callback is in place.
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Any, Callable, Dict, List, Tuple

MASK = 0xFFFFFFFF
SAMPLE_EVERY = 64


def clock_offset(tick: Callable[[], int]) -> int:
    """Local µs minus daemon tick, from the fastest of a few round trips."""
    best: Tuple[int, int] = (1 << 62, 0)
    for _ in range(20):
        t0 = time.monotonic_ns() // 1000
        daemon = tick()
        t1 = time.monotonic_ns() // 1000
        best = min(best, (t1 - t0, (t0 + t1) // 2 - daemon))
    return best[1]


class Counter:
    """The handler: counts, and samples latency on every 64th call."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        self.count = 0
        self.first = self.last = 0.0
        self.latencies: List[int] = []

    def __call__(self, gpio: int, level: int, tick: int) -> None:
        self.count += 1
        if self.count % SAMPLE_EVERY == 1:
            now = time.monotonic_ns() // 1000
            self.latencies.append((now - self.offset - tick) & MASK)
            if self.count == 1:
                self.first = time.perf_counter()
        self.last = time.perf_counter()


def run_ours(host: str, port: int, gpio: int, expected: int, seconds: float) -> Dict[str, Any]:
    """Count the edges this binding's callbacks deliver (``expected``, or ``seconds`` pass)."""
    import pigpiod_py

    with pigpiod_py.open(host, port) as session:
        counter = Counter(clock_offset(session.tick))
        session.callback(gpio, pigpiod_py.Edge.EITHER, counter)
        print("ready", flush=True)
        deadline = time.monotonic() + seconds
        while counter.count < expected and time.monotonic() < deadline:
            session.sleep(0.05)
        stats = session.event_stats()
        return report(counter, stats.dropped)


def run_pigpio_module(host: str, port: int, gpio: int, expected: int, seconds: float) -> Dict[str, Any]:
    """Count the edges the pigpio module's callbacks deliver (``expected``, or ``seconds`` pass)."""
    import pigpio  # type: ignore[import-untyped]

    pi = pigpio.pi(host, port)
    counter = Counter(clock_offset(pi.get_current_tick))
    cb = pi.callback(gpio, pigpio.EITHER_EDGE, counter)
    print("ready", flush=True)
    deadline = time.monotonic() + seconds
    while counter.count < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    cb.cancel()
    pi.stop()
    return report(counter, 0)


def report(counter: Counter, dropped: int) -> Dict[str, Any]:
    """The result of one run: events, their time span, median latency and drops."""
    span = counter.last - counter.first
    return {
        "events": counter.count,
        "seconds": span,
        "latency_us": statistics.median(counter.latencies) if counter.latencies else None,
        "dropped": dropped,
    }


CLIENTS = {"pigpiod_py": run_ours, "pigpio module": run_pigpio_module}


def main(argv: List[str]) -> None:
    """Run one event client (kind host port gpio expected seconds) and print its result as JSON."""
    kind, host, port, gpio, expected, seconds = argv
    result = CLIENTS[kind](host, int(port), int(gpio), int(expected), float(seconds))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

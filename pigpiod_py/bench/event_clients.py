"""The clients of the events benchmark, each run in its own process.

``python -m pigpiod_py.bench.event_clients KIND HOST PORT GPIO EXPECTED SECONDS``
receives the edges of GPIO until EXPECTED arrived or SECONDS passed, and
prints one JSON object: events, the process's CPU seconds meanwhile (user and
system, all threads), the span from the first delivery to the last, sampled
latencies from the edge's tick to the handler (daemon clock, calibrated at
start), this binding's own arrival-to-dispatch latency, and the drops it
knows of. The line ``ready`` on stdout tells the runner it is in place.

KIND is ``pigpio module`` (a callback of the pigpio Python module) or this
binding in a variant: a callback with a function in ``main``, ``thread`` or
``manual`` dispatch (``main`` also with ``gather=0``: every read at once), a
``tally`` (no function, nothing queued: counted in C) or a ``batch``
callback (one call per dispatch with all its records); ``thread`` with a
4 ms gather (instead of the default 16 ms) and ``batch`` with a 50 ms one
show what trading CPU for latency costs and latency for CPU buys.
"""
from __future__ import annotations

import json
import resource
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

MASK = 0xFFFFFFFF
SAMPLE_EVERY = 64
#: How the main thread waits meanwhile: as a program would, in sleeps long
#: enough that the harness's own wake-ups (4 a second) cost next to nothing.
IDLE_STEP = 0.25


def clock_offset(tick: Callable[[], int]) -> int:
    """Local µs minus daemon tick, from the fastest of a few round trips."""
    best: Tuple[int, int] = (1 << 62, 0)
    for _ in range(20):
        t0 = time.monotonic_ns() // 1000
        daemon = tick()
        t1 = time.monotonic_ns() // 1000
        best = min(best, (t1 - t0, (t0 + t1) // 2 - daemon))
    return best[1]


def cpu_seconds() -> float:
    """User + system CPU of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Counter:
    """The handler: counts, and samples latency on every 64th record."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        self.count = 0
        self.first = self.last = 0.0
        self.latencies: List[int] = []

    def _sample(self, tick: int) -> None:
        now = time.monotonic_ns() // 1000
        self.latencies.append((now - self.offset - tick) & MASK)
        if not self.first:
            self.first = time.perf_counter()

    def __call__(self, gpio: int, level: int, tick: int) -> None:
        self.count += 1
        if self.count % SAMPLE_EVERY == 1:
            self._sample(tick)
        self.last = time.perf_counter()

    def batch(self, gpio: int, ticks: Any, levels: bytes) -> None:
        """The handler of a batch callback."""
        before = self.count
        self.count += len(ticks)
        if self.count // SAMPLE_EVERY != before // SAMPLE_EVERY or not before:
            self._sample(ticks[0])
        self.last = time.perf_counter()


def _wait(done: Callable[[], bool], seconds: float, idle: Callable[[float], None]) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        idle(IDLE_STEP)


def run_ours(mode: str, variant: str, gather: Optional[float], host: str, port: int, gpio: int,
             expected: int, seconds: float) -> Dict[str, Any]:
    """This binding, in one dispatch mode and callback variant (``gather``
    None: the default)."""
    import pigpiod_py
    from pigpiod_py.events.channel import DEFAULT_GATHER

    with pigpiod_py.open(host, port, dispatch=mode, capacity=1 << 18,
                         gather=DEFAULT_GATHER if gather is None else gather) as session:
        counter = Counter(clock_offset(session.tick))
        either = pigpiod_py.Edge.EITHER
        if variant == "tally":
            cb = session.callback(gpio, either, queue=False)
            count: Callable[[], int] = cb.tally
        elif variant == "batch":
            session.callback(gpio, either, counter.batch, batch=True)
            count = lambda: counter.count  # noqa: E731
        else:
            session.callback(gpio, either, counter)
            count = lambda: counter.count  # noqa: E731
        print("ready", flush=True)
        cpu = cpu_seconds()
        idle = session.sleep if mode == "manual" else time.sleep
        _wait(lambda: count() >= expected, seconds, idle)
        cpu = cpu_seconds() - cpu
        stats = session.event_stats()
        return report(counter, count(), cpu, stats.dropped, stats.latency_p50_us,
                      stats.latency_p99_us)


def run_pigpio_module(host: str, port: int, gpio: int, expected: int,
                      seconds: float) -> Dict[str, Any]:
    """A callback of the pigpio Python module."""
    import pigpio  # type: ignore[import-untyped]

    pi = pigpio.pi(host, port)
    counter = Counter(clock_offset(pi.get_current_tick))
    cb = pi.callback(gpio, pigpio.EITHER_EDGE, counter)
    print("ready", flush=True)
    cpu = cpu_seconds()
    _wait(lambda: counter.count >= expected, seconds, time.sleep)
    cpu = cpu_seconds() - cpu
    cb.cancel()
    pi.stop()
    return report(counter, counter.count, cpu, 0, None, None)


def report(counter: Counter, events: int, cpu: float, dropped: int, arrival_p50: Optional[float],
           arrival_p99: Optional[float]) -> Dict[str, Any]:
    """The result of one run."""
    return {
        "events": events,
        "cpu_s": cpu,
        "seconds": counter.last - counter.first,
        "edge_latencies_us": counter.latencies,
        "arrival_p50_us": arrival_p50,
        "arrival_p99_us": arrival_p99,
        "dropped": dropped,
    }


def _ours(mode: str, variant: str = "function",
          gather: Optional[float] = None) -> Callable[..., Dict[str, Any]]:
    def run(*args: Any) -> Dict[str, Any]:
        return run_ours(mode, variant, gather, *args)
    return run


CLIENTS: Dict[str, Callable[..., Dict[str, Any]]] = {
    "pigpio module": run_pigpio_module,
    "pigpiod_py main": _ours("main"),
    "main, gather 0": _ours("main", gather=0.0),
    "pigpiod_py thread": _ours("thread"),
    "pigpiod_py manual": _ours("manual"),
    "pigpiod_py batch": _ours("thread", "batch"),
    "pigpiod_py tally": _ours("thread", "tally"),
    # What a shorter gather costs, and a longer one buys (latency for CPU):
    "thread, gather 4": _ours("thread", gather=0.004),
    "batch, gather 50": _ours("thread", "batch", gather=0.05),
}


def main(argv: List[str]) -> None:
    """Run one event client (kind host port gpio expected seconds) and print its result."""
    kind, host, port, gpio, expected, seconds = argv
    result = CLIENTS[kind](host, int(port), int(gpio), int(expected), float(seconds))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

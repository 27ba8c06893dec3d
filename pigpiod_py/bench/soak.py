"""Soak benchmark: mixed commands from several threads plus a stream of edges
to a callback, for N seconds; reports commands, events, drops, errors and the
resident memory at start and end.

On the simulator the edges come from its test rig (``--rate`` per second); on
a real daemon (``--host``) from software PWM at the daemon's highest table
frequency on ``--edge-gpio``.
"""
from __future__ import annotations

import argparse
import json
import os
import threading
import time
from typing import Any, Callable, Dict, List, Optional

from ..constants import Edge, Mode
from ..errors import PigpioError
from ..session import Session
from ..session import open as open_session
from ..progress import Progress
from ..target import daemon_target
from . import add_daemon_options

WORKER_GPIOS = (5, 6, 12, 13, 16, 19, 20, 26)


def rss_kib() -> int:
    """This process's resident set size in KiB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


class Counters:
    """Shared tallies of the worker threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.commands = 0
        self.errors: List[str] = []

    def add(self, commands: int) -> None:
        """Count ``commands`` more commands done."""
        with self.lock:
            self.commands += commands


def worker(session: Session, gpio: int, stop: threading.Event, counters: Counters) -> None:
    """Writes, reads, mode and tick queries, and small batches, checked."""
    session.set_mode(gpio, Mode.OUTPUT)
    n = 0
    while not stop.is_set():
        try:
            level = n & 1
            session.write(gpio, level)
            if session.read(gpio) != level:
                counters.errors.append("gpio %d read back wrong" % gpio)
            session.tick()
            session.get_mode(gpio)
            with session.batch() as batch:
                for i in range(50):
                    batch.write(gpio, i & 1)
            counters.add(54)
        except PigpioError as exc:
            counters.errors.append(repr(exc))
        n += 1


def soak(host: str, port: int, seconds: float, threads: int, edge_gpio: int,
         start_edges: Callable[[Session], int], progress: Optional[Progress] = None) -> Dict[str, Any]:
    """Run worker threads and an edge stream on one session for ``seconds``; return the tallies."""
    rss_start = rss_kib()
    counters = Counters()
    edges = [0]
    with open_session(host, port, dispatch="thread") as session:
        session.set_mode(edge_gpio, Mode.INPUT)
        session.callback(edge_gpio, Edge.EITHER, lambda g, level, tick: edges.__setitem__(0, edges[0] + 1))
        stop = threading.Event()
        pool = [threading.Thread(target=worker, args=(session, g, stop, counters))
                for g in WORKER_GPIOS[:threads]]
        for t in pool:
            t.start()
        expected = start_edges(session)
        t0 = time.monotonic()
        while time.monotonic() - t0 < seconds:
            time.sleep(1.0)
            if progress is not None:
                progress.show("soak: %3.0f s, %d commands, %d events" % (
                    time.monotonic() - t0, counters.commands, edges[0]))
        if progress is not None:
            progress.end()
        stop.set()
        for t in pool:
            t.join()
        elapsed = time.monotonic() - t0
        time.sleep(0.5)  # let the last edges arrive
        stats = session.event_stats()
        errors = list(session.handler_errors)
    return {
        "seconds": elapsed, "threads": threads, "commands": counters.commands,
        "commands_per_s": counters.commands / elapsed, "events": edges[0],
        "edges_offered": expected, "dropped": stats.dropped, "high_water": stats.high_water,
        "errors": counters.errors[:20] + [repr(e) for e in errors[:20]],
        "error_count": len(counters.errors) + len(errors),
        "rss_kib_start": rss_start, "rss_kib_end": rss_kib(),
    }


def parser() -> argparse.ArgumentParser:
    """The command-line parser of ``pigpiod-py bench soak``."""
    p = argparse.ArgumentParser(prog="pigpiod-py bench soak", description=__doc__)
    add_daemon_options(p)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--threads", type=int, default=4, choices=range(1, len(WORKER_GPIOS) + 1))
    p.add_argument("--rate", type=int, default=20000, help="edges per second (simulator)")
    p.add_argument("--edge-gpio", type=int, default=21)
    return p


def main(argv: Optional[List[str]] = None) -> int:
    """Run the soak test on the daemon :func:`pigpiod_py.target.daemon_target` picks."""
    args = parser().parse_args(argv)
    progress = Progress(args.progress)
    with daemon_target(args.host, args.port, control=True) as target:
        if not args.json:
            print("Soak against %s" % target.description, flush=True)
        if target.control_port is None:
            def pwm(session: Session) -> int:
                frequency = session.set_pwm_frequency(args.edge_gpio, 1000000)
                session.set_pwm_dutycycle(args.edge_gpio, 128)
                return int(2 * frequency * args.seconds)
            result = soak(target.host, target.port, args.seconds, args.threads, args.edge_gpio, pwm,
                          progress)
        else:
            from ..sim.control import SimControl

            with SimControl(target.host, target.control_port) as control:
                def rig(session: Session) -> int:
                    count = int(args.rate * args.seconds)
                    control.edges(args.edge_gpio, count, args.rate)
                    return count
                result = soak(target.host, target.port, args.seconds, args.threads, args.edge_gpio,
                              rig, progress)
    result["daemon"] = target.description
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print("Soak: %(seconds).1f s, %(threads)d threads: %(commands)d commands "
              "(%(commands_per_s).0f/s), %(events)d of %(edges_offered)d edges delivered, "
              "%(dropped)d dropped, %(error_count)d errors; RSS %(rss_kib_start)d -> "
              "%(rss_kib_end)d KiB" % result)
    return 0 if not result["error_count"] and not result["dropped"] else 1

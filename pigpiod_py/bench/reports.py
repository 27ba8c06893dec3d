"""``python -m pigpiod_py bench reports``: the simulator streaming notification reports.

The control API's edge rig makes a gpio change RATE times a second for SECONDS
while a client watches it through an in-band notification socket; with
``--clients N`` each of N clients watches its own gpio, each at RATE.  A client
is a bare socket reading the 12-byte reports, or with ``--pigpio`` a pigpio
module connection with an either-edge callback.  Printed: per client the edges
received and how many are missing or misplaced (seqno gaps, tick spacing), and
the simulator process's CPU use while it streamed.  Starts its own simulator.
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from typing import Any, Callable

from ..constants import Command
from ..protocol import RECORD, RECORD_SIZE
from ..sim.control import SimControl
from ..sim.interfaces.client import RawClient
from ..sim.timeline import MICROS
from ..simprocess import SimulatorProcess

#: Pulled-down inputs of a fresh simulator, one per client.
GPIOS = (21, 20, 16, 26, 19, 13, 12, 6)
MASK = 0xFFFFFFFF
READ_SIZE = 65536


class Tally:
    """Edges counted by one client, and those out of place."""

    def __init__(self, spacing: int) -> None:
        self.spacing = spacing
        self.count = 0
        self.misplaced = 0
        self.last: int | None = None

    def edge(self, tick: int) -> None:
        """Count an edge at ``tick``, and whether it is out of place."""
        if self.last is not None and (tick - self.last) & MASK != self.spacing:
            self.misplaced += 1
        self.last = tick
        self.count += 1


def raw_client(host: str, port: int, gpio: int, tally: Tally) -> Callable[[float], None]:
    """A socket watching ``gpio``; returns the function that reads until done."""
    reports = RawClient(host, port)
    handle = reports.command(Command.NOIB)
    reports.command(Command.NB, handle, 1 << gpio)

    def read(deadline: float) -> None:
        buffered = b""
        seqno = 0
        reports.sock.settimeout(1.0)
        while time.monotonic() < deadline:
            try:
                data = reports.sock.recv(READ_SIZE)
            except OSError:
                continue
            buffered += data
            whole = len(buffered) // RECORD_SIZE * RECORD_SIZE
            for number, _flags, tick, _level in RECORD.iter_unpack(buffered[:whole]):
                tally.misplaced += number != seqno
                seqno = (number + 1) & 0xFFFF
                tally.edge(tick)
            buffered = buffered[whole:]
        reports.close()
    return read


def pigpio_client(host: str, port: int, gpio: int, tally: Tally) -> Callable[[float], None]:
    """A pigpio module connection with a callback on ``gpio``."""
    import pigpio  # type: ignore[import-untyped]  # pigpio ships no type hints

    pi = pigpio.pi(host, port)
    pi.callback(gpio, pigpio.EITHER_EDGE, lambda g, level, tick: tally.edge(tick))

    def read(deadline: float) -> None:
        while time.monotonic() < deadline:
            time.sleep(0.05)
        pi.stop()
    return read


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stream(rate: int, seconds: float, clients: int, make: Any) -> tuple[list[Tally], float]:
    """Run one stream per client; the tallies and the simulator's CPU share."""
    count = int(rate * seconds)
    with SimulatorProcess() as sim:
        assert sim.control_port is not None
        with SimControl(sim.host, sim.control_port) as control:
            tallies = [Tally(MICROS // rate) for _ in range(clients)]
            readers = [make(sim.host, sim.port, gpio, tally)
                       for gpio, tally in zip(GPIOS, tallies)]
            deadline = time.monotonic() + seconds + 5
            threads = [threading.Thread(target=read, args=(deadline,)) for read in readers]
            for thread in threads:
                thread.start()
            cpu, start = cpu_seconds(sim.pid), time.monotonic()
            for gpio in GPIOS[:clients]:
                control.edges(gpio, count, rate)
            while (any(t.count < count for t in tallies)
                   and time.monotonic() < start + seconds + 5):
                time.sleep(0.05)
            share = (cpu_seconds(sim.pid) - cpu) / (time.monotonic() - start)
            for thread in threads:
                thread.join()
    return tallies, share


def main(argv: list[str] | None = None) -> int:
    """Measure how many edge reports clients receive from an edge stream."""
    parser = argparse.ArgumentParser(prog="python -m pigpiod_py bench reports")
    parser.add_argument("--rate", type=int, default=40000, help="edges per second per client")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=1, choices=range(1, len(GPIOS) + 1))
    parser.add_argument("--pigpio", action="store_true", help="pigpio module clients")
    args = parser.parse_args(argv)
    if MICROS % args.rate:
        parser.error("the rate must divide 1000000 (exact tick spacing)")
    make = pigpio_client if args.pigpio else raw_client
    tallies, share = stream(args.rate, args.seconds, args.clients, make)
    expected = int(args.rate * args.seconds)
    kind = "pigpio module" if args.pigpio else "raw socket"
    for number, tally in enumerate(tallies):
        print("%s client %d: %d of %d edges, %d missing, %d misplaced"
              % (kind, number, tally.count, expected, expected - tally.count, tally.misplaced))
    print("simulator CPU while streaming: %.1f%% of one core" % (100 * share))
    return 0 if all(t.count == expected and not t.misplaced for t in tallies) else 1


if __name__ == "__main__":
    sys.exit(main())

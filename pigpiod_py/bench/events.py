"""Events benchmark: edges delivered per second to a Python handler, and the
median latency from the edge to the handler, for this binding and for the
pigpio Python module, on the same stream of edges in one run.

On the simulator the stream comes from its test rig (exact count and rate);
on a real daemon (``--host``) from software PWM on ``--gpio`` (rate = 2 x the
PWM frequency the daemon picks). Each client runs alone in its own process,
rounds in rotating order; medians are reported.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from typing import Any, Callable, Dict, List, Optional

from ..progress import Progress
from ..target import daemon_target
from . import add_daemon_options
from .event_clients import CLIENTS
from .toggle import machine


def run_client(kind: str, host: str, port: int, gpio: int, expected: int, seconds: float,
               start_stream: Callable[[], None]) -> Dict[str, Any]:
    """Run one client in a subprocess, start the stream once it is ready, return its result."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "pigpiod_py.bench.event_clients", kind, host, str(port), str(gpio),
         str(expected), str(seconds)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "ready":
        proc.kill()
        raise RuntimeError("%s client failed: %s" % (kind, proc.communicate()[1]))
    start_stream()
    out, err = proc.communicate(timeout=seconds + 60)
    if proc.returncode:
        raise RuntimeError("%s client failed: %s" % (kind, err))
    result: Dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def measure(host: str, port: int, gpio: int, rate: int, seconds: float, rounds: int,
            start_stream: Callable[[int], Any],
            progress: Optional[Progress] = None) -> Dict[str, List[Dict[str, Any]]]:
    """Run every client ``rounds`` times (alternating who goes first) on ``rate`` edges/s."""
    expected = int(rate * seconds)
    runs: Dict[str, List[Dict[str, Any]]] = {kind: [] for kind in CLIENTS}
    kinds = list(CLIENTS)
    started: List[float] = []

    def start() -> None:
        started.append(time.monotonic())
        start_stream(expected)

    for r in range(rounds):
        for kind in kinds[r % 2:] + kinds[:r % 2]:
            runs[kind].append(run_client(kind, host, port, gpio, expected, seconds * 3, start))
            # The next client starts on a quiet pin, after this stream ended.
            time.sleep(max(0.0, started[-1] + seconds + 0.2 - time.monotonic()))
        if progress is not None:
            progress.show("events benchmark: round %d/%d done" % (r + 1, rounds))
    if progress is not None:
        progress.end()
    return runs


def summarise(runs: Dict[str, List[Dict[str, Any]]], offered: int) -> Dict[str, Dict[str, Any]]:
    """Median delivery rate, latency and drops per client, and the ratio to the pigpio module."""
    table: Dict[str, Dict[str, Any]] = {}
    for kind, results in runs.items():
        rates = [r["events"] / r["seconds"] for r in results if r["seconds"] > 0]
        latencies = [r["latency_us"] for r in results if r["latency_us"] is not None]
        table[kind] = {
            "delivered_per_s": statistics.median(rates) if rates else 0.0,
            "delivered": statistics.median(r["events"] for r in results),
            "offered": offered,
            "latency_us": statistics.median(latencies) if latencies else None,
            "dropped": max(r["dropped"] for r in results),
        }
    module = table.get("pigpio module", {}).get("delivered_per_s")
    for row in table.values():
        if module:
            row["vs_module"] = row["delivered_per_s"] / module
    return table


def format_table(table: Dict[str, Dict[str, Any]]) -> str:
    """The summary as a text table."""
    head = "%-16s %14s %12s %10s %12s %9s" % (
        "client", "delivered/s", "delivered", "vs module", "latency us", "dropped")
    lines = [head, "-" * len(head)]
    for kind, row in table.items():
        lines.append("%-16s %14.0f %12d %10s %12s %9d" % (
            kind, row["delivered_per_s"], row["delivered"],
            "%.2fx" % row["vs_module"] if "vs_module" in row else "-",
            "%.0f" % row["latency_us"] if row["latency_us"] is not None else "-",
            row["dropped"]))
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    """The command-line parser of ``pigpiod-py bench events``."""
    p = argparse.ArgumentParser(prog="pigpiod-py bench events", description=__doc__)
    add_daemon_options(p)
    p.add_argument("--gpio", type=int, default=21)
    p.add_argument("--rate", type=int, default=100000, help="edges per second offered")
    p.add_argument("--seconds", type=float, default=3.0, help="length of the stream")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--sample-rate", type=int, default=1, choices=(1, 2, 4, 5, 8, 10),
                   help="the simulator's sample period in us (edges faster than it are not seen)")
    return p


def main(argv: Optional[List[str]] = None) -> int:
    """Run the event benchmark on the daemon :func:`pigpiod_py.target.daemon_target` picks."""
    args = parser().parse_args(argv)
    progress = Progress(args.progress)
    with daemon_target(args.host, args.port, "--sample-rate", str(args.sample_rate),
                       control=True) as target:
        if target.control_port is None:
            import pigpiod_py

            with pigpiod_py.open(target.host, target.port) as pwm:
                frequency = pwm.set_pwm_frequency(args.gpio, args.rate // 2)
                offered = 2 * frequency
                where = "%s, software PWM at %d Hz" % (target.description, frequency)
                say_where(args, where)
                runs = measure(target.host, target.port, args.gpio, offered, args.seconds,
                               args.rounds, lambda n: pwm.set_pwm_dutycycle(args.gpio, 128), progress)
                pwm.set_pwm_dutycycle(args.gpio, 0)
        else:
            from ..sim.control import SimControl

            offered = args.rate
            where = "%s, its edge rig" % target.description
            say_where(args, where)
            with SimControl(target.host, target.control_port) as control:
                runs = measure(target.host, target.port, args.gpio, offered, args.seconds,
                               args.rounds, lambda n: control.edges(args.gpio, n, offered), progress)
    table = summarise(runs, int(offered * args.seconds))
    if args.json:
        print(json.dumps({"daemon": where, "machine": machine(), "results": table, "raw": runs}, indent=2))
    else:
        print("%d edges/s offered for %.1f s, %d rounds, medians; machine: %s\n"
              % (offered, args.seconds, args.rounds, machine()))
        print(format_table(table))
    return 0


def say_where(args: argparse.Namespace, where: str) -> None:
    """The first line of the text output: which daemon and edge source."""
    if not args.json:
        print("Events benchmark against %s" % where, flush=True)

if __name__ == "__main__":
    sys.exit(main())

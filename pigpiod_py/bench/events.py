"""Events benchmark: CPU per delivered event, latency and drops of this
binding in every dispatch mode and callback variant, beside the pigpio Python
module, on the same streams of edges in one run.

On the simulator the stream comes from its test rig (exact count and rate);
on a real daemon (``--host``) from software PWM on ``--gpio`` (rate = 2 x the
PWM frequency the daemon picks). Each client runs alone in its own process,
rounds in rotating order, at each offered rate; medians are reported. CPU is
the whole client process's (user + system, every thread) per event.
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

MODULE = "pigpio module"


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
    """Run every client ``rounds`` times (rotating who goes first) on ``rate`` edges/s."""
    expected = int(rate * seconds)
    runs: Dict[str, List[Dict[str, Any]]] = {kind: [] for kind in CLIENTS}
    kinds = list(CLIENTS)
    started: List[float] = []

    def start() -> None:
        started.append(time.monotonic())
        start_stream(expected)

    for r in range(rounds):
        shift = r % len(kinds)
        for kind in kinds[shift:] + kinds[:shift]:
            runs[kind].append(run_client(kind, host, port, gpio, expected, seconds * 3, start))
            # The next client starts on a quiet pin, after this stream ended.
            time.sleep(max(0.0, started[-1] + seconds + 0.2 - time.monotonic()))
        if progress is not None:
            progress.show("events benchmark at %d/s: round %d/%d done" % (rate, r + 1, rounds))
    if progress is not None:
        progress.end()
    return runs


def _median(values: List[float]) -> Optional[float]:
    return statistics.median(values) if values else None


def _percentile(values: List[float], fraction: float) -> Optional[float]:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summarise(runs: Dict[str, List[Dict[str, Any]]], offered: int) -> Dict[str, Dict[str, Any]]:
    """Per client: median CPU µs per event and its ratio to the pigpio
    module's, delivered share, latencies (edge to handler: every sample of
    every round; arrival to dispatch: median of the rounds) and drops."""
    table: Dict[str, Dict[str, Any]] = {}
    for kind, results in runs.items():
        cpu = [r["cpu_s"] * 1e6 / r["events"] for r in results if r["events"]]
        samples = [s for r in results for s in r["edge_latencies_us"]]
        table[kind] = {
            "cpu_us_per_event": _median(cpu),
            "delivered": statistics.median(r["events"] for r in results),
            "offered": offered,
            "edge_latency_p50_us": _percentile(samples, 0.5),
            "edge_latency_p99_us": _percentile(samples, 0.99),
            "arrival_latency_p50_us": _median([r["arrival_p50_us"] for r in results
                                               if r["arrival_p50_us"] is not None]),
            "arrival_latency_p99_us": _median([r["arrival_p99_us"] for r in results
                                               if r["arrival_p99_us"] is not None]),
            "dropped": max(r["dropped"] for r in results),
        }
    module = table.get(MODULE, {}).get("cpu_us_per_event")
    for row in table.values():
        if module and row["cpu_us_per_event"] is not None:
            row["cpu_vs_module"] = row["cpu_us_per_event"] / module
    return table


def _cell(value: Optional[float], text: str = "%.0f") -> str:
    return "-" if value is None else text % value


def format_table(rate: int, table: Dict[str, Dict[str, Any]]) -> str:
    """One rate's summary as a text table."""
    head = "%-18s %9s %8s %10s %17s %17s %8s" % (
        "client", "cpu us/ev", "vs mod", "delivered", "edge lat p50/p99", "arrival p50/p99",
        "dropped")
    lines = ["%d edges/s offered" % rate, head, "-" * len(head)]
    for kind, row in table.items():
        lines.append("%-18s %9s %8s %10d %17s %17s %8d" % (
            kind, _cell(row["cpu_us_per_event"], "%.2f"),
            _cell(row.get("cpu_vs_module"), "%.2fx"), row["delivered"],
            "%s/%s" % (_cell(row["edge_latency_p50_us"]), _cell(row["edge_latency_p99_us"])),
            "%s/%s" % (_cell(row["arrival_latency_p50_us"]),
                       _cell(row["arrival_latency_p99_us"])),
            row["dropped"]))
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    """The command-line parser of ``pigpiod-py bench events``."""
    p = argparse.ArgumentParser(prog="pigpiod-py bench events", description=__doc__)
    add_daemon_options(p)
    p.add_argument("--gpio", type=int, default=21)
    p.add_argument("--rates", default="16000,100000",
                   help="edges per second offered, comma-separated (default 16000,100000)")
    p.add_argument("--seconds", type=float, default=2.0, help="length of each stream")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--sample-rate", type=int, default=1, choices=(1, 2, 4, 5, 8, 10),
                   help="the simulator's sample period in us (edges faster than it are not seen)")
    p.add_argument("--no-nagle", dest="nagle", action="store_false",
                   help="the simulator sends each batch of reports at once (by default it "
                        "sends them with Nagle's algorithm on, as pigpiod does)")
    return p


def main(argv: Optional[List[str]] = None) -> int:
    """Run the event benchmark on the daemon :func:`pigpiod_py.target.daemon_target` picks."""
    args = parser().parse_args(argv)
    rates = [int(r) for r in args.rates.split(",")]
    progress = Progress(args.progress)
    results: Dict[int, Dict[str, Dict[str, Any]]] = {}
    simulator_options = ["--sample-rate", str(args.sample_rate)]
    if args.nagle:
        simulator_options.append("--nagle-reports")
    with daemon_target(args.host, args.port, *simulator_options, control=True) as target:
        if target.control_port is None:
            import pigpiod_py

            with pigpiod_py.open(target.host, target.port) as pwm:
                where = "%s, software PWM on gpio %d" % (target.description, args.gpio)
                say_where(args, where)
                for rate in rates:
                    offered = 2 * pwm.set_pwm_frequency(args.gpio, rate // 2)
                    runs = measure(target.host, target.port, args.gpio, offered, args.seconds,
                                   args.rounds, lambda n: pwm.set_pwm_dutycycle(args.gpio, 128),
                                   progress)
                    pwm.set_pwm_dutycycle(args.gpio, 0)
                    results[offered] = summarise(runs, int(offered * args.seconds))
        else:
            from ..sim.control import SimControl

            where = "%s, its edge rig" % target.description
            say_where(args, where)
            with SimControl(target.host, target.control_port) as control:
                for rate in rates:
                    runs = measure(target.host, target.port, args.gpio, rate, args.seconds,
                                   args.rounds, _stream(control, args.gpio, rate), progress)
                    results[rate] = summarise(runs, int(rate * args.seconds))
    wakes = {ms: wake_cost_us(ms / 1000) for ms in WAKE_PAUSES_MS}
    if args.json:
        print(json.dumps({"daemon": where, "machine": machine(), "seconds": args.seconds,
                          "rounds": args.rounds, "wake_cost_us": wakes, "results": results},
                         indent=2))
    else:
        print("%.1f s streams, %d rounds, medians; machine: %s" % (args.seconds, args.rounds,
                                                                  machine()))
        print("a thread's wake-up costs this much CPU here: %s; a busy stream wakes its "
              "consumer, which reads the socket itself, once per gather (up to 16 ms by default), the "
              "pigpio module's thread at each batch the daemon sends (about every 1 ms)"
              % ", ".join("%.0f us after a %d ms sleep" % (us, ms) for ms, us in wakes.items()))
        for rate, table in results.items():
            print()
            print(format_table(rate, table))
    return 0


#: Sleeps (ms) whose wake-up cost the benchmark reports: the longer a
#: thread sleeps, the colder its caches when it wakes (on a VM above all).
WAKE_PAUSES_MS = (1, 4, 16)


def wake_cost_us(pause: float, count: int = 125) -> float:
    """CPU (µs) a thread spends per wake-up from a ``pause``-second sleep here:
    the fixed cost each gather cycle pays."""
    start = time.thread_time()
    for _ in range(count):
        time.sleep(pause)
    return (time.thread_time() - start) * 1e6 / count


def _stream(control: Any, gpio: int, rate: int) -> Callable[[int], Any]:
    """Start ``n`` edges at ``rate`` on the simulator's rig."""
    return lambda n: control.edges(gpio, n, rate)


def say_where(args: argparse.Namespace, where: str) -> None:
    """The first line of the text output: which daemon and edge source."""
    if not args.json:
        print("Events benchmark against %s" % where, flush=True)

if __name__ == "__main__":
    sys.exit(main())

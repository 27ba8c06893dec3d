"""Toggle benchmark: this binding vs a C loop on libpigpiod_if2 vs the pigpio
Python module vs batched toggles, against the same daemon in one run.

Each client runs in its own process for several rounds (in a rotating order,
so drift on a shared machine hits them alike); the table shows medians and
ratios. CPU is the client process's own user and system time in its loop.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional

from ..progress import Progress
from ..target import daemon_target
from . import add_daemon_options
from .clients import CLIENTS

C_LOOP = "C libpigpiod_if2"
SOURCE = Path(__file__).with_name("toggle_loop.c")


def compile_c_loop(workdir: str) -> Optional[str]:
    """Build the C baseline; None (and a note on stderr) when impossible."""
    compiler = shutil.which(os.environ.get("CC", "cc"))
    if compiler is None:
        print("note: no C compiler, the C baseline is skipped", file=sys.stderr)
        return None
    exe = os.path.join(workdir, "toggle_loop")
    prefix = os.environ.get("PIGPIOD_PREFIX")
    flags = ["-I%s/include" % prefix, "-L%s/lib" % prefix, "-Wl,-rpath,%s/lib" % prefix] if prefix else []
    build = subprocess.run(
        [compiler, "-O2", "-o", exe, str(SOURCE), *flags, "-lpigpiod_if2", "-lpthread"],
        capture_output=True, text=True,
    )
    if build.returncode:
        print("note: the C baseline did not build:\n" + build.stderr, file=sys.stderr)
        return None
    return exe


def run_client(command: List[str]) -> Dict[str, float]:
    """Run one client command and return the JSON result it prints last."""
    out = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if out.returncode:
        raise RuntimeError("%s failed: %s" % (command, out.stderr.strip()))
    result: Dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def measure(host: str, port: int, gpio: int, count: int, rounds: int,
            include: List[str], progress: Optional[Progress] = None) -> Dict[str, List[Dict[str, float]]]:
    """Run every client ``rounds`` times; the raw figures per client."""
    with tempfile.TemporaryDirectory() as workdir:
        commands: Dict[str, List[str]] = {}
        for kind in include:
            if kind == C_LOOP:
                exe = compile_c_loop(workdir)
                if exe:
                    commands[kind] = [exe, host, str(port), str(gpio), str(count)]
            else:
                commands[kind] = [sys.executable, "-m", "pigpiod_py.bench.clients",
                                  kind, host, str(port), str(gpio), str(count)]
        runs: Dict[str, List[Dict[str, float]]] = {kind: [] for kind in commands}
        kinds = list(commands)
        for r in range(rounds):
            order = kinds[r % len(kinds):] + kinds[:r % len(kinds)]
            for kind in order:
                scale = 10 if kind == "pigpiod_py batched" else 1
                cmd = list(commands[kind])
                cmd[-1] = str(count * scale)
                runs[kind].append(run_client(cmd))
            if progress is not None:
                progress.show("toggle benchmark: round %d/%d done" % (r + 1, rounds))
        if progress is not None:
            progress.end()
        return runs


def summarise(runs: Dict[str, List[Dict[str, float]]]) -> Dict[str, Dict[str, float]]:
    """Medians per client and the ratios the project's targets are set in."""
    table: Dict[str, Dict[str, float]] = {}
    for kind, results in runs.items():
        rates = [r["toggles"] / r["seconds"] for r in results]
        user = [1e6 * r["user"] / r["toggles"] for r in results]
        total = [1e6 * (r["user"] + r["system"]) / r["toggles"] for r in results]
        table[kind] = {
            "toggles_per_s": statistics.median(rates),
            "user_us_per_toggle": statistics.median(user),
            "cpu_us_per_toggle": statistics.median(total),
            "rounds": len(results),
        }
    c_rate = table.get(C_LOOP, {}).get("toggles_per_s")
    module = table.get("pigpio module")
    for row in table.values():
        if c_rate:
            row["vs_c"] = row["toggles_per_s"] / c_rate
        if module and module["user_us_per_toggle"] > 0:  # short runs may measure no CPU
            row["user_vs_module"] = row["user_us_per_toggle"] / module["user_us_per_toggle"]
        if module and module["cpu_us_per_toggle"] > 0:
            row["cpu_vs_module"] = row["cpu_us_per_toggle"] / module["cpu_us_per_toggle"]
    return table


def format_table(table: Dict[str, Dict[str, float]]) -> str:
    """The summary as a text table."""
    head = "%-20s %12s %8s %12s %12s %10s %10s" % (
        "client", "toggles/s", "vs C", "user us/tgl", "cpu us/tgl", "user/mod", "cpu/mod")
    lines = [head, "-" * len(head)]
    for kind, row in table.items():
        lines.append("%-20s %12.0f %8s %12.2f %12.2f %10s %10s" % (
            kind, row["toggles_per_s"],
            "%.2fx" % row["vs_c"] if "vs_c" in row else "-",
            row["user_us_per_toggle"], row["cpu_us_per_toggle"],
            "%.2f" % row["user_vs_module"] if "user_vs_module" in row else "-",
            "%.2f" % row["cpu_vs_module"] if "cpu_vs_module" in row else "-",
        ))
    return "\n".join(lines)


def machine() -> str:
    """One line about the machine the figures come from."""
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("model name", "Model")):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return "%s, %d cores, Python %s" % (cpu, os.cpu_count() or 0, sys.version.split()[0])


def parser() -> argparse.ArgumentParser:
    """The command-line parser of ``pigpiod-py bench toggle``."""
    p = argparse.ArgumentParser(prog="pigpiod-py bench toggle", description=__doc__)
    add_daemon_options(p)
    p.add_argument("--gpio", type=int, default=17)
    p.add_argument("--count", type=int, default=20000, help="toggles per round and client")
    p.add_argument("--rounds", type=int, default=5)
    return p


def main(argv: Optional[List[str]] = None) -> int:
    """Run the toggle benchmark on the daemon :func:`pigpiod_py.target.daemon_target` picks."""
    args = parser().parse_args(argv)
    include = [C_LOOP, *CLIENTS]
    with daemon_target(args.host, args.port) as target:
        if not args.json:
            print("Toggle benchmark against %s; %d rounds of %d toggles, medians"
                  % (target.description, args.rounds, args.count), flush=True)
        runs = measure(target.host, target.port, args.gpio, args.count, args.rounds, include,
                       Progress(args.progress))
    table = summarise(runs)
    if args.json:
        print(json.dumps({"daemon": target.description, "machine": machine(), "results": table,
                          "raw": runs}, indent=2))
    else:
        print("(batched rounds use 10x the toggles); machine: %s\n" % machine())
        print(format_table(table))
    return 0

if __name__ == "__main__":
    sys.exit(main())

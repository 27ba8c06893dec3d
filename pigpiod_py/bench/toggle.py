"""Toggle benchmark: this binding vs a C loop on libpigpiod_if2 vs the pigpio
Python module vs batched toggles vs a wave, against each daemon named.

Daemons (``--daemon``, repeatable; default ``c`` and ``auto``): the C
reference responder, which answers at once, so the clients' own cost shows;
the simulator or a pigpiod, the whole system (see :mod:`.daemons`).

Each client runs in its own process for several rounds, in a rotating order
so that drift on a shared machine hits them alike; the tables show medians
and ratios. CPU is the client process's own user and system time in its
loop. The raw pipelined ceiling is a C client sending pre-encoded writes a
window at a time: no client pipelines faster against that daemon.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional

from ..progress import Progress
from . import add_daemon_options
from .clients import CLIENTS, WAVE_STEP_US
from .daemons import (
    C_RESPONDER,
    HERE,
    Daemon,
    add_cpu_option,
    compile_c,
    daemon_spec,
    library_flags,
    open_daemon,
    pin,
)

C_LOOP = "C libpigpiod_if2"
CEILING = "raw pipelined (C)"
MODULE = "pigpio module"
OURS = "pigpiod_py"
BATCHED = ("pigpiod_py batched", "pigpiod_py write_levels")
WAVE = "pigpiod_py wave"
#: Clients that pipeline run this many times the toggles of the others.
PIPELINED_SCALE = 10
#: A client that reaches this share of the ceiling is paced by the daemon.
DAEMON_BOUND = 0.8

Runs = Dict[str, List[Dict[str, float]]]
Table = Dict[str, Dict[str, float]]


def run_client(command: List[str]) -> Dict[str, float]:
    """Run one client command and return the JSON result it prints last."""
    out = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if out.returncode:
        raise RuntimeError("%s failed: %s" % (command, out.stderr.strip()))
    result: Dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def client_commands(daemon: Daemon, gpio: int, count: int,
                    programs: Dict[str, str]) -> Dict[str, List[str]]:
    """The command line of every client against ``daemon`` (the C ones
    that were built; no wave against the C responder, which makes none)."""
    where = [daemon.host, str(daemon.port), str(gpio)]
    commands = {kind: [exe, *where, str(count * (PIPELINED_SCALE if kind == CEILING else 1))]
                for kind, exe in programs.items()}
    for kind in CLIENTS:
        if kind == WAVE and daemon.kind == C_RESPONDER:
            continue
        scale = PIPELINED_SCALE if kind in BATCHED else 1
        commands[kind] = [sys.executable, "-m", "pigpiod_py.bench.clients", kind, *where,
                          str(count * scale)]
    return commands


def measure(commands: Dict[str, List[str]], rounds: int, progress: Optional[Progress] = None,
            label: str = "") -> Runs:
    """Run every client ``rounds`` times in a rotating order; the raw figures per client."""
    runs: Runs = {kind: [] for kind in commands}
    kinds = list(commands)
    for r in range(rounds):
        for kind in kinds[r % len(kinds):] + kinds[:r % len(kinds)]:
            runs[kind].append(run_client(commands[kind]))
        if progress is not None:
            progress.show("toggle benchmark%s: round %d/%d done" % (label, r + 1, rounds))
    return runs


def _median(results: List[Dict[str, float]], field: str, per: str = "toggles",
            scale: float = 1e6) -> float:
    return statistics.median(scale * r[field] / r[per] for r in results)


def summarise(runs: Runs) -> Table:
    """Medians per client and the ratios the project's targets are set in."""
    table: Table = {}
    for kind, results in runs.items():
        seconds = "wave_seconds" if kind == WAVE else "seconds"
        row = table[kind] = {
            "toggles_per_s": statistics.median(r["toggles"] / r[seconds] for r in results),
            "user_us_per_toggle": _median(results, "user"),
            "system_us_per_toggle": _median(results, "system"),
            "cpu_us_per_toggle": statistics.median(1e6 * (r["user"] + r["system"]) / r["toggles"]
                                                   for r in results),
            "wall_us_per_toggle": _median(results, "seconds"),
            "rounds": len(results),
        }
        if kind == WAVE:
            row["setup_ms"] = statistics.median(1e3 * r["setup_seconds"] for r in results)
            row["toggles"] = results[0]["toggles"]
    c_rate = table.get(C_LOOP, {}).get("toggles_per_s")
    module = table.get(MODULE)
    ceiling = table.get(CEILING, {}).get("toggles_per_s")
    for kind, row in table.items():
        if c_rate:
            row["vs_c"] = row["toggles_per_s"] / c_rate
        if module and module["user_us_per_toggle"] > 0:  # short runs may measure no CPU
            row["user_vs_module"] = row["user_us_per_toggle"] / module["user_us_per_toggle"]
        if module and module["cpu_us_per_toggle"] > 0:
            row["cpu_vs_module"] = row["cpu_us_per_toggle"] / module["cpu_us_per_toggle"]
        if ceiling and kind in (*BATCHED, CEILING):
            row["vs_ceiling"] = row["toggles_per_s"] / ceiling
    return table


def _ratio(row: Dict[str, float], key: str, suffix: str = "") -> str:
    return "%.2f%s" % (row[key], suffix) if key in row else "-"


def format_table(table: Table) -> str:
    """One daemon's summary as a text table."""
    head = "%-24s %11s %7s %9s %9s %9s %8s %8s %8s" % (
        "client", "toggles/s", "vs C", "user us", "sys us", "cpu us", "user/mod", "cpu/mod",
        "/ceiling")
    lines = [head, "-" * len(head)]
    for kind, row in table.items():
        lines.append("%-24s %11.0f %7s %9.2f %9.2f %9.2f %8s %8s %8s" % (
            kind, row["toggles_per_s"], _ratio(row, "vs_c", "x"), row["user_us_per_toggle"],
            row["system_us_per_toggle"], row["cpu_us_per_toggle"], _ratio(row, "user_vs_module"),
            _ratio(row, "cpu_vs_module"), _ratio(row, "vs_ceiling")))
    lines.append("(us: microseconds of the client's CPU per toggle, user and system)")
    return "\n".join(lines)


def _cell(table: Table, kind: str) -> str:
    row = table.get(kind)
    if row is None:
        return "-"
    if kind in BATCHED:
        share = ", %.2f of ceiling" % row["vs_ceiling"] if "vs_ceiling" in row else ""
        return "%.1fx C (%.0fk/s%s)" % (row.get("vs_c", 0), row["toggles_per_s"] / 1e3, share)
    return "%.2fx C" % row["vs_c"] if "vs_c" in row else "%.0f/s" % row["toggles_per_s"]


def format_summary(tables: Dict[str, Table]) -> str:
    """The clients against every daemon, one line each (the issue's table)."""
    head = "| against | C loop | %s | %s | %s | %s | raw pipelined ceiling |" % (
        OURS, MODULE, *BATCHED)
    lines = [head, "|---" * 7 + "|"]
    for daemon, table in tables.items():
        c_loop, ceiling = table.get(C_LOOP), table.get(CEILING)
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            daemon, "%.0f/s" % c_loop["toggles_per_s"] if c_loop else "-", _cell(table, OURS),
            _cell(table, MODULE), _cell(table, BATCHED[0]), _cell(table, BATCHED[1]),
            "%.0fk writes/s" % (ceiling["toggles_per_s"] / 1e3) if ceiling else "-"))
    return "\n".join(lines)


def notes(kind: str, table: Table, reference: Optional[Table]) -> List[str]:
    """What sets the pace against this daemon: the daemon or the clients.
    ``reference`` is the C responder's table of the same run, if any."""
    found = []
    c_loop = table.get(C_LOOP)
    ref_loop = (reference or {}).get(C_LOOP)
    if c_loop and ref_loop and kind != C_RESPONDER and \
            c_loop["toggles_per_s"] < 0.9 * ref_loop["toggles_per_s"]:
        found.append("single commands are paced by the daemon: its round trip takes %.0f us, the "
                     "C responder's %.0f us, and the C loop itself spends %.1f us of CPU per toggle"
                     % (c_loop["wall_us_per_toggle"], ref_loop["wall_us_per_toggle"],
                        c_loop["cpu_us_per_toggle"]))
    for batched in BATCHED:
        row = table.get(batched)
        if row and row.get("vs_ceiling", 0) >= DAEMON_BOUND:
            found.append("%s reaches %.2f of the raw pipelined ceiling: the daemon, not the client, "
                         "sets its pace" % (batched, row["vs_ceiling"]))
    ceiling, ref_ceiling = table.get(CEILING), (reference or {}).get(CEILING)
    if kind != C_RESPONDER and ceiling and ref_ceiling and \
            ceiling["toggles_per_s"] < ref_ceiling["toggles_per_s"]:
        found.append("its pipelined ceiling is %.2fx the C responder's" %
                     (ceiling["toggles_per_s"] / ref_ceiling["toggles_per_s"]))
    wave = table.get(WAVE)
    if wave:
        found.append("the wave path: %d toggles %d us apart, set up in %.1f ms (%.2f us of CPU per "
                     "toggle), then sent by the daemon with no per-toggle traffic: %.0f toggles/s, "
                     "exact in time" % (wave["toggles"], WAVE_STEP_US, wave["setup_ms"],
                                        wave["cpu_us_per_toggle"], wave["toggles_per_s"]))
    return found


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
    load = "load %.2f" % os.getloadavg()[0] if hasattr(os, "getloadavg") else ""
    return "%s, %d cores, Python %s, %s" % (cpu, os.cpu_count() or 0, sys.version.split()[0], load)


def c_programs(workdir: str) -> Dict[str, str]:
    """The C clients that could be built: the libpigpiod_if2 loop and the ceiling."""
    programs = {}
    loop = compile_c(workdir, "toggle_loop", [HERE / "toggle_loop.c"], library_flags())
    if loop:
        programs[C_LOOP] = loop
    pipelined = compile_c(workdir, "pipelined", [HERE / "pipelined.c"])
    if pipelined:
        programs[CEILING] = pipelined
    return programs


def parser() -> argparse.ArgumentParser:
    """The command-line parser of ``pigpiod-py bench toggle``."""
    p = argparse.ArgumentParser(prog="pigpiod-py bench toggle", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    add_daemon_options(p)
    p.add_argument("--daemon", action="append", type=daemon_spec, metavar="c|sim|auto|HOST:PORT",
                   help="a daemon to run against (repeatable; default: c and auto): c is the C "
                        "reference responder, auto is --host / PIGPIO_ADDR, else a pigpiod on "
                        "localhost, else the simulator")
    p.add_argument("--gpio", type=int, default=17)
    p.add_argument("--count", type=int, default=20000,
                   help="toggles per round and client (pipelining clients: %dx)" % PIPELINED_SCALE)
    p.add_argument("--rounds", type=int, default=5)
    add_cpu_option(p)
    return p


def main(argv: Optional[List[str]] = None) -> int:
    """Run the toggle benchmark against every daemon named."""
    args = parser().parse_args(argv)
    pin(args.cpu)
    progress = Progress(args.progress)
    reports = []
    tables: Dict[str, Table] = {}
    reference: Optional[Table] = None
    with tempfile.TemporaryDirectory() as workdir, contextlib.ExitStack() as stack:
        daemons = [daemon for spec in args.daemon or [C_RESPONDER, "auto"]
                   if (daemon := stack.enter_context(open_daemon(spec, workdir, args.host, args.port)))]
        if not args.json:
            print("Toggle benchmark against %s; %d rounds of %d toggles (pipelining clients %dx), "
                  "medians\nmachine: %s" % (" and ".join(d.description for d in daemons), args.rounds,
                                             args.count, PIPELINED_SCALE, machine()), flush=True)
        programs = c_programs(workdir)
        for daemon in daemons:
            commands = client_commands(daemon, args.gpio, args.count, programs)
            runs = measure(commands, args.rounds, progress, " (%s)" % daemon.label)
            progress.end()
            table = summarise(runs)
            found = notes(daemon.kind, table, reference)
            if daemon.kind == C_RESPONDER:
                reference = table
            tables[daemon.label] = table
            reports.append({"daemon": daemon.description, "kind": daemon.kind, "results": table,
                            "notes": found, "raw": runs})
            if not args.json:
                print("\nAgainst %s:" % daemon.description)
                print(format_table(table))
                for note in found:
                    print("- " + note)
                print(flush=True)
    if args.json:
        print(json.dumps({"machine": machine(), "count": args.count, "rounds": args.rounds,
                          "daemons": reports}, indent=2))
    else:
        print("Summary (batched columns: toggles per second, and share of the ceiling):")
        print(format_summary(tables))
    return 0


if __name__ == "__main__":
    sys.exit(main())

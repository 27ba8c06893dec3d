"""Guard benchmark: what the command guard (include/pgd_guard.c) costs per
command, measured in C against the C reference responder.

It compiles guard_cost.c with the binding's own C and the guarded wrappers
build_ffi.py generates, so it needs a source checkout (the wheel carries
neither). Compared: libpigpiod_if2's gpio_write() on the shim's connection
(no guard) and the binding's pgd_gpio_write(); then the guard's enter/leave
pair on its own, and its parts. Medians of rotating rounds.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Dict, List, Optional

from .daemons import C_RESPONDER, HERE, add_cpu_option, compile_c, library_flags, open_daemon, pin
from .toggle import machine

SOURCE_TREE = HERE.parent.parent
GUARD_SOURCES = ("pgd_net.c", "pgd_guard.c", "pgd_shim.c")
#: The budget of the guard per command, in µs of wall time (DESIGN.md).
BUDGET_US = 1.0
ROWS = (
    ("raw", "gpio_write(), no guard (a round trip)"),
    ("guarded", "pgd_gpio_write(): the same call in the guard"),
    ("enter_leave", "the guard alone: enter + leave"),
    ("sigmask_pair", "  its signal mask pair (2 syscalls)"),
    ("sigpending", "  sigpending() (only after EPIPE now)"),
    ("clock", "  its clock read"),
    ("lock_pair", "  its call lock pair"),
)


def _build_ffi() -> Optional[ModuleType]:
    """build_ffi.py of the source tree, or None outside a checkout."""
    path = SOURCE_TREE / "build_ffi.py"
    if not path.is_file() or not (SOURCE_TREE / "include" / "pgd_guard.c").is_file():
        return None
    spec = importlib.util.spec_from_file_location("build_ffi", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(workdir: str) -> Optional[str]:
    """guard_cost linked with the binding's C; None (with a note) when impossible."""
    build_ffi = _build_ffi()
    if build_ffi is None:
        print("note: the guard benchmark needs a source checkout (include/, build_ffi.py)",
              file=sys.stderr)
        return None
    header = build_ffi.find_header()
    _, wrappers = build_ffi.guard_wrappers(build_ffi.guarded(build_ffi.prototypes(header.read_text())))
    generated = Path(workdir) / "guard_wrappers.c"
    generated.write_text('#include "pigpiod_if2.h"\n#include "pgd_guard.h"\n#include "pgd_shim.h"\n'
                         + wrappers)
    include = SOURCE_TREE / "include"
    sources = [HERE / "guard_cost.c", *(include / name for name in GUARD_SOURCES), generated]
    flags = [*build_ffi.compile_args(), "-I%s" % include, "-I%s" % header.parent,
             *library_flags(), *build_ffi.atomic_link_args()]
    return compile_c(workdir, "guard_cost", sources, flags)


def format_costs(costs: Dict[str, Dict[str, float]]) -> str:
    """The costs as a text table, with the verdict on the budget."""
    head = "%-48s %9s %9s %9s" % ("per call", "wall us", "user us", "sys us")
    lines = [head, "-" * len(head)]
    for key, label in ROWS:
        row = costs[key]
        lines.append("%-48s %9.3f %9.3f %9.3f" % (label, row["wall_us"], row["user_us"],
                                                  row["system_us"]))
    lines.append("")
    cost = costs["enter_leave"]["wall_us"]
    lines.append("The guard costs %.2f us per command (enter + leave; a round trip varies more "
                 "than that from run to run): %s the %.0f us budget."
                 % (cost, "within" if cost < BUDGET_US else "over", BUDGET_US))
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    """The command-line parser of ``pigpiod-py bench guard``."""
    p = argparse.ArgumentParser(prog="pigpiod-py bench guard", description=__doc__)
    p.add_argument("--count", type=int, default=20000, help="round trips per round and kind")
    p.add_argument("--rounds", type=int, default=5, help="rounds (1-64)")
    p.add_argument("--gpio", type=int, default=17)
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    add_cpu_option(p)
    return p


def main(argv: Optional[List[str]] = None) -> int:
    """Run the guard benchmark; 1 when it cannot be built here."""
    args = parser().parse_args(argv)
    pin(args.cpu)
    with tempfile.TemporaryDirectory() as workdir:
        exe = build(workdir)
        if exe is None:
            return 1
        with open_daemon(C_RESPONDER, workdir) as daemon:
            if daemon is None:
                return 1
            out = subprocess.run([exe, daemon.host, str(daemon.port), str(args.gpio),
                                  str(args.count), str(args.rounds)],
                                 capture_output=True, text=True, timeout=600)
    if out.returncode:
        print("guard_cost failed: %s" % out.stderr.strip(), file=sys.stderr)
        return 1
    costs = json.loads(out.stdout)
    if args.json:
        print(json.dumps({"machine": machine(), "budget_us": BUDGET_US, **costs}, indent=2))
    else:
        print("Guard benchmark against the C reference responder; %d rounds of %d calls, medians\n"
              "machine: %s\n" % (args.rounds, args.count, machine()))
        print(format_costs(costs))
    return 0


if __name__ == "__main__":
    sys.exit(main())

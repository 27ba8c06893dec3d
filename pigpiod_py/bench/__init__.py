"""Benchmarks, measured side by side: ``python -m pigpiod_py bench NAME`` (see :data:`BENCHMARKS`)."""
from __future__ import annotations

import argparse

from ..progress import add_progress_option
from ..target import add_address_options

#: Each benchmark: its module in this package and what it measures.
BENCHMARKS = {
    "toggle": "gpio writes per second: this binding, the pigpio module and C, side by side",
    "guard": "the command guard's cost, in C (needs a checkout)",
    "events": "events delivered per second and their latency, vs the pigpio module",
    "soak": "mixed commands from threads plus an edge stream, checked for losses",
    "sim": "the simulator: pipelined commands per second and the round trip",
    "reports": "the simulator streaming notification reports to raw or pigpio module clients",
}


def add_daemon_options(parser: argparse.ArgumentParser) -> None:
    """The options every benchmark takes: where the daemon is, --json and --progress."""
    add_address_options(parser)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    add_progress_option(parser)

"""Benchmarks, measured side by side (toggle, guard, events, soak)."""
from __future__ import annotations

import argparse

from ..progress import add_progress_option
from ..target import add_address_options


def add_daemon_options(parser: argparse.ArgumentParser) -> None:
    """The options every benchmark takes: where the daemon is, --json and --progress."""
    add_address_options(parser)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    add_progress_option(parser)

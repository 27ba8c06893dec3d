"""Benchmarks, measured side by side against one daemon (toggle, events, soak)."""
from __future__ import annotations

import argparse


def add_daemon_options(parser: argparse.ArgumentParser) -> None:
    """The options every benchmark takes: where the daemon is, and --json."""
    parser.add_argument("--host", help="daemon address (default: a simulator started here)")
    parser.add_argument("--port", type=int, default=8888)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")

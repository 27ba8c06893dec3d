"""``python -m pigpiod_py.sim`` / ``pigpiod-sim``: run the simulator until signalled.

The first line on stdout is ``listening HOST PORT control HOST PORT`` (the
control fields are ``- -`` without a control port).  ``-n`` names resolve to
their first IPv4 address, as pigpiod's; ``--host ::`` (or another IPv6
address) listens dual-stack, so IPv4 clients connect too; the allow list
holds IPv4 addresses only (an IPv4 client of a dual-stack socket is matched
by its IPv4 address, an IPv6 client never matches), as pigpiod's.
"""
from __future__ import annotations

import argparse
import dataclasses
import signal
import sys

from .config import SAMPLE_RATES, SimConfig, parse_int
from .simulator import DEFAULT_HOST, Simulator
from .. import _numbers as lib

_STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pigpiod-sim", description="A pigpiod-compatible simulated Raspberry Pi.")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to listen on (default %(default)s)")
    parser.add_argument("--port", type=int, default=lib.PI_DEFAULT_SOCKET_PORT,
                        help="command port, 0 for a free one (default %(default)s)")
    parser.add_argument("--control-port", type=int, default=None,
                        help="JSON-lines control port, 0 for a free one (default: none)")
    parser.add_argument("--control-host", default=DEFAULT_HOST,
                        help="address the control port listens on (default %(default)s, "
                             "whatever --host is)")
    parser.add_argument("--revision", type=parse_int, default=None,
                        help="hardware revision code, e.g. 0xc03111 (Pi 4B)")
    parser.add_argument("--config", help="JSON configuration file")
    parser.add_argument("--sample-rate", type=int, choices=SAMPLE_RATES, default=None,
                        help="sample period in µs (default 5)")
    parser.add_argument("--fifo-dir", default=None,
                        help="where NO makes its FIFOs pigpio<N> (default /dev when "
                             "writable, else a temporary directory)")
    parser.add_argument("--pipe-dir", default=None,
                        help="where to make the command pipe's FIFOs pigpio, pigout and "
                             "pigerr (pigpiod: /dev; default: no command pipe)")
    parser.add_argument("--files-dir", default=None,
                        help="directory holding the files clients open (default: none)")
    parser.add_argument("--access-file", default=None,
                        help="access-permits file for FO/FL (default: none, no access)")
    parser.add_argument("-n", "--allow", action="append", default=None, metavar="ADDR",
                        help="allow only this client address (repeatable; like pigpiod -n)")
    parser.add_argument("-l", "--localhost-only", action="store_true", default=None,
                        help="listen on the loopback interface only (like pigpiod -l)")
    parser.add_argument("--shell-dir", default=None,
                        help="the only directory SHELL runs scripts from (default: refused)")
    parser.add_argument("--nagle-reports", action="store_true", default=None,
                        help="send notification reports with Nagle's algorithm on, as pigpiod "
                             "does (default: off, each batch at once)")
    return parser


def _with_options(config: SimConfig, args: argparse.Namespace) -> SimConfig:
    """``config`` with the file, shell, access and report options of the command line."""
    changes = {key: getattr(args, key)
               for key in ("files_dir", "access_file", "shell_dir", "allow", "localhost_only",
                           "pipe_dir", "nagle_reports")
               if getattr(args, key) is not None}
    return dataclasses.replace(config, **changes)


def main(argv: list[str] | None = None) -> int:
    """Run the simulator until SIGINT/SIGTERM; return the exit status."""
    args = _parser().parse_args(argv)
    # Blocked in every thread (they inherit it), taken by sigwait below.
    signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        config = _with_options(SimConfig.load(args.config) if args.config else SimConfig(), args)
        simulator = Simulator(args.host, args.port, args.revision, config, args.control_port,
                              args.sample_rate, args.fifo_dir, args.control_host)
        simulator.start()
    except (OSError, ValueError) as exc:
        print(f"pigpiod-sim: {exc}", file=sys.stderr)
        return 1
    control = simulator.control_address
    print("listening %s %d control %s" % (simulator.host, simulator.port,
                                          "- -" if control is None else "%s %d" % control),
          flush=True)
    signal.sigwait(_STOP_SIGNALS)
    simulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

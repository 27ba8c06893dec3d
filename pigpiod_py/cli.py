"""Command line: ``python -m pigpiod_py`` / ``pigpiod-py``.

Subcommands: ``demo`` (a short tour plus the toggle benchmark), ``info``
(what the daemon reports), ``scan [host[:port] ...]`` (the startup layer's
picture as a tree), ``bench`` (benchmarks), ``sim`` (the simulator),
``monitor GPIO ...`` (a live edge log), ``record --vcd FILE GPIO ...`` (edges
to a VCD file, ``--png FILE`` a timing diagram).
Without a daemon address (``--host`` or ``PIGPIO_ADDR``) ``demo``, ``bench``,
``monitor`` and ``record`` start the built-in simulator.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import Any, Dict, Iterator, List, Optional, Tuple

from . import boards
from .session import open as open_session


@contextlib.contextmanager
def daemon_address(host: Optional[str], port: int) -> Iterator[Tuple[str, int, str]]:
    """(host, port, description) of the daemon to use, starting the simulator
    when no address was given."""
    host = host or os.environ.get("PIGPIO_ADDR")
    if host:
        yield host, port, "pigpiod at %s:%d" % (host, port)
        return
    from .simprocess import SimulatorProcess

    with SimulatorProcess(control=False) as sim:
        yield sim.host, sim.port, "the built-in simulator (%s:%d)" % (sim.host, sim.port)


def info(host: str, port: int, where: str) -> None:
    """Print what the daemon says about itself."""
    with open_session(host, port) as pi:
        revision = pi.hardware_revision()
        print("daemon:            %s" % where)
        print("pigpio version:    %d" % pi.pigpio_version())
        print("libpigpiod_if2:    interface %d" % pi.library_version())
        print("hardware revision: 0x%06x (%s)" % (revision, boards.describe(revision)))
        print("tick:              %d us" % pi.tick())


def demo(host: str, port: int, where: str) -> None:
    """A short tour of the core API."""
    from .constants import Mode, Pull

    info(host, port, where)
    with open_session(host, port) as pi:
        print("\ngpio 17 as output, high then low:", end=" ")
        pi.write(17, 1)
        high = pi.read(17)
        pi.write(17, 0)
        print(high, pi.read(17))
        pi.set_mode(22, Mode.INPUT)
        pi.set_pull(22, Pull.UP)
        print("gpio 22 input with pull-up reads", pi.read(22))
        freq = pi.set_pwm_frequency(18, 1000)
        real = pi.set_pwm_range(18, 1000)
        pi.set_pwm_dutycycle(18, 250)
        print("PWM on gpio 18: %d Hz, dutycycle %d/%d (real range %d)"
              % (freq, pi.get_pwm_dutycycle(18), pi.get_pwm_range(18), real))
        pi.set_servo_pulsewidth(23, 1500)
        print("servo on gpio 23: %d us" % pi.get_servo_pulsewidth(23))
        with pi.batch() as batch:
            for level in (1, 0, 1, 0):
                batch.write(24, level).read(24)
        print("batch of 8 commands, one write:", batch.results)
        try:
            pi.write(99, 1)
        except ValueError as exc:
            print("bad input is a typed error:", repr(exc))


def scan(addresses: List[str]) -> int:
    """Print every daemon's buses and devices as a tree (from the startup
    layer's first events)."""
    from .startup import Startup, daemons_from_environment, parse_address

    default_port = int(os.environ.get("PIGPIO_PORT") or 8888)
    daemons = [parse_address(item, default_port) for item in addresses]
    startup = Startup(daemons or daemons_from_environment())
    nodes: Dict[int, Dict[str, Any]] = {}
    children: Dict[Optional[int], List[int]] = {}
    while True:
        event = startup.pull(0.2)
        if event is None:
            break
        if event["type"] in ("bus_attach", "device_attach"):
            nodes[event["id"]] = event
            children.setdefault(event["bus"], []).append(event["id"])

    def show(node_id: int, depth: int) -> None:
        event = nodes[node_id]
        if event["type"] == "bus_attach" and event["bus_type"] == "pigpiod":
            label = "pigpiod %s:%d" % (startup.call(node_id, "host"), startup.call(node_id, "port"))
        elif event["type"] == "bus_attach":
            label = " ".join(filter(None, (event["bus_type"], event["address"], "bus")))
        elif event["device_type"] == "gpio":
            label = "gpio %s" % event["address"]
        else:
            label = "%s %s" % (event["device_type"], event["address"])
        print("%s%s  [id %d]" % ("  " * depth, label, node_id))
        for child in children.get(node_id, []):
            show(child, depth + 1)

    for root in children.get(None, []):
        show(root, 0)
    startup.close()
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    """The ``pigpiod-py`` command: dispatch to sim/scan/monitor/record/bench, or run demo/info."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["sim"]:
        from .sim.__main__ import main as sim_main

        return sim_main(argv[1:]) or 0
    if argv[:1] == ["scan"]:
        return scan(argv[1:])
    if argv[:1] in (["monitor"], ["record"]):
        from .recording import monitor_main, record_main

        return (monitor_main if argv[0] == "monitor" else record_main)(argv[1:])
    if argv[:1] == ["bench"]:
        from .bench.__main__ import main as bench_main

        return bench_main(argv[1:])
    p = argparse.ArgumentParser(prog="pigpiod-py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["demo", "info", "scan", "bench", "sim",
                                          "monitor", "record"])
    p.add_argument("--host", help="daemon address (default: PIGPIO_ADDR, else the simulator)")
    p.add_argument("--port", type=int, default=int(os.environ.get("PIGPIO_PORT", "8888")))
    args = p.parse_args(argv)
    with daemon_address(args.host, args.port) as (host, port, where):
        if args.command == "info":
            info(host, port, where)
            return 0
        demo(host, port, where)
    if args.command == "demo":
        from .bench.toggle import main as toggle_main

        print("\nToggle benchmark (pigpiod-py bench toggle):", flush=True)
        bench = ["--rounds", "3"] + (["--host", args.host, "--port", str(args.port)] if args.host else [])
        return toggle_main(bench)
    return 0

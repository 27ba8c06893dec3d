"""Command line: ``python -m pigpiod_py`` / ``pigpiod-py``.

Subcommands: ``demo`` (a short tour plus the toggle benchmark), ``info``
(what the daemon reports), ``scan [host[:port] ...]`` (the startup layer's
picture as a tree), ``bench`` (benchmarks: toggle, guard, events, soak, sim, reports), ``sim``
(the simulator), ``monitor GPIO ...`` (a live edge log), ``record --vcd FILE
GPIO ...`` (edges to a VCD file, ``--png FILE`` a timing diagram).

Without an address (``--host`` or ``PIGPIO_ADDR``) demo, info, bench,
monitor and record use a pigpiod answering on localhost (port: ``--port``,
``PIGPIO_PORT``, else 8888), else they start the built-in simulator; the
first line of their output says which. ``--json`` prints the figures of
info, scan, bench and record as JSON; ``--progress`` shows the progress of
bench, record and scan on stderr also when it is not a terminal.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any, Callable, Dict, List, Optional

from .bench import BENCHMARKS
from .boards import board
from .progress import Progress, add_progress_option
from .recording import EdgeCapture, EdgeLog, checked_gpios, record, write_vcd
from .session import open as open_session
from .target import Target, add_address_options, daemon_target, default_port

Node = Dict[str, Any]


# -- info and demo ----------------------------------------------------------------

def daemon_report(target: Target) -> Dict[str, Any]:
    """What the daemon says about itself, and the board it runs on."""
    with open_session(target.host, target.port) as pi:
        revision = pi.hardware_revision()
        return {"daemon": target.description, "pigpio_version": pi.pigpio_version(),
                "library_version": pi.library_version(), "hardware_revision": revision,
                "board": board(revision).as_dict(), "tick": pi.tick()}


def print_report(report: Dict[str, Any]) -> None:
    """:func:`daemon_report` as text, the daemon on the first line."""
    print("daemon:            %s" % report["daemon"])
    print("pigpio version:    %d" % report["pigpio_version"])
    print("libpigpiod_if2:    interface %d" % report["library_version"])
    print("hardware revision: 0x%06x (%s)" % (report["hardware_revision"],
                                              board(report["hardware_revision"])))
    print("tick:              %d us" % report["tick"], flush=True)


def info(args: argparse.Namespace) -> int:
    """``info``: what the daemon reports."""
    with daemon_target(args.host, args.port) as target:
        report = daemon_report(target)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0


def tour(host: str, port: int) -> None:
    """A short tour of the core API."""
    from .constants import Mode, Pull

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


def demo(args: argparse.Namespace) -> int:
    """``demo``: the daemon's report, the tour, then the toggle benchmark on the same daemon."""
    from .bench.toggle import main as toggle_main

    with daemon_target(args.host, args.port) as target:
        print_report(daemon_report(target))
        tour(target.host, target.port)
        print("\nToggle benchmark (pigpiod-py bench toggle):", flush=True)
        # The built-in simulator is benchmarked as such (a fresh one), a daemon at its address.
        simulated = target.description.startswith("the built-in simulator")
        daemon = "sim" if simulated else "%s:%d" % (target.host, target.port)
        return toggle_main(["--daemon", "c", "--daemon", daemon,
                            "--rounds", str(args.rounds), "--count", str(args.count)]
                           + (["--progress"] if args.progress else []))


# -- scan ---------------------------------------------------------------------------

def scan(args: argparse.Namespace) -> int:
    """``scan``: every daemon's buses and devices as a tree; status 1 unless every daemon answered."""
    from .startup import Startup, daemons_from_environment, parse_address

    daemons = ([parse_address(item, default_port()) for item in args.addresses]
               or daemons_from_environment())
    startup = Startup(daemons, timeout=args.timeout)
    try:
        roots = scanned_tree(startup, len(daemons),
                             deadline=time.monotonic() + 10 * args.timeout + 10,
                             progress=Progress(args.progress))
    finally:
        startup.close()
    if args.json:
        print(json.dumps({"daemons": roots}, indent=2))
    else:
        for root in roots:
            print_node(root, 0)
    return 0 if all(root["connected"] for root in roots) else 1


def scanned_tree(startup: Any, count: int, deadline: float, progress: Progress) -> List[Node]:
    """The trees of ``count`` daemons as nested dicts, once each said
    ``daemon_up`` or ``daemon_down`` (or ``deadline`` passed)."""
    nodes: Dict[int, Node] = {}
    roots: List[Node] = []
    settled = 0
    while settled < count and time.monotonic() < deadline:
        event = startup.pull(0.2)
        if event is None:
            continue
        kind = event["type"]
        if kind in ("bus_attach", "device_attach"):
            node = {"id": event["id"], "kind": kind[:-7], "address": event["address"],
                    "type": event.get("bus_type") or event.get("device_type"), "children": []}
            nodes[event["id"]] = node
            if event["bus"] is None:
                node.update(host=startup.call(event["id"], "host"),
                            port=startup.call(event["id"], "port"), connected=False, error=None)
                roots.append(node)
            else:
                nodes[event["bus"]]["children"].append(node)
        elif kind in ("daemon_up", "daemon_down") and "settled" not in nodes[event["id"]]:
            nodes[event["id"]].update(connected=kind == "daemon_up", error=event.get("error"))
            nodes[event["id"]]["settled"] = True
            settled += 1
            progress.show("scan: %d/%d daemons done" % (settled, count))
    progress.end()
    for root in roots:
        if not root.pop("settled", False):
            root["error"] = "no answer within the scan's time"
    return roots


def print_node(node: Node, depth: int) -> None:
    """One line per component, indented by depth; a daemon that did not answer says why."""
    if node["type"] == "pigpiod":
        label = "pigpiod %s:%d" % (node["host"], node["port"])
    elif node["kind"] == "bus":
        label = " ".join(filter(None, (node["type"], node["address"], "bus")))
    else:
        label = "%s %s" % (node["type"], node["address"])
    note = "  not reachable: %s" % node["error"] if node.get("error") else ""
    print("%s%s  [id %d]%s" % ("  " * depth, label, node["id"], note))
    for child in node["children"]:
        print_node(child, depth + 1)


# -- monitor and record -------------------------------------------------------------

def gpio_number(text: str) -> int:
    """An argparse type: a gpio 0-31."""
    try:
        return checked_gpios([int(text)])[0]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def seconds(text: str) -> float:
    """An argparse type: seconds >= 0."""
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError("seconds must be >= 0, not %s" % text)
    return value


def monitor(args: argparse.Namespace) -> int:
    """``monitor``: print each edge as it comes, until ``--seconds`` passed or Ctrl-C."""
    gpios = checked_gpios(args.gpios)
    log = EdgeLog()
    try:
        with daemon_target(args.host, args.port) as target, \
                open_session(target.host, target.port) as pi:
            with EdgeCapture(pi, gpios, lambda edge: print(log.line(edge), flush=True)):
                print("monitoring gpio %s on %s%s" % (
                    ", ".join(map(str, gpios)), target.description,
                    "" if args.seconds is not None else " (Ctrl-C stops)"), flush=True)
                if args.seconds is not None:
                    pi.sleep(args.seconds)
                else:
                    while True:
                        pi.sleep(3600.0)
    except KeyboardInterrupt:
        pass
    return 0


def record_edges(args: argparse.Namespace) -> int:
    """``record``: capture edges to a VCD file (and a timing diagram with ``--png``)."""
    gpios = checked_gpios(args.gpios)
    if args.png:
        from .diagrams import require_matplotlib

        try:
            require_matplotlib()  # fail before recording, not after
        except RuntimeError as exc:
            args.parser.error(str(exc))
    progress = Progress(args.progress)
    with daemon_target(args.host, args.port) as target, \
            open_session(target.host, target.port) as pi:
        def show(elapsed: float, edges: int) -> None:
            if not elapsed and not args.json:
                print("recording gpio %s on %s for %g s" % (
                    ", ".join(map(str, gpios)), target.description, args.seconds), flush=True)
            progress.show("recording: %.1f/%.1f s, %d edges" % (elapsed, args.seconds, edges))
        recording = record(pi, gpios, args.seconds, show)
        progress.end()
    with open(args.vcd, "w") as out:
        write_vcd(recording, out, date=time.strftime("%Y-%m-%d %H:%M:%S %z"))
    if args.png:
        from .diagrams import save_png, traces_from_recording

        save_png(traces_from_recording(recording), args.png,
                 title="gpio " + ", ".join(map(str, gpios)))
    per_gpio = {str(gpio): 0 for gpio in gpios}
    for edge in recording.edges:
        per_gpio[str(edge.gpio)] += 1
    if args.json:
        print(json.dumps({"daemon": target.description, "gpios": gpios, "seconds": args.seconds,
                          "edges": len(recording.edges), "edges_per_gpio": per_gpio,
                          "vcd": args.vcd, "png": args.png}, indent=2))
    else:
        print("%d edges written to %s" % (len(recording.edges), args.vcd))
        if args.png:
            print("timing diagram written to %s" % args.png)
    return 0


# -- the parser -----------------------------------------------------------------------

def parser() -> argparse.ArgumentParser:
    """The parser of every subcommand (``bench`` and ``sim`` hand their
    arguments on to their own parsers)."""
    p = argparse.ArgumentParser(prog="pigpiod-py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = p.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    def command(name: str, run: Callable[[argparse.Namespace], int], help: str,
                **options: Any) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help, **options)
        sub.set_defaults(run=run, parser=sub)
        return sub

    sub = command("demo", demo, "a short tour of the API, then the toggle benchmark")
    add_address_options(sub)
    sub.add_argument("--rounds", type=int, default=3, help="benchmark rounds (default 3)")
    sub.add_argument("--count", type=int, default=20000, help="toggles per round (default 20000)")
    add_progress_option(sub)

    sub = command("info", info, "what the daemon reports about itself and its board")
    add_address_options(sub)
    sub.add_argument("--json", action="store_true", help="print the report as JSON")

    sub = command("scan", scan, "the startup layer's picture of every daemon, as a tree")
    sub.add_argument("addresses", metavar="HOST[:PORT]", nargs="*",
                     help="daemons (default: PIGPIO_ADDR, a comma-separated list, else localhost)")
    sub.add_argument("--timeout", type=float, default=5.0,
                     help="seconds a daemon has to answer each command (default 5)")
    sub.add_argument("--json", action="store_true", help="print the trees as JSON")
    add_progress_option(sub)

    command("bench", lambda args: 2, "benchmarks: %s (bench NAME --help)" % ", ".join(BENCHMARKS),
            add_help=False)
    command("sim", lambda args: 2, "the pigpiod-compatible simulator (sim --help)", add_help=False)

    sub = command("monitor", monitor, "print every edge of the gpios: gpio, level, tick and the "
                                      "µs since the previous edge of that gpio")
    sub.add_argument("gpios", metavar="GPIO", type=gpio_number, nargs="+", help="gpio 0-31")
    add_address_options(sub)
    sub.add_argument("--seconds", type=seconds, help="stop after this long (default: Ctrl-C)")

    sub = command("record", record_edges, "capture the edges of the gpios to a Value Change Dump "
                                          "(and a PNG timing diagram)")
    sub.add_argument("gpios", metavar="GPIO", type=gpio_number, nargs="+", help="gpio 0-31")
    add_address_options(sub)
    sub.add_argument("--vcd", required=True, metavar="FILE", help="VCD file to write")
    sub.add_argument("--png", metavar="FILE", help="also draw a timing diagram (matplotlib)")
    sub.add_argument("--seconds", type=seconds, default=10.0, help="how long (default 10)")
    sub.add_argument("--json", action="store_true", help="print the summary as JSON")
    add_progress_option(sub)
    return p


def main(argv: Optional[List[str]] = None) -> int:
    """The ``pigpiod-py`` command: run one subcommand; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["sim"]:
        from .sim.__main__ import main as sim_main

        return sim_main(argv[1:]) or 0
    if argv[:1] == ["bench"]:
        from .bench.__main__ import main as bench_main

        return bench_main(argv[1:])
    args = parser().parse_args(argv)
    status: int = args.run(args)
    return status

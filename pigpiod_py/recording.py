"""Edge capture: live edge logs and recordings written as Value Change Dumps.

>>> with pigpiod_py.open() as pi:
...     recording = record(pi, [4, 17], seconds=2.0)
>>> with open("edges.vcd", "w") as out:
...     write_vcd(recording, out)

A :class:`Recording` keeps the levels read at the start, the tick read just
before them, and every edge (``EITHER``) reported by the daemon in order.
Times are microseconds from the start tick, unwrapped across the 32-bit
wrap of pigpio's tick (each step from one tick to the next is taken
modulo 2**32, so a recording may be longer than the wrap period as long as
no 71 minutes pass without an edge).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Dict, List, NamedTuple, Optional, Sequence, TextIO

from .constants import Edge
from .events import Callback
from .ticks import tick_diff

if TYPE_CHECKING:
    from .session import Session

#: Printable VCD identifier characters ('!' to '~').
_ID_CHARS = "".join(chr(c) for c in range(33, 127))


class EdgeRecord(NamedTuple):
    """One edge: the gpio, its new level (0/1) and the daemon's tick (µs, 32-bit)."""

    gpio: int
    level: int
    tick: int


@dataclass
class Recording:
    """Initial levels and the edges that followed on some gpios."""

    gpios: List[int]
    initial: Dict[int, int]
    start_tick: int
    edges: List[EdgeRecord] = field(default_factory=list)

    def times(self) -> List[int]:
        """Microseconds from the start tick to each edge, unwrapped."""
        times: List[int] = []
        now, last = 0, self.start_tick
        for edge in self.edges:
            now += tick_diff(last, edge.tick)
            last = edge.tick
            times.append(now)
        return times

    def duration(self) -> int:
        """Microseconds from the start to the last edge (0 without edges)."""
        times = self.times()
        return times[-1] if times else 0


def checked_gpios(gpios: Sequence[int]) -> List[int]:
    """The gpios as a list without repeats; ValueError unless each is 0-31."""
    result: List[int] = []
    for gpio in gpios:
        if isinstance(gpio, bool) or not isinstance(gpio, int) or not 0 <= gpio <= 31:
            raise ValueError("gpios to watch are 0-31, not %r" % (gpio,))
        if gpio not in result:
            result.append(gpio)
    if not result:
        raise ValueError("no gpio to watch")
    return result


class EdgeCapture:
    """Callbacks on both edges of some gpios, feeding a :class:`Recording`
    and an optional per-edge function; a context manager that cancels them."""

    def __init__(self, session: "Session", gpios: Sequence[int],
                 on_edge: Optional[Callable[[EdgeRecord], None]] = None) -> None:
        watched = checked_gpios(gpios)
        start = session.tick()
        self._on_edge = on_edge
        self._callbacks: List[Callback] = []
        self.recording = Recording(watched, {}, start)
        try:
            for gpio in watched:
                self._callbacks.append(session.callback(gpio, Edge.EITHER, self._edge))
            self.recording.initial.update((gpio, session.read(gpio)) for gpio in watched)
        except BaseException:
            self.close()
            raise

    def _edge(self, gpio: int, level: int, tick: int) -> None:
        edge = EdgeRecord(gpio, level, tick)
        self.recording.edges.append(edge)
        if self._on_edge is not None:
            self._on_edge(edge)

    def close(self) -> None:
        """Stop capturing; idempotent."""
        for cb in self._callbacks:
            cb.cancel()

    def __enter__(self) -> "EdgeCapture":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def record(session: "Session", gpios: Sequence[int], seconds: float,
           progress: Optional[Callable[[float, int], None]] = None,
           step: float = 1.0) -> Recording:
    """Capture the edges of ``gpios`` for ``seconds``; ``progress(elapsed,
    edges)`` is called once the callbacks are in place (elapsed 0), then
    every ``step`` seconds."""
    if seconds < 0 or step <= 0:
        raise ValueError("need seconds >= 0 and step > 0, got %r and %r" % (seconds, step))
    with EdgeCapture(session, gpios) as capture:
        elapsed, steps = 0.0, 0
        if progress is not None:
            progress(elapsed, 0)
        while elapsed < seconds:
            steps += 1
            target = min(seconds, steps * step)
            session.sleep(target - elapsed)
            elapsed = target
            if progress is not None:
                progress(elapsed, len(capture.recording.edges))
    return capture.recording


class EdgeLog:
    """Formats edges as log lines with the µs since the previous edge of the
    same gpio (``-`` for its first)."""

    def __init__(self) -> None:
        self._last: Dict[int, int] = {}

    def line(self, edge: EdgeRecord) -> str:
        """``gpio G level L tick T +D us`` for one edge."""
        previous = self._last.get(edge.gpio)
        self._last[edge.gpio] = edge.tick
        since = "-" if previous is None else "+%d us" % tick_diff(previous, edge.tick)
        return "gpio %d level %d tick %d %s" % (edge.gpio, edge.level, edge.tick, since)


def vcd_identifier(index: int) -> str:
    """The short VCD identifier of the ``index``-th variable."""
    ident = _ID_CHARS[index % len(_ID_CHARS)]
    index //= len(_ID_CHARS)
    while index:
        index -= 1
        ident += _ID_CHARS[index % len(_ID_CHARS)]
        index //= len(_ID_CHARS)
    return ident


def vcd_text(recording: Recording, date: str = "") -> str:
    """The recording as IEEE 1364 VCD text: 1 µs timescale, one wire per gpio
    named ``gpioN``, the initial levels at ``#0``, a ``#time`` line per
    distinct edge time."""
    ids = {gpio: vcd_identifier(k) for k, gpio in enumerate(recording.gpios)}
    lines = []
    if date:
        lines += ["$date", "  " + date, "$end"]
    lines += ["$version", "  pigpiod_py recording", "$end",
              "$timescale 1 us $end",
              "$scope module pigpio $end"]
    lines += ["$var wire 1 %s gpio%d $end" % (ids[gpio], gpio) for gpio in recording.gpios]
    lines += ["$upscope $end", "$enddefinitions $end", "#0", "$dumpvars"]
    lines += ["%d%s" % (recording.initial[gpio], ids[gpio]) for gpio in recording.gpios]
    lines.append("$end")
    current = 0
    for at, edge in zip(recording.times(), recording.edges):
        if at != current:
            lines.append("#%d" % at)
            current = at
        lines.append("%d%s" % (edge.level, ids[edge.gpio]))
    return "\n".join(lines) + "\n"


def write_vcd(recording: Recording, out: TextIO, date: str = "") -> None:
    """Write :func:`vcd_text` of the recording to a text stream."""
    out.write(vcd_text(recording, date))


def progress_printer(seconds: float, header: str,
                     stream: Optional[TextIO] = None) -> Callable[[float, int], None]:
    """A ``progress`` function for :func:`record`: ``header`` on a line of its
    own at the start, then ``elapsed/total s, N edges`` on one updated line
    of ``stream`` (default: stderr)."""
    def show(elapsed: float, edges: int) -> None:
        out = sys.stderr if stream is None else stream
        if not elapsed:
            out.write(header + "\n")
        end = "\n" if elapsed >= seconds else ""
        out.write("\rrecording: %.1f/%.1f s, %d edges%s" % (elapsed, seconds, edges, end))
        out.flush()
    return show


# -- command line: ``python -m pigpiod_py monitor`` / ``record`` ----------------

def _parser(command: str, description: str) -> "argparse.ArgumentParser":
    parser = argparse.ArgumentParser(prog="pigpiod-py " + command, description=description)
    parser.add_argument("gpios", metavar="GPIO", type=int, nargs="+", help="gpio 0-31")
    parser.add_argument("--host", help="daemon address (default: PIGPIO_ADDR, else the simulator)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PIGPIO_PORT", "8888")))
    return parser


def _checked_args(parser: "argparse.ArgumentParser", argv: List[str]) -> "argparse.Namespace":
    args = parser.parse_args(argv)
    try:
        args.gpios = checked_gpios(args.gpios)
    except ValueError as exc:
        parser.error(str(exc))
    if args.seconds is not None and args.seconds < 0:
        parser.error("--seconds must be >= 0")
    return args


def monitor_main(argv: List[str]) -> int:
    """``monitor GPIO [GPIO ...]``: print each edge as it comes, until
    ``--seconds`` passed or Ctrl-C."""
    from .cli import daemon_address
    from .session import open as open_session

    parser = _parser("monitor", "Print every edge of the gpios: gpio, level, tick and "
                                "the µs since the previous edge of that gpio.")
    parser.add_argument("--seconds", type=float, help="stop after this long (default: Ctrl-C)")
    args = _checked_args(parser, argv)
    log = EdgeLog()
    try:
        with daemon_address(args.host, args.port) as (host, port, where):
            with open_session(host, port) as pi:
                with EdgeCapture(pi, args.gpios, lambda edge: print(log.line(edge), flush=True)):
                    print("monitoring gpio %s on %s%s" % (
                        ", ".join(map(str, args.gpios)), where,
                        "" if args.seconds is not None else " (Ctrl-C stops)"),
                        file=sys.stderr, flush=True)
                    if args.seconds is not None:
                        pi.sleep(args.seconds)
                    else:
                        while True:
                            pi.sleep(3600.0)
    except KeyboardInterrupt:
        pass
    return 0


def record_main(argv: List[str]) -> int:
    """``record --vcd FILE GPIO [GPIO ...]``: capture edges to a VCD file
    (and a timing diagram with ``--png``)."""
    from .cli import daemon_address
    from .session import open as open_session

    parser = _parser("record", "Capture the edges of the gpios to a Value Change Dump "
                               "(and a PNG timing diagram).")
    parser.add_argument("--vcd", required=True, metavar="FILE", help="VCD file to write")
    parser.add_argument("--png", metavar="FILE", help="also draw a timing diagram (matplotlib)")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long (default 10)")
    args = _checked_args(parser, argv)
    if args.png:
        from .diagrams import require_matplotlib, save_png

        try:
            require_matplotlib()  # fail before recording, not after
        except RuntimeError as exc:
            parser.error(str(exc))
    with daemon_address(args.host, args.port) as (host, port, where):
        with open_session(host, port) as pi:
            header = "recording gpio %s on %s for %g s" % (
                ", ".join(map(str, args.gpios)), where, args.seconds)
            recording = record(pi, args.gpios, args.seconds,
                               progress_printer(args.seconds, header))
    with open(args.vcd, "w") as out:
        write_vcd(recording, out, date=time.strftime("%Y-%m-%d %H:%M:%S %z"))
    print("%d edges written to %s" % (len(recording.edges), args.vcd), file=sys.stderr)
    if args.png:
        from .diagrams import traces_from_recording

        save_png(traces_from_recording(recording), args.png,
                 title="gpio " + ", ".join(map(str, args.gpios)))
        print("timing diagram written to %s" % args.png, file=sys.stderr)
    return 0

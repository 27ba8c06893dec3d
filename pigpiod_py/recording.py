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

from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Callable,
    Dict,
    List,
    NamedTuple,
    Optional,
    Sequence,
    TextIO,
)

from ._pigpiod import lib as _lib
from .checks import user_gpio
from .constants import Edge
from .errors import PigpioValueError
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
    """The gpios as a list without repeats; a typed error (a ValueError)
    unless each is a user gpio 0-31."""
    result: List[int] = []
    for gpio in gpios:
        user_gpio(gpio, "a gpio to watch")
        if gpio not in result:
            result.append(gpio)
    if not result:
        raise PigpioValueError(_lib.PI_BAD_USER_GPIO, "no gpio to watch")
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

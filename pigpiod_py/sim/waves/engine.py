"""Wave transmission: runs on the output latches, sync sends, busy, stop.

A send puts a :class:`~.latch.WaveLatch` on the latch of every gpio the
wave writes, so the levels appear on the pin timeline at exact µs (reads and
notifications see them).  A plain send cuts the current output at once; a
sync send starts when the current output finishes its pass (the end of the
current repetition of a repeating wave, or of the forever section of a
chain).  When nothing runs any more the latches get their final steady level.
"""
from __future__ import annotations

from typing import Optional

from ...wave_model import Pulse
from ..board import Board
from ..timeline import level_at
from ... import _numbers as lib
from .latch import Loop, Node, Run, Segment, Series, WaveLatch

#: The DMA starts every transmission with a 20 µs delay block.
LEAD_US = 20
#: WVTAT while a chain (no single wave) is being sent.
CHAIN = -1


def wave_node(pulses: list[Pulse], repeat: bool) -> Node:
    """A wave sent once, or repeated for ever (repetitions skip the lead-in)."""
    if not repeat:
        return Segment(pulses, LEAD_US)
    return Series([Segment([], LEAD_US), Loop(Segment(pulses), None)])


class WaveEngine:
    """The wave DMA channel of the simulated daemon (use with the daemon lock held)."""

    def __init__(self, board: Board) -> None:
        self.board = board
        self.reset()

    def reset(self) -> None:
        """Nothing transmitting, no latches."""
        self.runs: list[Run] = []
        self.latches: dict[int, WaveLatch] = {}

    # -- state -----------------------------------------------------------

    def busy(self, t: int) -> bool:
        """Whether output is running (or queued) at ``t``."""
        end = self._end()
        return bool(self.runs) and (end is None or t < end)

    def current(self, t: int) -> int:
        """The id being sent at ``t``, CHAIN, or PI_NO_TX_WAVE."""
        if not self.busy(t):
            return lib.PI_NO_TX_WAVE
        run = next((r for r in reversed(self.runs) if r.start <= t), self.runs[0])
        return run.wave_id

    def _end(self) -> Optional[int]:
        return self.runs[-1].end if self.runs else None

    def _pass_end(self, t: int) -> Optional[int]:
        """When the current output finishes its current pass (None: never)."""
        run = self.runs[-1]
        end = run.end
        if end is not None:
            return end
        node = run.node
        if isinstance(node, Series) and isinstance(node.items[-1], Loop):
            loop, lead = node.items[-1], node.starts[-1]
            elapsed = max(t - run.start - lead, 0)
            period = loop.period
            if period == 0:
                return None
            return run.start + lead + (elapsed // period + 1) * period
        return None

    # -- changes ---------------------------------------------------------

    def send(self, node: Node, wave_id: int, t: int, sync: bool) -> None:
        """Start ``node`` now, or (``sync``) when the current pass ends."""
        start = t
        if sync and self.busy(t):
            pass_end = self._pass_end(t)
            start = t if pass_end is None else max(pass_end, t)
            self.runs[-1].stop = start
        else:
            self.stop(t)
        run = Run(node, start, wave_id)
        self.runs = [r for r in self.runs if r.end is None or r.end > t] + [run]
        gpios = set(self.latches) | node.gpios()
        for gpio in sorted(gpios):
            initial = self._initial(gpio, t)
            latch = WaveLatch(gpio, initial, list(self.runs))
            self.latches[gpio] = latch
            self.board.set_latch(gpio, latch, t)

    def _initial(self, gpio: int, t: int) -> int:
        old = self.latches.get(gpio)
        if old is not None and self.board.latch[gpio] is old:
            return old.initial
        return level_at(self.board.latch[gpio], t)

    def stop(self, t: int) -> None:
        """Stop all output at ``t``; the latches keep their levels."""
        for gpio, latch in self.latches.items():
            if self.board.latch[gpio] is latch:
                self.board.set_latch(gpio, latch.level(t), t)
        self.reset()

    def settle(self, t: int) -> None:
        """Turn finished output into steady latch levels."""
        if self.runs and not self.busy(t):
            self.stop(t)

"""The WVCHA byte language, parsed into a node tree (see :mod:`.latch`).

Bytes other than 255 send a wave once; ``255 0`` starts a loop, ``255 1 x y``
repeats it x + 256·y times, ``255 2 x y`` waits x + 256·y µs, ``255 3`` repeats
it for ever (last item only).  The control blocks a chain needs are counted as
pigpio.c does (600 at most, 20 loop counters, 10 nesting levels).
"""
from __future__ import annotations

from typing import Union

from ...wave_model import Pulse
from ... import _numbers as lib
from .engine import LEAD_US
from .pool import WavePool
from .latch import Loop, Node, Segment, Series

CHAIN_CBS = 600
COUNTERS = 20
NESTING = 10
COMMAND = 255
LOOP_START, LOOP_END, DELAY, FOREVER = 0, 1, 2, 3


class ChainError(Exception):
    """A chain pigpiod refuses; ``code`` is the error."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class _Parser:
    def __init__(self, data: bytes, pool: WavePool) -> None:
        self.data = data
        self.pool = pool
        self.cb = 1  # the initial delay block
        self.counters = 0
        self.levels: list[list[Node]] = [[]]
        self.loop_cbs: list[int] = []

    def block(self) -> None:
        """Take one chain control block."""
        if self.cb >= CHAIN_CBS:
            raise ChainError(lib.PI_CHAIN_TOO_BIG)
        self.cb += 1

    def room(self) -> None:
        """The next block must exist too."""
        if self.cb >= CHAIN_CBS:
            raise ChainError(lib.PI_CHAIN_TOO_BIG)

    def word(self, i: int) -> int:
        if i + 4 > len(self.data):
            raise ChainError(lib.PI_BAD_CHAIN_CMD)
        return self.data[i + 2] | self.data[i + 3] << 8

    def close_loop(self) -> Series:
        if not self.loop_cbs:
            raise ChainError(lib.PI_BAD_CHAIN_LOOP)
        start = self.loop_cbs.pop()
        body = self.levels.pop()
        if start == self.cb:
            raise ChainError(lib.PI_BAD_CHAIN_LOOP)
        return Series(body)

    def parse(self) -> Node:
        data, i = self.data, 0
        while i < len(data):
            if data[i] != COMMAND:
                wave = self.pool.get(data[i])
                if wave is None:
                    raise ChainError(lib.PI_BAD_WAVE_ID)
                self.block()
                self.room()
                self.levels[-1].append(Segment(wave.pulses))
                i += 1
                continue
            if i + 2 > len(data):
                raise ChainError(lib.PI_BAD_CHAIN_CMD)
            i = self.command(data[i + 1], i)
        self.block()
        items: list[Node] = [Segment([], LEAD_US)]
        for level in self.levels:
            items.extend(level)
        return Series(items)

    def command(self, cmd: int, i: int) -> int:
        """Apply the command at ``i``; the index after it."""
        if cmd == LOOP_START:
            if len(self.loop_cbs) >= NESTING:
                raise ChainError(lib.PI_CHAIN_NESTING)
            self.loop_cbs.append(self.cb)
            self.levels.append([])
            return i + 2
        if cmd == LOOP_END:
            if self.counters >= COUNTERS:
                raise ChainError(lib.PI_CHAIN_COUNTER)
            count = self.word(i)
            body = self.close_loop()
            if count == 1:
                self.levels[-1].append(body)
            elif count > 1:
                self.block()
                self.room()
                self.counters += 1
                self.levels[-1].append(Loop(body, count))
            return i + 4
        if cmd == DELAY:
            delay = self.word(i)
            if delay:
                self.block()
                self.levels[-1].append(Segment([Pulse(0, 0, delay)]))
            return i + 4
        if cmd == FOREVER:
            body = self.close_loop()
            self.block()
            if i + 2 < len(self.data):
                raise ChainError(lib.PI_BAD_FOREVER)
            self.levels[-1].append(Loop(body, None))
            return i + 2
        raise ChainError(lib.PI_BAD_CHAIN_CMD)


def parse_chain(data: bytes, pool: WavePool) -> Union[Node, int]:
    """The chain's node tree, or pigpiod's error code for it."""
    try:
        return _Parser(data, pool).parse()
    except ChainError as exc:
        return exc.code

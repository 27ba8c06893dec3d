"""Bit-banged serial receive (SLRO/SLR/SLRC/SLRI), decoded from a pin's timeline.

A start edge (falling; rising when inverted) begins a character; each data
bit is the pin's level in the middle of its bit time, least significant first.
Characters are decoded from the kept pin history (about a second) by a
thread that runs while a receiver is open, every :data:`DECODE_PERIOD_S`, and
when SLR asks.
"""
from __future__ import annotations

import threading
import time
from typing import Optional, Union

from ...constants import Command
from .bitbang_pins import SERIAL, BitBangPins
from ..board import Board
from ..checks import Handlers, ext_u32
from ..clock import now_us
from ... import _numbers as lib

BUFFER_SIZE = 8192
#: How often the decoding thread catches up with the pins (well within their history).
DECODE_PERIOD_S = 0.1


class Receiver:
    """The decoder and 8192-byte buffer of one gpio."""

    def __init__(self, gpio: int, baud: int, bits: int, t: int) -> None:
        self.gpio = gpio
        self.bit_us = 1_000_000 / baud
        self.bits = bits
        self.width = 1 if bits <= 8 else 2 if bits <= 16 else 4
        self.invert = 0
        self.cursor: float = t
        self.buffer = bytearray()

    def decode(self, board: Board, now: int) -> None:
        """Decode every character complete by ``now``."""
        timeline = board.timeline
        start_level = self.invert  # the level a start edge goes to
        for t, level in timeline.changes(self.gpio, self.cursor, now):
            if t <= self.cursor or level != start_level:
                continue
            if t + (self.bits + 1) * self.bit_us > now:
                self.cursor = t - 0.5
                return
            value = 0
            for k in range(self.bits):
                if timeline.level(self.gpio, t + (k + 1.5) * self.bit_us) ^ self.invert:
                    value |= 1 << k
            if len(self.buffer) + self.width <= BUFFER_SIZE:
                self.buffer += value.to_bytes(self.width, "little")
            self.cursor = t + (self.bits + 0.5) * self.bit_us
        self.cursor = max(self.cursor, now)

    def take(self, count: int) -> bytes:
        """Remove and return up to ``count`` buffered bytes (whole words only)."""
        count -= count % self.width
        data = bytes(self.buffer[:count])
        del self.buffer[:count]
        return data


class BitBangSerial:
    """Handlers for SLRO SLR SLRC SLRI."""

    def __init__(self, pins: BitBangPins, lock: threading.Lock) -> None:
        self.pins = pins
        self.lock = lock
        self._thread: Optional[threading.Thread] = None
        self.reset()

    def reset(self) -> None:
        """Forget every receiver."""
        self.receivers: dict[int, Receiver] = {}

    def _keep_decoding(self) -> None:
        """The decoding thread: runs until no receiver is open."""
        while True:
            time.sleep(DECODE_PERIOD_S)
            with self.lock:
                if not self.receivers:
                    self._thread = None
                    return
                now = now_us()
                for receiver in self.receivers.values():
                    receiver.decode(self.pins.board, now)

    def handlers(self) -> Handlers:
        """The command handlers: SLRO SLR SLRC SLRI."""
        return {Command.SLRO: self.open, Command.SLR: self.read, Command.SLRC: self.close,
                Command.SLRI: self.invert}

    def open(self, gpio: int, baud: int, ext: bytes) -> int:
        """SLRO: start decoding serial data on ``gpio`` at ``baud`` (data bits in ext)."""
        bits = ext_u32(ext)
        if gpio > lib.PI_MAX_USER_GPIO:
            return lib.PI_BAD_USER_GPIO
        if not lib.PI_BB_SER_MIN_BAUD <= baud <= lib.PI_BB_SER_MAX_BAUD:
            return lib.PI_BAD_WAVE_BAUD
        if not lib.PI_MIN_WAVE_DATABITS <= bits <= lib.PI_MAX_WAVE_DATABITS:
            return lib.PI_BAD_DATABITS
        if not self.pins.free(gpio):
            return lib.PI_GPIO_IN_USE
        self.pins.take(gpio, SERIAL, save_mode=False)
        self.receivers[gpio] = Receiver(gpio, baud, bits, now_us())
        if self._thread is None:
            self._thread = threading.Thread(target=self._keep_decoding, name="bb-serial",
                                            daemon=True)
            self._thread.start()
        return 0

    def _receiver(self, gpio: int, count: int = 1) -> Union[int, Receiver]:
        """The open receiver of ``gpio``, brought up to date, or the error code."""
        if gpio > lib.PI_MAX_USER_GPIO:
            return lib.PI_BAD_USER_GPIO
        if count == 0:
            return lib.PI_BAD_SERIAL_COUNT
        receiver = self.receivers.get(gpio)
        if receiver is None:
            return lib.PI_NOT_SERIAL_GPIO
        receiver.decode(self.pins.board, now_us())
        return receiver

    def read(self, gpio: int, count: int, ext: bytes) -> Union[int, bytes]:
        """SLR: up to ``count`` decoded bytes from ``gpio``'s buffer."""
        receiver = self._receiver(gpio, count)
        return receiver if isinstance(receiver, int) else receiver.take(count)

    def invert(self, gpio: int, invert: int, ext: bytes) -> int:
        """SLRI: invert (1) or not (0) the levels ``gpio`` decodes."""
        receiver = self._receiver(gpio)
        if isinstance(receiver, int):
            return receiver
        if invert > 1:
            return lib.PI_BAD_SER_INVERT
        receiver.invert = invert
        return 0

    def close(self, gpio: int, p2: int, ext: bytes) -> int:
        """SLRC: stop decoding on ``gpio``."""
        if gpio > lib.PI_MAX_USER_GPIO:
            return lib.PI_BAD_USER_GPIO
        role = self.pins.role(gpio)
        if role is None:
            return lib.PI_NOT_SERIAL_GPIO
        if role == SERIAL:
            self.pins.release(gpio, now_us())
            del self.receivers[gpio]
        return 0

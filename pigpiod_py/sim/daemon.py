"""The simulated daemon's state and its command table.

Each command family lives in its own module as an object whose ``handlers()``
maps command numbers to handlers; :class:`Daemon` puts them in one list indexed
by command number (unclaimed numbers answer PI_UNKNOWN_COMMAND).  A later
family (waves, scripts, I2C, ...) plugs in by adding its object to
``Daemon.families`` (and to :meth:`Daemon.reset` if it keeps state).  Handlers
run with :attr:`Daemon.lock` held.
"""
from __future__ import annotations

import threading

from .._pigpiod import lib
from .board import Board
from .checks import Handler
from .clock import wait_until
from .config import SimConfig
from .gpio_commands import GpioCommands
from .hardware import Hardware
from .notify import Notifier
from .pwm import SoftPwm
from .pwm_commands import PwmCommands
from .system_commands import SystemCommands

#: Size of the command table; larger command numbers are unknown too.
TABLE_SIZE = 256


def unknown_command(p1: int, p2: int, ext: bytes) -> int:
    return lib.PI_UNKNOWN_COMMAND


class Daemon:
    """All state of one simulated pigpiod, shared by its connections."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.lock = threading.Lock()
        self.board = Board(config)
        self.soft_pwm = SoftPwm(self.board, config.sample_rate)
        self.hardware = Hardware(self.board, self.soft_pwm)
        self.notifier = Notifier()
        self.gpio = GpioCommands(self.board, self.soft_pwm, self.pause_until)
        self.pwm = PwmCommands(self.board, self.soft_pwm, self.hardware)
        self.system = SystemCommands(self.board, self.pause_until)
        self.families = (self.gpio, self.pwm, self.notifier, self.system)
        self.table: list[Handler] = [unknown_command] * TABLE_SIZE
        for family in self.families:
            for command, handler in family.handlers().items():
                self.table[command] = handler

    def reset(self) -> None:
        """Back to a freshly started daemon (call with the lock held)."""
        self.hardware.reset()
        self.soft_pwm.reset()
        self.board.reset()
        self.notifier.reset()
        self.system.reset()

    def pause_until(self, t_us: int) -> None:
        """Wait (in a handler) until ``t_us`` without blocking other connections."""
        self.lock.release()
        try:
            wait_until(t_us)
        finally:
            self.lock.acquire()

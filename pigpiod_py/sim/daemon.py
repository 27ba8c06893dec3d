"""The simulated daemon's state and its command table.

Each command family lives in its own module as an object whose ``handlers()``
maps command numbers to handlers; :class:`Daemon` registers them all in one
:class:`.CommandTable`, which refuses a number registered twice.  A family
plugs in by adding its object to ``Daemon.families`` (and to
:meth:`Daemon.reset` if it keeps state).  Handlers run with
:attr:`Daemon.lock` held.
"""
from __future__ import annotations

import threading
import time
from typing import Protocol

from .notifications.alerts import Alerts
from .buses.bitbang_i2c import BitBangI2c
from .buses.bitbang_pins import BitBangPins
from .buses.bitbang_serial import BitBangSerial
from .buses.bitbang_spi import BitBangSpi
from .board import Board
from .buses.bsc import BscSlave
from .checks import Reply
from .command_table import CommandTable
from .clock import TickClock, now_us, wait_until
from .config import SimConfig
from .notifications.fifo import FifoDirectory
from .commands.gpio import GpioCommands
from .pwm.hardware import Hardware
from .buses.i2c import I2cBuses, I2cCommands
from .buses.serial import SerialCommands, Ttys
from .buses.spi import SpiCommands, SpiDevices
from .notifications.notify import Notifier
from .pwm.soft import SoftPwm
from .pwm.commands import PwmCommands
from .sampler import Sampler
from .commands.system import SystemCommands
from .. import _numbers as lib
from .waves.commands import WaveCommands
from .commands.files import FileCommands
from .scripts.commands import ScriptCommands
from .commands.shell import Shell

#: :meth:`Daemon.settle`: the idle checks in a row it wants, their spacing, its limit.
SETTLE_CHECKS = 2
SETTLE_PAUSE_S = 0.001
SETTLE_TIMEOUT_S = 1.0


class Client(Protocol):
    """A client connection, as :meth:`Daemon.settle` sees it."""

    def idle(self) -> bool:
        """Whether all the client sent has run, or it waits in a delay."""
        ...


class Daemon:
    """All state of one simulated pigpiod, shared by its connections."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.lock = threading.Lock()
        self.board = Board(config)
        self.soft_pwm = SoftPwm(self.board, config.sample_rate)
        self.hardware = Hardware(self.board, self.soft_pwm)
        self.ticks = TickClock()
        self.fifos = FifoDirectory(config.fifo_dir)
        self.notifier = Notifier(config.sample_rate, self.fifos)
        self.gpio = GpioCommands(self.board, self.soft_pwm, self.pause_until)
        self.pwm = PwmCommands(self.board, self.soft_pwm, self.hardware)
        self.system = SystemCommands(self.board, self.ticks, self.pause_until)
        self.alerts = Alerts(self.lock, self.notifier,
                             Sampler(self.board.timeline, config.sample_rate), self.ticks,
                             lambda: self.system.internals)
        self.i2c = I2cCommands(I2cBuses(config.i2c))
        self.spi = SpiCommands(self.board, SpiDevices(config.spi))
        self.serial = SerialCommands(Ttys(config.serial))
        self.bb_pins = BitBangPins(self.board)
        self.bb_i2c = BitBangI2c(self.bb_pins, self.i2c.buses)
        self.bb_spi = BitBangSpi(self.bb_pins, self.spi.devices)
        self.bb_serial = BitBangSerial(self.bb_pins, self.lock)
        self.bsc = BscSlave(self.board,
                            lambda: self.notifier.trigger_event(lib.PI_EVENT_BSC, 0, b""))
        self.waves = WaveCommands(self.board, self.hardware)
        self.pwm.stop_waves = self.waves.engine.stop
        self.files = FileCommands(config.files_dir, config.access_file)
        self.shell = Shell(config.shell_dir, self.lock)
        self.scripts = ScriptCommands(self.board, self.lock, self.shell.run, self.execute)
        self.notifier.listeners.append(self.scripts.event_fired)
        self.families = (self.gpio, self.pwm, self.notifier, self.system, self.i2c, self.spi,
                         self.serial, self.bb_i2c, self.bb_spi, self.bb_serial,
                         self.bsc,
                         self.waves, self.files, self.shell, self.scripts)
        #: The open client connections, and the threads waiting in pause_until.
        self.connections: set[Client] = set()
        self.pausing: set[int] = set()
        self.table = CommandTable()
        for family in self.families:
            self.table.register(type(family).__name__, family.handlers())

    def start(self) -> None:
        """Start the alert thread (notification reports)."""
        self.alerts.start()

    def stop(self) -> None:
        """Stop the alert thread, close every handle and remove a FIFO directory it made."""
        self.alerts.stop()
        with self.lock:
            self.notifier.reset()
        self.fifos.close()

    def settle(self) -> None:
        """Wait until every connection has run what its client sent so far (no lock held).

        Before a reset: commands still in flight from clients that are going
        away (the pigpio module's stop() sends NC without waiting for the
        answer) must not run after it and close a fresh handle with the same
        number.  A connection waiting in a delay (MILS ...) counts as idle; in
        any case this gives up after a second.
        """
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        calm = 0
        while calm < SETTLE_CHECKS and time.monotonic() < deadline:
            with self.lock:
                calm = calm + 1 if all(c.idle() for c in self.connections) else 0
            time.sleep(SETTLE_PAUSE_S)

    def reset(self) -> None:
        """Back to a freshly started daemon (call with the lock held)."""
        self.hardware.reset()
        self.soft_pwm.reset()
        self.board.reset()
        self.notifier.reset()
        self.system.reset()
        self.i2c.reset()
        self.spi.reset()
        self.serial.reset()
        self.bb_pins.reset()
        self.bb_i2c.reset()
        self.bb_spi.reset()
        self.bb_serial.reset()
        self.bsc.reset()
        self.waves.reset()
        self.files.reset()
        self.scripts.reset()
        self.ticks.offset = 0
        self.alerts.reset(now_us())

    def execute(self, command: int, p1: int, p2: int, ext: bytes) -> Reply:
        """Run one request, taking the lock (the command pipe's and the scripts' way in)."""
        handler = self.table.handler(command)
        with self.lock:
            return handler(p1, p2, ext)

    def pause_until(self, t_us: int) -> None:
        """Wait (in a handler) until ``t_us`` without blocking other connections."""
        thread = threading.get_ident()
        self.pausing.add(thread)
        self.lock.release()
        try:
            wait_until(t_us)
        finally:
            self.lock.acquire()
            self.pausing.discard(thread)

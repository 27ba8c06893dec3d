"""pigpiod_py: drive Raspberry Pi GPIO through the pigpio daemon.

>>> import pigpiod_py
>>> with pigpiod_py.open() as pi:        # PIGPIO_ADDR / PIGPIO_PORT or localhost:8888
...     pi.write(17, 1)
"""
from __future__ import annotations

from .batch import Batch
from .bitbang import (
    BitBangI2C,
    BitBangI2CZip,
    BitBangSerialReader,
    BitBangSpi,
    BitBangSpiFlags,
)
from .bsc import BscStatus, I2CSlave, SpiSlave
from .constants import Command, Edge, ErrorCode, Level, Mode, Pull, WaveMode
from .errors import (
    BadGpioError,
    BadHandleError,
    CloseError,
    DeviceIOError,
    NoHandleError,
    NotPermittedError,
    PigpioConnectionError,
    PigpioError,
    PigpioTimeoutError,
    PigpioTypeError,
    PigpioValueError,
    SessionClosedError,
    StaleHandleError,
    UnsupportedError,
    WrongStateError,
)
from .events import Callback, Event, EventKind, EventStats, set_dispatch_signal, sleep, wait
from .files import RemoteFile
from .i2c import I2CDevice, I2CZip
from .notifier import Notifier, Report
from .script import Script, ScriptStatus
from .serial import SerialPort
from .session import Session, open
from .spi import SpiDevice, SpiFlags
from .threads import PiThread, ThreadError, running_threads, start_thread, stop_thread
from .ticks import tick_add, tick_diff
from .wave import Chain, Delay, Forever, Loop, Wave, WaveBuilder
from .wave_model import Pulse

__version__ = "0.1.0"

__all__ = [
    "Batch", "Command", "Edge", "ErrorCode", "Level", "Mode", "Pull", "WaveMode",
    "BadGpioError", "BadHandleError", "DeviceIOError", "NoHandleError",
    "NotPermittedError", "PigpioConnectionError", "PigpioError", "PigpioTimeoutError",
    "PigpioTypeError", "PigpioValueError", "SessionClosedError", "WrongStateError",
    "CloseError", "StaleHandleError", "UnsupportedError",
    "Session", "open", "tick_add", "tick_diff", "__version__",
    "BitBangI2C", "BitBangI2CZip", "BitBangSerialReader", "BitBangSpi", "BitBangSpiFlags",
    "BscStatus", "I2CSlave", "SpiSlave", "Callback", "Event", "EventKind", "EventStats",
    "set_dispatch_signal", "sleep", "wait",
    "RemoteFile", "I2CDevice", "I2CZip", "Notifier", "Report", "Script", "ScriptStatus",
    "SerialPort", "SpiDevice", "SpiFlags", "PiThread", "start_thread", "stop_thread",
    "ThreadError", "running_threads",
    "Chain", "Delay", "Forever", "Loop", "Pulse", "Wave", "WaveBuilder",
]

"""pigpiod_py: drive Raspberry Pi GPIO through the pigpio daemon.

>>> import pigpiod_py
>>> with pigpiod_py.open() as pi:        # PIGPIO_ADDR / PIGPIO_PORT or localhost:8888
...     pi.write(17, 1)
"""
from __future__ import annotations

from .batch import Batch
from .constants import Command, Edge, ErrorCode, Level, Mode, Pull, WaveMode
from .errors import (
    BadGpioError,
    BadHandleError,
    DeviceIOError,
    NoHandleError,
    NotPermittedError,
    PigpioConnectionError,
    PigpioError,
    PigpioTimeoutError,
    PigpioTypeError,
    PigpioValueError,
    SessionClosedError,
    WrongStateError,
)
from .session import Session, open
from .ticks import tick_add, tick_diff

__version__ = "0.1.0"

__all__ = [
    "Batch", "Command", "Edge", "ErrorCode", "Level", "Mode", "Pull", "WaveMode",
    "BadGpioError", "BadHandleError", "DeviceIOError", "NoHandleError",
    "NotPermittedError", "PigpioConnectionError", "PigpioError", "PigpioTimeoutError",
    "PigpioTypeError", "PigpioValueError", "SessionClosedError", "WrongStateError",
    "Session", "open", "tick_add", "tick_diff", "__version__",
]

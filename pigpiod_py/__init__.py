"""pigpiod_py: drive Raspberry Pi GPIO through the pigpio daemon.

>>> import pigpiod_py
>>> with pigpiod_py.open() as pi:        # PIGPIO_ADDR / PIGPIO_PORT or localhost:8888
...     pi.write(17, 1)

Public names are imported on first use, so that the parts of the package that
need no compiled module (the simulator, :mod:`pigpiod_py.sim`) import without it.
"""
from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any, Dict, List, Tuple

if TYPE_CHECKING:  # what the table below imports at run time, for type checkers
    from .batch import Batch as Batch
    from .bitbang import (
        BitBangI2C as BitBangI2C, BitBangI2CZip as BitBangI2CZip,
        BitBangSerialReader as BitBangSerialReader, BitBangSpi as BitBangSpi,
        BitBangSpiFlags as BitBangSpiFlags,
    )
    from .bsc import BscStatus as BscStatus, I2CSlave as I2CSlave, SpiSlave as SpiSlave
    from .constants import (
        Command as Command, Edge as Edge, ErrorCode as ErrorCode, Level as Level, Mode as Mode,
        Pull as Pull, WaveMode as WaveMode,
    )
    from .errors import (
        BadGpioError as BadGpioError, BadHandleError as BadHandleError, CloseError as CloseError,
        DeviceIOError as DeviceIOError, NoHandleError as NoHandleError,
        NotPermittedError as NotPermittedError, PigpioConnectionError as PigpioConnectionError,
        PigpioError as PigpioError, PigpioTimeoutError as PigpioTimeoutError,
        PigpioTypeError as PigpioTypeError, PigpioValueError as PigpioValueError,
        SessionClosedError as SessionClosedError, StaleHandleError as StaleHandleError,
        UnsupportedError as UnsupportedError, WrongStateError as WrongStateError,
    )
    from .events import (
        Callback as Callback, Event as Event, EventKind as EventKind, EventStats as EventStats,
        set_dispatch_signal as set_dispatch_signal, sleep as sleep, wait as wait,
    )
    from .files import RemoteFile as RemoteFile
    from .i2c import I2CDevice as I2CDevice, I2CZip as I2CZip
    from .notifier import Notifier as Notifier, Report as Report
    from .script import Script as Script, ScriptStatus as ScriptStatus
    from .serial import SerialPort as SerialPort
    from .session import Session as Session, open as open
    from .spi import SpiDevice as SpiDevice, SpiFlags as SpiFlags
    from .threads import (
        PiThread as PiThread, ThreadError as ThreadError, running_threads as running_threads,
        start_thread as start_thread, stop_thread as stop_thread,
    )
    from .ticks import tick_add as tick_add, tick_diff as tick_diff
    from .wave import (
        Chain as Chain, Delay as Delay, Forever as Forever, Loop as Loop, Wave as Wave,
        WaveBuilder as WaveBuilder,
    )
    from .wave_model import Pulse as Pulse

__version__ = "0.1.0"

#: The public names by the module they live in.
_EXPORTS: Dict[str, Tuple[str, ...]] = {
    "batch": ("Batch",),
    "bitbang": ("BitBangI2C", "BitBangI2CZip", "BitBangSerialReader", "BitBangSpi", "BitBangSpiFlags"),
    "bsc": ("BscStatus", "I2CSlave", "SpiSlave"),
    "constants": ("Command", "Edge", "ErrorCode", "Level", "Mode", "Pull", "WaveMode"),
    "errors": (
        "BadGpioError", "BadHandleError", "CloseError", "DeviceIOError", "NoHandleError",
        "NotPermittedError", "PigpioConnectionError", "PigpioError", "PigpioTimeoutError",
        "PigpioTypeError", "PigpioValueError", "SessionClosedError", "StaleHandleError",
        "UnsupportedError", "WrongStateError",
    ),
    "events": ("Callback", "Event", "EventKind", "EventStats", "set_dispatch_signal", "sleep", "wait"),
    "files": ("RemoteFile",),
    "i2c": ("I2CDevice", "I2CZip"),
    "notifier": ("Notifier", "Report"),
    "script": ("Script", "ScriptStatus"),
    "serial": ("SerialPort",),
    "session": ("Session", "open"),
    "spi": ("SpiDevice", "SpiFlags"),
    "threads": ("PiThread", "ThreadError", "running_threads", "start_thread", "stop_thread"),
    "ticks": ("tick_add", "tick_diff"),
    "wave": ("Chain", "Delay", "Forever", "Loop", "Wave", "WaveBuilder"),
    "wave_model": ("Pulse",),
}
_HOMES = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = ["__version__", *_HOMES]


if not TYPE_CHECKING:  # type checkers see the imports above (and no catch-all)
    def __getattr__(name: str) -> Any:
        """A public name, or a submodule, imported on first use."""
        if name in _HOMES:
            value = getattr(importlib.import_module("." + _HOMES[name], __name__), name)
        elif not name.startswith("__") and importlib.util.find_spec("." + name, __name__):
            value = importlib.import_module("." + name, __name__)
        else:
            raise AttributeError("module %r has no attribute %r" % (__name__, name))
        globals()[name] = value
        return value

    def __dir__() -> List[str]:
        """The module's names, with those not imported yet."""
        return sorted(set(globals()) | set(_HOMES))

"""Enumerations of pigpio's numbers.

Every value comes from :mod:`pigpiod_py._numbers`, generated from
``include/pigpio.h``, the shim's headers and ``pigpiod_if2.h`` (the compiled
module has the same constants; tests/test_numbers.py checks they agree), so
the simulator needs no compiled module; nothing here retypes a number.
"""
from __future__ import annotations

from enum import IntEnum, IntFlag
from typing import Any, Dict

from . import _numbers as _lib


def _prefixed(prefix: str, negative: bool | None = None) -> dict[str, int]:
    found = {}
    for name, value in vars(_lib).items():
        if not name.startswith(prefix) or not isinstance(value, int):
            continue
        if negative is not None and (value < 0) != negative:
            continue
        found[name[len(prefix):].upper()] = value
    return dict(sorted(found.items(), key=lambda item: abs(item[1])))


def _enum(name: str, members: Dict[str, int]) -> Any:
    """An IntEnum made at import time (its members are typed as Any)."""
    return IntEnum(name, members)


#: Command numbers of the socket protocol (``Command.WRITE == 4``).
Command = _enum("Command", _prefixed("PI_CMD_"))

#: Error codes of the daemon, without their ``PI_`` prefix.
ErrorCode = _enum("ErrorCode", _prefixed("PI_", negative=True))

#: Client-side error codes of libpigpiod_if2 (``pigif_*``) and of our shim.
ClientErrorCode = _enum("ClientErrorCode", {**_prefixed("pigif_"), **_prefixed("PGD_ERR_")})


class Mode(IntEnum):
    """GPIO function select (the daemon's 3-bit encoding)."""

    INPUT = _lib.PI_INPUT
    OUTPUT = _lib.PI_OUTPUT
    ALT0 = _lib.PI_ALT0
    ALT1 = _lib.PI_ALT1
    ALT2 = _lib.PI_ALT2
    ALT3 = _lib.PI_ALT3
    ALT4 = _lib.PI_ALT4
    ALT5 = _lib.PI_ALT5


class Pull(IntEnum):
    """Pull-up / pull-down resistor setting."""

    OFF = _lib.PI_PUD_OFF
    DOWN = _lib.PI_PUD_DOWN
    UP = _lib.PI_PUD_UP


class Level(IntEnum):
    """A pin level; TIMEOUT is what watchdog reports carry."""

    LOW = _lib.PI_LOW
    HIGH = _lib.PI_HIGH
    TIMEOUT = _lib.PI_TIMEOUT


class Edge(IntEnum):
    """Which level changes a callback wants."""

    RISING = _lib.RISING_EDGE
    FALLING = _lib.FALLING_EDGE
    EITHER = _lib.EITHER_EDGE


class WaveMode(IntEnum):
    """How a wave is transmitted."""

    ONE_SHOT = _lib.PI_WAVE_MODE_ONE_SHOT
    REPEAT = _lib.PI_WAVE_MODE_REPEAT
    ONE_SHOT_SYNC = _lib.PI_WAVE_MODE_ONE_SHOT_SYNC
    REPEAT_SYNC = _lib.PI_WAVE_MODE_REPEAT_SYNC


class ScriptState(IntEnum):
    """Run state of a stored script."""

    INITING = _lib.PI_SCRIPT_INITING
    HALTED = _lib.PI_SCRIPT_HALTED
    RUNNING = _lib.PI_SCRIPT_RUNNING
    WAITING = _lib.PI_SCRIPT_WAITING
    FAILED = _lib.PI_SCRIPT_FAILED


class FileMode(IntFlag):
    """Open mode of a file on the Pi."""

    READ = _lib.PI_FILE_READ
    WRITE = _lib.PI_FILE_WRITE
    APPEND = _lib.PI_FILE_APPEND
    CREATE = _lib.PI_FILE_CREATE
    TRUNC = _lib.PI_FILE_TRUNC


class NotifyFlag(IntFlag):
    """Flag bits of a 12-byte notification report."""

    WDOG = _lib.PI_NTFY_FLAGS_WDOG
    ALIVE = _lib.PI_NTFY_FLAGS_ALIVE
    EVENT = _lib.PI_NTFY_FLAGS_EVENT


#: Largest gpio number, largest user gpio number.
MAX_GPIO: int = _lib.PI_MAX_GPIO
MAX_USER_GPIO: int = _lib.PI_MAX_USER_GPIO
#: Protocol version the daemon reports (``get_pigpio_version``).
PIGPIO_VERSION: int = _lib.PIGPIO_VERSION
DEFAULT_PORT: int = _lib.PI_DEFAULT_SOCKET_PORT

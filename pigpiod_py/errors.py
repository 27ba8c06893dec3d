"""Typed exceptions for pigpio's error codes.

Every error keeps the numeric ``code``, its ``name`` (``PI_BAD_GPIO``,
``pigif_bad_recv``, ...) and the library's ``message``. Families also derive
from the builtin that fits, so ``except ValueError`` catches a bad gpio.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple, Type

from ._pigpiod import ffi as _ffi
from ._pigpiod import lib as _lib
from .constants import ClientErrorCode, ErrorCode

_SHIM_MESSAGES = {
    _lib.PGD_ERR_TIMEOUT: "no answer from pigpiod within the time-out",
    _lib.PGD_ERR_HANDSHAKE: "the local hand-shake with libpigpiod_if2 failed",
    _lib.PGD_ERR_SYSTEM: "a socket or thread could not be created",
}


def error_name(code: int) -> str:
    """``PI_*`` / ``pigif_*`` / ``PGD_ERR_*`` name of an error code."""
    for enum, prefix in ((ErrorCode, "PI_"), (ClientErrorCode, "")):
        try:
            member = enum(code)
        except ValueError:
            continue
        name: str = member.name
        if enum is ClientErrorCode:
            return ("PGD_ERR_" + name) if code in _SHIM_MESSAGES else "pigif_" + name.lower()
        return prefix + name
    return "unknown(%d)" % code


def error_message(code: int) -> str:
    """The library's text for an error code."""
    if code in _SHIM_MESSAGES:
        return _SHIM_MESSAGES[code]
    text: bytes = _ffi.string(_lib.pigpio_error(code))
    return text.decode("utf-8", "replace")


class PigpioError(Exception):
    """An error reported by pigpiod, libpigpiod_if2 or this binding."""

    code: int
    name: str
    message: str
    #: Position of the failing command, for errors raised by a batch.
    index: Optional[int] = None

    def __init__(self, code: int, message: str | None = None) -> None:
        self.code = code
        self.name = error_name(code)
        self.message = message if message is not None else error_message(code)
        super().__init__("%s (%s, %d)" % (self.message, self.name, code))


class PigpioValueError(PigpioError, ValueError):
    """An argument the daemon (or the binding, before sending) refused."""


class PigpioTypeError(PigpioError, TypeError):
    """An argument of the wrong type, refused before anything was sent."""


class BadGpioError(PigpioValueError):
    """A gpio number out of range for the command."""


class BadHandleError(PigpioValueError):
    """A handle that is out of range or not open."""


class NotPermittedError(PigpioError, PermissionError):
    """The daemon's write-permission mask or access file refused the request."""


class NoHandleError(PigpioError):
    """The daemon has no free slot of the kind asked for."""


class WrongStateError(PigpioError):
    """The gpio or resource is not in the state the command needs (e.g.
    reading the PWM dutycycle of a gpio that is not running PWM)."""


class DeviceIOError(PigpioError, OSError):
    """A transfer with an I2C, SPI, serial device or a file failed."""


class PigpioConnectionError(PigpioError, ConnectionError):
    """The daemon could not be reached or the connection was lost."""


class PigpioTimeoutError(PigpioConnectionError, TimeoutError):
    """The daemon did not answer within the time-out; the session is closed."""


class SessionClosedError(PigpioConnectionError):
    """The session was closed (by ``close()`` or after a connection fault)."""


_BY_NAME: Dict[str, Type[PigpioError]] = {
    "PI_BAD_GPIO": BadGpioError,
    "PI_BAD_USER_GPIO": BadGpioError,
    "PI_BAD_HANDLE": BadHandleError,
    "PI_NOT_PERMITTED": NotPermittedError,
    "PI_SOME_PERMITTED": NotPermittedError,
    "PI_NO_FILE_ACCESS": NotPermittedError,
    "PI_NO_HANDLE": NoHandleError,
    "PI_NO_SCRIPT_ROOM": NoHandleError,
    "PI_NO_WAVEFORM_ID": NoHandleError,
    "PI_NOT_HPWM_GPIO": BadGpioError,
    "PI_NOT_HCLK_GPIO": BadGpioError,
    "pigif_unconnected_pi": SessionClosedError,
    "PGD_ERR_TIMEOUT": PigpioTimeoutError,
}

_IO_WORDS = ("_FAILED", "_READ_NO_DATA", "BAD_FILE_READ", "BAD_FILE_WRITE", "BAD_I2C_SEG")
_STATE_PREFIXES = ("PI_NOT_", "PI_GPIO_IN_USE", "PI_SCRIPT_NOT_READY", "PI_FILE_NOT_", "PI_FILE_IS_A_DIR")


def error_class(code: int) -> Type[PigpioError]:
    """The exception class for an error code."""
    name = error_name(code)
    cls = _BY_NAME.get(name)
    if cls is not None:
        return cls
    if name.startswith(("pigif_", "PGD_ERR_")):
        return PigpioConnectionError
    if name.startswith(_STATE_PREFIXES):
        return WrongStateError
    if any(word in name for word in _IO_WORDS):
        return DeviceIOError
    if name.startswith(("PI_BAD_", "PI_TOO_MANY", "PI_DUP_", "PI_EMPTY_", "PI_CHAIN_", "PI_MSG_")):
        return PigpioValueError
    return PigpioError


def make_error(code: int) -> PigpioError:
    """The typed exception for a negative return code."""
    return error_class(code)(code)


def check(result: int) -> int:
    """Return ``result`` unchanged, or raise its typed exception if negative."""
    if result < 0:
        raise make_error(result)
    return result


def _signatures() -> Dict[str, List[str]]:
    global _SIGNATURES
    if not _SIGNATURES:
        text = _ffi.string(_lib.pgd_header_signatures()).decode()
        _SIGNATURES = {line.split()[0]: line.split()[1:] for line in text.splitlines() if line}
    return _SIGNATURES


_SIGNATURES: Dict[str, List[str]] = {}

#: Error code for an out-of-range value, by the C parameter name.
_RANGE_CODES = {
    "gpio": "BAD_GPIO", "user_gpio": "BAD_USER_GPIO", "level": "BAD_LEVEL",
    "mode": "BAD_MODE", "pud": "BAD_PUD", "dutycycle": "BAD_DUTYCYCLE",
    "range": "BAD_DUTYRANGE", "pulsewidth": "BAD_PULSEWIDTH",
    "timeout": "BAD_WDOG_TIMEOUT", "handle": "BAD_HANDLE", "steady": "BAD_FILTER",
    "active": "BAD_FILTER", "pad": "BAD_PAD", "padStrength": "BAD_STRENGTH",
    "pulseLen": "BAD_PULSELEN", "PWMfreq": "BAD_HPWM_FREQ", "PWMduty": "BAD_HPWM_DUTY",
    "clkfreq": "BAD_HCLK_FREQ", "event": "BAD_EVENT_ID",
}


def argument_error(function: str, args: Tuple[Any, ...], cause: Exception) -> PigpioError:
    """The typed error for arguments cffi refused when calling ``function``
    (``args`` without the leading pi): which argument, and why."""
    names = _signatures().get(function, [])[1:]
    for index, value in enumerate(args):
        name = names[index] if index < len(names) else "argument %d" % (index + 1)
        if isinstance(value, (bytes, bytearray)) or (isinstance(value, int) and 0 <= value < 2**32):
            continue
        if not isinstance(value, int):
            return PigpioTypeError(
                _lib.PI_BAD_PARAM,
                "%s(): %s must be an int, not %s" % (function, name, type(value).__name__),
            )
        code = getattr(_lib, "PI_" + _RANGE_CODES.get(name, "BAD_PARAM"))
        cls = error_class(code)
        return cls(code, "%s(): %s out of range: %r" % (function, name, value))
    return PigpioValueError(_lib.PI_BAD_PARAM, "%s(): %s" % (function, cause))

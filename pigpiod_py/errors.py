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
    _lib.PGD_ERR_CLOSED: "the connection is closed",
    _lib.PGD_ERR_BROKEN: "an earlier exchange failed; the connection is not used again",
}
#: Range markers of pigpio.h, not error codes.
_NOT_CODES = ("PIGIF_ERR_0", "PIGIF_ERR_99", "CUSTOM_ERR_0", "CUSTOM_ERR_999")


def error_name(code: int) -> str:
    """``PI_*`` / ``pigif_*`` / ``PGD_ERR_*`` name of an error code."""
    for enum, prefix in ((ErrorCode, "PI_"), (ClientErrorCode, "")):
        try:
            member = enum(code)
        except ValueError:
            continue
        name: str = member.name
        if name in _NOT_CODES:
            continue
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


class StaleHandleError(BadHandleError):
    """A handle opened on an earlier connection, which a reconnect replaced:
    the daemon's number may now name something else, so it is refused."""


class UnsupportedError(PigpioError):
    """The daemon or this board does not offer what was asked (e.g. a
    BCM2711-only feature on an older Pi, a deprecated command)."""


class CloseError(PigpioError):
    """Releasing some of a session's handles failed while it closed; the
    session is closed regardless. ``errors`` holds each failure."""

    def __init__(self, errors: List[BaseException]) -> None:
        self.errors = list(errors)
        super().__init__(_lib.PI_BAD_HANDLE, "closing the session: %d handle(s) could not be "
                         "released: %s" % (len(errors), "; ".join(map(str, errors))))


#: The class of every error code, by name (without the ``PI_`` prefix for the
#: daemon's codes). Explicit on purpose: a code missing here is a test failure.
_CLASSES: Dict[Type[PigpioError], Tuple[str, ...]] = {
    BadGpioError: ("BAD_USER_GPIO", "BAD_GPIO", "NOT_HCLK_GPIO", "NOT_HPWM_GPIO"),
    BadHandleError: ("BAD_HANDLE", "BAD_SCRIPT_ID", "BAD_WAVE_ID"),
    NotPermittedError: ("NOT_PERMITTED", "SOME_PERMITTED", "NO_FILE_ACCESS"),
    NoHandleError: ("NO_HANDLE", "NO_SCRIPT_ROOM", "NO_WAVEFORM_ID", "TOO_MANY_CBS",
                    "TOO_MANY_OOL", "NO_MEMORY"),
    WrongStateError: (
        "NOT_INITIALISED", "INITIALISED", "NOT_SERIAL_GPIO", "GPIO_IN_USE", "NOT_HALTED",
        "EMPTY_WAVEFORM", "NOT_PWM_GPIO", "NOT_SERVO_GPIO", "NOT_I2C_GPIO", "NOT_SPI_GPIO",
        "FILE_NOT_ROPEN", "FILE_NOT_WOPEN", "FILE_IS_A_DIR"),
    DeviceIOError: (
        "I2C_OPEN_FAILED", "SER_OPEN_FAILED", "SPI_OPEN_FAILED", "I2C_WRITE_FAILED",
        "I2C_READ_FAILED", "SER_WRITE_FAILED", "SER_READ_FAILED", "SER_READ_NO_DATA",
        "SPI_XFER_FAILED", "FIL_OPEN_FAILED", "BAD_FILE_READ", "BAD_FILE_WRITE",
        "NO_FILE_MATCH", "BAD_I2C_SEG"),
    UnsupportedError: ("UNKNOWN_COMMAND", "NO_AUX_SPI", "DEPRECATED", "NOT_ON_BCM2711",
                       "ONLY_ON_BCM2711", "HPWM_ILLEGAL"),
    PigpioError: ("INIT_FAILED", "TIMER_FAILED", "NO_ALERT_FUNC", "BAD_ISR_INIT",
                  "SOCK_READ_FAILED", "SOCK_WRIT_FAILED", "CMD_INTERRUPTED", "BAD_MALLOC_MODE"),
    PigpioValueError: (
        "BAD_MODE", "BAD_LEVEL", "BAD_PUD", "BAD_PULSEWIDTH", "BAD_DUTYCYCLE", "BAD_TIMER",
        "BAD_MS", "BAD_TIMETYPE", "BAD_SECONDS", "BAD_MICROS", "BAD_WDOG_TIMEOUT",
        "BAD_CLK_PERIPH", "BAD_CLK_SOURCE", "BAD_CLK_MICROS", "BAD_BUF_MILLIS", "BAD_DUTYRANGE",
        "BAD_SIGNUM", "BAD_PATHNAME", "BAD_IF_FLAGS", "BAD_CHANNEL", "BAD_SOCKET_PORT",
        "BAD_FIFO_COMMAND", "BAD_SECO_CHANNEL", "BAD_WAVE_MODE", "BAD_CFG_INTERNAL",
        "BAD_WAVE_BAUD", "TOO_MANY_PULSES", "TOO_MANY_CHARS", "BAD_SERIAL_STRUC",
        "BAD_SERIAL_BUF", "BAD_WVSC_COMMND", "BAD_WVSM_COMMND", "BAD_WVSP_COMMND",
        "BAD_PULSELEN", "BAD_SCRIPT", "BAD_SER_OFFSET", "BAD_SERIAL_COUNT", "BAD_PARAM_NUM",
        "DUP_TAG", "TOO_MANY_TAGS", "BAD_SCRIPT_CMD", "BAD_VAR_NUM", "TOO_MANY_PARAM",
        "BAD_TAG", "BAD_MICS_DELAY", "BAD_MILS_DELAY", "BAD_I2C_BUS", "BAD_I2C_ADDR",
        "BAD_SPI_CHANNEL", "BAD_FLAGS", "BAD_SPI_SPEED", "BAD_SER_DEVICE", "BAD_SER_SPEED",
        "BAD_PARAM", "BAD_SPI_COUNT", "BAD_POINTER", "BAD_HPWM_FREQ", "BAD_HPWM_DUTY",
        "BAD_HCLK_FREQ", "BAD_HCLK_PASS", "BAD_DATABITS", "BAD_STOPBITS", "MSG_TOOBIG",
        "TOO_MANY_SEGS", "BAD_SMBUS_CMD", "BAD_I2C_WLEN", "BAD_I2C_RLEN", "BAD_I2C_CMD",
        "BAD_I2C_BAUD", "CHAIN_LOOP_CNT", "BAD_CHAIN_LOOP", "CHAIN_COUNTER", "BAD_CHAIN_CMD",
        "BAD_CHAIN_DELAY", "CHAIN_NESTING", "CHAIN_TOO_BIG", "BAD_SER_INVERT", "BAD_EDGE",
        "BAD_FOREVER", "BAD_FILTER", "BAD_PAD", "BAD_STRENGTH", "BAD_FILE_MODE",
        "BAD_FILE_FLAG", "BAD_FILE_SEEK", "BAD_SHELL_STATUS", "BAD_SCRIPT_NAME",
        "BAD_SPI_BAUD", "BAD_EVENT_ID"),
    PigpioConnectionError: (
        "BAD_SEND", "BAD_RECV", "BAD_GETADDRINFO", "BAD_CONNECT", "BAD_SOCKET", "BAD_NOIB",
        "DUPLICATE_CALLBACK", "BAD_MALLOC", "BAD_CALLBACK", "NOTIFY_FAILED",
        "CALLBACK_NOT_FOUND", "TOO_MANY_PIS", "HANDSHAKE", "SYSTEM", "BROKEN"),
    SessionClosedError: ("UNCONNECTED_PI", "CLOSED"),
    PigpioTimeoutError: ("TIMEOUT",),
}
_BY_NAME: Dict[str, Type[PigpioError]] = {
    name: cls for cls, names in _CLASSES.items() for name in names}


def error_class(code: int) -> Type[PigpioError]:
    """The exception class for an error code (:class:`PigpioError` for codes
    pigpio does not define, e.g. a custom function's)."""
    for enum in (ErrorCode, ClientErrorCode):
        try:
            name = enum(code).name
        except ValueError:
            continue
        if name not in _NOT_CODES:
            return _BY_NAME.get(name, PigpioError)
    return PigpioError


def make_error(code: int) -> PigpioError:
    """The typed exception for a negative return code."""
    return error_class(code)(code)


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
    (a library function or its guarded ``pgd_`` twin; ``args`` without the
    leading pi/token): which argument, and why."""
    if function.startswith("pgd_") and function[4:] in _signatures():
        function = function[4:]
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

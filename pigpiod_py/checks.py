"""Argument checks shared by the package: each refuses bad input with a typed
error before anything is sent."""
from __future__ import annotations

import math
from typing import Iterable, Optional, Union

from ._pigpiod import lib as _lib
from .errors import BadGpioError, PigpioTypeError, PigpioValueError

#: Binary data the package accepts.
Data = Union[bytes, bytearray, memoryview]
#: The most bytes a command's extension may carry: the daemon drops the
#: connection of a client that sends more.
MAX_EXTENSION = 65535
#: Longest finite wait: beyond it (about 24 days) a time-out means "no limit",
#: which is also what the C side (int milliseconds) can represent.
MAX_WAIT = (2**31 - 1) / 1000.0


def wait_seconds(timeout: Optional[float], what: str = "timeout") -> Optional[float]:
    """A wait's time-out in seconds: ``None`` (no limit) for ``None``, ``inf``
    and anything beyond :data:`MAX_WAIT`; 0 for a negative value (return at
    once); a typed error for NaN and non-numbers."""
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise PigpioTypeError(_lib.PI_BAD_PARAM, "%s must be a number of seconds or None, not %s"
                              % (what, type(timeout).__name__))
    if math.isnan(timeout):
        raise PigpioValueError(_lib.PI_BAD_PARAM, "%s must not be NaN" % what)
    if timeout > MAX_WAIT:
        return None
    return max(float(timeout), 0.0)


def limit_milliseconds(timeout: Optional[float], what: str = "timeout") -> int:
    """A time-out that must be positive, in ms for C: 0 means no limit
    (``None``, ``inf`` or beyond :data:`MAX_WAIT`)."""
    seconds = wait_seconds(timeout, what)
    if seconds is None:
        return 0
    if seconds <= 0:
        raise PigpioValueError(_lib.PI_BAD_PARAM, "%s must be positive or None, got %r"
                               % (what, timeout))
    return max(1, int(seconds * 1000))


def text_argument(value: str, what: str, limit: int) -> bytes:
    """A string argument as the daemon gets it (UTF-8, at most ``limit``
    bytes, no NUL: the daemon reads it as a C string)."""
    if not isinstance(value, str):
        raise PigpioTypeError(_lib.PI_BAD_PARAM, "%s must be a str, not %s"
                              % (what, type(value).__name__))
    try:
        data = value.encode()
    except UnicodeEncodeError as exc:
        raise PigpioValueError(_lib.PI_BAD_PARAM, "%s cannot be encoded: %s" % (what, exc)) from None
    if b"\0" in data:
        raise PigpioValueError(_lib.PI_BAD_PARAM, "%s must not contain NUL" % what)
    if len(data) > limit:
        raise PigpioValueError(_lib.PI_BAD_PARAM, "%s is %d bytes; the daemon takes at most %d"
                               % (what, len(data), limit))
    return data


def user_gpio(gpio: int, what: str = "gpio") -> int:
    """``gpio`` if it is a user gpio (0-31: the ones notifications report)."""
    if isinstance(gpio, bool) or not isinstance(gpio, int):
        raise PigpioTypeError(_lib.PI_BAD_USER_GPIO, "%s must be an int, not %s"
                              % (what, type(gpio).__name__))
    if not 0 <= gpio <= _lib.PI_MAX_USER_GPIO:
        raise BadGpioError(_lib.PI_BAD_USER_GPIO, "%s must be 0-31, got %r" % (what, gpio))
    return gpio


def gpio_mask(gpios: Union[int, Iterable[int]]) -> int:
    """A 32-bit mask of user gpios, from a mask or from gpio numbers 0-31."""
    if isinstance(gpios, bool):
        raise PigpioTypeError(_lib.PI_BAD_USER_GPIO, "gpios must be a mask or gpio numbers")
    if isinstance(gpios, int):
        if not 0 <= gpios <= 0xFFFFFFFF:
            raise BadGpioError(_lib.PI_BAD_USER_GPIO, "a gpio mask has 32 bits, got %#x" % gpios)
        return gpios
    bits = 0
    for gpio in gpios:
        bits |= 1 << user_gpio(gpio)
    return bits


def checked_int(value: int, low: int, high: int, what: str,
                code: int = _lib.PI_BAD_PARAM) -> int:
    """``value`` if it is an int in [low, high], else a typed error carrying ``code``."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise PigpioTypeError(code, "%s must be an int, not %s" % (what, type(value).__name__))
    if not low <= value <= high:
        raise PigpioValueError(code, "%s must be %d-%d, not %d" % (what, low, high, value))
    return value


def checked_bytes(data: Data, low: int, high: int, what: str = "data") -> bytes:
    """``data`` as bytes with a length in [low, high], else a typed error."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise PigpioTypeError(_lib.PI_BAD_PARAM,
                              "%s must be bytes, not %s" % (what, type(data).__name__))
    data = bytes(data)
    if not low <= len(data) <= high:
        raise PigpioValueError(_lib.PI_BAD_PARAM, "%s must be %d-%d bytes long, not %d"
                               % (what, low, high, len(data)))
    return data

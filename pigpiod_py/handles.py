"""Handle: the base of every object that owns a daemon resource."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional, cast

from ._pigpiod import lib as _lib
from .errors import BadHandleError, PigpioError, PigpioTypeError

if TYPE_CHECKING:
    from .family import CommandFamily
    from .session import Session


class Handle:
    """Owns one daemon resource (an I2C handle, a wave, a script, ...).

    ``close()`` is idempotent, the object is a context manager, and its
    session closes it when the session closes. A handle collected without
    ``close()`` is released by its session soon after (never by the
    finalizer itself, which must not wait for the network).

    A handle belongs to the connection it was opened on: after a reconnect
    (``open(reconnect=True)``) it raises :class:`StaleHandleError`, because
    its number may name another resource on the daemon by then; it is not
    released then either.

    ``name`` (given at open) shows in its ``repr`` and in the errors its
    commands raise.

    Subclasses pass the guarded function that frees the resource and its
    arguments, describe themselves for ``repr`` (:meth:`_describe`), and may
    extend :meth:`_close_local` (local files, buffers).
    """

    def __init__(self, session: "CommandFamily", token: int, release: Callable[..., int],
                 *release_args: Any, name: Optional[str] = None) -> None:
        if name is not None and not isinstance(name, str):
            raise PigpioTypeError(_lib.PI_BAD_PARAM, "a name is a str, not %s" % type(name).__name__)
        self.name = name
        self._session = session
        self._connection = session._connection
        self._token = token
        self._release_call = (release, release_args)
        self._closed = False
        session._adopt(self)

    @property
    def closed(self) -> bool:
        """True once closed (by ``close()`` or by the session)."""
        return self._closed

    @property
    def session(self) -> "Session":
        """The session that made this handle."""
        return cast("Session", self._session)

    def close(self) -> None:
        """Free the daemon resource; idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            self._connection.release(self._token, self._release_call)
        finally:
            self._close_local()

    def _close_local(self) -> None:
        """Release what this process holds for the handle (default: nothing)."""

    def _call(self, function: Callable[..., int], *args: Any) -> int:
        """A command on this handle's resource (refused once closed); its
        errors name the handle."""
        if self._closed:
            raise BadHandleError(_lib.PI_BAD_HANDLE, "%r is closed" % (self,))
        try:
            return self._connection.call_on(self._token, function, *args)
        except PigpioError as exc:
            if self.name is not None:
                exc.message = "%s: %s" % (self.name, exc.message)
                exc.args = ("%s: %s" % (self.name, exc.args[0]),) + exc.args[1:]
            raise

    def _describe(self) -> str:
        """What ``repr`` says of the resource."""
        return ""

    def __repr__(self) -> str:
        parts = [type(self).__name__, self._describe()]
        if self.name is not None:
            parts.append(repr(self.name))
        if self._closed:
            parts.append("closed")
        return "<%s>" % " ".join(part for part in parts if part)

    def __enter__(self) -> "Handle":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        if not getattr(self, "_closed", True):
            self._closed = True
            self._connection.release_later(self._token, self._release_call)

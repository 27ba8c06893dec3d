"""Handle: the base of every object that owns a daemon resource."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ._pigpiod import lib as _lib
from .errors import BadHandleError

if TYPE_CHECKING:
    from .session import Session


class Handle:
    """Owns one daemon resource (an I2C handle, a wave, a script, ...).

    ``close()`` is idempotent, the object is a context manager, and its
    session closes it when the session closes. Subclasses implement
    :meth:`_release` (free the resource on the daemon, skipped when the
    connection is already gone) and may extend :meth:`_close_local`
    (always run: local files, buffers).
    """

    def __init__(self, session: "Session") -> None:
        self._session = session
        self._closed = False
        session._adopt(self)

    @property
    def closed(self) -> bool:
        """True once closed (by ``close()`` or by the session)."""
        return self._closed

    @property
    def session(self) -> "Session":
        """The session that made this handle."""
        return self._session

    def close(self) -> None:
        """Free the daemon resource; idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._session.connected:
                self._release()
        finally:
            self._close_local()

    def _release(self) -> None:
        raise NotImplementedError

    def _close_local(self) -> None:
        """Release what this process holds for the handle (default: nothing)."""

    def _call(self, function: Callable[..., int], *args: Any) -> int:
        """A command on this handle's resource (refused once closed)."""
        if self._closed:
            raise BadHandleError(_lib.PI_BAD_HANDLE, "%r is closed" % (self,))
        return self._session._call(function, *args)

    def __enter__(self) -> "Handle":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

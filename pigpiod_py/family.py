"""CommandFamily: what the Session's families of commands (I2C, SPI, waves,
...) need of the session they are part of."""
from __future__ import annotations

import weakref
from typing import Any, Callable, Tuple, TypeVar

from .connection import Connection

HandleT = TypeVar("HandleT")


class CommandFamily:
    """Base of :class:`~pigpiod_py.session.Session` and its command families:
    the connection, and the handles made on it."""

    _connection: Connection
    _children: "weakref.WeakSet[Any]"

    def _call(self, function: Callable[..., int], *args: Any) -> int:
        """``function(token, *args)`` through the guard; typed errors."""
        return self._connection.call(function, *args)

    def _open(self, function: Callable[..., int], *args: Any) -> Tuple[int, int]:
        """A command that opens a daemon resource: (result, connection token)."""
        self._connection.release_deferred()  # dropped handles first: room for this one
        return self._connection.call_opening(function, *args)

    def _adopt(self, child: HandleT) -> HandleT:
        """Register a handle object, to be closed with the session."""
        self._children.add(child)
        return child

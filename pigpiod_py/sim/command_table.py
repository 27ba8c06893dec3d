"""The daemon's one command table: command number -> handler.

Each command family registers its handlers once, in one place
(:class:`.Daemon`); a number registered twice is an error, so no family can
silently replace another's command.  Numbers nobody registered answer
PI_UNKNOWN_COMMAND.  NOIB is not in the table: it belongs to the socket
layer (:mod:`.server`), as in pigpiod.
"""
from __future__ import annotations

from ..constants import Command
from .checks import Handler, Handlers, Reply
from .. import _numbers as lib

#: Size of the table; larger command numbers are unknown too.
SIZE = 256


def unknown_command(p1: int, p2: int, ext: bytes) -> int:
    """The handler of every command number the daemon does not know: PI_UNKNOWN_COMMAND."""
    return lib.PI_UNKNOWN_COMMAND


class CommandTable:
    """Handlers by command number, each registered once."""

    def __init__(self) -> None:
        #: The handlers by number (read it directly on a hot path).
        self.handlers: list[Handler] = [unknown_command] * SIZE
        self._owners: dict[int, str] = {}

    def register(self, owner: str, handlers: Handlers) -> None:
        """Add a family's handlers; ValueError if one of its numbers is taken already."""
        for command, handler in handlers.items():
            if not 0 <= command < SIZE:
                raise ValueError(f"{owner}: command number {command} is outside the table")
            if command in self._owners:
                raise ValueError(f"{owner}: command {Command(command).name} is "
                                 f"{self._owners[command]}'s already")
            self._owners[command] = owner
            self.handlers[command] = handler

    def handler(self, command: int) -> Handler:
        """The handler of a command number (unknown_command for any other number)."""
        return self.handlers[command] if 0 <= command < SIZE else unknown_command

    def run(self, command: int, p1: int, p2: int, ext: bytes) -> Reply:
        """Run one request (call with the daemon lock held)."""
        return self.handler(command)(p1, p2, ext)

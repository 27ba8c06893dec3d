"""A table of numbered handle slots (I2C, SPI, serial): lowest free slot first."""
from __future__ import annotations

from typing import Any, Callable, Generic, Optional, TypeVar

from .checks import Handler, Reply
from .. import _numbers as lib

T = TypeVar("T")


class HandleTable(Generic[T]):
    """``size`` slots, each empty (None) or holding what its handle refers to."""

    def __init__(self, size: int) -> None:
        self.slots: list[Optional[T]] = [None] * size

    def clear(self) -> None:
        """Close every handle."""
        self.slots = [None] * len(self.slots)

    def add(self, value: T) -> int:
        """The lowest free slot, now holding ``value``, or PI_NO_HANDLE."""
        if None not in self.slots:
            return lib.PI_NO_HANDLE
        slot = self.slots.index(None)
        self.slots[slot] = value
        return slot

    def full(self) -> bool:
        """True if every slot is taken."""
        return None not in self.slots

    def get(self, handle: int) -> Optional[T]:
        """What an open handle refers to, None for a bad or closed one."""
        return self.slots[handle] if handle < len(self.slots) else None

    def remove(self, handle: int) -> int:
        """Close a handle: 0, or PI_BAD_HANDLE."""
        if self.get(handle) is None:
            return lib.PI_BAD_HANDLE
        self.slots[handle] = None
        return 0

    def values(self) -> list[T]:
        """The values of the taken slots."""
        return [value for value in self.slots if value is not None]

    def bind(self, method: Callable[[T, int, bytes], Any]) -> Handler:
        """A handler taking a handle in p1: PI_BAD_HANDLE, or ``method(value, p2, ext)``."""
        def handler(handle: int, p2: int, ext: bytes) -> Reply:
            value = self.get(handle)
            if value is None:
                return lib.PI_BAD_HANDLE
            result: Reply = method(value, p2, ext)
            return result
        return handler

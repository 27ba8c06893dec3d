"""The startup layer's tree: components with numeric ids, the event queue,
and the two functions ``pull`` and ``call`` on them."""
from __future__ import annotations

import collections
import itertools
import math
import threading
from typing import Any, Callable, Deque, Dict, List, Optional

Event = Dict[str, Any]
Methods = Dict[str, Callable[..., Any]]


class DetachedError(LookupError):
    """A call reached a component that was detached while it was being called."""


class Component:
    """A bus or a device: its place in the tree and its allowed methods."""

    def __init__(self, id: int, kind: str, type_: str, parent: Optional[int],
                 address: Optional[str], methods: Methods) -> None:
        self.id = id
        self.kind = kind
        self.type = type_
        self.parent = parent
        self.address = address
        self.methods = methods
        self.children: List[int] = []
        self.on_detach: List[Callable[[], None]] = []


def wait_limit(timeout_sec: Optional[float]) -> Optional[float]:
    """``pull``'s time-out as seconds to wait (0: do not wait), or None for
    no limit (None, infinity, or more than the platform can wait)."""
    if timeout_sec is None:
        return None
    if isinstance(timeout_sec, bool) or not isinstance(timeout_sec, (int, float)):
        raise TypeError("timeout_sec must be seconds or None, not %r" % (timeout_sec,))
    if math.isnan(timeout_sec):
        raise ValueError("timeout_sec must be seconds or None, not NaN")
    if timeout_sec > threading.TIMEOUT_MAX:
        return None
    return max(0.0, float(timeout_sec))


class Tree:
    """Components by id and the events that describe their changes.

    Changes to one daemon's subtree are made by one thread at a time (the
    daemon's own lock); the table and the queue have a short lock of their
    own, so ``pull`` and ``call`` never wait for a daemon.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._events: Deque[Event] = collections.deque()
        self._components: Dict[int, Component] = {}
        self._ids = itertools.count(1)

    def pull(self, timeout_sec: Optional[float]) -> Optional[Event]:
        """The next event, or None after ``timeout_sec`` seconds (``<= 0``:
        at once; None or infinity: no limit)."""
        limit = wait_limit(timeout_sec)
        with self._cond:
            if not self._events and limit != 0:
                self._cond.wait_for(lambda: bool(self._events), limit)
            return self._events.popleft() if self._events else None

    def call(self, id: int, name: str, *args: Any) -> Any:
        """Method ``name`` of component ``id``; None when it has no such
        method; LookupError for an id that is not (or no longer) attached."""
        with self._cond:
            component = self._components.get(id)
        if component is None:
            raise LookupError("no component with id %r" % (id,))
        method = component.methods.get(name) if isinstance(name, str) else None
        return None if method is None else method(*args)

    def emit(self, event: Event) -> None:
        """Queue an event and wake who waits in :meth:`pull`."""
        with self._cond:
            self._events.append(event)
            self._cond.notify_all()

    def attach(self, kind: str, type_: str, parent: Optional[int], address: Optional[str],
               methods: Methods) -> Component:
        """Add a bus or device under ``parent`` and report it."""
        component = Component(next(self._ids), kind, type_, parent, address, methods)
        if kind == "bus":
            event = {"type": "bus_attach", "id": component.id, "bus": parent, "bus_type": type_,
                     "address": address}
        else:
            event = {"type": "device_attach", "id": component.id, "bus": parent,
                     "address": address, "device_type": type_}
        with self._cond:
            self._components[component.id] = component
            if parent is not None:
                self._components[parent].children.append(component.id)
            self._events.append(event)
            self._cond.notify_all()
        return component

    def detach(self, id: int) -> None:
        """Detach a component after everything attached to it: its resources
        are released before its detach event."""
        with self._cond:
            component = self._components.get(id)
        if component is None:
            return
        self.detach_children(id)
        for release in component.on_detach:
            release()
        with self._cond:
            del self._components[id]
            if component.parent in self._components:
                self._components[component.parent].children.remove(id)
            self._events.append({"type": "%s_detach" % component.kind, "id": id})
            self._cond.notify_all()

    def detach_children(self, id: int) -> None:
        """Detach everything attached to component ``id``."""
        for child in self.children(id):
            self.detach(child.id)

    def children(self, id: int) -> List[Component]:
        """The components attached to component ``id``, in attach order."""
        with self._cond:
            component = self._components.get(id)
            if component is None:
                return []
            return [self._components[c] for c in component.children]

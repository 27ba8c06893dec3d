"""Events: edges, watchdog time-outs and pigpio events, from the C reader to
Python handlers, ``pull()``, waits and asyncio.

* :mod:`.records`: what is delivered (:class:`Event`, :class:`EventKind`,
  :class:`EventStats`);
* :mod:`.ring`: the C side of a session's event path and its lifetime;
* :mod:`.subscriptions`: callbacks and the routes they ask for;
* :mod:`.dispatch`: where and when handlers run, one dispatcher per mode
  (its docstring says exactly when, and what handlers must not assume);
* :mod:`.channel`: a session's event path as a whole;
* :mod:`.waiting`: module-level waits that service every session.
"""
from __future__ import annotations

from .channel import DEFAULT_GATHER, EventChannel
from .dispatch import set_dispatch_signal
from .records import Event, EventKind, EventStats
from .subscriptions import Callback
from .waiting import sleep, wait

DISPATCH_MODES = ("main", "thread", "manual")
#: Ring capacity by default: over three seconds of a 20 kHz PWM pin.
DEFAULT_CAPACITY = 1 << 16

__all__ = ["Callback", "DEFAULT_CAPACITY", "DEFAULT_GATHER", "DISPATCH_MODES", "Event", "EventChannel",
           "EventKind", "EventStats", "set_dispatch_signal", "sleep", "wait"]

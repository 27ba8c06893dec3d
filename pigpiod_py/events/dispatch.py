"""Where and when handlers run: one dispatcher per mode, behind one interface.

* ``main``: the reader sends one signal (a real-time one by default, see
  :func:`set_dispatch_signal`) to the main thread; its Python handler runs
  the handlers of every main-mode session there, at the next bytecode
  boundary. CPython interrupts the main thread's sleeps, selects and lock
  waits for it and resumes them after (PEP 475), so handlers run while the
  program waits in ``time.sleep``, ``Event.wait``, ``Queue.get``,
  ``select``, ``input()`` or an asyncio loop. Plain blocking reads are
  interrupted too (the signal is installed without ``SA_RESTART``, or sleeps
  would not be): Python code retries them, but C code of other libraries
  that does not retry on EINTR may see the error. ``signal.pause()`` returns
  after a dispatch, as after any handled signal.
* ``thread``: one dispatcher thread per session.
* ``manual``: nothing runs until ``pull()``, ``dispatch()``, a ``wait_for``,
  ``sleep()`` or :func:`pigpiod_py.sleep` / :func:`pigpiod_py.wait`.

An exception a handler raises never stops dispatch. In ``thread`` mode it is
logged (logger ``pigpiod_py``) and kept in ``handler_errors``. In
``manual`` and ``main`` mode the first one is raised, after the rest of the
dispatch was delivered, in the thread that dispatched: for ``main`` the main
thread, where the signal found it. Main-mode handlers never run inside this
package's code (a ``close()``, a finalizer, a command): when the signal finds
the main thread there, dispatch waits until it is out (the package's own
waits, ``sleep``, ``pull``, ``wait_for_*``, are the exception: handlers run
while they wait, and exceptions come out of them).
"""
from __future__ import annotations

import atexit
import logging
import os
import signal
import threading
import time
import weakref
from types import FrameType
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple, Type

from .._pigpiod import lib as _lib
from ..errors import PigpioValueError

if TYPE_CHECKING:
    from .channel import EventChannel

log = logging.getLogger("pigpiod_py")
_PACKAGE_DOT = __name__.split(".")[0] + "."
_FRAMES_LOOKED_AT = 8


class Dispatcher:
    """How one channel's handlers get to run (the interface of the modes)."""

    #: Whether records for handlers should also wake pull-side waiters (a
    #: waiter that dispatches while it waits).
    waiters_dispatch = False

    def __init__(self, channel: "EventChannel") -> None:
        self.channel = channel

    def start(self) -> None:
        """Begin dispatching (the channel is attached)."""

    def stop(self) -> None:
        """Stop for good (the channel closes)."""

    def report(self, errors: List[BaseException]) -> None:
        """What to do with the exceptions handlers raised in one dispatch."""
        raise_first(errors)


def raise_first(errors: List[BaseException]) -> None:
    """Raise the first exception, noting how many more there were."""
    if not errors:
        return
    first = errors[0]
    if len(errors) > 1 and hasattr(first, "add_note"):
        first.add_note("%d more event handler(s) raised in the same dispatch"
                       % (len(errors) - 1))
    raise first


class ManualDispatcher(Dispatcher):
    """Records wait for pull()/dispatch()/waits, which dispatch them."""

    waiters_dispatch = True


class ThreadDispatcher(Dispatcher):
    """One thread per session waits on the dispatch ring and dispatches."""

    def __init__(self, channel: "EventChannel") -> None:
        super().__init__(channel)
        self._stop_r, self._stop_w = os.pipe()
        self.errors: List[BaseException] = []
        self._thread = threading.Thread(target=_dispatch_loop, daemon=True,
                                        args=(weakref.ref(channel), self._stop_r),
                                        name="pigpiod_py events")

    def start(self) -> None:
        """Start the dispatcher thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and wait for it (unless it is the caller)."""
        os.write(self._stop_w, b"x")
        if self._thread.ident is not None and self._thread is not threading.current_thread():
            self._thread.join()
        os.close(self._stop_w)
        # The read end is the thread's: it closes it when it leaves.

    def report(self, errors: List[BaseException]) -> None:
        """Log them and keep them in ``handler_errors``: nobody to raise to."""
        for exc in errors:
            log.error("event handler raised", exc_info=exc)
        self.errors.extend(errors)


def _dispatch_loop(ref: "weakref.ReferenceType[EventChannel]", stop: int) -> None:
    """The dispatcher thread. It holds its channel only weakly while it waits,
    so a session dropped without ``close()`` can still be collected."""
    try:
        channel = ref()
        if channel is None:
            return
        ring = channel.ring
        with ring.using() as live:
            if not live:
                return
            del channel
            while True:
                if ring.pump(ring.dispatch_fd, stop) == _lib.PGD_PUMP_STOPPED:
                    return
                channel = ref()
                if channel is None:
                    return
                try:
                    channel.dispatch_once()
                except Exception:  # noqa: BLE001 - a package thread must not die of it
                    log.exception("event dispatch failed")
                del channel
    finally:
        os.close(stop)


# -- main: a signal to the main thread ---------------------------------------------

#: The main-mode channels (a tuple, replaced on change: the signal handler
#: iterates it without a lock).
_main_channels: "Tuple[EventChannel, ...]" = ()
_signal: Optional[int] = None
_lock = threading.Lock()
#: Depth of the main thread's waits in this package (where handlers may run).
_safe_depth = 0
#: When the main thread is busy inside the package, the signal comes again
#: this much later (µs): handlers never run in the middle of package code.
_DEFER_US = 2000


def _default_signal() -> int:
    configured = os.environ.get("PIGPIOD_PY_SIGNAL")
    return int(configured) if configured else int(signal.SIGRTMIN) + 7


def set_dispatch_signal(signo: int) -> None:
    """Choose the signal ``main`` dispatch uses (before the first main-mode
    session; default ``SIGRTMIN + 7``, or ``PIGPIOD_PY_SIGNAL``)."""
    with _lock:
        if _signal is not None and _signal != signo:
            raise PigpioValueError(_lib.PI_BAD_SIGNUM, "main dispatch already uses signal %d"
                                   % _signal)
        if _signal is None:
            _install(signo)


def _install(signo: int) -> None:
    global _signal
    if threading.current_thread() is not threading.main_thread():
        raise PigpioValueError(
            _lib.PI_BAD_PARAM, "dispatch='main' is set up by the main thread: open the first "
            "main-mode session there, or use dispatch='thread'")
    if signal.getsignal(signo) not in (signal.SIG_DFL, None):
        raise PigpioValueError(_lib.PI_BAD_SIGNUM, "signal %d already has a handler; choose "
                               "another with set_dispatch_signal()" % signo)
    signal.signal(signo, _on_signal)
    _lib.pgd_signal_setup(signo)
    _signal = signo


@atexit.register
def _stop_signalling() -> None:
    _lib.pgd_signal_setup(0)


class _SafePoint:
    """Marks a wait of the package where main-mode handlers may run (no lock
    they could need is held). A plain class: it is entered at every wait."""

    def __enter__(self) -> None:
        global _safe_depth
        if threading.get_ident() == _MAIN_IDENT:
            _safe_depth += 1

    def __exit__(self, *exc: object) -> None:
        global _safe_depth
        if threading.get_ident() == _MAIN_IDENT:
            _safe_depth -= 1


_MAIN_IDENT = threading.main_thread().ident
safe_point = _SafePoint


class MainDispatcher(Dispatcher):
    """Handlers run in the main thread, woken by a signal."""

    def start(self) -> None:
        """Install the signal (first time) and have the reader send it."""
        global _main_channels
        with _lock:
            if _signal is None:
                _install(_default_signal())
            _main_channels += (self.channel,)
        self.channel.ring.signal_main(True)

    def stop(self) -> None:
        """No more signals for this channel."""
        global _main_channels
        self.channel.ring.signal_main(False)
        with _lock:
            _main_channels = tuple(c for c in _main_channels if c is not self.channel)


def _on_signal(signo: int, frame: Optional[FrameType]) -> None:
    """The Python handler of the dispatch signal (main thread)."""
    if not _safe_depth and _inside_package(frame):
        _lib.pgd_signal_done(0, _DEFER_US)  # again in a moment, once out of the package
        return
    started = time.perf_counter()
    errors: List[BaseException] = []
    again = 0
    try:
        for channel in _main_channels:
            again = max(again, channel.dispatch_main(errors))
    finally:
        _lib.pgd_signal_done(int((time.perf_counter() - started) * 1e6), again)
    raise_first(errors)


def _inside_package(frame: Optional[FrameType]) -> bool:
    """Whether one of the innermost frames is the package's (deep enough for
    the package calling the standard library, e.g. a thread join)."""
    for _ in range(_FRAMES_LOOKED_AT):
        if frame is None:
            return False
        if frame.f_globals.get("__name__", "").startswith(_PACKAGE_DOT):
            return True
        frame = frame.f_back
    return False


DISPATCHERS: Dict[str, Type[Dispatcher]] = {
    "main": MainDispatcher, "thread": ThreadDispatcher, "manual": ManualDispatcher}

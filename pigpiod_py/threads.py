"""Threads that run Python source in their own interpreter state (the Lua binding's
``start_thread``).

>>> t = pigpiod_py.start_thread('''
... import pigpiod_py
... with pigpiod_py.open() as pi:
...     while not stop_requested():
...         pi.write(args[0], 1); pi.write(args[0], 0)
... ''', 17)
>>> t.stop()

The code sees ``args`` (a tuple of the numbers, strings and booleans given)
and ``stop_requested()``.  Where the running Python gives sub-interpreters
their own GIL (3.12 and later) the code runs in a fresh sub-interpreter, so it
runs in parallel with the main interpreter; otherwise it runs in a thread with
an isolated namespace.  ``stop()`` asks the code to stop (``stop_requested()``
becomes true); code in a namespace thread that has not ended 0.2 s later gets
``SystemExit`` raised in it at its next bytecode boundary.  Code in a
sub-interpreter can only stop by itself.
"""
from __future__ import annotations

import ctypes
import os
import sys
import threading
from types import ModuleType
from typing import Callable, Optional, Tuple, Union

from ._pigpiod import lib as _lib
from .errors import PigpioTypeError

Arg = Union[int, float, str, bool]
ISOLATIONS = ("auto", "subinterpreter", "namespace")
#: How long ``stop()`` lets the code notice ``stop_requested()`` before it
#: raises SystemExit in a namespace thread (s).
STOP_GRACE_S = 0.2

#: Run in a sub-interpreter before the user's code: ``args`` and ``stop_requested``.
_PRELUDE = """
import ast as _ast, select as _select
args = _ast.literal_eval(_pigpiod_args)
def stop_requested():
    return bool(_select.select([_pigpiod_stop_fd], [], [], 0)[0])
"""


def _interpreters() -> Optional[Tuple[Callable[[], object], ModuleType]]:
    """(create, module) of the sub-interpreter API, if this Python has one."""
    try:
        import _interpreters as module  # type: ignore[import-not-found]  # 3.13+
        return module.create, module
    except ImportError:
        pass
    try:
        import _xxsubinterpreters as module  # type: ignore[import-not-found]  # 3.8-3.12
        return (lambda: module.create(isolated=True)), module
    except ImportError:
        return None


def own_gil() -> bool:
    """Whether sub-interpreters of this Python have their own GIL."""
    return sys.version_info >= (3, 12) and _interpreters() is not None


def _checked_args(args: Tuple[Arg, ...]) -> Tuple[Arg, ...]:
    for value in args:
        if not isinstance(value, (int, float, str)):
            raise PigpioTypeError(_lib.PI_BAD_PARAM, "thread arguments are numbers, strings "
                                  "and booleans, not %s" % type(value).__name__)
    return args


class PiThread:
    """A running piece of Python source; ``stop()`` ends it."""

    def __init__(self, code: str, args: Tuple[Arg, ...], isolation: str) -> None:
        if isolation not in ISOLATIONS:
            raise ValueError("isolation is one of %s" % ", ".join(ISOLATIONS))
        if not isinstance(code, str):
            raise PigpioTypeError(_lib.PI_BAD_PARAM, "code is Python source text")
        self.compiled = compile(code, "<pigpiod_py thread>", "exec")
        self.code = code
        self.args = _checked_args(args)
        if isolation == "auto":
            isolation = "subinterpreter" if own_gil() else "namespace"
        self.isolation = isolation
        #: The exception that ended the code, if any.
        self.exception: Optional[BaseException] = None
        self._stop_read, self._stop_write = os.pipe()
        self._pipe_lock = threading.Lock()
        self._pipe_open = True
        self._stopped = threading.Event()
        target = self._run_interpreter if isolation == "subinterpreter" else self._run_namespace
        self._thread = threading.Thread(target=self._run, args=(target,), daemon=True,
                                        name="pigpiod_py thread")
        self._thread.start()

    @property
    def running(self) -> bool:
        """True until the code has ended."""
        return self._thread.is_alive()

    def stop_requested(self) -> bool:
        """Whether ``stop()`` was called."""
        return self._stopped.is_set()

    def _run(self, target: Callable[[], None]) -> None:
        try:
            target()
        except SystemExit:
            pass
        except BaseException as exc:  # kept for the owner, like a thread's result
            self.exception = exc
        finally:
            with self._pipe_lock:
                self._pipe_open = False
                os.close(self._stop_read)
                os.close(self._stop_write)

    def _run_namespace(self) -> None:
        namespace = {"__name__": "__pigpiod_thread__", "args": self.args,
                     "stop_requested": self.stop_requested}
        exec(self.compiled, namespace)

    def _run_interpreter(self) -> None:
        found = _interpreters()
        assert found is not None, "no sub-interpreters in this Python"
        create, module = found
        interp = create()
        try:
            shared = {"_pigpiod_args": repr(self.args), "_pigpiod_stop_fd": self._stop_read}
            failure = module.run_string(interp, _PRELUDE + self.code, shared)
            if failure is not None:  # 3.13 returns what went wrong instead of raising
                raise RuntimeError("thread code failed: %s" % (failure,))
        finally:
            module.destroy(interp)

    def stop(self, timeout: Optional[float] = 5.0) -> bool:
        """Ask the code to stop and wait up to ``timeout`` s; True once it has ended."""
        if self._stopped.is_set():
            return self.join(timeout)
        self._stopped.set()
        with self._pipe_lock:
            if self._pipe_open:
                os.write(self._stop_write, b"x")
        grace = STOP_GRACE_S if timeout is None else min(timeout, STOP_GRACE_S)
        if self.join(grace):
            return True
        ident = self._thread.ident
        if self.isolation == "namespace" and ident is not None:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident),
                                                       ctypes.py_object(SystemExit))
        return self.join(None if timeout is None else max(timeout - grace, 0.0))

    def join(self, timeout: Optional[float] = None) -> bool:
        """Wait for the code to end; True if it has."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def __repr__(self) -> str:
        return "<PiThread %s %s>" % (self.isolation, "running" if self.running else "ended")


def start_thread(code: str, *args: Arg, isolation: str = "auto") -> PiThread:
    """Run Python source ``code`` in its own interpreter state with ``args``.

    ``isolation``: "auto" (a sub-interpreter where it has its own GIL, else a
    namespace thread), "subinterpreter" or "namespace".
    """
    return PiThread(code, args, isolation)


def stop_thread(thread: Optional[PiThread], timeout: Optional[float] = 5.0) -> bool:
    """Stop a thread made by :func:`start_thread` (None: nothing to do)."""
    return True if thread is None else thread.stop(timeout)

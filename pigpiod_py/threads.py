"""Threads that run Python source in their own interpreter (the Lua binding's
``start_thread``).

>>> t = pigpiod_py.start_thread('''
... import pigpiod_py
... with pigpiod_py.open() as pi:
...     while not stop_requested():
...         pi.write(args[0], 1); pi.write(args[0], 0)
... ''', 17, name="blinker")
>>> pigpiod_py.stop_thread("blinker")

By default (``isolation="process"``) the code runs in a child Python
process: an interpreter of its own, with its own globals, modules and GIL (it
runs in parallel with this one), on every supported Python, and it can
``import pigpiod_py`` and open sessions. Sub-interpreters would be lighter,
but the compiled module cannot be loaded in one (cffi modules use
single-phase initialisation), so code there could not use the binding.
``isolation="namespace"`` runs the code in a thread of this interpreter with
globals of its own (modules and ``sys`` are shared): lighter, for code that
needs neither parallelism nor a separate state.

The code sees ``args`` (the numbers, strings and booleans given) and
``stop_requested()``. ``stop()`` asks it to stop; code still running after a
grace period is ended: a process is terminated (SIGTERM, then SIGKILL), a
namespace thread gets ``SystemExit`` at its next bytecode boundary. An
exception that ended the code is kept in ``exception`` (from a process, as a
:class:`ThreadError` carrying the child's traceback text).
"""
from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
import threading
from typing import Dict, List, Optional, Tuple, Union

from ._pigpiod import lib as _lib
from .checks import wait_seconds
from .errors import PigpioTypeError, PigpioValueError

Arg = Union[int, float, str, bool]
ISOLATIONS = ("process", "namespace")
#: How long ``stop()`` lets the code notice ``stop_requested()`` before it
#: ends it (s).
STOP_GRACE_S = 0.5

#: What the child process runs: read the job, define ``args`` and
#: ``stop_requested``, run the code, report an exception on the result fd.
_BOOTSTRAP = """
import json, os, select, sys, traceback
job = json.loads(sys.stdin.read())
sys.path[:] = job["path"]
stop_fd, result_fd = job["stop_fd"], job["result_fd"]
def stop_requested():
    return bool(select.select([stop_fd], [], [], 0)[0])
namespace = {"__name__": "__pigpiod_thread__", "args": tuple(job["args"]),
             "stop_requested": stop_requested}
try:
    exec(compile(job["code"], "<pigpiod_py thread %s>" % job["name"], "exec"), namespace)
except SystemExit:
    pass
except BaseException as exc:
    report = {"type": type(exc).__name__, "message": str(exc),
              "traceback": traceback.format_exc()}
    os.write(result_fd, json.dumps(report).encode())
"""


class ThreadError(RuntimeError):
    """An exception that ended the code of a process thread (its type,
    message and traceback, as text: the object stayed in the child)."""

    def __init__(self, kind: str, message: str, traceback: str) -> None:
        self.kind = kind
        self.traceback = traceback
        super().__init__("%s: %s" % (kind, message))


_running: Dict[str, "PiThread"] = {}
_names_lock = threading.Lock()
_unnamed = iter(range(1, 1 << 62))


def _checked_args(args: Tuple[Arg, ...]) -> Tuple[Arg, ...]:
    for value in args:
        if not isinstance(value, (int, float, str)):
            raise PigpioTypeError(_lib.PI_BAD_PARAM, "thread arguments are numbers, strings "
                                  "and booleans, not %s" % type(value).__name__)
    return args


class PiThread:
    """A running piece of Python source; ``stop()`` ends it."""

    def __init__(self, code: str, args: Tuple[Arg, ...], isolation: str,
                 name: Optional[str]) -> None:
        if isolation not in ISOLATIONS:
            raise PigpioValueError(_lib.PI_BAD_PARAM, "isolation is one of %s, not %r"
                                   % (", ".join(ISOLATIONS), isolation))
        if not isinstance(code, str):
            raise PigpioTypeError(_lib.PI_BAD_PARAM, "code is Python source text")
        self.compiled = compile(code, "<pigpiod_py thread>", "exec")
        self.code = code
        self.args = _checked_args(args)
        self.isolation = isolation
        #: The exception that ended the code, if any.
        self.exception: Optional[BaseException] = None
        self._stopping = threading.Event()
        self._stop_lock = threading.Lock()
        self.name = self._register(name)
        try:
            if isolation == "process":
                self._start_process()
            else:
                self._start_namespace()
        except BaseException:
            self._unregister()
            raise

    # -- names --------------------------------------------------------------

    def _register(self, name: Optional[str]) -> str:
        if name is not None and not isinstance(name, str):
            raise PigpioTypeError(_lib.PI_BAD_PARAM, "a thread name is a str")
        with _names_lock:
            if name is None:
                name = "thread-%d" % next(_unnamed)
            current = _running.get(name)
            if current is not None and current.running:
                raise PigpioValueError(_lib.PI_BAD_PARAM, "a thread named %r is running" % name)
            _running[name] = self
        return name

    def _unregister(self) -> None:
        with _names_lock:
            if _running.get(self.name) is self:
                del _running[self.name]

    # -- a child process -----------------------------------------------------

    def _start_process(self) -> None:
        self._stop_read, self._stop_write = os.pipe()
        self._result_read, result_write = os.pipe()
        job = {"code": self.code, "args": list(self.args), "name": self.name,
               "path": sys.path, "stop_fd": self._stop_read, "result_fd": result_write}
        try:
            self._process: Optional[subprocess.Popen[bytes]] = subprocess.Popen(
                [sys.executable, "-c", _BOOTSTRAP], stdin=subprocess.PIPE,
                pass_fds=(self._stop_read, result_write))
        finally:
            os.close(result_write)
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps(job).encode())
        self._process.stdin.close()
        # Waits for the child and collects its report: fds and the name are
        # freed when it ends, whether anybody joins or not.
        self._thread = threading.Thread(target=self._reap, daemon=True,
                                        name="pigpiod_py thread %s" % self.name)
        self._thread.start()

    def _reap(self) -> None:
        """Wait for the child; keep what it reported, close our fds."""
        assert self._process is not None
        chunks: List[bytes] = []
        while True:  # until the child ends (its end of the pipe closes)
            chunk = os.read(self._result_read, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        self._process.wait()
        with self._stop_lock:
            for fd in (self._result_read, self._stop_read, self._stop_write):
                os.close(fd)
            self._stop_write = -1
        if chunks:
            report = json.loads(b"".join(chunks))
            self.exception = ThreadError(report["type"], report["message"], report["traceback"])
        self._unregister()

    # -- a thread of this interpreter -----------------------------------------------

    def _start_namespace(self) -> None:
        self._process = None
        self._stop_write = -1
        self._thread = threading.Thread(target=self._run_namespace, daemon=True,
                                        name="pigpiod_py thread %s" % self.name)
        self._thread.start()

    def _run_namespace(self) -> None:
        namespace = {"__name__": "__pigpiod_thread__", "args": self.args,
                     "stop_requested": self.stop_requested}
        try:
            exec(self.compiled, namespace)
        except SystemExit:
            pass
        except BaseException as exc:  # kept for the owner, like a thread's result
            self.exception = exc
        finally:
            self._unregister()

    # -- control -------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True until the code has ended."""
        return self._thread.is_alive()

    def stop_requested(self) -> bool:
        """Whether ``stop()`` was called."""
        return self._stopping.is_set()

    def stop(self, timeout: Optional[float] = 5.0) -> bool:
        """Ask the code to stop; end it if it has not after a grace period;
        wait up to ``timeout`` s in all. True once it has ended."""
        limit = wait_seconds(timeout)
        if not self._stopping.is_set():
            self._stopping.set()
            with self._stop_lock:
                if self._stop_write >= 0:
                    os.write(self._stop_write, b"x")
        grace = STOP_GRACE_S if limit is None else min(limit, STOP_GRACE_S)
        if self.join(grace):
            return True
        self._end_forcibly()
        return self.join(None if limit is None else max(limit - grace, 0.0))

    def _end_forcibly(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self._process.kill()
            return
        ident = self._thread.ident
        if ident is not None:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident),
                                                       ctypes.py_object(SystemExit))

    def join(self, timeout: Optional[float] = None) -> bool:
        """Wait for the code to end; True if it has."""
        self._thread.join(wait_seconds(timeout))
        return not self._thread.is_alive()

    def __repr__(self) -> str:
        return "<PiThread %r %s %s>" % (self.name, self.isolation,
                                        "running" if self.running else "ended")


def start_thread(code: str, *args: Arg, isolation: str = "process",
                 name: Optional[str] = None) -> PiThread:
    """Run Python source ``code`` in its own interpreter with ``args``
    (numbers, strings, booleans); ``name`` it (unique among running ones)."""
    return PiThread(code, args, isolation, name)


def stop_thread(thread: Union[PiThread, str, None], timeout: Optional[float] = 5.0) -> bool:
    """Stop a thread made by :func:`start_thread`, given by object or name
    (None, or a name not running: nothing to do)."""
    if isinstance(thread, str):
        with _names_lock:
            thread = _running.get(thread)
    return True if thread is None else thread.stop(timeout)


def running_threads() -> Dict[str, PiThread]:
    """The threads running now, by name."""
    with _names_lock:
        threads = dict(_running)
    return {name: t for name, t in threads.items() if t.running}

"""Connection: one guarded libpigpiod_if2 connection to a daemon.

It owns the connection's token (every library call goes through the C guard
with it, see ``include/pgd_guard.h``), turns results into typed errors,
notices loss (a failed exchange, or the idle check of the housekeeper),
reconnects in the background when asked to, holds the batch socket, and
releases daemon handles whose objects were dropped without ``close()``.
"""
from __future__ import annotations

import functools
import inspect
import logging
import socket
import threading
import time
from collections import deque
from typing import Any, Callable, Deque, Dict, List, NoReturn, Optional, Tuple, TypeVar

from . import housekeeping
from ._pigpiod import lib as _lib
from .checks import limit_milliseconds, wait_seconds
from .errors import (
    PigpioConnectionError,
    PigpioTimeoutError,
    SessionClosedError,
    StaleHandleError,
    argument_error,
    error_class,
    error_message,
    make_error,
)

log = logging.getLogger("pigpiod_py")

#: Results that mean the exchange failed and the connection is gone.
_LOSS = frozenset((_lib.PGD_ERR_TIMEOUT, _lib.pigif_bad_send, _lib.pigif_bad_recv,
                   _lib.PGD_ERR_BROKEN))
_CLOSED = _lib.PGD_ERR_CLOSED
#: Seconds between reconnect attempts: doubling up to the last.
_RECONNECT_DELAYS = (0.05, 5.0)

Release = Tuple[Callable[..., int], Tuple[Any, ...]]
Method = TypeVar("Method", bound=Callable[..., Any])


def keepalive_socket(sock: socket.socket) -> None:
    """TCP keep-alive on a socket of ours: a Pi that drops off the network
    fails it within about 25 s even when nothing is sent."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for option, value in (("TCP_KEEPIDLE", 10), ("TCP_KEEPINTVL", 5), ("TCP_KEEPCNT", 3),
                          ("TCP_USER_TIMEOUT", 25000)):
        if hasattr(socket, option):
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, option), value)


class Connection:
    """A daemon connection: token, time-out, loss and reconnect, batch socket.

    ``keepalive`` (seconds, or None) is how long the connection may stay idle
    before the housekeeper checks that the daemon still answers.
    """

    def __init__(self, host: str, port: int, timeout: Optional[float], reconnect: bool,
                 keepalive: Optional[float], name: Optional[str] = None) -> None:
        self.name = name
        self.host = host
        self.port = port
        self.timeout = wait_seconds(timeout, "timeout")
        self.timeout_ms = limit_milliseconds(timeout, "timeout")
        self.reconnect = reconnect
        self.keepalive = wait_seconds(keepalive, "keepalive")
        self.token = -1
        self.closed = False
        self._lock = threading.Lock()
        self._watchers: List[Callable[[bool], None]] = []
        self._reconnector: Optional[threading.Thread] = None
        self._releases: Deque[Tuple[int, Release]] = deque()
        self._batch_socket: Optional[socket.socket] = None
        self.batch_lock = threading.Lock()
        self._seen: Tuple[int, float] = (-1, 0.0)  # (calls, when) for the idle check
        self.token = self._connect_or_raise()
        housekeeping.watch(self)

    def __repr__(self) -> str:
        where = "pigpiod at %s:%d" % (self.host, self.port)
        return where if self.name is None else "%s (%s)" % (self.name, where)

    # -- connecting ------------------------------------------------------------

    def _connect(self) -> int:
        return int(_lib.pgd_connect(self.host.encode(), str(self.port).encode(), self.timeout_ms))

    def _connect_or_raise(self) -> int:
        token = self._connect()
        if token < 0:
            raise error_class(token)(token, "%s at %s:%d" % (error_message(token), self.host,
                                                             self.port))
        return token

    @property
    def connected(self) -> bool:
        """True while the daemon connection is up (False while reconnecting)."""
        return self.token > 0

    def watch(self, func: Callable[[bool], None]) -> None:
        """Call ``func(connected)`` when the connection is lost (False) and
        when a reconnect brought it back (True), in the thread that noticed;
        exceptions are logged."""
        self._watchers.append(func)

    def _tell(self, connected: bool) -> None:
        for func in list(self._watchers):
            try:
                func(connected)
            except Exception:  # noqa: BLE001 - a listener must not break recovery
                log.exception("connection listener raised")

    # -- calls -----------------------------------------------------------------

    def call(self, function: Callable[..., int], *args: Any) -> int:
        """``function(token, *args)`` on the current connection; a negative
        result raises its typed error. A call refused before anything was
        sent because a reconnect raced it is repeated on the new connection."""
        return self.call_opening(function, *args)[0]

    def call_opening(self, function: Callable[..., int], *args: Any) -> Tuple[int, int]:
        """:meth:`call` for a command that opens a daemon resource: (result,
        the token of the connection it was opened on)."""
        while True:
            token = self.token
            try:
                result: int = function(token, *args)
            except (TypeError, OverflowError) as exc:
                raise argument_error(function.__name__, args, exc) from None
            if result >= 0:
                return result, token
            if not self._raced(result, token):
                self.fail(result, token)

    def _raced(self, result: int, token: int) -> bool:
        """Whether a call made with ``token`` was refused before anything was
        sent because a reconnect replaced the connection: safe to repeat."""
        return result == _CLOSED and self.token != token and self.token > 0

    def recover(self, result: int, token: int, function: Callable[..., int], *args: Any) -> int:
        """After ``function(token, *args)`` returned ``result`` < 0: the
        result of the call repeated on the new connection when a reconnect
        raced it (see :meth:`call`), else the typed error raised."""
        if self._raced(result, token):
            return self.call(function, *args)
        self.fail(result, token)

    def call_on(self, token: int, function: Callable[..., int], *args: Any) -> int:
        """The same on the connection ``token`` names (a handle's): refused
        with :class:`StaleHandleError` once a reconnect replaced it."""
        try:
            result: int = function(token, *args)
        except (TypeError, OverflowError) as exc:
            raise argument_error(function.__name__, args, exc) from None
        if result < 0:
            if result == _CLOSED and not self.closed and token != self.token:
                raise StaleHandleError(
                    result, "opened on an earlier connection to %r, which a reconnect "
                    "replaced; open it again" % (self,))
            self.fail(result, token)
        return result

    def fail(self, result: int, token: int) -> NoReturn:
        """Raise the typed error of a failed call made with ``token``; a
        failed exchange closes the connection (or starts reconnecting)."""
        if result in _LOSS:
            self.lost(token)
            if result == _lib.PGD_ERR_TIMEOUT:
                raise PigpioTimeoutError(
                    result, "%r did not answer within %ss; the connection is closed"
                    % (self, self.timeout))
            raise PigpioConnectionError(result, "the connection to %r is lost (%s)"
                                        % (self, error_message(result)))
        if result == _CLOSED or result == _lib.pigif_unconnected_pi:
            if self.closed:
                raise SessionClosedError(result, "the session with %r is closed" % (self,))
            raise PigpioConnectionError(result, "the connection to %r is lost; reconnecting"
                                        % (self,))
        raise make_error(result)

    def command(self, command: int, p1: int = 0, p2: int = 0) -> int:
        """A raw command without extension (what the library lacks or gets wrong)."""
        return self.call(_lib.pgd_raw_command, command, p1, p2)

    # -- loss and reconnect ------------------------------------------------------

    def lost(self, token: int) -> None:
        """The connection ``token`` failed: close it, then close for good or
        (``reconnect=True``) reconnect in the background. Idempotent."""
        with self._lock:
            if token != self.token or token < 0 or self.closed:
                return
            self.token = -1
            self._close_batch_socket()
            if self.reconnect:
                self._reconnector = threading.Thread(target=self._reconnect_loop, daemon=True,
                                                     name="pigpiod_py reconnect")
            else:
                self.closed = True
        _lib.pgd_disconnect(token)
        self._tell(False)
        if self._reconnector is not None:
            self._reconnector.start()

    def _reconnect_loop(self) -> None:
        delay, longest = _RECONNECT_DELAYS
        while not self.closed:
            token = self._connect()
            if token > 0:
                with self._lock:
                    if self.closed:
                        _lib.pgd_disconnect(token)
                        return
                    self.token = token
                    self._reconnector = None
                self._tell(True)
                return
            time.sleep(delay)
            delay = min(delay * 2, longest)

    def close(self) -> None:
        """Release deferred handles, then disconnect; idempotent."""
        self.release_deferred()
        with self._lock:
            token, self.token = self.token, -1
            self.closed = True
            self._close_batch_socket()
        if token > 0:
            _lib.pgd_disconnect(token)

    # -- handles -------------------------------------------------------------------

    def release(self, token: int, release: Release) -> None:
        """Free a daemon resource opened on ``token``'s connection; nothing
        to do once that connection is gone (closed, lost or replaced)."""
        function, args = release
        if token != self.token:
            return
        result = function(token, *args)
        if result < 0 and not (result == _CLOSED and token != self.token):
            self.fail(result, token)

    def release_later(self, token: int, release: Release) -> None:
        """Queue a release for a handle object that was collected without
        ``close()``: done by the next :meth:`release_deferred`. Safe in a
        finalizer: it never blocks."""
        self._releases.append((token, release))

    def release_deferred(self) -> None:
        """Release what :meth:`release_later` queued; errors are logged
        (nobody is waiting for them)."""
        while self._releases:
            token, release = self._releases.popleft()
            try:
                self.release(token, release)
            except Exception as exc:  # noqa: BLE001 - logged, see docstring
                log.warning("releasing a dropped handle failed: %s", exc)

    # -- housekeeping ----------------------------------------------------------------

    def housekeep(self, now: float) -> None:
        """Run by the housekeeper thread: deferred releases, and the check
        that an idle connection is still alive (loss is noticed within
        ``keepalive`` + ``timeout`` + a second)."""
        token = self.token
        if token <= 0:
            return
        self.release_deferred()
        if _lib.pgd_check(token) < 0:
            self.lost(token)
            return
        calls = int(_lib.pgd_calls(token))
        seen_calls, seen_at = self._seen
        if calls != seen_calls:
            self._seen = (calls, now)
        elif self.keepalive is not None and self.timeout is not None and now - seen_at >= self.keepalive:
            try:
                self.call(_lib.pgd_get_current_tick)
            except PigpioConnectionError:
                return  # lost: the call did what there is to do
            self._seen = (int(_lib.pgd_calls(token)), now)

    # -- the batch socket -------------------------------------------------------------

    def batch_socket(self) -> socket.socket:
        """The connection's second socket, used only for batches."""
        with self._lock:
            if self.token < 0:
                if self.closed:
                    raise SessionClosedError(_CLOSED, "the session with %r is closed" % (self,))
                raise PigpioConnectionError(_CLOSED, "the connection to %r is lost; reconnecting"
                                            % (self,))
            if self._batch_socket is None:
                try:
                    sock = socket.create_connection((self.host, self.port), self.timeout)
                except OSError as exc:
                    raise PigpioConnectionError(_lib.pigif_bad_connect, str(exc)) from exc
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                keepalive_socket(sock)
                sock.settimeout(self.timeout)
                self._batch_socket = sock
            return self._batch_socket

    def _close_batch_socket(self) -> None:
        if self._batch_socket is not None:
            self._batch_socket.close()
            self._batch_socket = None


_FAST_CALL = """\
def {name}(self{params}):
    connection = self._connection
    token = connection.token
    try:
        result = function(token{args})
    except (TypeError, OverflowError) as exc:
        raise argument_error(function.__name__, ({args_tuple}), exc) from None
    if result < 0:
        result = connection.recover(result, token, function{args})
    return {returned}
"""


def command(function: Callable[..., int]) -> Callable[[Method], Method]:
    """Decorator of a method that is one guarded call, ``function(token,
    *arguments)``, on ``self._connection``: the hot commands' fast path.

    The method's body is its docstring only; its code is generated for its
    exact parameters (one Python frame; no ``*args``), with what
    :meth:`Connection.call` does: arguments cffi refuses raise typed errors,
    a negative result raises (or is repeated after a raced reconnect). A
    method annotated ``-> None`` returns None, any other the result."""
    def generate(method: Method) -> Method:
        code = method.__code__
        if code.co_kwonlyargcount or code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS):
            raise TypeError("@command takes positional parameters only: %s" % method.__name__)
        names = code.co_varnames[1:code.co_argcount]
        source = _FAST_CALL.format(
            name=method.__name__,
            params="".join(", " + name for name in names),
            args="".join(", " + name for name in names),
            args_tuple="".join(name + ", " for name in names),
            returned="None" if method.__annotations__.get("return", "result") in (None, "None") else "result",
        )
        namespace: Dict[str, Any] = {"function": function, "argument_error": argument_error}
        exec(compile(source, "<command %s>" % method.__qualname__, "exec"), namespace)
        fast: Method = namespace[method.__name__]
        fast.__defaults__ = method.__defaults__
        functools.update_wrapper(fast, method)
        return fast

    return generate

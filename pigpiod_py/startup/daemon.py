"""One daemon of the startup layer: its bus, attached at once, and a thread
that connects, attaches the daemon's picture, notices a lost connection and
tries again with back-off."""
from __future__ import annotations

import threading
from typing import Optional

from .._pigpiod import lib as _lib
from ..errors import PigpioConnectionError, PigpioError
from ..session import Session
from ..session import open as open_session
from .devices import Picture
from .tree import Tree

#: Seconds between connection attempts: the first, and the ceiling of the doubling.
BACKOFF_FIRST, BACKOFF_MAX = 0.1, 5.0


class DaemonLink:
    """A pigpiod as a ``pigpiod`` bus; everything under it comes and goes
    with the connection, and ``daemon_up`` / ``daemon_down`` events say so."""

    def __init__(self, tree: Tree, host: str, port: int, timeout: float) -> None:
        self.host = host
        self.port = port
        self._tree = tree
        self._timeout = timeout
        self._changes = threading.RLock()  # held by every change of this subtree
        self._wake = threading.Event()     # the connection was lost, or close()
        self._closing = False
        self._session: Optional[Session] = None
        self._picture: Optional[Picture] = None
        self._up: Optional[bool] = None    # None until the first attempt ends
        self._error = "not connected yet"
        self.bus = tree.attach("bus", "pigpiod", None, None, {
            "host": lambda: host,
            "port": lambda: port,
            "connected": lambda: self._up is True,
            "version": lambda: self._live().pigpio_version(),
            "hardware_revision": lambda: self._live().hardware_revision(),
            "tick": lambda: self._live().tick(),
            "trigger_event": lambda event: self._live().event_trigger(event),
            "rescan": self.rescan,
        })
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name="pigpiod_py startup %s:%d" % (host, port))
        self._thread.start()

    def _live(self) -> Session:
        session = self._session
        if session is None or not self._up:
            raise PigpioConnectionError(_lib.pigif_unconnected_pi, "pigpiod at %s:%d is not connected: %s"
                                        % (self.host, self.port, self._error))
        return session

    def rescan(self) -> None:
        """Detach and attach what changed on the daemon's I2C buses."""
        self._live()
        picture = self._picture
        if picture is not None:
            picture.rescan()

    # -- the connection thread -----------------------------------------------------

    def _run(self) -> None:
        delay = BACKOFF_FIRST
        while True:
            self._wake.clear()
            if self._closing:
                return
            try:
                self._connect()
            except PigpioError as exc:
                self._down(str(exc))
                self._wake.wait(delay)
                delay = min(delay * 2, BACKOFF_MAX)
                continue
            delay = BACKOFF_FIRST
            self._wake.wait()
            self._down("the connection was lost")

    def _connect(self) -> None:
        session = open_session(self.host, self.port, timeout=self._timeout, dispatch="thread")
        with self._changes:
            if self._closing:
                session.close()
                return
            self._session = session
            session.on_connection_change(lambda up: None if up else self._lost(session))
            for event in range(32):
                session.event_callback(event, self._report_event)
            picture = Picture(self._tree, self.bus.id, session, self._changes)
            picture.attach()
            self._picture = picture
            self._up = True
            self._tree.emit({"type": "daemon_up", "id": self.bus.id})

    def _report_event(self, event: int, tick: int) -> None:
        self._tree.emit({"type": "event", "id": self.bus.id, "event": event, "tick": tick})

    def _lost(self, session: Session) -> None:
        if session is self._session:
            self._wake.set()

    def _down(self, error: str) -> None:
        """Detach everything under the bus, drop the session, say so once."""
        with self._changes:
            if self._closing:
                return
            self._tree.detach_children(self.bus.id)
            session, self._session, self._picture = self._session, None, None
            was_up, self._up, self._error = self._up, False, error
            if was_up is not False:
                self._tree.emit({"type": "daemon_down", "id": self.bus.id, "error": error})
        if session is not None:
            session.close()

    # -- lifetime -----------------------------------------------------------------

    def stop(self) -> None:
        """Stop trying (the first half of :meth:`close`, so that several
        daemons stop together)."""
        self._closing = True
        self._wake.set()

    def close(self) -> None:
        """Detach the bus and everything under it, then disconnect."""
        self.stop()
        with self._changes:  # waits for a change in progress (at most the time-out)
            self._tree.detach(self.bus.id)
            session, self._session, self._picture, self._up = self._session, None, None, False
            self._error = "closed"
        if session is not None:
            session.close()
        self._thread.join(self._timeout + 1.0)

    def __repr__(self) -> str:
        state = {None: "connecting", True: "up", False: "down"}[self._up]
        return "<DaemonLink %s:%d %s>" % (self.host, self.port, state)



"""Stored scripts: pigpiod's own little language, run by the daemon.

>>> script = session.store_script("tag 0 w 22 1 mils 5 w 22 0 mils 5 dcr p0 jp 0")
>>> script.run(99)                  # waits until the daemon has the script ready
>>> state, params = script.status()
>>> script.stop(); script.delete()
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, List, NamedTuple, Optional, Tuple

from ._pigpiod import ffi as _ffi
from ._pigpiod import lib as _lib
from .constants import ScriptState
from .errors import PigpioTypeError, PigpioValueError, WrongStateError
from .handles import Handle

if TYPE_CHECKING:
    from .session import Session

_MAX_PARAMS = _lib.PI_MAX_SCRIPT_PARAMS
#: How long run() waits for a freshly stored script to leave INITING (s).
READY_TIMEOUT_S = 5.0
_POLL_S = 0.002


class ScriptStatus(NamedTuple):
    """A script's run state and its ten parameters p0-p9 (signed)."""

    state: ScriptState
    params: Tuple[int, ...]


def _checked_params(params: Tuple[int, ...]) -> List[int]:
    if len(params) > _MAX_PARAMS:
        raise PigpioValueError(_lib.PI_TOO_MANY_PARAM, "at most %d parameters" % _MAX_PARAMS)
    words = []
    for value in params:
        if not isinstance(value, int) or isinstance(value, bool):
            raise PigpioTypeError(_lib.PI_BAD_PARAM, "parameters are ints, not %r" % (value,))
        if not -(1 << 31) <= value < (1 << 32):
            raise PigpioValueError(_lib.PI_BAD_PARAM, "parameter %d is not 32-bit" % value)
        words.append(value & 0xFFFFFFFF)
    return words


class Script(Handle):
    """A script stored on the daemon; ``close()`` / ``delete()`` deletes it."""

    def __init__(self, session: "Session", script_id: int) -> None:
        super().__init__(session)
        self.id = script_id

    def _release(self) -> None:
        self._session._call(_lib.delete_script, self.id)

    def status(self) -> ScriptStatus:
        """The run state and parameters p0-p9."""
        buf = _ffi.new("uint32_t[]", _MAX_PARAMS)
        state = self._call(_lib.script_status, self.id, buf)
        params = tuple(w - (1 << 32) if w & 0x80000000 else w for w in buf)
        return ScriptStatus(ScriptState(state), params)

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        """Wait until the daemon has finished initialising the script."""
        deadline = time.monotonic() + timeout
        while self.status().state == ScriptState.INITING:
            if time.monotonic() > deadline:
                raise WrongStateError(_lib.PI_SCRIPT_NOT_READY,
                                      "script %d still initialising" % self.id)
            time.sleep(_POLL_S)

    def run(self, *params: int) -> None:
        """Start a run with parameters p0, p1, ... (a running script only gets
        the parameters); waits for the initialising state to end first."""
        words = _checked_params(params)
        self.wait_ready()
        self._call(_lib.run_script, self.id, len(words), _ffi.new("uint32_t[]", words or 1))

    def update(self, *params: int) -> None:
        """Set parameters p0, p1, ... whether it runs or not."""
        words = _checked_params(params)
        self._call(_lib.update_script, self.id, len(words), _ffi.new("uint32_t[]", words or 1))

    def stop(self) -> None:
        """Stop the run (the script becomes HALTED)."""
        self._call(_lib.stop_script, self.id)

    def wait(self, timeout: Optional[float] = None, poll: float = 0.01) -> ScriptStatus:
        """Wait until the script is neither running nor waiting; its status."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            status = self.status()
            if status.state not in (ScriptState.RUNNING, ScriptState.WAITING):
                return status
            if deadline is not None and time.monotonic() > deadline:
                return status
            time.sleep(poll)

    def delete(self) -> None:
        """Delete the script on the daemon (same as ``close()``)."""
        self.close()

    def __enter__(self) -> "Script":
        return self

    def __repr__(self) -> str:
        return "<Script %d%s>" % (self.id, " closed" if self.closed else "")


# A Session mixin: its methods take self: Session, which mypy cannot check against
# the mixin class ("erased type of self", [misc]), hence their type: ignore[misc].
class ScriptMethods:
    """Session methods for stored scripts."""

    def store_script(self: "Session", text: str) -> Script:  # type: ignore[misc]
        """Parse and store a script on the daemon."""
        if not isinstance(text, str):
            raise PigpioTypeError(_lib.PI_BAD_PARAM, "a script is text, not %r" % (text,))
        data = text.encode()
        if len(data) > 65535 or b"\0" in data:
            raise PigpioValueError(_lib.PI_BAD_SCRIPT_CMD,
                                   "a script is at most 65535 bytes of text without NUL")
        return Script(self, self._call(_lib.store_script, data))

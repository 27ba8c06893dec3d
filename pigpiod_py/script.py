"""Stored scripts: pigpiod's own little language, run by the daemon.

>>> script = session.store_script("tag 0 w 22 1 mils 5 w 22 0 mils 5 dcr p0 jp 0")
>>> script.run(99)                  # waits until the daemon has the script ready
>>> state, params = script.status()
>>> script.stop(); script.delete()
"""
from __future__ import annotations

import time
from typing import List, NamedTuple, Optional, Tuple

from ._pigpiod import ffi as _ffi
from ._pigpiod import lib as _lib
from .checks import MAX_EXTENSION, text_argument, wait_seconds
from .constants import ScriptState
from .errors import PigpioTypeError, PigpioValueError, WrongStateError
from .family import CommandFamily
from .handles import Handle

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

    def __init__(self, session: CommandFamily, token: int, script_id: int,
                 name: Optional[str] = None) -> None:
        super().__init__(session, token, _lib.pgd_delete_script, script_id, name=name)
        self.id = script_id

    def status(self) -> ScriptStatus:
        """The run state and parameters p0-p9."""
        buf = _ffi.new("uint32_t[]", _MAX_PARAMS)
        state = self._call(_lib.pgd_script_status, self.id, buf)
        params = tuple(w - (1 << 32) if w & 0x80000000 else w for w in buf)
        return ScriptStatus(ScriptState(state), params)

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        """Wait until the daemon has finished initialising the script."""
        limit = wait_seconds(timeout)
        deadline = None if limit is None else time.monotonic() + limit
        while self.status().state == ScriptState.INITING:
            if deadline is not None and time.monotonic() > deadline:
                raise WrongStateError(_lib.PI_SCRIPT_NOT_READY,
                                      "script %d still initialising" % self.id)
            time.sleep(_POLL_S)

    def run(self, *params: int) -> None:
        """Start a run with parameters p0, p1, ... (a running script only gets
        the parameters); waits for the initialising state to end first."""
        words = _checked_params(params)
        self.wait_ready()
        self._call(_lib.pgd_run_script, self.id, len(words), _ffi.new("uint32_t[]", words or 1))

    def update(self, *params: int) -> None:
        """Set parameters p0, p1, ... whether it runs or not."""
        words = _checked_params(params)
        self._call(_lib.pgd_update_script, self.id, len(words), _ffi.new("uint32_t[]", words or 1))

    def stop(self) -> None:
        """Stop the run (the script becomes HALTED)."""
        self._call(_lib.pgd_stop_script, self.id)

    def wait(self, timeout: Optional[float] = None, poll: float = 0.01) -> ScriptStatus:
        """Wait until the script is neither running nor waiting; its status."""
        limit = wait_seconds(timeout)
        deadline = None if limit is None else time.monotonic() + limit
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

    def _describe(self) -> str:
        return "%d" % self.id


class ScriptMethods(CommandFamily):
    """Session methods for stored scripts."""

    def store_script(self, text: str, *, name: Optional[str] = None) -> Script:
        """Parse and store a script on the daemon."""
        data = text_argument(text, "script", MAX_EXTENSION)
        script_id, token = self._open(_lib.pgd_store_script, data)
        return Script(self, token, script_id, name=name)

"""Stored-script commands: PROC PROCR PROCU PROCP PROCS PROCD (reference 7.1).

Each stored script runs in its own :class:`~.vm.ScriptVM` thread and
executes ordinary commands through ``execute`` (the daemon's command table,
taking the daemon lock for one command at a time); the daemon tells
:meth:`ScriptCommands.event_fired` about every event, for EVTWT.
"""
from __future__ import annotations

import struct
import threading
from typing import Callable, Optional

from ...constants import Command
from ..board import Board
from ..checks import Handlers, Reply
from ..clock import now_us
from .parse import parse
from .vm import EventLog, ScriptVM
from ... import _numbers as lib

_MAX_SCRIPTS = lib.PI_MAX_SCRIPTS
_MAX_PARAMS = lib.PI_MAX_SCRIPT_PARAMS
_USER_GPIOS = lib.PI_MAX_USER_GPIO + 1
#: Runs one request taking the daemon lock: (command, p1, p2, ext) -> reply.
Execute = Callable[[int, int, int, bytes], Reply]


class ScriptCommands:
    """The 32 script slots and their handlers."""

    def __init__(self, board: Board, lock: threading.Lock,
                 system: Callable[[str, str], int], execute: Execute) -> None:
        self.board = board
        self.lock = lock
        self.system = system
        self.execute = execute
        self.events = EventLog()
        self.slots: list[Optional[ScriptVM]] = [None] * _MAX_SCRIPTS

    def event_fired(self, event: int) -> None:
        """An event was triggered: scripts in EVTWT may go on."""
        self.events.fire(event)

    def reset(self) -> None:
        """Delete every script (call with the lock held)."""
        for vm in self.slots:
            if vm is not None:
                vm.delete()
        self.slots = [None] * _MAX_SCRIPTS
        self.events = EventLog()

    def handlers(self) -> Handlers:
        """The command handlers: PROC PROCR PROCU PROCP PROCS PROCD."""
        return {
            Command.PROC: self.store,
            Command.PROCR: self.run,
            Command.PROCU: self.update,
            Command.PROCP: self.status,
            Command.PROCS: self.stop,
            Command.PROCD: self.delete,
        }

    # -- what a script's thread calls --------------------------------------

    def _execute(self, command: int, p1: int, p2: int, ext: bytes) -> int:
        result = self.execute(command, p1, p2, ext)
        return len(result) if isinstance(result, bytes) else result

    def _changed(self, mask: int, since: int, until: int) -> int:
        found = 0
        with self.lock:
            for gpio in range(_USER_GPIOS):
                if (mask >> gpio) & 1 and self.board.timeline.changes(gpio, since, until):
                    found |= 1 << gpio
        return found

    # -- handlers --------------------------------------------------------

    def store(self, p1: int, p2: int, ext: bytes) -> int:
        """PROC: compile the script in ext; its id."""
        free = next((k for k, vm in enumerate(self.slots) if vm is None), None)
        if free is None:
            return lib.PI_NO_SCRIPT_ROOM
        program = parse(ext.split(b"\0")[0].decode("latin-1"))
        if isinstance(program, int):
            return program
        self.slots[free] = ScriptVM(program, self._execute, self._changed, self.events,
                                    now_us, self.system)
        return free

    def _params(self, script_id: int, ext: bytes) -> "tuple[Optional[ScriptVM], list[int], int]":
        if script_id >= _MAX_SCRIPTS:
            return None, [], lib.PI_BAD_SCRIPT_ID
        count = len(ext) // 4
        if count > _MAX_PARAMS:
            return None, [], lib.PI_TOO_MANY_PARAM
        vm = self.slots[script_id]
        if vm is None:
            return None, [], lib.PI_BAD_SCRIPT_ID
        return vm, list(struct.unpack("<%dI" % count, ext[:4 * count])), 0

    def run(self, script_id: int, p2: int, ext: bytes) -> int:
        """PROCR: run a script with the parameters in ext."""
        vm, values, error = self._params(script_id, ext)
        if vm is None:
            return error
        if vm.state == lib.PI_SCRIPT_INITING:
            return lib.PI_SCRIPT_NOT_READY
        vm.run(values)
        return 0

    def update(self, script_id: int, p2: int, ext: bytes) -> int:
        """PROCU: set a script's parameters from ext."""
        vm, values, error = self._params(script_id, ext)
        if vm is None:
            return error
        vm.set_params(values)
        return 0

    def _script(self, script_id: int) -> Optional[ScriptVM]:
        return self.slots[script_id] if script_id < _MAX_SCRIPTS else None

    def status(self, script_id: int, p2: int, ext: bytes) -> "int | bytes":
        """PROCP: a script's state and its 10 parameters."""
        vm = self._script(script_id)
        if vm is None:
            return lib.PI_BAD_SCRIPT_ID
        words = [vm.state] + [p & 0xFFFFFFFF for p in vm.params]
        return struct.pack("<11I", *words)

    def stop(self, script_id: int, p2: int, ext: bytes) -> int:
        """PROCS: stop a script."""
        vm = self._script(script_id)
        if vm is None:
            return lib.PI_BAD_SCRIPT_ID
        vm.stop()
        return 0

    def delete(self, script_id: int, p2: int, ext: bytes) -> int:
        """PROCD: delete a script."""
        vm = self._script(script_id)
        if vm is None:
            return lib.PI_BAD_SCRIPT_ID
        vm.delete()
        self.slots[script_id] = None
        return 0

"""The virtual machine that runs one stored script in its own thread (reference 7.2-7.3).

Ordinary commands go through the daemon's command table with the daemon lock
held for that command only; waits (WAIT, EVTWT, MILS, MICS) hold no lock and
end early when the script is stopped or deleted.  PROCR answers once the run
has reached its first command or wait: the register instructions before it,
instantaneous on a Pi, are done when a client next looks (x_pipe's PROCP).

Arithmetic is pigpio.c's on the Pi: A, F, the parameters, variables and
operands are 32-bit ints and wrap; a shift uses the low byte of its count
(ARM register shifts), so a count of 32 to 255 gives 0 (or -1 from a negative
number shifted right) and a negative count is a large one.  Division by zero
(which kills pigpiod) fails the script, as does a stack over- or underflow;
a return to a place outside the program ends it.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

from ...constants import Command
from .parse import SCRIPT_OPS, Instruction, Operand, Program, Ref
from ... import _numbers as lib

#: Runs an ordinary command: (command, p1, p2, extension) -> result.
Execute = Callable[[int, int, int, bytes], int]
#: Gpios (bit mask) among ``mask`` whose level changed in (since, until] µs.
Changed = Callable[[int, int, int], int]

STACK_SIZE = 256
SCRATCH_SIZE = 65536
#: How often WAIT looks at the pins and EVTWT at the events (s).
POLL_S = 0.001
#: PROCR answers once the run reaches its first command or wait, or after this
#: many other instructions (they take no time on a Pi), or this long at most.
FREE_STEPS = 1000
SETTLE_TIMEOUT_S = 1.0
_OP = SCRIPT_OPS


def _s32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


class ScriptFailed(Exception):
    """The run ends in the FAILED state (stack over/underflow, division by 0)."""


class EventLog:
    """Counts of fired events, for EVTWT (shared by every script)."""

    def __init__(self) -> None:
        self.counts = [0] * (lib.PI_MAX_EVENT + 1)

    def fire(self, event: int) -> None:
        """Count one firing of ``event``."""
        self.counts[event] += 1

    def fired_since(self, snapshot: list[int], mask: int) -> int:
        """Events in ``mask`` fired since ``snapshot`` (a copy of :attr:`counts`)."""
        return sum(1 << e for e, (a, b) in enumerate(zip(snapshot, self.counts))
                   if a != b and (mask >> e) & 1)


class ScriptVM:
    """One stored script: its program, parameters, variables, state and thread."""

    def __init__(self, program: Program, execute: Execute, changed: Changed,
                 events: EventLog, now_us: Callable[[], int],
                 system: Callable[[str, str], int]) -> None:
        self.program = program
        self.execute = execute
        self.changed = changed
        self.events = events
        self.now_us = now_us
        self.system = system
        self.params = [0] * lib.PI_MAX_SCRIPT_PARAMS
        self.vars = [0] * lib.PI_MAX_SCRIPT_VARS
        self.scratch = bytearray(SCRATCH_SIZE)
        self.state = lib.PI_SCRIPT_INITING
        self._wake = threading.Condition()
        self._run_requested = False
        self._settled = True
        self._nudges = 0
        self._stop = False
        self._deleted = False
        self._thread = threading.Thread(target=self._main, daemon=True, name="pigpiod-sim script")
        self._thread.start()

    # -- requests from the command handlers ------------------------------

    def set_params(self, values: list[int]) -> None:
        """Copy the first ``len(values)`` parameters (the rest keep their values)."""
        for k, value in enumerate(values):
            self.params[k] = _s32(value)

    def run(self, values: list[int]) -> None:
        """Set parameters and start a run (only the parameters if it is running)."""
        with self._wake:
            self.set_params(values)
            if self.state in (lib.PI_SCRIPT_RUNNING, lib.PI_SCRIPT_WAITING):
                self._nudges += 1
                self._wake.notify_all()  # cuts a wait short
                return
            self._stop = False
            self._run_requested = True
            self._settled = False
            self.state = lib.PI_SCRIPT_RUNNING
            self._wake.notify_all()
            self._wake.wait_for(lambda: self._settled, SETTLE_TIMEOUT_S)

    def _settle(self) -> None:
        """The run got to its first command or wait (or ended): PROCR may answer."""
        with self._wake:
            self._settled = True
            self._wake.notify_all()

    def stop(self) -> None:
        """End the run at the next instruction boundary (a wait ends at once)."""
        with self._wake:
            self._stop = True
            self._wake.notify_all()

    def delete(self) -> None:
        """Stop and end the thread."""
        with self._wake:
            self._stop = self._deleted = True
            self._wake.notify_all()

    # -- the thread ------------------------------------------------------

    def _main(self) -> None:
        with self._wake:
            if self.state == lib.PI_SCRIPT_INITING:
                self.state = lib.PI_SCRIPT_HALTED
        while True:
            with self._wake:
                while not (self._run_requested or self._deleted):
                    self._wake.wait()
                if self._deleted:
                    return
                self._run_requested = False
            try:
                self._run()
            except Exception:  # noqa: BLE001 - ScriptFailed, or a fault no client may turn into a hang
                self.state = lib.PI_SCRIPT_FAILED
            finally:
                self._settle()
            with self._wake:
                if not self._run_requested:
                    self.state = lib.PI_SCRIPT_HALTED

    def _run(self) -> None:
        self.a = self.f = self.pc = 0
        self.stack: list[int] = []
        instructions = self.program.instructions
        free = FREE_STEPS
        while 0 <= self.pc < len(instructions) and not self._stop:
            instruction = instructions[self.pc]
            if not self._settled and (instruction.code in _SETTLING or free == 0):
                self._settle()
            free -= 1
            self._step(instruction)

    # -- operands ----------------------------------------------------------

    def _get(self, operand: Operand) -> int:
        if isinstance(operand, Ref):
            return (self.params if operand.param else self.vars)[operand.index]
        return _s32(operand)  # type: ignore[arg-type]

    def _put(self, ref: Operand, value: int) -> None:
        assert isinstance(ref, Ref)
        (self.params if ref.param else self.vars)[ref.index] = _s32(value)

    def _push(self, value: int) -> None:
        if len(self.stack) >= STACK_SIZE:
            raise ScriptFailed("stack overflow")
        self.stack.append(value)

    def _pop(self) -> int:
        if not self.stack:
            raise ScriptFailed("stack underflow")
        return self.stack.pop()

    def _set_a(self, value: int) -> None:
        self.a = self.f = _s32(value)

    # -- instructions ----------------------------------------------------

    def _step(self, ins: Instruction) -> None:
        code, ops = ins.code, ins.operands
        self.pc += 1
        if code < _OP["ADD"]:
            self._command(code, [self._get(op) for op in ops])
            return
        x = self._get(ops[0]) if ops and not isinstance(ops[0], str) else 0
        handler = _ARITHMETIC.get(code)
        if handler is not None:
            self._set_a(handler(self.a, x))
        elif code in _JUMPS:
            if _JUMPS[code](self.f):
                self.pc = self.program.tags[ops[0]]  # type: ignore[index]
        else:
            self._special(code, ops, x)

    def _special(self, code: int, ops: tuple[Operand, ...], x: int) -> None:
        if code == _OP["CALL"]:
            self._push(self.pc)
            self.pc = self.program.tags[ops[0]]  # type: ignore[index]
        elif code == _OP["RET"]:
            self.pc = self._pop()
        elif code == _OP["CMP"]:
            self.f = _s32(self.a - x)
        elif code in (_OP["DCR"], _OP["INR"]):
            value = _s32(x + (1 if code == _OP["INR"] else -1))
            self._put(ops[0], value)
            self.f = value
        elif code in (_OP["DCRA"], _OP["INRA"]):
            self._set_a(self.a + (1 if code == _OP["INRA"] else -1))
        elif code in (_OP["DIV"], _OP["MOD"]):
            if x == 0:
                raise ScriptFailed("division by zero")
            quotient = abs(self.a) // abs(x) * (1 if (self.a < 0) == (x < 0) else -1)
            self._set_a(quotient if code == _OP["DIV"] else self.a - quotient * x)
        elif code == _OP["HALT"]:
            self.pc = len(self.program.instructions)
        elif code == _OP["LDA"]:
            self.a = _s32(x)
        elif code == _OP["LD"]:
            self._put(ops[0], self._get(ops[1]))
        elif code == _OP["LDAB"]:
            if 0 <= x < SCRATCH_SIZE:
                self.a = self.scratch[x]
        elif code == _OP["STAB"]:
            if 0 <= x < SCRATCH_SIZE:
                self.scratch[x] = self.a & 0xFF
        elif code in (_OP["RL"], _OP["RR"]):
            shift = _shift_left if code == _OP["RL"] else _shift_right
            value = _s32(shift(x, self._get(ops[1])))
            self._put(ops[0], value)
            self.f = value
        elif code == _OP["POP"]:
            self._put(ops[0], self._pop())
        elif code == _OP["POPA"]:
            self.a = self._pop()
        elif code == _OP["PUSH"]:
            self._push(x)
        elif code == _OP["PUSHA"]:
            self._push(self.a)
        elif code == _OP["STA"]:
            self._put(ops[0], self.a)
        elif code == _OP["X"]:
            first, second = self._get(ops[0]), self._get(ops[1])
            self._put(ops[0], second)
            self._put(ops[1], first)
        elif code == _OP["XA"]:
            self._put(ops[0], self.a)
            self.a = x
        elif code == _OP["SYS"]:
            levels = self.execute(Command.BR1, 0, 0, b"")
            self._set_a(self.system(str(ops[0]), "%d %d" % (self.a, levels)))
        elif code == _OP["WAIT"]:
            self._set_a(self._wait(lambda since, now: self.changed(x, since, now)))
        elif code == _OP["EVTWT"]:
            snapshot = list(self.events.counts)
            self._set_a(self._wait(lambda since, now: self.events.fired_since(snapshot, x)))
        # NOP, CMDR and CMDW do nothing here (v79 never advances past them).

    def _command(self, code: int, args: list[int]) -> None:
        if code in (Command.MILS, Command.MICS):
            self._delay(code, args[0])
            return
        p1, p2 = (args + [0, 0])[:2]
        ext = (args[2] & 0xFFFFFFFF).to_bytes(4, "little") if len(args) > 2 else b""
        self._set_a(self.execute(code, p1 & 0xFFFFFFFF, p2 & 0xFFFFFFFF, ext))

    def _delay(self, code: int, amount: int) -> None:
        unit, limit, error = ((1000, lib.PI_MAX_MILS_DELAY, lib.PI_BAD_MILS_DELAY)
                              if code == Command.MILS else
                              (1, lib.PI_MAX_MICS_DELAY, lib.PI_BAD_MICS_DELAY))
        if not 0 <= amount <= limit:
            self._set_a(error)
            return
        deadline = time.monotonic() + amount * unit / 1e6
        with self._wake:
            while not self._stop:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._wake.wait(left)
        self._set_a(0)

    def _wait(self, found: Callable[[int, int], int]) -> int:
        """WAITING until ``found(since, now)`` is non-zero, a stop, or a run request."""
        self.state = lib.PI_SCRIPT_WAITING
        since = self.now_us()
        nudges = self._nudges
        result = 0
        while True:
            with self._wake:  # never held while ``found`` takes the daemon lock
                if self._stop or self._nudges != nudges:
                    break
            result = found(since, self.now_us())
            if result:
                break
            with self._wake:
                if self._stop or self._nudges != nudges:
                    break
                self._wake.wait(POLL_S)
        if not self._stop:
            self.state = lib.PI_SCRIPT_RUNNING
        return result


#: An ARM register shift uses the low byte of the count.
_SHIFT_BYTE = 0xFF
_WORD_BITS = 32


def _shift_left(a: int, count: int) -> int:
    """``a << count`` as a 32-bit shift on the Pi."""
    count &= _SHIFT_BYTE
    return _s32(a << count) if count < _WORD_BITS else 0


def _shift_right(a: int, count: int) -> int:
    """``a >> count`` (arithmetic) as a 32-bit shift on the Pi."""
    count &= _SHIFT_BYTE
    return a >> count if count < _WORD_BITS else (-1 if a < 0 else 0)


_ARITHMETIC: dict[int, Callable[[int, int], int]] = {
    _OP["ADD"]: lambda a, x: a + x,
    _OP["AND"]: lambda a, x: a & x,
    _OP["MLT"]: lambda a, x: a * x,
    _OP["OR"]: lambda a, x: a | x,
    _OP["RLA"]: _shift_left,
    _OP["RRA"]: _shift_right,
    _OP["SUB"]: lambda a, x: a - x,
    _OP["XOR"]: lambda a, x: a ^ x,
}
#: Instructions that reach outside the VM: PROCR waits for the run to get to one.
_SETTLING = frozenset(range(_OP["ADD"])) | {_OP["WAIT"], _OP["EVTWT"], _OP["SYS"]}
_JUMPS: dict[int, Callable[[int], bool]] = {
    _OP["JM"]: lambda f: f < 0,
    _OP["JMP"]: lambda f: True,
    _OP["JNZ"]: lambda f: f != 0,
    _OP["JP"]: lambda f: f >= 0,
    _OP["JZ"]: lambda f: f == 0,
}

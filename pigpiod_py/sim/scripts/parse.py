"""Parsing pigpiod's script language into instructions (reference 7.2-7.5).

The text is whitespace-separated tokens: a mnemonic (case-insensitive) and its
operands.  Ordinary commands use their ``pigs`` mnemonics and argument order;
their arguments may be numbers or ``pN`` / ``vN`` references, resolved when the
instruction runs.  Parsing goes on after an error and reports the first one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Union

from ...constants import Command
from ... import _numbers as lib

#: Instruction codes of the script-only instructions (pigpio's numbering).
SCRIPT_OPS = {
    "ADD": 800, "AND": 801, "CALL": 802, "CMDR": 803, "CMDW": 804, "CMP": 805, "DCR": 806,
    "DCRA": 807, "DIV": 808, "HALT": 809, "INR": 810, "INRA": 811, "JM": 812, "JMP": 813,
    "JNZ": 814, "JP": 815, "JZ": 816, "TAG": 817, "LD": 818, "LDA": 819, "LDAB": 820,
    "MLT": 821, "MOD": 822, "NOP": 823, "OR": 824, "POP": 825, "POPA": 826, "PUSH": 827,
    "PUSHA": 828, "RET": 829, "RL": 830, "RLA": 831, "RR": 832, "RRA": 833, "STA": 834,
    "STAB": 835, "SUB": 836, "SYS": 837, "WAIT": 838, "X": 839, "XA": 840, "XOR": 841,
    "EVTWT": 842,
}
#: Operand kinds of the script-only instructions: x value, y register, t tag, n name.
_SCRIPT_OPERANDS = {
    "": ("DCRA", "HALT", "INRA", "NOP", "POPA", "PUSHA", "RET"),
    "x": ("ADD", "AND", "CMDR", "CMDW", "CMP", "DIV", "LDA", "LDAB", "MLT", "MOD", "OR",
          "RLA", "RRA", "STAB", "SUB", "WAIT", "XOR", "EVTWT"),
    "y": ("DCR", "INR", "POP", "PUSH", "STA", "XA"),
    "yx": ("LD", "RL", "RR"),
    "yy": ("X",),
    "t": ("CALL", "JM", "JMP", "JNZ", "JP", "JZ", "TAG"),
    "n": ("SYS",),
}
_KINDS = {name: kind for kind, names in _SCRIPT_OPERANDS.items() for name in names}

#: Ordinary commands allowed in scripts, by argument count (pigs mnemonics).
_COMMANDS_BY_ARGS = {
    0: ("BR1", "BR2", "TICK", "HWVER", "NO", "PIGPV", "WVCLR", "WVBSY", "WVHLT", "WVCRE",
        "WVNEW", "CGI", "WVTAT"),
    1: ("MODEG", "READ", "BC1", "BC2", "BS1", "BS2", "NP", "NC", "PRG", "PFG", "PRRG", "WVSM",
        "WVSP", "WVSC", "SLRC", "MICS", "MILS", "WVDEL", "WVTX", "WVTXR", "I2CC", "I2CRS",
        "SPIC", "SERC", "SERRB", "SERDA", "GDC", "GPW", "BI2CC", "CSI", "PADG", "FC", "BSPIC",
        "EVT", "WVCAP"),
    2: ("MODES", "PUD", "WRITE", "PWM", "PRS", "PFS", "SERVO", "WDOG", "NB", "I2CWQ",
        "I2CWS", "I2CRB", "I2CRW", "SERWB", "HC", "SLRI", "FG", "WVTXM", "PADS", "EVM"),
    3: ("TRIG", "I2CO", "I2CWB", "I2CWW", "I2CPC", "SPIO", "HP", "BI2CO", "SLRO", "FN", "FS"),
}
_ALIASES = {"M": "MODES", "MG": "MODEG", "R": "READ", "W": "WRITE", "P": "PWM", "S": "SERVO",
            "T": "TICK"}
_ARGS = {name: count for count, names in _COMMANDS_BY_ARGS.items() for name in names}
#: Letters ``pigs`` accepts for modes and pulls.
_MODE_LETTERS = {"R": lib.PI_INPUT, "W": lib.PI_OUTPUT, "0": lib.PI_ALT0, "1": lib.PI_ALT1,
                 "2": lib.PI_ALT2, "3": lib.PI_ALT3, "4": lib.PI_ALT4, "5": lib.PI_ALT5}
_PULL_LETTERS = {"O": lib.PI_PUD_OFF, "D": lib.PI_PUD_DOWN, "U": lib.PI_PUD_UP}


@dataclass(frozen=True)
class Ref:
    """A reference to parameter ``pN`` (``param``) or variable ``vN``."""

    param: bool
    index: int


Operand = Union[int, Ref, str]


@dataclass(frozen=True)
class Instruction:
    """One instruction: a command number (or script op code) and its operands."""

    code: int
    operands: tuple[Operand, ...]


class ParseError(Exception):
    """Carries the pigpiod error code of the first problem."""


def parse_number(token: str) -> Optional[int]:
    """A C ``strtol(…, 0)`` style integer (sign, 0x hex, leading-0 octal), else None."""
    text = token[1:] if token[:1] in "+-" else token
    sign = -1 if token[:1] == "-" else 1
    try:
        if text[:2].lower() == "0x":
            return sign * int(text[2:], 16)
        if len(text) > 1 and text[0] == "0":
            return sign * int(text[1:], 8)
        return sign * int(text, 10) if text.isdigit() else None
    except ValueError:
        return None


def _ref(token: str) -> Optional[Ref]:
    kind, number = token[:1].lower(), parse_number(token[1:]) if len(token) > 1 else None
    if number is None or kind not in "pv":
        return None
    limit = lib.PI_MAX_SCRIPT_PARAMS if kind == "p" else lib.PI_MAX_SCRIPT_VARS
    if not 0 <= number < limit:
        raise ParseError(lib.PI_BAD_SCRIPT_CMD)
    return Ref(kind == "p", number)


def _value(token: str) -> Operand:
    number = parse_number(token)
    if number is not None:
        return number
    ref = _ref(token)
    if ref is None:
        raise ParseError(lib.PI_BAD_SCRIPT_CMD)
    return ref


def _register(token: str) -> Ref:
    operand = _value(token)
    if isinstance(operand, Ref):
        return operand
    if not 0 <= int(operand) < lib.PI_MAX_SCRIPT_VARS:
        raise ParseError(lib.PI_BAD_SCRIPT_CMD)
    return Ref(False, int(operand))


def _tag(token: str) -> int:
    number = parse_number(token)
    if number is None:
        raise ParseError(lib.PI_BAD_SCRIPT_CMD)
    return number


def _name(token: str) -> str:
    if not token or not all(c.isalnum() or c in "_-" for c in token):
        raise ParseError(lib.PI_BAD_SCRIPT_CMD)
    return token


_READERS: dict[str, Callable[[str], Operand]] = {
    "x": _value, "y": _register, "t": _tag, "n": _name}


def _command_operand(name: str, position: int, token: str) -> Operand:
    if position == 1:
        letters = _MODE_LETTERS if name == "MODES" else _PULL_LETTERS if name == "PUD" else {}
        if token.upper() in letters:
            return letters[token.upper()]
    return _value(token)


@dataclass
class Program:
    """A parsed script: instructions and tag positions."""

    instructions: list[Instruction]
    tags: dict[int, int]


def parse(text: str) -> Union[Program, int]:
    """The program, or the first error code met (pigpiod's parse errors)."""
    tokens = text.split()
    instructions: list[Instruction] = []
    tags: dict[int, int] = {}
    error = 0
    i = 0
    while i < len(tokens):
        word = tokens[i].upper()
        i += 1
        try:
            if word in SCRIPT_OPS:
                kind = _KINDS[word]
                args = tokens[i:i + len(kind)]
                if len(args) < len(kind):
                    raise ParseError(lib.PI_BAD_SCRIPT_CMD)
                i += len(kind)
                if word == "TAG":
                    tag = _tag(args[0])
                    if tag in tags:
                        raise ParseError(lib.PI_DUP_TAG)
                    if len(tags) >= lib.PI_MAX_SCRIPT_TAGS:
                        raise ParseError(lib.PI_TOO_MANY_TAGS)
                    tags[tag] = len(instructions)
                    continue
                operands = tuple(_READERS[k](token) for k, token in zip(kind, args))
                instructions.append(Instruction(SCRIPT_OPS[word], operands))
                continue
            name = _ALIASES.get(word, word)
            if name not in _ARGS:
                raise ParseError(lib.PI_BAD_SCRIPT_CMD)
            count = _ARGS[name]
            args = tokens[i:i + count]
            if len(args) < count:
                raise ParseError(lib.PI_BAD_SCRIPT_CMD)
            i += count
            operands = tuple(_command_operand(name, k, t) for k, t in enumerate(args))
            instructions.append(Instruction(Command[name], operands))
        except ParseError as exc:
            error = error or exc.args[0]
    if not error:
        jumps = {SCRIPT_OPS[n] for n in _SCRIPT_OPERANDS["t"]}
        if any(ins.code in jumps and ins.operands[0] not in tags for ins in instructions):
            error = lib.PI_BAD_TAG
    return error if error else Program(instructions, tags)

"""The text commands of pigpiod's command pipe: ``pigs`` words to requests.

A line holds one or more commands, each a name (any case) and its
arguments, as ``pigs`` takes them.  Numbers are read as C's ``%i`` reads
them (sign, ``0x`` hex, leading-0 octal); ``vN`` and ``pN`` are accepted
where pigpiod accepts them and stand for their index.  A "positive" argument
is one whose low 32 bits are not negative as a C int.  :func:`parse_line`
yields a :class:`Parsed` per command, or None for the first it cannot read
(pigpiod then answers PI_BAD_FIFO_COMMAND and ignores the rest of the line).
"""
from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from typing import Iterator, Optional

from ...constants import Command
from ... import _numbers as lib

#: How each command's reply is printed (see :mod:`.pipe`).
INT, HEX, UNSIGNED, HELP, DATA, SCRIPT_STATUS, SILENT = range(7)
_MAX_BYTES = 512
_NUMBER = re.compile(r"\s*([+-]?(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*))\s*")
_REF = re.compile(r"\s*([vpVP])([+-]?(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*))\s*")
_WORD = re.compile(r"\s*(\S+)\s*")
_CHAR = re.compile(r"\s*(\S)\s*")
#: Mode and pull letters, by value.
_MODES, _PULLS = "RW540123", "ODU"

#: name: (command, argument kind, reply); script-only instructions parse, then
#: run as unknown commands, as in pigpiod.
_TABLE_TEXT = """
BC1 BC1 x INT          BC2 BC2 x INT          BI2CC BI2CC u INT      BI2CO BI2CO u3 INT
BI2CZ BI2CZ ubytes DATA BR1 BR1 - HEX         BR2 BR2 - HEX          BS1 BS1 x INT
BS2 BS2 x INT          BSCX BSCX ubytes SILENT BSPIC BSPIC u INT     BSPIO BSPIO bspio INT
BSPIX BSPIX ubytes DATA CF1 CF1 cf INT        CF2 CF2 cf DATA        CGI CGI - UNSIGNED
CSI CSI x INT          EVM EVM ux INT         EVT EVT u INT          FC FC u INT
FG FG uu INT           FL FL name DATA        FN FN u3 INT           FO FO name INT
FR FR uu DATA          FS FS fs INT           FW FW ubytes INT       GDC GDC u INT
GPW GPW u INT          H HELP - HELP          HELP HELP - HELP       HC HC uu INT
HP HP u3 INT           HWVER HWVER - UNSIGNED I2CC I2CC u INT        I2CO I2CO u3 INT
I2CPC I2CPC u3 INT     I2CPK I2CPK uubytes DATA I2CRB I2CRB uu INT   I2CRD I2CRD uu DATA
I2CRI I2CRI u3 DATA    I2CRK I2CRK uu DATA    I2CRS I2CRS u INT      I2CRW I2CRW uu INT
I2CWB I2CWB u3 INT     I2CWD I2CWD ubytes INT I2CWI I2CWI uubytes INT I2CWK I2CWK uubytes INT
I2CWQ I2CWQ uu INT     I2CWS I2CWS uu INT     I2CWW I2CWW u3 INT     I2CZ I2CZ ubytes DATA
MICS MICS u INT        MILS MILS u INT        MG MODEG u INT         MODEG MODEG u INT
M MODES mode INT       MODES MODES mode INT   NB NB ux INT           NC NC u INT
NO NO - INT            NP NP u INT            PADG PADG u INT        PADS PADS uu INT
PARSE PARSE text INT   PFG PFG u INT          PFS PFS uu INT         PIGPV PIGPV - UNSIGNED
PRG PRG u INT          PROC PROC text INT     PROCD PROCD u INT      PROCP PROCP u SCRIPT_STATUS
PROCR PROCR params INT PROCS PROCS u INT      PROCU PROCU params INT PRRG PRRG u INT
PRS PRS uu INT         PUD PUD pull INT       P PWM uu INT           PWM PWM uu INT
R READ u INT           READ READ u INT        SERC SERC u INT        SERDA SERDA u INT
SERO SERO name2 INT    SERR SERR uu DATA      SERRB SERRB u INT      SERW SERW ubytes INT
SERWB SERWB uu INT     S SERVO uu INT         SERVO SERVO uu INT     SHELL SHELL shell INT
SLR SLR uu DATA        SLRC SLRC u INT        SLRO SLRO u3 INT       SLRI SLRI uu INT
SPIC SPIC u INT        SPIO SPIO u3 INT       SPIR SPIR uu DATA      SPIW SPIW ubytes INT
SPIX SPIX ubytes DATA  T TICK - UNSIGNED      TICK TICK - UNSIGNED   TRIG TRIG u3 INT
WDOG WDOG uu INT       W WRITE uu INT         WRITE WRITE uu INT     WVAG WVAG triplets INT
WVAS WVAS wvas INT     WVBSY WVBSY - INT      WVCHA WVCHA bytes INT  WVCLR WVCLR - INT
WVCRE WVCRE - INT      WVCAP WVCAP u INT      WVDEL WVDEL u INT      WVGO WVGO - INT
WVGOR WVGOR - INT      WVHLT WVHLT - INT      WVNEW WVNEW - INT      WVSC WVSC u INT
WVSM WVSM u INT        WVSP WVSP u INT        WVTAT WVTAT - INT      WVTX WVTX u INT
WVTXM WVTXM uu INT     WVTXR WVTXR u INT
ADD ADD x INT AND AND x INT CALL CALL tag INT CMDR CMDR x INT CMDW CMDW x INT CMP CMP x INT
DCR DCR reg INT DCRA DCRA - INT DIV DIV x INT EVTWT EVTWT x INT HALT HALT - INT INR INR reg INT
INRA INRA - INT JM JM tag INT JMP JMP tag INT JNZ JNZ tag INT JP JP tag INT JZ JZ tag INT
LD LD regx INT LDA LDA x INT LDAB LDAB x INT MLT MLT x INT MOD MOD x INT NOP NOP - INT
OR OR x INT POP POP reg INT POPA POPA - INT PUSH PUSH reg INT PUSHA PUSHA - INT RET RET - INT
RL RL regx INT RLA RLA x INT RR RR regx INT RRA RRA x INT STA STA reg INT STAB STAB x INT
SUB SUB x INT SYS SYS word INT TAG TAG tag INT WAIT WAIT x INT X X reg2 INT XA XA reg INT
XOR XOR x INT
"""
_REPLIES = {"INT": INT, "HEX": HEX, "UNSIGNED": UNSIGNED, "HELP": HELP, "DATA": DATA,
            "SCRIPT_STATUS": SCRIPT_STATUS, "SILENT": SILENT}


@dataclass(frozen=True)
class Syntax:
    """How one command name is written and answered."""

    command: int
    kind: str
    reply: int


def _table() -> dict[str, Syntax]:
    words = _TABLE_TEXT.split()
    return {words[k]: Syntax(Command[words[k + 1]], words[k + 2], _REPLIES[words[k + 3]])
            for k in range(0, len(words), 4)}


SYNTAX = _table()


@dataclass(frozen=True)
class Parsed:
    """One command read from a line: the request to run and how to print its answer."""

    command: int
    p1: int
    p2: int
    ext: bytes
    reply: int


class _Cursor:
    """Reads numbers and words from one line, as pigpiod's getNum does."""

    def __init__(self, line: str) -> None:
        self.line = line
        self.pos = 0
        self.word_end = 0  # where the last word read ends

    def number(self, refs: bool = True) -> Optional[tuple[int, str]]:
        """The next number (value, "n") or reference (index, "v"/"p"), else None."""
        match = _NUMBER.match(self.line, self.pos)
        if match:
            self.pos = match.end()
            return _c_int(match.group(1)), "n"
        match = _REF.match(self.line, self.pos) if refs else None
        if match:
            self.pos = match.end()
            return _c_int(match.group(2)), match.group(1).lower()
        return None

    def char(self) -> Optional[str]:
        """The next non-blank character (the blanks after it are skipped too), else None."""
        match = _CHAR.match(self.line, self.pos)
        if not match:
            return None
        self.pos = match.end()
        return match.group(1)

    def word(self) -> Optional[str]:
        """The next blank-separated word, else None."""
        match = _WORD.match(self.line, self.pos)
        if not match:
            return None
        self.pos, self.word_end = match.end(), match.end(1)
        return match.group(1)

    def rest(self) -> str:
        """Everything left on the line."""
        text, self.pos = self.line[self.pos:], len(self.line)
        return text


def _octal(text: str) -> bool:
    digits = text.lstrip("+-")
    return len(digits) > 1 and digits[0] == "0" and digits[1] not in "xX"


def _c_int(text: str) -> int:
    return int(text.replace("0", "0o", 1), 0) if _octal(text) else int(text, 0)


def _s32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


def _positive(item: Optional[tuple[int, str]]) -> Optional[int]:
    """A value pigpiod takes as positive: read (number or reference), not negative as an int."""
    if item is None or _s32(item[0]) < 0 or not _in_range(item):
        return None
    return item[0] & 0xFFFFFFFF


def _in_range(item: tuple[int, str]) -> bool:
    value, kind = item
    limit = {"v": lib.PI_MAX_SCRIPT_VARS, "p": lib.PI_MAX_SCRIPT_PARAMS}.get(kind)
    return limit is None or value < limit


def _numeric(item: Optional[tuple[int, str]]) -> Optional[int]:
    return None if item is None or item[1] != "n" else item[0]


def _bytes(cursor: _Cursor, limit: int = _MAX_BYTES) -> bytes:
    """Numbers 0-255 up to the first that is not one (which stays unread)."""
    out = bytearray()
    while len(out) < limit:
        start = cursor.pos
        value = _numeric(cursor.number(refs=False))
        if value is None or not 0 <= _s32(value) <= 255:
            cursor.pos = start
            break
        out.append(value)
    return bytes(out)


def _numbers(cursor: _Cursor, count: int) -> Optional[list[int]]:
    """The next ``count`` numbers (no references), or None if one is missing."""
    values = [_numeric(cursor.number()) for _ in range(count)]
    return None if None in values else [v for v in values if v is not None]


def _u32s(*values: int) -> bytes:
    return struct.pack("<%dI" % len(values), *(v & 0xFFFFFFFF for v in values))


def _arguments(kind: str, cursor: _Cursor) -> Optional[tuple[int, int, bytes]]:
    """(p1, p2, extension) for an argument kind, or None if the arguments are bad."""
    if kind == "-":
        return 0, 0, b""
    if kind == "text":
        return 0, 0, cursor.rest().encode("latin-1")
    if kind in ("name", "name2", "word", "shell"):
        return _named(kind, cursor)
    if kind in ("x", "u", "reg", "tag"):
        item = cursor.number()
        value = {"x": lambda i: None if i is None else i[0] & 0xFFFFFFFF,
                 "u": _positive, "reg": _register, "tag": _numeric}[kind](item)
        return None if value is None else (value & 0xFFFFFFFF, 0, b"")
    if kind in ("uu", "ux", "regx", "reg2", "mode", "pull"):
        return _pair(kind, cursor)
    if kind == "bspio":  # cs, then miso mosi sclk baud (>= 0) and flags (any)
        cs, rest = _positive(cursor.number()), _numbers(cursor, 5)
        if cs is None or rest is None or any(_s32(v) < 0 for v in rest[:4]):
            return None
        return cs, 0, _u32s(*rest)
    if kind in ("u3", "fs"):
        first, second = _positive(cursor.number()), cursor.number()
        third = _numeric(cursor.number())
        second_ok = _positive(second) if kind == "u3" else (None if second is None else second[0])
        if first is None or second_ok is None or third is None or _s32(third) < 0:
            return None
        return first, second_ok & 0xFFFFFFFF, _u32s(third)
    return _listed(kind, cursor)


def _register(item: Optional[tuple[int, str]]) -> Optional[int]:
    if item is None or not _in_range(item) or not 0 <= item[0] < lib.PI_MAX_SCRIPT_VARS:
        return None
    return item[0]


def _pair(kind: str, cursor: _Cursor) -> Optional[tuple[int, int, bytes]]:
    first = _register(cursor.number()) if kind in ("regx", "reg2") else _positive(cursor.number())
    if first is None:
        return None
    if kind in ("mode", "pull"):
        letter = (cursor.char() or "?").upper()
        letters = _MODES if kind == "mode" else _PULLS
        return (first, letters.index(letter), b"") if letter in letters else None
    item = cursor.number()
    second = {"uu": _positive, "reg2": _register}.get(kind, lambda i: None if i is None else i[0])(
        item)
    return None if second is None else (first, second & 0xFFFFFFFF, b"")


def _named(kind: str, cursor: _Cursor) -> Optional[tuple[int, int, bytes]]:
    name = cursor.word()
    if name is None:
        return None
    raw = name.encode("latin-1")
    if kind == "word":
        return 0, 0, raw
    if kind == "shell":  # the arguments start one character after the name
        arguments = cursor.line[cursor.word_end + 1:]
        cursor.pos = len(cursor.line)
        return len(raw), 0, raw + b"\0" + arguments.encode("latin-1")
    first = _positive(cursor.number())
    if kind == "name":
        return None if first is None else (first, 0, raw)
    second = _positive(cursor.number())
    return None if first is None or second is None else (first, second, raw)


def _listed(kind: str, cursor: _Cursor) -> Optional[tuple[int, int, bytes]]:
    """The kinds with a list of values: bytes, parameters, pulse triplets, serial text."""
    if kind == "bytes":
        data = _bytes(cursor)
        return (0, 0, data) if data else None
    if kind in ("params", "triplets"):
        first = 0
        if kind == "params":
            first_value = _numeric(cursor.number())
            if first_value is None or _s32(first_value) < 0:
                return None
            first = first_value & 0xFFFFFFFF
        values: list[int] = []
        limit = lib.PI_MAX_SCRIPT_PARAMS if kind == "params" else _MAX_BYTES
        while len(values) < limit and (value := _numeric(cursor.number())) is not None:
            values.append(value)
        if kind == "triplets" and (not values or len(values) % 3):
            return None
        return first, 0, _u32s(*values)
    return _with_bytes(kind, cursor)


def _with_bytes(kind: str, cursor: _Cursor) -> Optional[tuple[int, int, bytes]]:
    """ubytes, uubytes, cf and wvas: leading numbers, then bytes."""
    first = _numeric(cursor.number())
    if kind == "cf":
        return _custom(first, cursor)
    if first is None or _s32(first) < 0:
        return None
    if kind == "ubytes":
        return first & 0xFFFFFFFF, 0, _bytes(cursor)
    if kind == "uubytes":
        second = _numeric(cursor.number())
        if second is None or not 0 <= _s32(second) <= 255:
            return None
        data = _bytes(cursor, 32)
        return (first, second, data) if data else None
    numbers = _numbers(cursor, 4)  # baud, data bits, half stop bits, offset
    if numbers is None or _s32(numbers[0]) <= 0:
        return None
    data = _bytes(cursor)
    return (first, numbers[0], _u32s(*numbers[1:]) + data) if data else None


def _custom(first: Optional[int], cursor: _Cursor) -> Optional[tuple[int, int, bytes]]:
    """CF1/CF2: optional arg1 >= 0, then optional arg2 >= 0 and bytes."""
    if first is None:
        return 0, 0, b""
    if _s32(first) < 0:
        return None
    second = _numeric(cursor.number())
    if second is None:
        return first, 0, b""
    if _s32(second) < 0:
        return None
    return first, second, _bytes(cursor)


def parse_line(line: str) -> Iterator[Optional[Parsed]]:
    """Each command of a line in turn; None for a bad one, which ends the line."""
    cursor = _Cursor(line)
    while cursor.pos < len(line):
        name = cursor.word()
        if name is None:
            return
        syntax = SYNTAX.get(name[:31].upper())
        arguments = None if syntax is None else _arguments(syntax.kind, cursor)
        if syntax is None or arguments is None:
            yield None
            return
        yield Parsed(syntax.command, *arguments, syntax.reply)

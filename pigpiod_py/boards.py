"""Raspberry Pi boards from their hardware revision codes (as ``HWVER``
reports them): model, board revision, processor, memory, manufacturer and
the pins of their headers, as plain data.

>>> board(0xC03111).header().pin(11).gpio
17
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

_NEW_STYLE = 1 << 23
_MODELS = {
    0x0: "A", 0x1: "B", 0x2: "A+", 0x3: "B+", 0x4: "2B", 0x5: "Alpha", 0x6: "CM1",
    0x8: "3B", 0x9: "Zero", 0xA: "CM3", 0xC: "Zero W", 0xD: "3B+", 0xE: "3A+",
    0x10: "CM3+", 0x11: "4B", 0x12: "Zero 2 W", 0x13: "400", 0x14: "CM4", 0x15: "CM4S",
}
_COMPUTE_MODULES = frozenset({"CM1", "CM3", "CM3+", "CM4", "CM4S"})
_PROCESSORS = ("BCM2835", "BCM2836", "BCM2837", "BCM2711", "BCM2712")
_MEMORY_MB = (256, 512, 1024, 2048, 4096, 8192, 16384)
_MANUFACTURERS = ("Sony UK", "Egoman", "Embest", "Sony Japan", "Embest", "Stadium")
#: Old-style codes: model, board revision, memory in MB, manufacturer.
_OLD_STYLE = {
    0x2: ("B", "1.0", 256, "Egoman"), 0x3: ("B", "1.0", 256, "Egoman"),
    0x4: ("B", "2.0", 256, "Sony UK"), 0x5: ("B", "2.0", 256, "Qisda"),
    0x6: ("B", "2.0", 256, "Egoman"), 0x7: ("A", "2.0", 256, "Egoman"),
    0x8: ("A", "2.0", 256, "Sony UK"), 0x9: ("A", "2.0", 256, "Qisda"),
    0xD: ("B", "2.0", 512, "Egoman"), 0xE: ("B", "2.0", 512, "Sony UK"),
    0xF: ("B", "2.0", 512, "Egoman"), 0x10: ("B+", "1.2", 512, "Sony UK"),
    0x11: ("CM1", "1.0", 512, "Sony UK"), 0x12: ("A+", "1.1", 256, "Sony UK"),
    0x13: ("B+", "1.2", 512, "Embest"), 0x14: ("CM1", "1.0", 512, "Embest"),
    0x15: ("A+", "1.1", 256, "Embest"),
}


@dataclass(frozen=True)
class HeaderPin:
    """One pin of a header: its physical number, its name (``GPIO17``,
    ``3V3``, ``5V``, ``GND``, ``ID_SD``...), its kind (``gpio``, ``power``
    or ``ground``) and its gpio number (None unless a gpio)."""

    number: int
    name: str
    kind: str
    gpio: Optional[int]


@dataclass(frozen=True)
class Header:
    """A pin header (``J8``: the 40-pin one; ``P1`` and ``P5`` on the first
    boards). Pins are numbered as on the board: odd ones in one row, even
    ones in the other."""

    name: str
    pins: Tuple[HeaderPin, ...]

    def pin(self, number: int) -> HeaderPin:
        """The pin with physical number ``number``; LookupError if none."""
        if isinstance(number, int) and 1 <= number <= len(self.pins):
            return self.pins[number - 1]
        raise LookupError("%s has pins 1-%d, not %r" % (self.name, len(self.pins), number))

    def physical(self, gpio: int) -> Optional[int]:
        """The physical pin number of ``gpio`` on this header, or None."""
        return next((p.number for p in self.pins if p.gpio == gpio), None)


def _header(name: str, layout: str) -> Header:
    """A header from a space-separated list of pin names, pin 1 first."""
    pins = []
    for number, label in enumerate(layout.split(), 1):
        if label.startswith("GPIO"):
            pins.append(HeaderPin(number, label, "gpio", int(label[4:])))
        elif label.startswith("ID_S"):
            pins.append(HeaderPin(number, label, "gpio", 0 if label == "ID_SD" else 1))
        else:
            pins.append(HeaderPin(number, label, "ground" if label == "GND" else "power", None))
    return Header(name, tuple(pins))


_P1_REV1 = _header("P1", "3V3 5V GPIO0 5V GPIO1 GND GPIO4 GPIO14 GND GPIO15 GPIO17 GPIO18 "
                         "GPIO21 GND GPIO22 GPIO23 3V3 GPIO24 GPIO10 GND GPIO9 GPIO25 GPIO11 GPIO8 "
                         "GND GPIO7")
_P1_REV2 = _header("P1", "3V3 5V GPIO2 5V GPIO3 GND GPIO4 GPIO14 GND GPIO15 GPIO17 GPIO18 "
                         "GPIO27 GND GPIO22 GPIO23 3V3 GPIO24 GPIO10 GND GPIO9 GPIO25 GPIO11 GPIO8 "
                         "GND GPIO7")
_P5 = _header("P5", "5V 3V3 GPIO28 GPIO29 GPIO30 GPIO31 GND GND")
_J8 = _header("J8", "3V3 5V GPIO2 5V GPIO3 GND GPIO4 GPIO14 GND GPIO15 GPIO17 GPIO18 GPIO27 GND "
                    "GPIO22 GPIO23 3V3 GPIO24 GPIO10 GND GPIO9 GPIO25 GPIO11 GPIO8 GND GPIO7 "
                    "ID_SD ID_SC GPIO5 GND GPIO6 GPIO12 GPIO13 GND GPIO19 GPIO16 GPIO26 GPIO20 "
                    "GND GPIO21")
#: The gpios pigpio lets a user change on boards with the 40-pin layout.
_TYPE_3_USER_GPIOS = tuple(range(2, 28))


@dataclass(frozen=True)
class Board:
    """A Raspberry Pi described by its hardware revision code.

    ``memory_mb`` is None when the code does not say; ``headers`` is empty
    for compute modules and unknown boards; ``user_gpios`` are the gpios
    pigpio lets a program change on this kind of board.
    """

    revision: int
    model: str
    board_revision: str
    processor: str
    memory_mb: Optional[int]
    manufacturer: str
    headers: Tuple[Header, ...]
    user_gpios: Tuple[int, ...]

    @property
    def is_new_style(self) -> bool:
        """True for the revision codes that carry their fields as bits (since the 2B)."""
        return bool(self.revision & _NEW_STYLE)

    @property
    def description(self) -> str:
        """One line, e.g. ``Raspberry Pi 4B rev 1.1, BCM2711, 4 GB, Sony UK``."""
        if self.model == "unknown":
            return "unknown board"
        parts = ["Raspberry Pi %s rev %s" % (self.model, self.board_revision), self.processor]
        if self.memory_mb is not None:
            mb = self.memory_mb
            parts.append("%d GB" % (mb // 1024) if mb >= 1024 else "%d MB" % mb)
        parts.append(self.manufacturer)
        return ", ".join(parts)

    def header(self, name: Optional[str] = None) -> Header:
        """The header called ``name`` (default: the main one, ``J8`` or ``P1``);
        LookupError if the board has no such header."""
        for header in self.headers:
            if name is None or header.name == name:
                return header
        raise LookupError("%s has no %s header" % (self.description, name or "pin"))

    def as_dict(self) -> Dict[str, Any]:
        """The description as plain dicts and lists (for JSON)."""
        return dataclasses.asdict(self)

    def __str__(self) -> str:
        return self.description


def _user_gpios(headers: Tuple[Header, ...]) -> Tuple[int, ...]:
    return tuple(sorted(p.gpio for h in headers for p in h.pins
                        if p.gpio is not None and p.name.startswith("GPIO")))


def _new_style(revision: int) -> Board:
    model_code = (revision >> 4) & 0xFF
    model = _MODELS.get(model_code, "model 0x%x" % model_code)
    processor = (revision >> 12) & 0xF
    memory = (revision >> 20) & 0x7
    maker = (revision >> 16) & 0xF
    headers = () if model in _COMPUTE_MODULES else (_J8,)
    return Board(
        revision, model, "1.%d" % (revision & 0xF),
        _PROCESSORS[processor] if processor < len(_PROCESSORS) else "processor %d" % processor,
        _MEMORY_MB[memory] if memory < len(_MEMORY_MB) else None,
        _MANUFACTURERS[maker] if maker < len(_MANUFACTURERS) else "manufacturer %d" % maker,
        headers, _user_gpios(headers) if headers else _TYPE_3_USER_GPIOS)


def board(revision: int) -> Board:
    """The board of a hardware revision code (0 or an unlisted old-style
    code: an unknown board)."""
    if isinstance(revision, bool) or not isinstance(revision, int):
        raise TypeError("a revision code is an int, not %r" % (revision,))
    if not 0 <= revision < 1 << 32:
        raise ValueError("a revision code is 0-0xffffffff, not %d" % revision)
    revision &= 0xFFFFFF  # the warranty and OTP bits say nothing about the board
    if revision & _NEW_STYLE:
        return _new_style(revision)
    if revision not in _OLD_STYLE:
        return Board(revision, "unknown", "", "", None, "", (), ())
    model, board_revision, memory_mb, maker = _OLD_STYLE[revision]
    if revision < 4:
        headers: Tuple[Header, ...] = (_P1_REV1,)
    elif revision < 16:
        headers = (_P1_REV2, _P5)
    else:
        headers = () if model in _COMPUTE_MODULES else (_J8,)
    user = _user_gpios(headers) if headers else _TYPE_3_USER_GPIOS
    return Board(revision, model, board_revision, "BCM2835", memory_mb, maker, headers, user)


def describe(revision: int) -> str:
    """A readable board name, e.g. ``Raspberry Pi 4B rev 1.1, BCM2711, 4 GB, Sony UK``."""
    return board(revision).description

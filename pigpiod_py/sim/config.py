"""The simulator's configuration: board revision, wires, driven inputs, options.

A JSON file (``--config``) looks like::

    {"revision": "0xc03111", "wires": [[17, 27]], "inputs": {"4": 1},
     "permission_mask": "0x0FFFFFFC", "sample_rate": 5}

Every key is optional.  Numbers may be ints or strings in any base Python's
``int(text, 0)`` reads.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._pigpiod import lib

DEFAULT_REVISION = 0xC03111  # Raspberry Pi 4B, 4 GB
SAMPLE_RATES = (1, 2, 4, 5, 8, 10)
DEFAULT_SAMPLE_RATE = 5

_KEYS = {"revision", "wires", "inputs", "permission_mask", "sample_rate"}


def parse_int(value: int | str) -> int:
    """An int from an int or a decimal / 0x-hex / 0o / 0b string."""
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return int(value, 0)
    raise ValueError(f"not a number: {value!r}")


def check_gpio(gpio: Any) -> int:
    """``gpio`` as an int 0-53, else ValueError."""
    number = parse_int(gpio)
    if not 0 <= number <= lib.PI_MAX_GPIO:
        raise ValueError("gpio must be 0-%d, not %r" % (lib.PI_MAX_GPIO, gpio))
    return number


def check_level(level: Any) -> int:
    """``level`` as 0 or 1, else ValueError."""
    if level not in (0, 1):
        raise ValueError(f"level must be 0 or 1, not {level!r}")
    return int(level)


@dataclass
class SimConfig:
    """Everything a fresh simulator starts from (and returns to on reset)."""

    revision: int = DEFAULT_REVISION
    wires: list[tuple[int, int]] = field(default_factory=list)
    inputs: dict[int, int] = field(default_factory=dict)
    permission_mask: int | None = None
    sample_rate: int = DEFAULT_SAMPLE_RATE

    def __post_init__(self) -> None:
        self.revision = parse_int(self.revision)
        self.wires = [(check_gpio(a), check_gpio(b)) for a, b in self.wires]
        if any(a == b for a, b in self.wires):
            raise ValueError("a gpio cannot be wired to itself")
        self.inputs = {check_gpio(g): check_level(v) for g, v in self.inputs.items()}
        if self.permission_mask is not None:
            self.permission_mask = parse_int(self.permission_mask)
        if self.sample_rate not in SAMPLE_RATES:
            raise ValueError(f"sample rate must be one of {SAMPLE_RATES}")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> SimConfig:
        """A configuration from parsed JSON; unknown keys are an error."""
        if not isinstance(data, Mapping):
            raise ValueError("a configuration is a JSON object")
        unknown = set(data) - _KEYS
        if unknown:
            raise ValueError("unknown configuration keys: %s" % ", ".join(map(str, unknown)))
        try:
            return cls(**data)
        except (TypeError, AttributeError) as exc:
            raise ValueError(f"bad configuration: {exc}") from exc

    @classmethod
    def load(cls, path: str) -> SimConfig:
        """A configuration from a JSON file."""
        with open(path, encoding="utf-8") as handle:
            return cls.from_mapping(json.load(handle))

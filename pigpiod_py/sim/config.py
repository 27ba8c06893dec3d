"""The simulator's configuration: board revision, wires, driven inputs, options.

A JSON file (``--config``) looks like::

    {"revision": "0xc03111", "wires": [[17, 27]], "inputs": {"4": 1},
     "permission_mask": "0x0FFFFFFC", "sample_rate": 5, "fifo_dir": "/tmp/pigpio",
     "pipe_dir": "/tmp/pigpio"}

Every key is optional.  Numbers may be ints or strings in any base Python's
``int(text, 0)`` reads.  ``fifo_dir`` is where ``NO`` makes its FIFOs (default
/dev when writable, else a temporary directory of the simulator's own);
``pipe_dir`` is where the command pipe's FIFOs pigpio, pigout and pigerr are
made (default: no command pipe).
The device keys replace the default rig of their family::

    {"i2c": {"1": {"0x53": "accelerometer", "0x50": {"model": "eeprom", "size": 4096,
                                                      "page": 32}}},
     "spi": {"main0": "loopback", "main1": "mcp3202", "bb5": "mcp3008"},
     "serial": {"/dev/ttyAMA0": "loopback", "/dev/serial0": "/dev/ttyAMA0"}}
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import _numbers as lib

DEFAULT_REVISION = 0xC03111  # Raspberry Pi 4B, 4 GB
SAMPLE_RATES = (1, 2, 4, 5, 8, 10)
DEFAULT_SAMPLE_RATE = 5

_KEYS = {"revision", "wires", "inputs", "permission_mask", "sample_rate", "fifo_dir", "pipe_dir",
         "i2c", "spi", "serial", "files_dir", "access_file", "shell_dir", "nagle_reports"}


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
    fifo_dir: str | None = None
    #: Where the command pipe's FIFOs (pigpiod's /dev/pigpio, /dev/pigout,
    #: /dev/pigerr) are made; None: no command pipe.
    pipe_dir: str | None = None
    #: I2C devices, bus -> address -> model name or {"model": name, options}
    #: (None: the default rig); bit-banged I2C reaches the devices of bus 1.
    i2c: dict[int, dict[int, Any]] | None = None
    #: SPI devices, chip select ("main0", "aux2", "bb5": bit-banged CS gpio 5)
    #: -> model name or {"model": name, options} (None: the default rig).
    spi: dict[str, Any] | None = None
    #: Serial devices, path -> "loopback" / "terminal" or another path (a link)
    #: (None: the default rig).
    serial: dict[str, str] | None = None
    #: Where the files clients open live (client path /a/b -> files_dir/a/b);
    #: None: no file access at all.
    files_dir: str | None = None
    #: The access-permits file (pigpiod's /opt/pigpio/access); None: no access.
    access_file: str | None = None
    #: The only directory SHELL and SYS run scripts from; None: refused.
    shell_dir: str | None = None
    #: Client addresses allowed to connect (pigpiod's -n); empty: everyone.
    #: Others are accepted and closed at once, as pigpiod does.
    allow: list[str] = field(default_factory=list)
    #: Listen on the loopback interface whatever the host (pigpiod's -l).
    localhost_only: bool = False
    #: Notification sockets send with Nagle's algorithm on, as pigpiod's do:
    #: a small batch of reports waits until the previous segment was
    #: acknowledged. Off by default: each alert pass's batch leaves at once.
    nagle_reports: bool = False

    def __post_init__(self) -> None:
        self.revision = parse_int(self.revision)
        self.wires = [(check_gpio(a), check_gpio(b)) for a, b in self.wires]
        if any(a == b for a, b in self.wires):
            raise ValueError("a gpio cannot be wired to itself")
        self.inputs = {check_gpio(g): check_level(v) for g, v in self.inputs.items()}
        if self.permission_mask is not None:
            self.permission_mask = parse_int(self.permission_mask)
        if self.i2c is not None:
            self.i2c = {parse_int(bus): {parse_int(address): spec
                                         for address, spec in devices.items()}
                        for bus, devices in self.i2c.items()}
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

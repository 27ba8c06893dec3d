"""Models of SPI devices, seen bit by bit while their chip select is active.

A device gets the bits its MOSI line carried during one selection (one per
clock, in order) and returns the bits it drove on MISO.  It samples MOSI and
shifts MISO as an SPI mode 0 / 3 device does; :mod:`.spi_bits` turns what a
master sends with other flags into what the device sees.
"""
from __future__ import annotations

import math
from typing import Any, Callable

Bits = list[int]


class Loopback:
    """MISO wired to MOSI: every bit comes straight back."""

    kind = "loopback"
    #: A wire needs no chip select.
    uses_select = False

    def exchange(self, bits: Bits) -> Bits:
        """The MISO bits for the MOSI bits: the same."""
        return list(bits)

    def state(self) -> dict[str, Any]:
        """The model name."""
        return {"kind": self.kind}


class Adc:
    """An MCP3xxx-style ADC: start bit, configuration bits, then the result MSB first.

    ``config_bits`` follow the start bit (single/differential, then the channel
    bits), ``gap_bits`` clocks pass (sample, null bit) before the ``resolution``
    result bits.  The code is ``2**resolution * volts / vref``, clamped to the
    range.  Clocked on after the last bit (B0) the part sends the result again
    LSB first (B1 up to the MSB) when :meth:`lsb_first_follows`, then zeros.
    Input voltages are settable; the reference is ``vref``.
    """

    uses_select = True
    kind = "adc"

    def __init__(self, channels: int, resolution: int, config_bits: int, gap_bits: int,
                 vref: float = 3.3) -> None:
        if not (math.isfinite(vref) and vref > 0):
            raise ValueError(f"the reference must be a positive voltage, not {vref!r}")
        self.inputs = [0.0] * channels
        self.resolution = resolution
        self.config_bits = config_bits
        self.gap_bits = gap_bits
        self.vref = vref

    def set_input(self, channel: int, volts: float) -> None:
        """The voltage on an input channel."""
        if not 0 <= channel < len(self.inputs):
            raise ValueError("channel must be 0-%d, not %r" % (len(self.inputs) - 1, channel))
        if not math.isfinite(volts):
            raise ValueError(f"an input voltage is a finite number, not {volts!r}")
        self.inputs[channel] = float(volts)

    def code(self, volts: float) -> int:
        """The conversion result of a voltage."""
        top = (1 << self.resolution) - 1
        return max(0, min(top, int(volts / self.vref * (1 << self.resolution))))

    def channel_volts(self, config: Bits) -> float:
        """The voltage the configuration bits select (single-ended or a pair)."""
        number = int("".join(map(str, config[1:])), 2) if len(config) > 1 else 0
        if config[0]:
            return self.inputs[number]
        first = number & ~1
        volts = self.inputs[first] - self.inputs[first + 1]
        return volts if number == first else -volts

    def exchange(self, bits: Bits) -> Bits:
        """The MISO bits for the MOSI bits: the conversion after the start and config bits."""
        out = [0] * len(bits)
        if 1 not in bits:
            return out
        start = bits.index(1)
        config = bits[start + 1:start + 1 + self.config_bits]
        if len(config) < self.config_bits:
            return out
        value = self.code(self.channel_volts(config))
        sent = [(value >> (self.resolution - 1 - k)) & 1 for k in range(self.resolution)]
        if self.lsb_first_follows(config):
            sent += [(value >> k) & 1 for k in range(1, self.resolution)]
        first = start + 1 + self.config_bits + self.gap_bits
        for k, bit in enumerate(sent[:max(0, len(out) - first)]):
            out[first + k] = bit
        return out

    def lsb_first_follows(self, config: Bits) -> bool:
        """Whether the result follows again LSB first (MCP3004/3008: always, Figure 5-1)."""
        return True

    def state(self) -> dict[str, Any]:
        """The model name, input voltages and reference."""
        return {"kind": self.kind, "inputs": list(self.inputs), "vref": self.vref}


class Mcp3008(Adc):
    """MCP3008: 8 channels, 10 bits (send 0x01, 0x80 | channel << 4, 0)."""

    kind = "mcp3008"

    def __init__(self, vref: float = 3.3) -> None:
        super().__init__(8, 10, 4, 2, vref)


class Mcp3202(Adc):
    """MCP3202: 2 channels, 12 bits (send 0x01, 0xA0 | channel << 6, 0).

    The configuration bits are SGL/DIFF, ODD/SIGN and MSBF: with MSBF 0 the
    result follows again LSB first, with MSBF 1 zeros follow (data sheet 5.1).
    """

    kind = "mcp3202"

    def __init__(self, vref: float = 3.3) -> None:
        super().__init__(2, 12, 3, 1, vref)

    def channel_volts(self, config: Bits) -> float:
        """The voltage the two configuration bits select."""
        return super().channel_volts(config[:2])

    def lsb_first_follows(self, config: Bits) -> bool:
        """With MSBF 0 only."""
        return not config[2]


SpiDevice = Any
MODELS: dict[str, Callable[..., SpiDevice]] = {
    Loopback.kind: Loopback, Mcp3008.kind: Mcp3008, Mcp3202.kind: Mcp3202}
#: The default rig: a loopback on main CE0, an MCP3202 on main CE1.
DEFAULT_SPI = {"main0": "loopback", "main1": "mcp3202"}


def make_spi_device(spec: Any) -> SpiDevice:
    """A model from a name or ``{"model": name, ...options}``."""
    options = {"model": spec} if isinstance(spec, str) else dict(spec)
    kind = options.pop("model")
    if kind not in MODELS:
        raise ValueError("unknown SPI device model %r (known: %s)" % (kind, ", ".join(MODELS)))
    return MODELS[kind](**options)

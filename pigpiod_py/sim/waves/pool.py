"""Created waves: ids, the control-block / on-off-slot pool, pads, statistics.

Follows pigpio.c: ids are issued in order; a new wave first reuses a deleted
id whose stored sizes match exactly; deleting the top id releases it and the
deleted ids directly below it.  A wave's size counts one initial delay block.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...wave_model import Pulse
from ... import _numbers as lib

#: Control blocks and on/off slots available to waves (the rest serve chains).
WAVE_CBS = 23836
WAVE_SLOTS = 15958
TOTAL_CBS = 25016


def pulse_blocks(pulses: list[Pulse]) -> int:
    """Control blocks of a pulse list, without the wave's initial delay block:
    one per pulse that sets or clears, one per delay (the default, full
    secondary DMA channel)."""
    return sum((1 if on or off else 0) + (1 if delay else 0) for on, off, delay in pulses)


def slots(pulses: list[Pulse]) -> int:
    """On/off slots a pulse list needs: one per non-zero mask."""
    return sum((1 if on else 0) + (1 if off else 0) for on, off, _ in pulses)


@dataclass
class StoredWave:
    """One created wave: its pulses and the resources it holds."""

    pulses: list[Pulse]
    cbs: int
    on_off: int
    reads: int
    bottom: tuple[int, int, int]
    deleted: bool = False

    @property
    def micros(self) -> int:
        """Length of one pass, without the initial 20 µs."""
        return sum(delay for _, _, delay in self.pulses)

    def fits(self, cbs: int, on_off: int, reads: int) -> bool:
        """True if this deleted wave's space can take a wave needing these resources."""
        return self.deleted and (self.cbs, self.on_off, self.reads) == (cbs, on_off, reads)


class Stat:
    """One statistic: the pending wave's value, the high-water mark, the maximum."""

    def __init__(self, maximum: int) -> None:
        self.maximum = maximum
        self.current = self.high = 0

    def set(self, value: int) -> None:
        """The pending wave's value, raising the high-water mark if need be."""
        self.current = value
        self.high = max(self.high, value)

    def get(self, which: int) -> int:
        """WVSx sub-command 0 current, 1 high, 2 maximum (-1 for a bad one)."""
        return (self.current, self.high, self.maximum)[which] if 0 <= which <= 2 else -1


class WavePool:
    """The created waves and what is left of the pool."""

    def __init__(self) -> None:
        self.micros = Stat(lib.PI_WAVE_MAX_MICROS)
        self.pulses = Stat(lib.PI_WAVE_MAX_PULSES)
        self.cbs = Stat(TOTAL_CBS)
        self.clear()

    def clear(self) -> None:
        """Forget every wave (high-water marks stay)."""
        self.waves: list[StoredWave] = []
        self.bottom_cb = 0
        self.bottom_slot = 0
        self.top_slot = WAVE_SLOTS

    def record(self, pulses: list[Pulse]) -> None:
        """Statistics of a new pending wave."""
        self.micros.set(sum(delay for _, _, delay in pulses))
        self.pulses.set(len(pulses))
        self.cbs.set(pulse_blocks(pulses))

    def get(self, wave_id: int) -> StoredWave | None:
        """The live wave with this id, else None."""
        if 0 <= wave_id < len(self.waves) and not self.waves[wave_id].deleted:
            return self.waves[wave_id]
        return None

    def create(self, pulses: list[Pulse], pads: tuple[int, int, int] | None = None) -> int:
        """Store ``pulses`` (padded to the percentages ``pads``); the id or an error."""
        if not pulses:
            return lib.PI_EMPTY_WAVEFORM
        cbs, on_off, reads = 1 + pulse_blocks(pulses), slots(pulses), 0
        if pads is not None:
            pad_cbs = WAVE_CBS * pads[0] // 100
            pad_on_off, pad_reads = (WAVE_SLOTS * pct // 100 for pct in pads[1:])
            if cbs > pad_cbs:
                return lib.PI_TOO_MANY_CBS
            if on_off > pad_on_off or reads > pad_reads:
                return lib.PI_TOO_MANY_OOL
            cbs, on_off, reads = pad_cbs, pad_on_off, pad_reads
        for wave_id, wave in enumerate(self.waves):
            if wave.fits(cbs, on_off, reads):
                self.waves[wave_id] = StoredWave(pulses, cbs, on_off, reads, wave.bottom)
                return wave_id
        if cbs + self.bottom_cb > WAVE_CBS:
            return lib.PI_TOO_MANY_CBS
        if on_off + self.bottom_slot > self.top_slot - reads:
            return lib.PI_TOO_MANY_OOL
        if len(self.waves) >= lib.PI_MAX_WAVES:
            return lib.PI_NO_WAVEFORM_ID
        bottom = (self.bottom_cb, self.bottom_slot, self.top_slot)
        self.waves.append(StoredWave(pulses, cbs, on_off, reads, bottom))
        self.bottom_cb += cbs
        self.bottom_slot += on_off
        self.top_slot -= reads
        return len(self.waves) - 1

    def delete(self, wave_id: int) -> int:
        """Delete a wave; 0 or PI_BAD_WAVE_ID."""
        wave = self.get(wave_id)
        if wave is None:
            return lib.PI_BAD_WAVE_ID
        wave.deleted = True
        if wave_id == len(self.waves) - 1:
            while wave_id > 0 and self.waves[wave_id - 1].deleted:
                wave_id -= 1
            self.bottom_cb, self.bottom_slot, self.top_slot = self.waves[wave_id].bottom
            del self.waves[wave_id:]
        return 0

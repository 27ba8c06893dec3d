"""Waves (pulse trains built on the daemon and sent by DMA) and wave chains.

>>> wave = session.wave().square(18, period=1000, cycles=10).create()
>>> wave.send_repeat()
>>> session.wave_chain(Chain(wave, Loop([wave, Delay(500)], count=3)))
>>> session.wave_tx_stop(); wave.delete()

A :class:`WaveBuilder` collects pulses and serial data locally; ``create()``
starts a new pending wave on the daemon, adds everything (pulses added by one
call are merged with the earlier ones on a common time axis from 0, as pigpiod
does) and creates the wave; ``model()`` shows the pulses it will make
(:mod:`pigpiod_py.wave_model`).  Waves are daemon-global: a session's waves
are deleted when it closes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import (
    Iterable,
    Iterator,
    List,
    Optional,
    Sequence,
    Tuple,
    Union,
)

from ._pigpiod import ffi as _ffi
from ._pigpiod import lib as _lib
from .checks import Data, checked_bytes, checked_int, gpio_mask
from .constants import WaveMode
from .errors import PigpioTypeError, PigpioValueError
from .family import CommandFamily
from .handles import Handle
from .wave_model import GenericPart, Pulse, SerialPart, WaveModel, WavePart

_MASK32 = 0xFFFFFFFF
#: Pulses per WVAG command (the 65535-byte extension limit).
_PULSES_PER_COMMAND = 65535 // 12
_MAX_DELAY = 0xFFFFFFFF


def checked_pulse(pulse: Union[Pulse, Tuple[int, int, int]]) -> Pulse:
    """``pulse`` as a :class:`Pulse`: a 3-tuple (PigpioTypeError) of 32-bit
    masks and delay (PigpioValueError)."""
    if not isinstance(pulse, tuple) or len(pulse) != 3:
        raise PigpioTypeError(_lib.PI_BAD_PARAM, "a pulse is (on, off, delay), not %r" % (pulse,))
    on, off, delay = pulse
    return Pulse(checked_int(on, 0, _MASK32, "pulse on mask"),
                 checked_int(off, 0, _MASK32, "pulse off mask"),
                 checked_int(delay, 0, _MAX_DELAY, "pulse delay"))


def _generic_commands(pulses: Sequence[Pulse]) -> Iterator[List[Pulse]]:
    """The pulses of each WVAG command that adds ``pulses``: at most
    ``_PULSES_PER_COMMAND`` each, counting the delay pulse that leads every
    later command to continue the time axis where the one before ended."""
    elapsed = first = 0
    while first < len(pulses):
        lead = [Pulse(0, 0, elapsed)] if elapsed else []
        chunk = list(pulses[first:first + _PULSES_PER_COMMAND - len(lead)])
        yield lead + chunk
        elapsed += sum(p.delay for p in chunk)
        first += len(chunk)


class WaveBuilder:
    """Pulses and serial data for one wave; ``create()`` makes it on the daemon."""

    def __init__(self, session: CommandFamily) -> None:
        self._session = session
        self._parts: List[WavePart] = []

    def add_pulses(self, pulses: Iterable[Union[Pulse, Tuple[int, int, int]]]) -> "WaveBuilder":
        """Generic pulses, merged from time 0 with what was added before."""
        checked = tuple(checked_pulse(p) for p in pulses)
        if len(checked) > _lib.PI_WAVE_MAX_PULSES:
            raise PigpioValueError(_lib.PI_TOO_MANY_PULSES,
                                   "at most %d pulses" % _lib.PI_WAVE_MAX_PULSES)
        if checked:
            self._parts.append(GenericPart(checked))
        return self

    def add_serial(self, gpio: int, baud: int, data: Data, data_bits: int = 8,
                   stop_bits: float = 1, offset: int = 0) -> "WaveBuilder":
        """Asynchronous serial ``data`` on ``gpio`` starting ``offset`` µs in.

        ``stop_bits`` is 1-4 in steps of 0.5; characters of 9-16 (17-32) data
        bits take 2 (4) little-endian bytes of ``data``.
        """
        checked_int(gpio, 0, _lib.PI_MAX_USER_GPIO, "gpio", _lib.PI_BAD_USER_GPIO)
        checked_int(baud, _lib.PI_WAVE_MIN_BAUD, _lib.PI_WAVE_MAX_BAUD, "baud",
                    _lib.PI_BAD_WAVE_BAUD)
        checked_int(data_bits, _lib.PI_MIN_WAVE_DATABITS, _lib.PI_MAX_WAVE_DATABITS,
                    "data bits", _lib.PI_BAD_DATABITS)
        half = stop_bits * 2
        if isinstance(stop_bits, bool) or half != int(half):
            raise PigpioValueError(_lib.PI_BAD_STOPBITS, "stop bits go in steps of 0.5")
        checked_int(int(half), _lib.PI_MIN_WAVE_HALFSTOPBITS, _lib.PI_MAX_WAVE_HALFSTOPBITS,
                    "stop half-bits", _lib.PI_BAD_STOPBITS)
        checked_int(offset, 0, _lib.PI_WAVE_MAX_MICROS, "offset", _lib.PI_BAD_SER_OFFSET)
        payload = checked_bytes(data, 1, _lib.PI_WAVE_MAX_CHARS, "serial data")
        size = 1 if data_bits <= 8 else 2 if data_bits <= 16 else 4
        if len(payload) % size:
            raise PigpioValueError(_lib.PI_BAD_PARAM, "%d-bit characters take %d bytes each"
                                   % (data_bits, size))
        self._parts.append(SerialPart(gpio, baud, data_bits, int(half), offset, payload))
        return self

    def square(self, gpio: int, period: int, cycles: int = 1, high: Optional[int] = None,
               start: int = 0) -> "WaveBuilder":
        """``cycles`` periods of ``period`` µs on ``gpio``, high for ``high`` µs
        (default half) at the start of each, beginning ``start`` µs in."""
        checked_int(period, 2, _MAX_DELAY, "period")
        high = period // 2 if high is None else checked_int(high, 1, period - 1, "high time")
        return self.pulse_train(gpio, high, period - high, cycles, start)

    def pulse_train(self, gpio: int, high: int, low: int, count: int,
                    start: int = 0) -> "WaveBuilder":
        """``count`` pulses on ``gpio``: high ``high`` µs then low ``low`` µs each."""
        mask = gpio_mask([gpio])
        checked_int(high, 1, _MAX_DELAY, "high time")
        checked_int(low, 1, _MAX_DELAY, "low time")
        checked_int(count, 1, _lib.PI_WAVE_MAX_PULSES // 2, "count")
        checked_int(start, 0, _lib.PI_WAVE_MAX_MICROS, "start")
        pulses = [Pulse(0, 0, start)] if start else []
        pulses += [Pulse(mask, 0, high), Pulse(0, mask, low)] * count
        return self.add_pulses(pulses)

    def model(self) -> WaveModel:
        """The wave as built so far: its parts, and the pulses the daemon will make of them."""
        return WaveModel(tuple(self._parts))

    def _send_parts(self) -> None:
        session = self._session
        session._call(_lib.pgd_wave_add_new)
        for part in self._parts:
            if isinstance(part, SerialPart):
                session._call(_lib.pgd_wave_add_serial, part.gpio, part.baud, part.data_bits,
                              part.stop_half_bits, part.offset, len(part.data), part.data)
                continue
            for command in _generic_commands(part.pulses):
                buf = _ffi.new("gpioPulse_t[]", [tuple(p) for p in command])
                session._call(_lib.pgd_wave_add_generic, len(command), buf)

    def create(self, name: Optional[str] = None) -> "Wave":
        """Create the wave on the daemon (``name``: see :class:`Handle`)."""
        self._send_parts()
        wave_id, token = self._session._open(_lib.pgd_wave_create)
        return Wave(self._session, token, wave_id, name=name)

    def create_and_pad(self, percent: int, name: Optional[str] = None) -> "Wave":
        """Create the wave reserving ``percent`` of the resources (double buffering:
        a later padded wave of the same size can reuse a deleted one's id)."""
        checked_int(percent, 0, 100, "percent")
        self._send_parts()
        wave_id, token = self._session._open(_lib.pgd_wave_create_and_pad, percent)
        return Wave(self._session, token, wave_id, name=name)


class Wave(Handle):
    """A created wave; ``close()`` / ``delete()`` deletes it on the daemon."""

    def __init__(self, session: CommandFamily, token: int, wave_id: int, name: Optional[str] = None) -> None:
        super().__init__(session, token, _lib.pgd_wave_delete, wave_id, name=name)
        self.id = wave_id

    def _forget(self) -> None:
        """The daemon deleted the wave already (wave_clear): mark it closed."""
        self._closed = True

    def send(self, mode: WaveMode = WaveMode.ONE_SHOT) -> int:
        """Send with a :class:`WaveMode`; returns the wave's DMA control blocks.

        The sync modes wait for the wave being sent to finish its pass."""
        mode = WaveMode(mode)
        return self._call(_lib.pgd_wave_send_using_mode, self.id, int(mode))

    def send_once(self) -> int:
        """Send once, cutting any wave being sent; returns the control blocks."""
        return self._call(_lib.pgd_wave_send_once, self.id)

    def send_repeat(self) -> int:
        """Send over and over until stopped or replaced; returns the control blocks."""
        return self._call(_lib.pgd_wave_send_repeat, self.id)

    def delete(self) -> None:
        """Delete the wave on the daemon (same as ``close()``)."""
        self.close()

    def __enter__(self) -> "Wave":
        return self

    def _describe(self) -> str:
        return "%d" % self.id


# -- chains ----------------------------------------------------------------

@dataclass(frozen=True)
class Delay:
    """A pause of ``micros`` µs in a chain (longer than 65535 µs becomes several)."""

    micros: int


@dataclass(frozen=True)
class Loop:
    """``items`` repeated ``count`` times (0-65535) in a chain."""

    items: Sequence["ChainItem"]
    count: int


@dataclass(frozen=True)
class Forever:
    """``items`` repeated until stopped; only as the last item of a chain."""

    items: Sequence["ChainItem"]


ChainItem = Union[Wave, int, Delay, Loop, Forever]

_CHAIN_CBS = 600
_COUNTERS = 20
_NESTING = 10
_MAX_WORD = 0xFFFF


class Chain:
    """A wave chain, compiled to pigpiod's chain bytes with its limits checked."""

    def __init__(self, *items: ChainItem) -> None:
        self.items = items
        self._blocks = 2  # the initial delay and the terminator
        self._counters = 0
        self.code = bytes(self._compile(items, depth=0, last=True))
        if self._blocks > _CHAIN_CBS:
            raise PigpioValueError(_lib.PI_CHAIN_TOO_BIG,
                                   "chain needs %d control blocks, at most %d"
                                   % (self._blocks, _CHAIN_CBS))

    def __bytes__(self) -> bytes:
        return self.code

    def _loop(self, items: Sequence[ChainItem], depth: int, last: bool) -> List[int]:
        if depth >= _NESTING:
            raise PigpioValueError(_lib.PI_CHAIN_NESTING, "at most %d nested loops" % _NESTING)
        if not items:
            raise PigpioValueError(_lib.PI_BAD_CHAIN_LOOP, "empty chain loop")
        return [255, 0] + self._compile(items, depth + 1, last)

    def _compile(self, items: Sequence[ChainItem], depth: int, last: bool) -> List[int]:
        code: List[int] = []
        for k, item in enumerate(items):
            final = last and k == len(items) - 1
            if isinstance(item, Forever):
                if not final:
                    raise PigpioValueError(_lib.PI_BAD_FOREVER, "Forever must come last")
                code += self._loop(item.items, depth, last=True) + [255, 3]
                self._blocks += 1
            elif isinstance(item, Loop):
                count = checked_int(item.count, 0, _MAX_WORD, "loop count",
                                    _lib.PI_CHAIN_LOOP_CNT)
                code += self._loop(item.items, depth, last=False) + [255, 1, count & 255,
                                                                     count >> 8]
                if count > 1:
                    self._counters += 1
                    self._blocks += 1
                if self._counters > _COUNTERS:
                    raise PigpioValueError(_lib.PI_CHAIN_COUNTER,
                                           "at most %d counted loops" % _COUNTERS)
            elif isinstance(item, Delay):
                left = checked_int(item.micros, 0, _MASK32, "delay", _lib.PI_BAD_CHAIN_DELAY)
                while left:
                    step = min(left, _MAX_WORD)
                    code += [255, 2, step & 255, step >> 8]
                    self._blocks += 1
                    left -= step
            else:
                wave_id = item.id if isinstance(item, Wave) else item
                code.append(checked_int(wave_id, 0, _lib.PI_MAX_WAVES - 1, "wave id",
                                        _lib.PI_BAD_WAVE_ID))
                self._blocks += 1
        return code

    def __repr__(self) -> str:
        return "Chain(%s)" % ", ".join(map(repr, self.items))


# -- session methods -------------------------------------------------------

@dataclass(frozen=True)
class WaveStat:
    """One wave statistic: the pending wave's value, the high-water mark, the limit."""

    current: int
    high: int
    max: int


class WaveMethods(CommandFamily):
    """Session methods for waves and wave chains."""

    def wave(self) -> WaveBuilder:
        """A builder for a new wave."""
        return WaveBuilder(self)

    def wave_chain(self, chain: Union[Chain, Data]) -> None:
        """Send a chain (a :class:`Chain` or raw chain bytes); stops any wave first."""
        code = chain.code if isinstance(chain, Chain) else checked_bytes(chain, 1, 65535, "chain")
        self._call(_lib.pgd_wave_chain, code, len(code))

    def wave_tx_busy(self) -> bool:
        """Whether a wave or chain is being sent."""
        return bool(self._call(_lib.pgd_wave_tx_busy))

    def wave_tx_at(self) -> Optional[int]:
        """The id of the wave being sent; None when idle; -1 when not known
        (a chain's own blocks or a deleted wave)."""
        at = self._call(_lib.pgd_wave_tx_at)
        if at == _lib.PI_NO_TX_WAVE:
            return None
        return -1 if at == _lib.PI_WAVE_NOT_FOUND else at

    def wave_tx_stop(self) -> None:
        """Stop sending at once (gpios keep their levels)."""
        self._call(_lib.pgd_wave_tx_stop)

    def wave_clear(self) -> None:
        """Delete every wave on the daemon (of every client) and the pending pulses."""
        self._call(_lib.pgd_wave_clear)
        for child in list(self._children):
            if isinstance(child, Wave):
                child._forget()

    def wave_micros(self) -> WaveStat:
        """Length in µs of the pending (or just created) wave, high-water, limit."""
        return WaveStat(self._call(_lib.pgd_wave_get_micros), self._call(_lib.pgd_wave_get_high_micros),
                        self._call(_lib.pgd_wave_get_max_micros))

    def wave_pulses(self) -> WaveStat:
        """Pulses of the pending (or just created) wave, high-water, limit."""
        return WaveStat(self._call(_lib.pgd_wave_get_pulses), self._call(_lib.pgd_wave_get_high_pulses),
                        self._call(_lib.pgd_wave_get_max_pulses))

    def wave_cbs(self) -> WaveStat:
        """DMA control blocks of the pending (or just created) wave, high-water, limit."""
        return WaveStat(self._call(_lib.pgd_wave_get_cbs), self._call(_lib.pgd_wave_get_high_cbs),
                        self._call(_lib.pgd_wave_get_max_cbs))

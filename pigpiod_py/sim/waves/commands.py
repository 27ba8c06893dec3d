"""Wave commands: WVCLR WVNEW WVAG WVAS WVCRE WVCAP WVDEL, sends, chains, statistics."""
from __future__ import annotations

import struct

from ...constants import Command
from ...wave_model import Pulse, merge, serial_pulses
from ..board import Board, Use
from .chain import parse_chain
from ..checks import Handler, Handlers, ext_u32, writable
from ..clock import now_us
from ..pwm.hardware import PWM_PINS, Hardware
from ... import _numbers as lib
from .engine import CHAIN, WaveEngine, wave_node
from .pool import Stat, WavePool

_PULSE = struct.Struct("<3I")
_MODE_REPEAT = lib.PI_WAVE_MODE_REPEAT
_MODE_SYNC = lib.PI_WAVE_MODE_ONE_SHOT_SYNC
_SERIAL_HEADER = 12


def check_serial(gpio: int, baud: int, bits: int, stop_half: int, count: int,
                 offset: int) -> int:
    """The first WVAS range error (after the permission check), else 0."""
    if gpio > lib.PI_MAX_USER_GPIO:
        return lib.PI_BAD_USER_GPIO
    if not lib.PI_WAVE_MIN_BAUD <= baud <= lib.PI_WAVE_MAX_BAUD:
        return lib.PI_BAD_WAVE_BAUD
    if not lib.PI_MIN_WAVE_DATABITS <= bits <= lib.PI_MAX_WAVE_DATABITS:
        return lib.PI_BAD_DATABITS
    if not lib.PI_MIN_WAVE_HALFSTOPBITS <= stop_half <= lib.PI_MAX_WAVE_HALFSTOPBITS:
        return lib.PI_BAD_STOPBITS
    if count > lib.PI_WAVE_MAX_CHARS:
        return lib.PI_TOO_MANY_CHARS
    if offset > lib.PI_WAVE_MAX_MICROS:
        return lib.PI_BAD_SER_OFFSET
    return 0


class WaveCommands:
    """Handlers of the wave family; the pending wave, the pool and the engine."""

    def __init__(self, board: Board, hardware: Hardware) -> None:
        self.board = board
        self.hardware = hardware
        self.engine = WaveEngine(board)
        self.pool = WavePool()
        self.pending: list[Pulse] = []

    def reset(self) -> None:
        """Back to a fresh daemon (high-water marks included)."""
        self.engine.reset()
        self.pool = WavePool()
        self.pending = []

    def handlers(self) -> Handlers:
        """The command handlers: WVCLR WVNEW WVAG WVAS WVCRE WVCAP WVDEL WVTX... WVSC."""
        return {
            Command.WVCLR: self.clear,
            Command.WVNEW: self.new,
            Command.WVAG: self.add_generic,
            Command.WVAS: self.add_serial,
            Command.WVCRE: self.create,
            Command.WVCAP: self.create_padded,
            Command.WVDEL: self.delete,
            Command.WVTX: lambda wid, p2, ext: self._send(wid, 0),
            Command.WVTXR: lambda wid, p2, ext: self._send(wid, _MODE_REPEAT),
            Command.WVTXM: lambda wid, mode, ext: self._send(wid, mode),
            Command.WVCHA: self.chain,
            Command.WVBSY: self.busy,
            Command.WVTAT: self.tx_at,
            Command.WVHLT: self.halt,
            Command.WVSM: self._stat("micros", lib.PI_BAD_WVSM_COMMND),
            Command.WVSP: self._stat("pulses", lib.PI_BAD_WVSP_COMMND),
            Command.WVSC: self._stat("cbs", lib.PI_BAD_WVSC_COMMND),
        }

    def _stat(self, name: str, error: int) -> Handler:
        def handler(which: int, p2: int, ext: bytes) -> int:
            stat: Stat = getattr(self.pool, name)
            value = stat.get(which)
            return error if value < 0 else value
        return handler

    # -- building --------------------------------------------------------

    def _set_pending(self, pulses: list[Pulse]) -> None:
        self.pending = pulses
        self.pool.record(pulses)

    def clear(self, p1: int, p2: int, ext: bytes) -> int:
        """WVCLR: delete every wave and the pending pulses."""
        self._set_pending([])
        self.pool.clear()
        return 0

    def new(self, p1: int, p2: int, ext: bytes) -> int:
        """WVNEW: start a new wave (drop the pending pulses)."""
        self._set_pending([])
        return 0

    def _add(self, pulses: list[Pulse]) -> int:
        merged = merge(self.pending, pulses)
        if len(merged) >= lib.PI_WAVE_MAX_PULSES:
            return lib.PI_TOO_MANY_PULSES
        self._set_pending(merged)
        return len(merged)

    def add_generic(self, p1: int, p2: int, ext: bytes) -> int:
        """WVAG: add the pulses in ext to the pending wave; the pulse count."""
        count = len(ext) // _PULSE.size
        if count > lib.PI_WAVE_MAX_PULSES:
            return lib.PI_TOO_MANY_PULSES
        allowed = self.board.mask & 0xFFFFFFFF
        raw = list(_PULSE.iter_unpack(ext[:count * _PULSE.size]))
        pulses = [Pulse(on & allowed, off & allowed, delay) for on, off, delay in raw]
        masked = any((on | off) & ~allowed for on, off, _ in raw)
        result = self._add(pulses)
        return lib.PI_SOME_PERMITTED if result >= 0 and masked else result

    def add_serial(self, gpio: int, baud: int, ext: bytes) -> int:
        """WVAS: add serial frames of ext's data on ``gpio`` at ``baud``; the pulse count."""
        bits, stop_half, offset = (ext_u32(ext, k) for k in range(3))
        data = ext[_SERIAL_HEADER:]
        error = (writable(self.board, gpio, lib.PI_MAX_USER_GPIO, lib.PI_BAD_USER_GPIO)
                 or check_serial(gpio, baud, bits, stop_half, len(data), offset))
        if error:
            return error
        pulses = serial_pulses(gpio, baud, bits, stop_half, offset, data)
        return self._add(pulses) if pulses else 0

    def create(self, p1: int, p2: int, ext: bytes) -> int:
        """WVCRE: make a wave of the pending pulses; its id."""
        return self._store(None)

    def create_padded(self, pct_cb: int, pct_on_off: int, ext: bytes) -> int:
        """WVCAP: as WVCRE, reserving the given percentages of the resources."""
        if ext and len(ext) != 4:
            return lib.PI_BAD_WAVE_ID
        if ext:
            pads = (pct_cb, pct_on_off, ext_u32(ext))
        else:
            pads = (pct_cb, pct_on_off or pct_cb, 0)
        if any(pct > 100 for pct in pads):
            return lib.PI_BAD_PARAM
        return self._store(pads)

    def _store(self, pads: "tuple[int, int, int] | None") -> int:
        wave_id = self.pool.create(self.pending, pads)
        if wave_id >= 0:
            self.pending = []
        return wave_id

    def delete(self, wave_id: int, p2: int, ext: bytes) -> int:
        """WVDEL: delete a wave."""
        return self.pool.delete(wave_id)

    # -- sending ---------------------------------------------------------

    def _send(self, wave_id: int, mode: int) -> int:
        wave = self.pool.get(wave_id)
        if wave is None:
            return lib.PI_BAD_WAVE_ID
        if mode > lib.PI_WAVE_MODE_REPEAT_SYNC:
            return lib.PI_BAD_WAVE_MODE
        t = now_us()
        self._take_pwm_peripheral(t)
        node = wave_node(wave.pulses, bool(mode & _MODE_REPEAT))
        self.engine.send(node, wave_id, t, sync=bool(mode & _MODE_SYNC))
        return wave.cbs

    def chain(self, p1: int, p2: int, ext: bytes) -> int:
        """WVCHA: transmit the chain in ext (stopping any wave)."""
        t = now_us()
        self.engine.stop(t)
        self._take_pwm_peripheral(t)
        node = parse_chain(ext, self.pool)
        if isinstance(node, int):
            return node
        self.engine.send(node, CHAIN, t, sync=False)
        return 0

    def busy(self, p1: int, p2: int, ext: bytes) -> int:
        """WVBSY: 1 while a wave or chain transmits, else 0."""
        t = now_us()
        self.engine.settle(t)
        return int(self.engine.busy(t))

    def _take_pwm_peripheral(self, t: int) -> None:
        """Waves use the PWM peripheral's timing: hardware PWM stops on every gpio."""
        for gpio in PWM_PINS:
            if self.board.use[gpio] is Use.HWPWM:
                self.hardware.set_pwm(gpio, 0, 0, t)

    def tx_at(self, p1: int, p2: int, ext: bytes) -> int:
        """WVTAT: the id of the wave transmitting (PI_NO_TX_WAVE: none)."""
        t = now_us()
        self.engine.settle(t)
        wave_id = self.engine.current(t)
        if wave_id == CHAIN or (wave_id != lib.PI_NO_TX_WAVE and self.pool.get(wave_id) is None):
            return lib.PI_WAVE_NOT_FOUND
        return wave_id

    def halt(self, p1: int, p2: int, ext: bytes) -> int:
        """WVHLT: stop transmitting."""
        self.engine.stop(now_us())
        return 0

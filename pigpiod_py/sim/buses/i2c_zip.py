"""The I2CZ byte program of hardware I2C (reference 8.1).

Segments are queued and run as one transaction per segment address at
Combined on/off, every 42 segments and at the end; a segment the bus refuses
makes the whole command PI_BAD_I2C_SEG.
"""
from __future__ import annotations

from typing import Callable, Iterator, Optional, Union

from ... import _numbers as lib

#: Transfer function: (address, messages) -> bytes read, or None on a NACK.
Transfer = Callable[[int, list[tuple[str, Union[bytes, int]]]], Optional[bytes]]
MAX_SEGMENTS = lib.PI_I2C_RDRW_IOCTL_MAX_MSGS
READ_SPACE = 32767


class ZipReader:
    """Steps through a byte program: commands and their 1- or 2-byte parameters.

    :meth:`commands` applies Escape (which widens the parameter of the next
    command only), Address and Flags itself; ``address`` starts as the given
    default.
    """

    def __init__(self, program: bytes, address: int) -> None:
        self.program = program
        self.pos = 0
        self.address = address
        self.flags = 0
        self._wide = False

    def commands(self) -> Iterator[int]:
        """The commands other than Escape/Address/Flags, up to End or the program's end;
        PI_BAD_I2C_CMD (and nothing after it) for an Address or Flags cut short."""
        escaped = False
        while self.pos < len(self.program):
            command = self.program[self.pos]
            self.pos += 1
            self._wide, escaped = escaped, command == lib.PI_I2C_ESC
            if command == lib.PI_I2C_END:
                return
            if command in (lib.PI_I2C_ADDR, lib.PI_I2C_FLAGS):
                value = self.param(wide=command == lib.PI_I2C_FLAGS)
                if value is None:
                    yield lib.PI_BAD_I2C_CMD
                    return
                if command == lib.PI_I2C_ADDR:
                    self.address = value
                else:
                    self.flags = value
            elif command != lib.PI_I2C_ESC:
                yield command

    def param(self, wide: bool = False) -> Optional[int]:
        """The command's parameter (2 bytes LSB first after Escape or when ``wide``)."""
        size = 2 if wide or self._wide else 1
        if self.pos + size > len(self.program):
            return None
        value = int.from_bytes(self.program[self.pos:self.pos + size], "little")
        self.pos += size
        return value


def run_i2c_zip(program: bytes, address: int, transfer: Transfer) -> Union[int, bytes]:
    """Run an I2CZ program for a handle at ``address``; the bytes read or an error."""
    if not program:
        return lib.PI_BAD_POINTER
    reader = ZipReader(program, address)
    out = bytearray()
    queued: list[tuple[int, tuple[str, Union[bytes, int]]]] = []
    pending_reads = 0

    def flush() -> bool:
        nonlocal pending_reads
        for target, message in queued:
            data = transfer(target, [message])
            if data is None:
                return False
            out.extend(data)
        queued.clear()
        pending_reads = 0
        return True

    for command in reader.commands():
        if command < 0:
            return command
        if command in (lib.PI_I2C_COMBINED_ON, lib.PI_I2C_COMBINED_OFF):
            if not flush():
                return lib.PI_BAD_I2C_SEG
            continue
        if command == lib.PI_I2C_READ:
            count = reader.param()
            if count is None or count + len(out) + pending_reads >= READ_SPACE:
                return lib.PI_BAD_I2C_RLEN
            queued.append((reader.address, ("r", count)))
            pending_reads += count
        elif command == lib.PI_I2C_WRITE:
            count = reader.param()
            if count is None or count + reader.pos >= len(program):
                return lib.PI_BAD_I2C_WLEN
            queued.append((reader.address, ("w", program[reader.pos:reader.pos + count])))
            reader.pos += count
        else:
            return lib.PI_BAD_I2C_CMD
        if len(queued) >= MAX_SEGMENTS and not flush():
            return lib.PI_BAD_I2C_SEG
    if not flush():
        return lib.PI_BAD_I2C_SEG
    return bytes(out)

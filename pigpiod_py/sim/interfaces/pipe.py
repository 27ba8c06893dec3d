"""pigpiod's command pipe: ``pigpio`` (commands in), ``pigout`` (answers), ``pigerr`` (errors).

pigpiod makes these FIFOs in /dev; the simulator makes them in the directory
given by ``--pipe-dir`` (none by default: no pipe interface) and removes
them when it stops.  A line written to ``pigpio`` holds ``pigs``-style
commands (:mod:`.pipe_parse`); each command's answer is one line on
``pigout``, printed as pigpiod prints it: a number (bank reads as 8 hex
digits, ticks and versions unsigned), a byte count followed by the bytes for
data commands, the state and the 10 parameters for PROCP, the command list
for H/HELP, PI_BAD_FIFO_COMMAND (-29) for a command it cannot read (the
rest of that line is ignored).  Like pigpiod it prints nothing for BSCX.
Every negative answer is also described on ``pigerr`` (pigpiod's stderr).
Both output FIFOs are non-blocking: what a full pipe cannot take is lost.
"""
from __future__ import annotations

import os
import selectors
import struct
import threading
from typing import Callable, Union

from ...constants import Command, ErrorCode
from ..notifications.fifo import make_fifo
from .pipe_parse import HELP, HEX, SCRIPT_STATUS, SILENT, UNSIGNED, Parsed, parse_line
from ... import _numbers as lib

#: Runs one request with the daemon lock held: (command, p1, p2, ext) -> result.
Execute = Callable[[int, int, int, bytes], Union[int, bytes]]
#: pigpiod's FIFO names and modes.
COMMANDS, ANSWERS, ERRORS = ("pigpio", 0o662), ("pigout", 0o664), ("pigerr", 0o664)
#: pigpiod reads lines into a buffer of this size (longer lines are cut).
MAX_LINE = 65535
_READ = 4096

_HELP_TEXT = """
BC1 bits|Clear GPIO in bank 1
BC2 bits|Clear GPIO in bank 2
BI2CC sda|Close a bit-banged I2C bus
BI2CO sda scl baud|Open a bit-banged I2C bus
BI2CZ sda ...|Run a bit-banged I2C byte program
BR1|Read the levels of bank 1
BR2|Read the levels of bank 2
BS1 bits|Set GPIO in bank 1
BS2 bits|Set GPIO in bank 2
BSCX bctl bvs|Transfer as BSC slave
BSPIC cs|Close a bit-banged SPI bus
BSPIO cs miso mosi sclk baud flags|Open a bit-banged SPI bus
BSPIX cs bvs|Transfer on a bit-banged SPI bus
CF1 uvs|Custom function 1
CF2 uvs|Custom function 2
CGI|Get the internal settings
CSI v|Set the internal settings
EVM h bits|Monitor events on a handle
EVT n|Trigger an event
FC h|Close a file
FG g steady|Set a glitch filter
FL pat n|List files
FN g steady active|Set a noise filter
FO file mode|Open a file
FR h n|Read from a file
FS h n from|Seek in a file
FW h bvs|Write to a file
GDC g|Get the PWM dutycycle
GPW g|Get the servo pulsewidth
H/HELP|This list
HC g f|Start a hardware clock
HP g f dc|Start hardware PWM
HWVER|Get the hardware revision
I2CC h|Close an I2C handle
I2CO bus device flags|Open an I2C device
I2CPC h r wv|SMBus process call
I2CPK h r bvs|SMBus block process call
I2CRB h r|SMBus read byte data
I2CRD h n|Read bytes from an I2C device
I2CRI h r n|SMBus read I2C block data
I2CRK h r|SMBus read block data
I2CRS h|SMBus receive byte
I2CRW h r|SMBus read word data
I2CWB h r bv|SMBus write byte data
I2CWD h bvs|Write bytes to an I2C device
I2CWI h r bvs|SMBus write I2C block data
I2CWK h r bvs|SMBus write block data
I2CWQ h bit|SMBus quick command
I2CWS h bv|SMBus send byte
I2CWW h r wv|SMBus write word data
I2CZ h bvs|Run an I2C byte program
M/MODES g mode|Set a mode (R W 0-5)
MG/MODEG g|Get a mode
MICS v|Wait v microseconds
MILS v|Wait v milliseconds
NB h bits|Start notifications of the gpios in bits
NC h|Close a notification handle
NO|Open a notification handle
NP h|Pause notifications
P/PWM g v|Set the PWM dutycycle
PADG pad|Get a pad's drive strength
PADS pad v|Set a pad's drive strength
PFG g|Get the PWM frequency
PFS g v|Set the PWM frequency
PIGPV|Get the pigpio version
PRG g|Get the PWM range
PROC t|Store a script
PROCD sid|Delete a script
PROCP sid|Get a script's state and parameters
PROCR sid pars|Run a script
PROCS sid|Stop a script
PROCU sid pars|Set a script's parameters
PRRG g|Get the real PWM range
PRS g v|Set the PWM range
PUD g pud|Set a pull (O D U)
R/READ g|Read a level
S/SERVO g v|Set a servo pulsewidth
SERC h|Close a serial handle
SERDA h|Count the serial bytes waiting
SERO dev baud flags|Open a serial device
SERR h n|Read serial bytes
SERRB h|Read a serial byte
SERW h bvs|Write serial bytes
SERWB h bv|Write a serial byte
SHELL name str|Run a shell script
SLR g v|Read bit-banged serial bytes
SLRC g|Close bit-banged serial reading
SLRI g v|Invert bit-banged serial reading
SLRO g baud bitlen|Open bit-banged serial reading
SPIC h|Close an SPI handle
SPIO channel baud flags|Open an SPI channel
SPIR h n|Read SPI bytes
SPIW h bvs|Write SPI bytes
SPIX h bvs|Transfer SPI bytes
T/TICK|Get the tick
TRIG g micros l|Send a trigger pulse
W/WRITE g l|Write a level
WDOG g v|Set a watchdog
WVAG triplets|Add generic pulses to the wave
WVAS g baud bitlen stopbits offset bvs|Add serial data to the wave
WVBSY|Whether a wave is being sent
WVCAP percent|Create a wave of a share of the resources
WVCHA bvs|Send a chain of waves
WVCLR|Clear all waves
WVCRE|Create a wave
WVDEL wid|Delete a wave
WVHLT|Stop sending waves
WVNEW|Start a new wave
WVSC 0/1/2|Wave control block statistics
WVSM 0/1/2|Wave microsecond statistics
WVSP 0/1/2|Wave pulse statistics
WVTAT|Get the wave being sent
WVTX wid|Send a wave once
WVTXM wid mode|Send a wave in a mode
WVTXR wid|Send a wave repeatedly
"""


def help_text() -> str:
    """The answer to H/HELP: a blank line, then a line per command."""
    lines = (entry.split("|") for entry in _HELP_TEXT.strip().splitlines())
    return "\n" + "".join(f"{usage:<16} {description}\n" for usage, description in lines)


def answer(parsed: Parsed, result: Union[int, bytes]) -> str:
    """The text pigpiod prints for a command's result."""
    reply = parsed.reply
    if reply == SILENT:
        return ""
    if reply == HELP:
        return help_text()
    if isinstance(result, bytes):
        if reply == SCRIPT_STATUS:
            state, *params = struct.unpack("<11i", result)
            return " ".join(map(str, [state, *params])) + "\n"
        return " ".join(map(str, [len(result), *result])) + "\n"
    if reply == HEX:
        return "%08X\n" % (result & 0xFFFFFFFF)
    if reply == UNSIGNED:
        return "%d\n" % (result & 0xFFFFFFFF)
    return "%d\n" % (result if result < 0x80000000 else result - (1 << 32))


class CommandPipe:
    """The three FIFOs and the thread that answers the commands written to ``pigpio``."""

    def __init__(self, directory: str, execute: Execute) -> None:
        self.execute = execute
        self.paths: list[str] = []
        self._fds: list[int] = []
        try:
            for name, mode in (COMMANDS, ANSWERS, ERRORS):
                self.paths.append(make_fifo(os.path.join(directory, name), mode))
                flags = os.O_RDWR | (os.O_NONBLOCK if name != COMMANDS[0] else 0)
                self._fds.append(os.open(self.paths[-1], flags))
        except OSError:
            self.stop()
            raise
        self._stop_r, self._stop_w = os.pipe()
        self._thread = threading.Thread(target=self._run, name="command pipe", daemon=True)

    def start(self) -> None:
        """Answer commands in a background thread."""
        self._thread.start()

    def _run(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self._fds[0], selectors.EVENT_READ)
        selector.register(self._stop_r, selectors.EVENT_READ)
        pending = b""
        while True:
            ready = {key.fd for key, _ in selector.select()}
            if self._stop_r in ready:
                return
            pending += os.read(self._fds[0], _READ)
            while True:
                cut = pending.find(b"\n", 0, MAX_LINE)
                if cut >= 0:
                    line, pending = pending[:cut], pending[cut + 1:]
                elif len(pending) >= MAX_LINE:
                    line, pending = pending[:MAX_LINE], pending[MAX_LINE:]
                else:
                    break
                self.run_line(line.decode("latin-1"))

    def run_line(self, line: str) -> None:
        """Run the commands of one line and write their answers."""
        out, errors = [], []
        for parsed in parse_line(line):
            if parsed is None:
                out.append("%d\n" % lib.PI_BAD_FIFO_COMMAND)
                errors.append(f"unrecognised command in {line[:80]!r}\n")
                break
            result = self.execute(parsed.command, parsed.p1, parsed.p2, parsed.ext)
            out.append(answer(parsed, result))
            if isinstance(result, int) and result < 0:
                errors.append(f"{Command(parsed.command).name} failed: {error_name(result)}\n")
        _write(self._fds[1], "".join(out))
        _write(self._fds[2], "".join(errors))

    def stop(self) -> None:
        """Stop the thread, close and remove the FIFOs."""
        if hasattr(self, "_stop_w"):
            os.write(self._stop_w, b"x")
            if self._thread.is_alive():
                self._thread.join()
            os.close(self._stop_r)
            os.close(self._stop_w)
            del self._stop_w
        for fd in self._fds:
            os.close(fd)
        self._fds = []
        for path in self.paths:
            try:
                os.unlink(path)
            except OSError:
                pass
        self.paths = []


def error_name(code: int) -> str:
    """``PI_...`` name and number of an error code."""
    try:
        return f"PI_{ErrorCode(code).name} ({code})"
    except ValueError:
        return str(code)


def _write(fd: int, text: str) -> None:
    """Write to a non-blocking FIFO; a full pipe loses the rest, as pigpiod's output does."""
    data = text.encode("latin-1")
    try:
        while data:
            data = data[os.write(fd, data):]
    except BlockingIOError:
        pass

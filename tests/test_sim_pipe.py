"""The command pipe (pigpiod's /dev/pigpio, /dev/pigout, /dev/pigerr) under --pipe-dir."""
from __future__ import annotations

import os
import select
import stat
import time

import pytest

from pigpiod_py._pigpiod import lib
from pigpiod_py.constants import Command
from pigpiod_py.sim import Simulator
from pigpiod_py.sim.interfaces.pipe_parse import parse_line


class Pipe:
    """Write command lines to ``pigpio``, read answer lines from ``pigout`` or ``pigerr``."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.fds = {name: os.open(os.path.join(directory, name), os.O_RDONLY | os.O_NONBLOCK)
                    for name in ("pigout", "pigerr")}
        self.buffers = {name: b"" for name in self.fds}

    def send(self, line: str) -> None:
        with open(os.path.join(self.directory, "pigpio"), "w", encoding="latin-1") as fifo:
            fifo.write(line + "\n")

    def lines(self, count: int, name: str = "pigout", timeout: float = 10.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while self.buffers[name].count(b"\n") < count and time.monotonic() < deadline:
            if select.select([self.fds[name]], [], [], 0.1)[0]:
                self.buffers[name] += os.read(self.fds[name], 65536)
        out = []
        for _ in range(count):
            line, found, self.buffers[name] = self.buffers[name].partition(b"\n")
            if not found:
                self.buffers[name] = line
                break
            out.append(line.decode())
        return out

    def ask(self, line: str, count: int | None = None) -> list[str]:
        """The answers to a line (by default one per command on it)."""
        self.send(line)
        return self.lines(len(list(parse_line(line))) if count is None else count)

    def close(self) -> None:
        for fd in self.fds.values():
            os.close(fd)


@pytest.fixture
def pipe(tmp_path):
    with Simulator(config={"pipe_dir": str(tmp_path)}):
        client = Pipe(str(tmp_path))
        yield client
        client.close()


def test_answers_as_pigpiod_prints_them(pipe):
    assert pipe.ask("pigpv") == ["79"]
    assert pipe.ask("hwver") == [str(0xC03111)]
    assert pipe.ask("br1 br2") == ["000001FF", "003FC01C"]
    assert pipe.ask("w 25 1 r 25 m 25 r mg 25 pud 25 u r 25") == ["0", "1", "0", "0", "0", "1"]
    tick = int(pipe.ask("t")[0])
    assert 0 <= tick < 2**32


def test_a_bad_command_ends_its_line(pipe):
    assert pipe.ask("w 25 1 nonsense w 25 0") == ["0", str(lib.PI_BAD_FIFO_COMMAND)]
    assert pipe.ask("r 25") == ["1"]
    assert pipe.ask("w 25") == [str(lib.PI_BAD_FIFO_COMMAND)]   # a missing argument
    assert pipe.ask("m 25 q") == [str(lib.PI_BAD_FIFO_COMMAND)]  # not a mode letter
    assert pipe.ask("w 99 1") == [str(lib.PI_BAD_GPIO)]
    errors = pipe.lines(4, "pigerr")
    assert "nonsense" in errors[0] and "PI_BAD_GPIO" in errors[3]


def test_help_lists_the_commands(pipe):
    pipe.send("h")
    lines = pipe.lines(3)
    assert lines[:2] == ["", "BC1 bits         Clear GPIO in bank 1"]
    assert lines[2].startswith("BC2 bits ")


def test_scripts_data_and_waves(pipe):
    (script,) = pipe.ask("proc ld p1 p0 ld p0 29 tag 9 mils 1000 jmp 9")
    deadline = time.monotonic() + 10
    while pipe.ask(f"procp {script}")[0].split()[0] == str(lib.PI_SCRIPT_INITING):
        assert time.monotonic() < deadline
    assert pipe.ask(f"procr {script} 9876") == ["0"]
    state = pipe.ask(f"procp {script}")[0].split()
    assert state[:3] == [str(lib.PI_SCRIPT_RUNNING), "29", "9876"] and len(state) == 11
    assert pipe.ask(f"procs {script} procd {script}") == ["0", "0"]
    assert pipe.ask("cf2 5 3 1 2 3") == ["3 3 2 1"]  # the reversed bytes
    assert pipe.ask("wvclr wvag 16 0 1000 0 16 1000 wvcre") == ["0", "2", "0"]
    assert pipe.ask("wvas 25 4800 8 2 0 0x6d 0x79")[0].isdigit()


def test_fifos_are_made_like_pigpiod_and_removed(tmp_path):
    modes = {"pigpio": 0o662, "pigout": 0o664, "pigerr": 0o664}
    with Simulator(config={"pipe_dir": str(tmp_path)}):
        for name, mode in modes.items():
            status = os.stat(tmp_path / name)
            assert stat.S_ISFIFO(status.st_mode) and stat.S_IMODE(status.st_mode) == mode
    assert not any((tmp_path / name).exists() for name in modes)


def test_never_replaces_another_kind_of_file(tmp_path):
    (tmp_path / "pigout").write_text("keep me")
    with pytest.raises(OSError):
        Simulator(config={"pipe_dir": str(tmp_path)}).start()
    assert (tmp_path / "pigout").read_text() == "keep me"


@pytest.mark.parametrize("line, expected", [
    ("modes 4 w", (Command.MODES, 4, 1, b"")),
    ("pud 4 d", (Command.PUD, 4, 1, b"")),
    ("trig 4 10 1", (Command.TRIG, 4, 10, b"\1\0\0\0")),
    ("procr 2 -1", (Command.PROCR, 2, 0, b"\xff\xff\xff\xff")),
    ("sero /dev/ttyS0 9600 0", (Command.SERO, 9600, 0, b"/dev/ttyS0")),
    ("shell go a  b", (Command.SHELL, 2, 0, b"go\0a  b")),
    ("i2cwd 0 1 2 0x10", (Command.I2CWD, 0, 0, b"\1\2\x10")),
    ("wvcha 1 2 010", (Command.WVCHA, 0, 0, b"\1\2\x08")),  # leading 0: octal
    ("w v5 1", (Command.WRITE, 5, 1, b"")),
])
def test_pigs_words_make_the_requests_pigs_sends(line, expected):
    (parsed,) = parse_line(line)
    assert (parsed.command, parsed.p1, parsed.p2, parsed.ext) == expected


@pytest.mark.parametrize("line", [
    "w 4", "w -1 1", "pfs 4 4294967295", "m 4", "wvag 1 2", "wvas 4 0 8 2 0 65", "i2cwk 0 1",
    "w p99 1", "x", "tag x"])
def test_bad_arguments_are_refused(line):
    assert list(parse_line(line))[-1] is None

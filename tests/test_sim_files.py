"""The simulator's file and shell commands: access rules, confinement, raw results, pigs."""
from __future__ import annotations

import os
import shutil
import stat
import struct
import subprocess
import threading
import time

import pytest
from conftest import REAL_DAEMON, start_simulator, stop_simulator
from sim_clients import wait_until

from pigpiod_py._pigpiod import lib
from pigpiod_py.constants import Command
from pigpiod_py.sim.interfaces.client import RawClient
from pigpiod_py.sim.commands.files import acceptable, permission, read_permits
from pigpiod_py.sim.commands.shell import Shell, valid_name

pytestmark = pytest.mark.skipif(bool(REAL_DAEMON), reason="needs a configured simulator")
PIGS = shutil.which("pigs")


def test_path_rules():
    assert acceptable("/ram/x.txt")
    assert acceptable("/ram/*.c")
    assert not acceptable("/ram/*")             # one literal part
    assert not acceptable("/ram/../etc/x.txt")
    assert not acceptable("/ram/x\\.txt")


def test_access_lines_and_specificity():
    permits = read_permits("/ram/*.c r\n/ram/my.c w\n/ram/*.h U\nbad line here\n"
                           "/ram/x.y q\n/ram/*.c  r trailing\n/ram/*.txt N\n")
    assert permits == [("/ram/*.c", 1), ("/ram/my.c", 2), ("/ram/*.h", 3), ("/ram/x.y", 0),
                       ("/ram/*.txt", 0)]
    assert permission(permits, "/ram/a.c") == 1
    assert permission(permits, "/ram/my.c") == 2        # more specific wins
    assert permission(permits, "/ram/a.h") == 3
    assert permission(permits, "/ram/a.txt") == 0
    assert permission(permits, "/etc/a.c") == 0


def test_shell_names(tmp_path):
    assert valid_name("scr-1_a") and not valid_name("a/b") and not valid_name("a.sh")
    assert not valid_name("")
    shell = Shell(str(tmp_path), threading.Lock())
    (tmp_path / "plain").write_text("#!/bin/sh\nexit 5\n")
    assert shell.run("plain", "") == 32512           # not executable
    os.chmod(tmp_path / "plain", 0o755)
    assert shell.run("plain", "") == 5 * 256
    assert shell.run("x.sh", "") == lib.PI_BAD_SCRIPT_NAME
    (tmp_path / "escape").symlink_to("/bin/true")
    assert shell.run("escape", "") == 32512          # a link out of the directory
    assert shell.run("plain", "'unbalanced") == 2 * 256
    assert Shell(None, threading.Lock()).run("plain", "") == lib.PI_BAD_SHELL_STATUS


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    root = tmp_path_factory.mktemp("root")
    (root / "ram").mkdir()
    (root / "ram" / "a.txt").write_bytes(b"0123456789")
    access = root.parent / (root.name + ".access")
    access.write_text("/ram/*.txt u\n/ram/*.log r\n")
    cgi = tmp_path_factory.mktemp("cgi")
    script = cgi / "status"
    script.write_text("#!/bin/sh\nexit $(( $1 + 1 ))\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    daemon = start_simulator("--files-dir", str(root), "--access-file", str(access),
                             "--shell-dir", str(cgi))
    try:
        yield daemon, root
    finally:
        stop_simulator(daemon)


def test_raw_file_results(rig):
    daemon = rig[0]
    with RawClient(daemon.host, daemon.port) as raw:
        assert raw.command(Command.FO, 0, 0, b"/ram/a.txt") == lib.PI_BAD_FILE_MODE
        assert raw.command(Command.FO, 32, 0, b"/ram/a.txt") == lib.PI_BAD_FILE_MODE
        assert raw.command(Command.FO, 4, 0, b"/ram/a.txt") == lib.PI_BAD_FILE_MODE
        assert raw.command(Command.FO, 1 | 8, 0, b"/ram/b.log") == lib.PI_NO_FILE_ACCESS
        h = raw.command(Command.FO, 3, 0, b"/ram/a.txt")
        assert h == 0
        assert raw.command(Command.FR, h, 0) == lib.PI_BAD_PARAM
        assert raw.command(Command.FW, h, 0) == lib.PI_BAD_PARAM
        assert raw.command(Command.FS, h, 0xFFFFFFFE, struct.pack("<I", 2)) == 8
        assert raw.command_data(Command.FR, h, 100) == (2, b"89")
        assert raw.command(Command.FR, h, 100) == 0
        assert raw.command(Command.FS, h, 0, struct.pack("<I", 3)) == lib.PI_BAD_FILE_SEEK
        assert raw.command(Command.FC, h) == 0
        assert raw.command(Command.FC, h) == lib.PI_BAD_HANDLE
        handles = [raw.command(Command.FO, 1, 0, b"/ram/a.txt") for _ in range(17)]
        assert handles[:16] == list(range(16)) and handles[16] == lib.PI_NO_HANDLE
        for k in range(16):
            raw.command(Command.FC, k)
        _res, data = raw.command_data(Command.FL, 60000, 0, b"/ram/*.txt")
        assert data == b"/ram/a.txt\n"
        assert raw.command(Command.FL, 5, 0, b"/ram/*.txt") == lib.PI_NO_FILE_MATCH


def test_reset_closes_files(rig):
    daemon, _ = rig
    with RawClient(daemon.host, daemon.port) as raw:
        assert raw.command(Command.FO, 1, 0, b"/ram/a.txt") == 0
        daemon.control.reset()
        assert raw.command(Command.FC, 0) == lib.PI_BAD_HANDLE


def test_script_sys_uses_the_shell_directory(rig):
    daemon, _ = rig
    with RawClient(daemon.host, daemon.port) as raw:
        sid = raw.command(Command.PROC, 0, 0, b"lda 4 sys status sta p0")
        assert wait_until(lambda: raw.command(Command.PROCR, sid) == 0)  # once initialised
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            _res, data = raw.command_data(Command.PROCP, sid)
            state, p0 = struct.unpack("<2I", data[:8])
            if state == lib.PI_SCRIPT_HALTED and p0:
                break
            time.sleep(0.01)
        assert p0 == 5 * 256


@pytest.mark.skipif(PIGS is None, reason="pigs is not installed")
def test_pigs_files_and_shell(rig):
    daemon, root = rig
    env = dict(os.environ, PIGPIO_ADDR=daemon.host, PIGPIO_PORT=str(daemon.port))

    def pigs(*words):
        return subprocess.run([PIGS, *words], env=env, capture_output=True, text=True,
                              timeout=30, check=False)

    handle = pigs("fo", "/ram/new.txt", "26").stdout.strip()     # write|create|trunc
    assert pigs("fw", handle, "65", "66", "10").returncode == 0
    assert pigs("fc", handle).returncode == 0
    assert (root / "ram" / "new.txt").read_bytes() == b"AB\n"
    assert pigs("shell", "status", "2").stdout.strip() == "768"
    assert pigs("fo", "/etc/passwd", "1").returncode == 253

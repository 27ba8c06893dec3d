"""Files on the Pi and shell scripts through the binding, on a simulator with a
files directory, an access file and a shell directory."""
from __future__ import annotations

import os
import stat

import pytest
from conftest import REAL_DAEMON, start_simulator, stop_simulator

import pigpiod_py
from pigpiod_py.constants import FileMode
from pigpiod_py.errors import PigpioError, PigpioTypeError, PigpioValueError

pytestmark = pytest.mark.skipif(bool(REAL_DAEMON), reason="needs a configured simulator")

#: pigpiod ignores patterns with fewer than two literal name parts (``/data/*.*``).
ACCESS = """\
/data/*.* u
/data/*.bin u
/data/*.txt u
/data/r* r
/data/ro/*.txt r
/data/secret.txt n
/wo/*.txt w
"""


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    root = tmp_path_factory.mktemp("files")
    (root / "data" / "ro").mkdir(parents=True)
    (root / "wo").mkdir()
    (root / "data" / "ro" / "notes.txt").write_bytes(b"one\ntwo\nthree")
    (root / "data" / "secret.txt").write_bytes(b"hidden")
    access = root.parent / (root.name + ".access")
    access.write_text(ACCESS)
    scripts = tmp_path_factory.mktemp("cgi")
    script = scripts / "echo_args"
    script.write_text("#!/bin/sh\necho \"$@\" > \"$(dirname \"$0\")/out.txt\"\nexit $#\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    daemon = start_simulator("--files-dir", str(root), "--access-file", str(access),
                             "--shell-dir", str(scripts))
    try:
        yield daemon, root, scripts
    finally:
        stop_simulator(daemon)


@pytest.fixture
def pi(rig):
    daemon = rig[0]
    with pigpiod_py.open(daemon.host, daemon.port) as session:
        yield session


def test_write_read_seek_tell(pi, rig):
    root = rig[1]
    with pi.open_file("/data/new.bin", FileMode.WRITE | FileMode.CREATE | FileMode.TRUNC) as f:
        assert f.write(b"\x00\x01hello\n" * 10000) == 80000
        assert f.tell() == 80000
    assert (root / "data" / "new.bin").read_bytes() == b"\x00\x01hello\n" * 10000
    with pi.open_file("/data/new.bin", FileMode.READ) as f:
        assert f.read(2) == b"\x00\x01"
        assert f.seek(-8, os.SEEK_END) == 79992
        assert f.read() == b"\x00\x01hello\n"
        assert f.read(5) == b""
        f.seek(0)
        assert len(f.read()) == 80000
    assert f.closed


def test_iteration_by_line(pi):
    with pi.open_file("/data/ro/notes.txt") as f:
        assert list(f) == [b"one\n", b"two\n", b"three"]


def test_permissions(pi):
    with pytest.raises(PigpioError) as info:
        pi.open_file("/data/ro/notes.txt", FileMode.WRITE)
    assert info.value.name == "PI_NO_FILE_ACCESS"
    for path in ("/data/secret.txt", "/other/x.txt", "/data/../wo/x", "data/x.txt"):
        with pytest.raises(PigpioError) as info:
            pi.open_file(path)
        assert info.value.name == "PI_NO_FILE_ACCESS", path
    with pi.open_file("/wo/log.txt", FileMode.WRITE | FileMode.CREATE) as f:
        with pytest.raises(PigpioError) as info:
            f.read(1)
        assert info.value.name == "PI_FILE_NOT_ROPEN"
    with pytest.raises(PigpioError) as info:
        pi.open_file("/data/missing.txt")
    assert info.value.name == "PI_FIL_OPEN_FAILED"
    with pytest.raises(PigpioError) as info:
        pi.open_file("/data/ro")
    assert info.value.name == "PI_FILE_IS_A_DIR"


def test_symlink_out_of_the_directory_is_refused(pi, rig, tmp_path):
    root = rig[1]
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"do not read")
    link = root / "data" / "link.txt"
    link.symlink_to(outside)
    try:
        with pytest.raises(PigpioError) as info:
            pi.open_file("/data/link.txt")
        assert info.value.name == "PI_NO_FILE_ACCESS"
        assert "/data/link.txt" not in pi.list_files("/data/*.txt")
    finally:
        link.unlink()


def test_list_files(pi):
    assert pi.list_files("/data/ro/*.txt") == ["/data/ro/notes.txt"]
    assert pi.list_files("/data/r*") == ["/data/ro/"]
    with pytest.raises(PigpioError) as info:
        pi.list_files("/data/ro/*.none")
    assert info.value.name == "PI_NO_FILE_MATCH"
    for pattern in ("/etc/*.txt", "/data/*.*"):   # not permitted / too vague
        with pytest.raises(PigpioError) as info:
            pi.list_files(pattern)
        assert info.value.name == "PI_NO_FILE_ACCESS"


def test_bad_arguments_refused_before_sending(pi):
    with pytest.raises(PigpioValueError):
        pi.open_file("/data/x", 0)
    with pytest.raises(PigpioValueError):
        pi.open_file("/data/x", FileMode.CREATE)
    with pytest.raises(PigpioTypeError):
        pi.open_file(b"/data/x")  # type: ignore[arg-type]
    with pi.open_file("/data/ro/notes.txt") as f:
        with pytest.raises(PigpioTypeError):
            f.write("text")  # type: ignore[arg-type]
        with pytest.raises(PigpioValueError):
            f.seek(0, 3)
    with pytest.raises(PigpioValueError):
        pi.shell("../bin/sh")


def test_shell_runs_only_scripts_in_its_directory(pi, rig):
    scripts = rig[2]
    assert pi.shell("echo_args", "a 'b c' d") == 3
    assert (scripts / "out.txt").read_text() == "a b c d\n"
    assert pi.shell("echo_args", "x; touch /tmp/pigpiod_py_escape") == 3
    assert not os.path.exists("/tmp/pigpiod_py_escape")
    assert pi.shell("missing") == 127


def test_shell_refused_without_a_directory(daemon):
    with pigpiod_py.open(daemon.host, daemon.port) as session:
        with pytest.raises(PigpioError) as info:
            session.shell("anything")
        assert info.value.name == "PI_BAD_SHELL_STATUS"
        with pytest.raises(PigpioError) as info:
            session.open_file("/data/x.txt")
        assert info.value.name == "PI_NO_FILE_ACCESS"

"""Client threads: Python source in its own interpreter state."""
from __future__ import annotations

import time

import pytest

import pigpiod_py
from pigpiod_py.errors import PigpioTypeError
from pigpiod_py.threads import own_gil, start_thread, stop_thread

COOPERATIVE = """
import time
while not stop_requested():
    time.sleep(0.005)
"""


@pytest.mark.parametrize("isolation", ["namespace", "subinterpreter"])
def test_arguments_and_cooperative_stop(isolation, tmp_path):
    out = tmp_path / "out.txt"
    code = COOPERATIVE + "open(args[0], 'w').write(repr(args[1:]))\n"
    thread = start_thread(code, str(out), 1, -2.5, "x", True, isolation=isolation)
    assert thread.isolation == isolation
    time.sleep(0.05)
    assert thread.running
    assert thread.stop()
    assert not thread.running
    assert out.read_text() == "(1, -2.5, 'x', True)"
    assert thread.exception is None


@pytest.mark.parametrize("isolation", ["namespace", "subinterpreter"])
def test_isolated_namespace(isolation, tmp_path):
    out = tmp_path / "out.txt"
    code = "open(args[0], 'w').write(str('pytest' in globals() or 'os' in globals()))"
    thread = start_thread(code, str(out), isolation=isolation)
    assert thread.join(5)
    assert out.read_text() == "False"


def test_busy_namespace_thread_is_stopped():
    thread = start_thread("while True:\n    pass\n", isolation="namespace")
    time.sleep(0.05)
    assert stop_thread(thread)
    assert thread.exception is None


def test_exception_is_kept():
    thread = start_thread("raise ValueError(args[0])", 7, isolation="namespace")
    assert thread.join(5)
    assert isinstance(thread.exception, ValueError)


def test_bad_arguments():
    with pytest.raises(PigpioTypeError):
        start_thread("pass", [1, 2])  # type: ignore[arg-type]
    with pytest.raises(PigpioTypeError):
        start_thread(b"pass")  # type: ignore[arg-type]
    with pytest.raises(SyntaxError):
        start_thread("def (")
    with pytest.raises(ValueError):
        start_thread("pass", isolation="process")
    assert stop_thread(None)


def test_auto_isolation_follows_the_gil():
    thread = start_thread("pass")
    assert thread.join(5)
    assert thread.isolation == ("subinterpreter" if own_gil() else "namespace")


def test_thread_drives_a_session(daemon, tmp_path):
    out = tmp_path / "level.txt"
    code = f"""
import pigpiod_py
with pigpiod_py.open({daemon.host!r}, {daemon.port}, dispatch="manual") as pi:
    pi.write(args[0], 1)
    open(args[1], "w").write(str(pi.read(args[0])))
"""
    thread = start_thread(code, 22, str(out), isolation="namespace")
    assert thread.join(10)
    assert thread.exception is None
    assert out.read_text() == "1"
    with pigpiod_py.open(daemon.host, daemon.port) as pi:
        assert pi.read(22) == 1

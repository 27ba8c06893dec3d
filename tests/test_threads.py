"""Client threads: Python source in an interpreter of its own, by default a
child process that can use the binding (on every supported Python)."""
from __future__ import annotations

import pytest
from conftest import wait_until

import pigpiod_py
from pigpiod_py.errors import PigpioTypeError, PigpioValueError
from pigpiod_py.threads import ThreadError, running_threads, start_thread, stop_thread

ISOLATIONS = ["process", "namespace"]
COOPERATIVE = """
import time
while not stop_requested():
    time.sleep(0.005)
"""


@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_arguments_and_cooperative_stop(isolation, tmp_path):
    out = tmp_path / "out.txt"
    started = tmp_path / "started"
    code = ("open(args[1], 'w').close()\n" + COOPERATIVE
            + "open(args[0], 'w').write(repr(args[2:]))\n")
    thread = start_thread(code, str(out), str(started), 1, -2.5, "x", True, isolation=isolation)
    assert thread.isolation == isolation
    assert wait_until(started.exists)
    assert thread.running
    assert thread.stop()
    assert not thread.running
    assert out.read_text() == "(1, -2.5, 'x', True)"
    assert thread.exception is None


@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_globals_are_its_own(isolation, tmp_path):
    out = tmp_path / "out.txt"
    code = "open(args[0], 'w').write(str(sorted(k for k in globals() if not k.startswith('__'))))"
    thread = start_thread(code, str(out), isolation=isolation)
    assert thread.join(20)
    assert out.read_text() == "['args', 'stop_requested']"


def test_a_process_thread_has_its_own_modules(tmp_path):
    import sys
    sys.modules.setdefault("pigpiod_py_test_marker", type(sys)("marker"))
    out = tmp_path / "out.txt"
    code = "import sys\nopen(args[0], 'w').write(str('pigpiod_py_test_marker' in sys.modules))"
    thread = start_thread(code, str(out))
    assert thread.join(20)
    assert out.read_text() == "False"


@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_busy_code_is_stopped(isolation):
    thread = start_thread("while True:\n    pass\n", isolation=isolation)
    assert thread.running
    assert stop_thread(thread)
    assert not thread.running


@pytest.mark.parametrize("isolation, kind", [("namespace", ValueError), ("process", ThreadError)])
def test_exception_is_kept(isolation, kind):
    thread = start_thread("raise ValueError(args[0])", 7, isolation=isolation)
    assert thread.join(20)
    assert isinstance(thread.exception, kind)
    assert "7" in str(thread.exception)
    if kind is ThreadError:
        assert thread.exception.kind == "ValueError" and "ValueError: 7" in thread.exception.traceback


def test_names():
    thread = start_thread(COOPERATIVE, name="worker")
    try:
        assert thread.name == "worker" and "worker" in repr(thread)
        assert running_threads()["worker"] is thread
        with pytest.raises(PigpioValueError):
            start_thread("pass", name="worker")
        assert stop_thread("worker")
    finally:
        thread.stop()
    assert wait_until(lambda: "worker" not in running_threads())
    again = start_thread("pass", name="worker")  # free again
    assert again.join(20)
    assert stop_thread("nobody")
    assert start_thread("pass").name.startswith("thread-")


def test_bad_arguments():
    with pytest.raises(PigpioTypeError):
        start_thread("pass", [1, 2])  # type: ignore[arg-type]
    with pytest.raises(PigpioTypeError):
        start_thread(b"pass")  # type: ignore[arg-type]
    with pytest.raises(SyntaxError):
        start_thread("def (")
    with pytest.raises(PigpioValueError):
        start_thread("pass", isolation="subinterpreter")
    with pytest.raises(PigpioTypeError):
        start_thread("pass", name=3)  # type: ignore[arg-type]
    assert stop_thread(None)


@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_thread_drives_a_session(daemon, tmp_path, isolation):
    out = tmp_path / "level.txt"
    code = f"""
import pigpiod_py
with pigpiod_py.open({daemon.host!r}, {daemon.port}) as pi:
    pi.write(args[0], 1)
    open(args[1], "w").write(str(pi.read(args[0])))
"""
    thread = start_thread(code, 22, str(out), isolation=isolation)
    assert thread.join(20)
    assert thread.exception is None
    assert out.read_text() == "1"
    with pigpiod_py.open(daemon.host, daemon.port) as pi:
        assert pi.read(22) == 1

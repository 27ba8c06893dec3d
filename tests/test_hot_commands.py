"""The hot commands' generated fast path (``connection.command``): the same
typed errors, results and reconnect semantics as every other command."""
from __future__ import annotations

import inspect
import signal
import subprocess
import sys
import time

import pytest

import pigpiod_py
from pigpiod_py import BadGpioError, PigpioTypeError, PigpioValueError, SessionClosedError
from pigpiod_py.connection import Connection, command
from pigpiod_py.session import Session

GPIO = 17
#: Every generated method of the session, with good arguments.
HOT = {
    "write": (GPIO, 1),
    "read": (GPIO,),
    "trigger": (GPIO, 10),
    "set_bank_1": (0,),
    "clear_bank_1": (0,),
    "set_bank_2": (0,),
    "clear_bank_2": (0,),
    "set_pwm_dutycycle": (GPIO, 0),
    "set_servo_pulsewidth": (GPIO, 0),
}


@pytest.fixture
def pi(daemon):
    with pigpiod_py.open(daemon.host, daemon.port) as session:
        yield session


def test_the_hot_commands_are_generated():
    for name in HOT:
        assert getattr(Session, name).__code__.co_filename == "<command Session.%s>" % name
        assert getattr(Session, name).__doc__


def test_signature_defaults_and_results(pi):
    assert str(inspect.signature(Session.trigger)) == \
        "(self, gpio: 'int', pulse_len: 'int', level: 'int' = 1) -> 'None'"
    assert pi.write(GPIO, 1) is None
    assert pi.read(GPIO) == 1
    assert pi.trigger(GPIO, 10) is None  # level defaults to 1
    pi.write(GPIO, 0)
    assert pi.read(GPIO) == 0


@pytest.mark.parametrize("name", sorted(HOT))
def test_wrong_types_and_ranges_are_typed_errors(pi, name):
    args = HOT[name]
    with pytest.raises(PigpioTypeError) as info:
        getattr(pi, name)("x", *args[1:])
    assert "must be an int, not str" in str(info.value)
    with pytest.raises(PigpioValueError):
        getattr(pi, name)(-1, *args[1:])
    with pytest.raises(TypeError):
        getattr(pi, name)(*args, 1, 2, 3)  # too many arguments: Python's own error
    getattr(pi, name)(*args)  # the session is still usable


def test_a_refused_command_raises_its_typed_error(pi):
    with pytest.raises(BadGpioError):
        pi.write(99, 1)
    with pytest.raises(PigpioValueError):
        pi.write(GPIO, 7)


def test_a_closed_session_refuses(daemon):
    session = pigpiod_py.open(daemon.host, daemon.port)
    session.close()
    with pytest.raises(SessionClosedError):
        session.write(GPIO, 1)


def test_a_call_a_reconnect_raced_is_repeated_on_the_new_connection(daemon):
    """A command that read the token just before a reconnect replaced it is
    refused before anything is sent (PGD_ERR_CLOSED): it is safe to repeat,
    and it is repeated, as Connection.call does."""
    with pigpiod_py.open(daemon.host, daemon.port, reconnect=True) as session:
        connection = session._connection
        stale = connection.token
        connection.lost(stale)
        deadline = time.monotonic() + 30
        while not connection.connected:
            assert time.monotonic() < deadline, "no reconnect"
            time.sleep(0.01)
        fresh = connection.token
        reads = iter([stale])  # the first read of the token is the stale one

        class Raced(Connection):
            token = property(lambda self: next(reads, fresh), lambda self, value: None)

        connection.__class__ = Raced
        try:
            session.write(GPIO, 1)
            assert next(reads, None) is None  # the stale token was used, then the fresh one
            assert session.read(GPIO) == 1
        finally:
            connection.__class__ = Connection
            connection.token = fresh


def test_command_refuses_keyword_only_parameters():
    with pytest.raises(TypeError):
        @command(len)  # type: ignore[arg-type]
        def method(self, *, gpio):
            """Never generated."""


STOPPED_WRITER = """
import sys, time, pigpiod_py
session = pigpiod_py.open(sys.argv[1], int(sys.argv[2]))
print("ready", flush=True)
done, deadline = 0, time.monotonic() + float(sys.argv[3])
try:
    while time.monotonic() < deadline:
        session.write(17, done & 1)
        done += 1
    print("ok", done)
except Exception as exc:
    print("failed after %d commands: %r" % (done, exc))
"""


def test_the_hot_commands_survive_being_stopped_and_continued(daemon):
    """SIGSTOP/SIGCONT (Ctrl-Z then fg, a debugger) interrupt a recv() that
    has a time-out with EINTR whatever the signal mask: the guard reads the
    pending reply of a command without data itself instead of breaking the
    connection."""
    child = subprocess.Popen([sys.executable, "-c", STOPPED_WRITER, daemon.host, str(daemon.port),
                              "3"], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and child.poll() is None:
            child.send_signal(signal.SIGSTOP)
            time.sleep(0.002)
            child.send_signal(signal.SIGCONT)
            time.sleep(0.005)
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGCONT)
        out, _ = child.communicate(timeout=120)
    assert out.startswith("ok"), out

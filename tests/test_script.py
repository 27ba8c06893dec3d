"""Stored scripts through the binding (simulator or a real pigpiod)."""
from __future__ import annotations

import time

import pytest

import pigpiod_py
from pigpiod_py.constants import Edge, Mode, ScriptState
from pigpiod_py.errors import PigpioError, PigpioTypeError, PigpioValueError

GPIO = 25
#: x_pigpiod_if2.c test 9: toggle every 5 ms, p0 + 1 times.
TOGGLE = "tag 0 w 25 1 mils 5 w 25 0 mils 5 dcr p0 jp 0"


@pytest.fixture
def pi(daemon):
    with pigpiod_py.open(daemon.host, daemon.port, dispatch="manual") as session:
        session.set_mode(GPIO, Mode.OUTPUT)
        yield session


def test_run_counts_edges(pi):
    counter = pi.callback(GPIO, Edge.RISING)
    with pi.store_script(TOGGLE) as script:
        script.run(99)
        status = script.wait(timeout=10)
        pi.sleep(0.05)
        assert status.state == ScriptState.HALTED
        assert status.params[0] == -1
        assert counter.tally() == 100
    counter.cancel()


def test_stop_while_running_and_update(pi):
    script = pi.store_script(TOGGLE)
    script.run(2000)
    deadline = time.monotonic() + 20
    while script.status().params[0] > 1990 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert script.status().state in (ScriptState.RUNNING, ScriptState.WAITING)
    script.update(5, 6)
    assert script.status().params[1] == 6
    script.stop()
    status = script.wait(timeout=5)
    assert status.state == ScriptState.HALTED
    assert status.params[0] <= 5
    script.delete()
    assert script.closed
    with pytest.raises(PigpioError):
        script.status()


def test_variables_persist_and_parameters_are_signed(pi):
    with pi.store_script("inr v1 lda v1 sta p0 lda p1 mlt -3 sta p2") as script:
        script.run(0, 7)
        script.wait(timeout=5)
        script.run()
        params = script.wait(timeout=5).params
        assert params[:3] == (2, 7, -21)


def test_parse_errors(pi):
    for text, name in [("foo 1", "PI_BAD_SCRIPT_CMD"), ("ld v150 1", "PI_BAD_SCRIPT_CMD"),
                       ("tag 1 tag 1", "PI_DUP_TAG"), ("jmp 3", "PI_BAD_TAG"),
                       ("w 25", "PI_BAD_SCRIPT_CMD"), ("i2crd 0 4", "PI_BAD_SCRIPT_CMD")]:
        with pytest.raises(PigpioError) as info:
            pi.store_script(text)
        assert info.value.name == name, text


def test_bad_arguments_refused_before_sending(pi):
    with pi.store_script("halt") as script:
        with pytest.raises(PigpioValueError):
            script.run(*range(11))
        with pytest.raises(PigpioTypeError):
            script.update("1")  # type: ignore[arg-type]
        with pytest.raises(PigpioValueError):
            script.run(1 << 32)
    with pytest.raises(PigpioTypeError):
        pi.store_script(b"halt")  # type: ignore[arg-type]

"""Every ```python block of docs/API.md runs, each in a subprocess, against a
fresh simulator (PIGPIO_ADDR / PIGPIO_PORT in its environment), and prints
what its ``# -> ...`` comments say."""
from __future__ import annotations

from pathlib import Path

import pytest
from examples import python_blocks, run_example, shown_lines, unkept_promise
from examples import simulator_fixture  # noqa: F401 - the simulator fixture

API_MD = Path(__file__).resolve().parent.parent / "docs" / "API.md"
BLOCKS = python_blocks(API_MD.read_text())


def test_block_extraction():
    text = "intro\n```python\nx = 1\n```\n```sh\nls\n```\n```python\ny = 2\nz = 3\n```\n"
    assert python_blocks(text) == [(3, "x = 1\n"), (9, "y = 2\nz = 3\n")]


def test_promised_output():
    code = "print(1)   # -> 1  # one\nprint({'id': 7, 'tick': 9})  # -> {'id': ..., 'tick': ...}\n"
    assert shown_lines(code) == ["1", "{'id': ..., 'tick': ...}"]
    assert unkept_promise(shown_lines(code), "1\n{'id': 7, 'tick': 9}\n") == ""
    assert unkept_promise(shown_lines(code), "1\nNone\n") == "{'id': ..., 'tick': ...}"
    assert unkept_promise(["2", "1"], "1\n2\n") == "1"  # in order


def test_the_docs_have_examples_of_every_family():
    assert len(BLOCKS) >= 12
    code = "\n".join(block for _, block in BLOCKS)
    for needle in ("open_i2c", "open_spi", "open_serial", "open_bb_i2c", "open_i2c_slave",
                   "wave()", "Chain(", "store_script", "open_file", "startup",
                   "SimControl", "PigpiodPyFactory", "events()", "batch()", "callback(",
                   "hardware_pwm", "set_servo_pulsewidth", "EdgeCapture", "board()"):
        assert needle in code, needle


@pytest.mark.parametrize("line, code", BLOCKS, ids=["API.md:%d" % line for line, _ in BLOCKS])
def test_example_runs(simulator, line, code, tmp_path):
    run_example(simulator, code, "docs/API.md line %d" % line, tmp_path)

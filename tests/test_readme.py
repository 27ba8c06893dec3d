"""Every ```python block of README.md runs, each in a subprocess, against a
fresh simulator (PIGPIO_ADDR / PIGPIO_PORT in its environment), and prints
what its ``# -> ...`` comments say. None is skipped (but the gpiozero
one where gpiozero is not installed): an example that needs hardware is
written so that the simulator's devices stand in for it."""
from __future__ import annotations

from pathlib import Path

import pytest
from examples import python_blocks, run_example, shown_lines
from examples import simulator_fixture  # noqa: F401 - the simulator fixture

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = python_blocks(README.read_text())


def test_the_readme_examples_say_what_they_print():
    assert len(BLOCKS) >= 6
    assert all(shown_lines(code) for _, code in BLOCKS)


@pytest.mark.parametrize("line, code", BLOCKS, ids=["README.md:%d" % line for line, _ in BLOCKS])
def test_example_runs(simulator, line, code, tmp_path):
    run_example(simulator, code, "README.md line %d" % line, tmp_path)

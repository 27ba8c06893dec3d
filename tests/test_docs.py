"""Every ```python block of docs/API.md runs, each in a subprocess, against a
fresh simulator (PIGPIO_ADDR / PIGPIO_PORT in its environment)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import pytest

from pigpiod_py.simprocess import SimulatorProcess

API_MD = Path(__file__).resolve().parent.parent / "docs" / "API.md"
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.S | re.M)


def python_blocks(text: str) -> List[Tuple[int, str]]:
    """(line number, code) of each ```python block of a Markdown text."""
    return [(text.count("\n", 0, m.start()) + 2, m.group(1)) for m in BLOCK.finditer(text)]


BLOCKS = python_blocks(API_MD.read_text())


def test_block_extraction():
    text = "intro\n```python\nx = 1\n```\n```sh\nls\n```\n```python\ny = 2\nz = 3\n```\n"
    assert python_blocks(text) == [(3, "x = 1\n"), (9, "y = 2\nz = 3\n")]


def test_the_docs_have_examples_of_every_family():
    assert len(BLOCKS) >= 12
    code = "\n".join(block for _, block in BLOCKS)
    for needle in ("open_i2c", "open_spi", "open_serial", "open_bb_i2c", "open_i2c_slave",
                   "wave()", "Chain(", "store_script", "open_file", "startup",
                   "SimControl", "PigpiodPyFactory", "events()", "batch()", "callback(",
                   "hardware_pwm", "set_servo_pulsewidth", "EdgeCapture"):
        assert needle in code, needle


@pytest.fixture(scope="module")
def simulator():
    with SimulatorProcess() as sim:
        yield sim


@pytest.mark.parametrize("line, code", BLOCKS, ids=["API.md:%d" % line for line, _ in BLOCKS])
def test_example_runs(simulator, line, code, tmp_path):
    from pigpiod_py.sim.control import SimControl

    assert simulator.control_port is not None
    control = SimControl(simulator.host, simulator.control_port)
    try:
        control.reset()
    finally:
        control.close()
    if "gpiozero" in code:
        pytest.importorskip("gpiozero")
    script = tmp_path / "example.py"
    script.write_text(code)
    env = {**os.environ, "PIGPIO_ADDR": simulator.host, "PIGPIO_PORT": str(simulator.port)}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=120, env=env, cwd=tmp_path)
    assert out.returncode == 0, "docs/API.md line %d:\n%s%s" % (line, out.stdout, out.stderr)

"""Running the ```python blocks of a Markdown file (README.md, docs/API.md)
against a simulator, and checking what they print.

A line of a block may say what its ``print`` shows with a ``# -> TEXT``
comment (a further ``# ...`` after TEXT explains it); ``...`` in TEXT
stands for anything (ids, ticks). The lines a block prints must match those
comments in order.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest

from pigpiod_py.simprocess import SimulatorProcess

BLOCK = re.compile(r"^```python\n(.*?)^```$", re.S | re.M)
SHOWS = re.compile(r"#\s*->\s*(.*?)\s*(?:#.*)?$")


def python_blocks(text: str) -> List[Tuple[int, str]]:
    """(line number, code) of each ```python block of a Markdown text."""
    return [(text.count("\n", 0, m.start()) + 2, m.group(1)) for m in BLOCK.finditer(text)]


def shown_lines(code: str) -> List[str]:
    """The ``# -> TEXT`` promises of a block, in order."""
    return [m.group(1) for m in map(SHOWS.search, code.splitlines()) if m]


def unkept_promise(shown: List[str], printed: str) -> str:
    """The first promised line that was not printed (in order), or ''."""
    lines = iter(printed.splitlines())
    for promise in shown:
        pattern = re.compile(".*?".join(map(re.escape, promise.split("..."))))
        if not any(pattern.fullmatch(line.strip()) for line in lines):
            return promise
    return ""


def reset(simulator: SimulatorProcess) -> None:
    """Back to the simulator's configured state."""
    from pigpiod_py.sim.control import SimControl

    assert simulator.control_port is not None
    with SimControl(simulator.host, simulator.control_port) as control:
        control.reset()


@pytest.fixture(scope="module", name="simulator")
def simulator_fixture() -> Iterator[SimulatorProcess]:
    """One simulator for the examples of a test module (reset before each)."""
    with SimulatorProcess() as sim:
        yield sim


def run_example(simulator: SimulatorProcess, code: str, where: str, tmp_path: Path) -> None:
    """Run a block in a subprocess against the simulator (PIGPIO_ADDR /
    PIGPIO_PORT); it must exit 0 and print what it promises. Blocks that use
    gpiozero are skipped where it is not installed."""
    if "gpiozero" in code:
        pytest.importorskip("gpiozero")
    reset(simulator)
    script = tmp_path / "example.py"
    script.write_text(code)
    env = {**os.environ, "PIGPIO_ADDR": simulator.host, "PIGPIO_PORT": str(simulator.port)}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=120, env=env, cwd=tmp_path)
    assert out.returncode == 0, "%s:\n%s%s" % (where, out.stdout, out.stderr)
    missing = unkept_promise(shown_lines(code), out.stdout)
    assert not missing, "%s does not print %r; it printed:\n%s" % (where, missing, out.stdout)

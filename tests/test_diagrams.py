"""Timing diagrams: level steps of waves and recordings, and PNG files."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

import pigpiod_py
from pigpiod_py.diagrams import (
    Traces,
    require_matplotlib,
    save_png,
    traces_from_builder,
    traces_from_pulses,
    traces_from_recording,
)
from pigpiod_py.errors import PigpioTypeError, PigpioValueError
from pigpiod_py.recording import EdgeRecord, Recording
from pigpiod_py.checks import gpio_mask
from pigpiod_py.wave import Pulse

try:
    import matplotlib  # noqa: F401
    HAVE_MATPLOTLIB = True
except ImportError:
    HAVE_MATPLOTLIB = False

needs_matplotlib = pytest.mark.skipif(
    not HAVE_MATPLOTLIB, reason="matplotlib is not installed (pip install matplotlib)")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_steps_of_a_pulse_train():
    pulses = [Pulse(0, 0, 100), Pulse(1 << 18, 0, 30), Pulse(0, 1 << 18, 70)]
    pulses += [Pulse(1 << 18, 0, 30), Pulse(0, 1 << 18, 70)]
    traces = traces_from_pulses(pulses)
    assert traces.steps == {18: [(0, 0), (100, 1), (130, 0), (200, 1), (230, 0)]}
    assert traces.end == 300


def test_steps_of_several_gpios_with_shared_pulses():
    both = gpio_mask([4, 5])
    traces = traces_from_pulses([(both, 0, 10), (1 << 5, 1 << 4, 10), (0, both, 5)], initial=1)
    # gpio 4 and 5 start high: setting them at 0 is no change
    assert traces.steps == {4: [(0, 1), (10, 0)], 5: [(0, 1), (20, 0)]}
    assert traces.end == 25


def test_a_change_at_time_zero_replaces_the_initial_level():
    assert traces_from_pulses([(1, 0, 5)]).steps == {0: [(0, 1)]}


def test_bad_pulses_are_refused():
    with pytest.raises(PigpioTypeError):
        traces_from_pulses([(1, 2)])
    with pytest.raises(PigpioValueError):
        traces_from_pulses([(1, 0, -5)])


def test_steps_of_a_builder_match_the_wave_the_daemon_creates(daemon):
    with pigpiod_py.open(daemon.host, daemon.port) as pi:
        # 0x55 at 50 kbaud (20 µs bits, LSB first) from 30 µs, merged with a square wave
        builder = pi.wave().square(18, 100, 2).add_serial(23, 50_000, b"\x55", offset=30)
        traces = traces_from_builder(builder)
        builder.create()
        assert traces.end == pi.wave_micros().current == 230
    assert traces.steps[18] == [(0, 1), (50, 0), (100, 1), (150, 0)]
    assert traces.steps[23] == [(0, 1), (30, 0)] + [
        (50 + 20 * k, (k + 1) % 2) for k in range(9)]
    assert traces_from_builder(pi.wave()).steps == {}  # builders need no daemon


def test_steps_of_a_recording_across_the_wrap():
    rec = Recording([4, 17], {4: 0, 17: 1}, 2**32 - 10,
                    [EdgeRecord(4, 1, 2**32 - 5), EdgeRecord(17, 0, 20), EdgeRecord(4, 0, 40)])
    traces = traces_from_recording(rec)
    assert traces.steps == {4: [(0, 0), (5, 1), (50, 0)], 17: [(0, 1), (30, 0)]}
    assert traces.end == 50


def test_nothing_to_draw(tmp_path):
    with pytest.raises(ValueError):
        save_png(Traces({}, 10), str(tmp_path / "x.png"))


def test_missing_matplotlib_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(RuntimeError, match="pip install matplotlib"):
        require_matplotlib()
    with pytest.raises(RuntimeError, match="matplotlib"):
        save_png(traces_from_pulses([(1, 0, 5)]), str(tmp_path / "x.png"))
    assert not (tmp_path / "x.png").exists()


@needs_matplotlib
def test_png_of_a_wave(tmp_path):
    path = tmp_path / "wave.png"
    a, b = gpio_mask([18]), gpio_mask([23])
    pulses = [Pulse(a, b, 500), Pulse(b, a, 500)]
    save_png(traces_from_pulses(pulses * 5), str(path), title="a wave")
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 1000


@needs_matplotlib
def test_png_of_a_recording_without_edges(tmp_path):
    path = tmp_path / "idle.png"
    save_png(traces_from_recording(Recording([4], {4: 1}, 0, [])), str(path))
    assert path.read_bytes().startswith(PNG_MAGIC)


@needs_matplotlib
def test_record_command_writes_a_png(sim, tmp_path):
    vcd, png = tmp_path / "e.vcd", tmp_path / "e.png"
    sim.control.drive(4, 0)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pigpiod_py", "record", "--vcd", str(vcd), "--png", str(png),
         "--host", sim.host, "--port", str(sim.port), "--seconds", "1", "4"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PIGPIO_ADDR": ""})
    assert proc.stdout.readline().startswith("recording gpio 4 on pigpiod at")
    sim.control.edges(4, 6, 100)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "6 edges written" in out and "timing diagram written to" in out
    assert png.read_bytes().startswith(PNG_MAGIC) and vcd.stat().st_size > 0


def test_record_png_without_matplotlib_fails_before_recording(tmp_path):
    """A sitecustomize that hides matplotlib: the command says so and exits
    before it starts anything."""
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text("import sys\nsys.modules['matplotlib'] = None\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(hide), os.environ.get("PYTHONPATH")])), "PIGPIO_ADDR": ""}
    out = subprocess.run([sys.executable, "-m", "pigpiod_py", "record", "--vcd",
                          str(tmp_path / "x.vcd"), "--png", str(tmp_path / "x.png"), "4"],
                         capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 2 and "pip install matplotlib" in out.stderr
    assert "recording gpio" not in out.stdout + out.stderr and not (tmp_path / "x.vcd").exists()

"""The command line and the benchmark runner (functional, not timed)."""
from __future__ import annotations

import json
import subprocess
import sys

from pigpiod_py.bench import toggle


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pigpiod_py", *args],
                          capture_output=True, text=True, timeout=300)


def test_info_against_the_daemon(daemon):
    out = run("info", "--host", daemon.host, "--port", str(daemon.port))
    assert out.returncode == 0, out.stderr
    assert "pigpio version:    79" in out.stdout
    assert "Raspberry Pi" in out.stdout


def test_toggle_benchmark_json(daemon):
    out = subprocess.run(
        [sys.executable, "-m", "pigpiod_py", "bench", "toggle", "--host", daemon.host,
         "--port", str(daemon.port), "--count", "300", "--rounds", "2", "--json"],
        capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    results = report["results"]
    assert set(results) == {toggle.C_LOOP, "pigpiod_py", "pigpiod_py batched", "pigpio module"}
    for row in results.values():
        assert row["toggles_per_s"] > 0 and row["rounds"] == 2
    assert results[toggle.C_LOOP]["vs_c"] == 1.0


def test_summary_ratios():
    runs = {
        toggle.C_LOOP: [{"toggles": 100, "seconds": 1.0, "user": 0.001, "system": 0.001}],
        "pigpio module": [{"toggles": 100, "seconds": 2.0, "user": 0.004, "system": 0.002}],
    }
    table = toggle.summarise(runs)
    assert table["pigpio module"]["vs_c"] == 0.5
    assert table[toggle.C_LOOP]["user_vs_module"] == 0.25
    assert "vs C" in toggle.format_table(table)


def test_unknown_benchmark():
    out = run("bench", "nope")
    assert out.returncode == 2 and "unknown benchmark" in out.stderr


def test_demo_runs_on_the_builtin_simulator():
    out = subprocess.run([sys.executable, "-m", "pigpiod_py", "demo"], capture_output=True,
                         text=True, timeout=600, env={**__import__("os").environ, "PIGPIO_ADDR": ""})
    assert out.returncode == 0, out.stderr
    assert "gpio 22 input with pull-up reads 1" in out.stdout
    assert "Toggle benchmark" in out.stdout and "pigpio module" in out.stdout

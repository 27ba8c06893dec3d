"""The command line and the benchmark runner (functional, not timed)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_connect import dead_port

import pigpiod_py.recording
from pigpiod_py.bench import toggle
from pigpiod_py.bench.event_clients import CLIENTS


def run(*args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
    """``python -m pigpiod_py ARGS`` with ``env`` added to the environment."""
    return subprocess.run([sys.executable, "-m", "pigpiod_py", *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **env})


def test_info_against_the_daemon(daemon):
    out = run("info", "--host", daemon.host, "--port", str(daemon.port))
    assert out.returncode == 0, out.stderr
    assert "pigpio version:    79" in out.stdout
    assert "Raspberry Pi" in out.stdout


def test_info_as_json(sim):
    out = run("info", "--host", sim.host, "--port", str(sim.port), "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["pigpio_version"] == 79 and report["hardware_revision"] == 0xC03111
    assert report["board"]["model"] == "4B" and len(report["board"]["headers"][0]["pins"]) == 40
    assert report["daemon"] == "pigpiod at %s:%d" % (sim.host, sim.port)


def test_toggle_benchmark_json(daemon):
    """By default the C responder and the daemon named, each with every client."""
    out = run("bench", "toggle", "--host", daemon.host, "--port", str(daemon.port),
              "--count", "300", "--rounds", "2", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    reference, named = report["daemons"]
    assert reference["kind"] == "c" and "C reference responder" in reference["daemon"]
    assert named["daemon"] == "pigpiod at %s:%d" % (daemon.host, daemon.port)
    common = {toggle.C_LOOP, toggle.CEILING, "pigpiod_py", "pigpio module", *toggle.BATCHED}
    assert set(reference["results"]) == common  # the responder makes no waves
    assert set(named["results"]) == common | {toggle.WAVE}
    for part in (reference, named):
        for row in part["results"].values():
            assert row["toggles_per_s"] > 0 and row["rounds"] == 2
        results = part["results"]
        assert results[toggle.C_LOOP]["vs_c"] == 1.0 and results[toggle.CEILING]["vs_ceiling"] == 1.0
        assert all("vs_ceiling" in results[kind] for kind in toggle.BATCHED)
        assert isinstance(part["notes"], list)
    assert named["results"][toggle.WAVE]["setup_ms"] > 0
    assert out.stderr == ""  # no progress when stderr is not a terminal


def test_toggle_benchmark_text_has_a_table_per_daemon_and_the_summary(daemon):
    out = run("bench", "toggle", "--daemon", "c", "--daemon", "%s:%d" % (daemon.host, daemon.port),
              "--count", "200", "--rounds", "1")
    assert out.returncode == 0, out.stderr
    first = out.stdout.splitlines()[0]
    assert "C reference responder" in first and "pigpiod at %s:%d" % (daemon.host, daemon.port) in first
    assert out.stdout.count("raw pipelined (C)") == 2
    summary = out.stdout[out.stdout.index("Summary"):].splitlines()
    assert summary[1].startswith("| against | C loop |")
    assert summary[3].startswith("| the C responder |")
    assert summary[4].startswith("| pigpiod %s:%d |" % (daemon.host, daemon.port))


def test_a_bad_daemon_is_refused():
    out = run("bench", "toggle", "--daemon", "nowhere")
    assert out.returncode == 2 and "c, sim, auto or HOST:PORT" in out.stderr


def test_guard_benchmark_json():
    out = run("bench", "guard", "--count", "300", "--rounds", "2", "--json", "--cpu", "0")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    for key in ("raw", "guarded", "enter_leave", "sigmask_pair", "sigpending", "clock",
                "lock_pair"):
        assert set(report[key]) == {"wall_us", "user_us", "system_us"}
        assert report[key]["wall_us"] > 0
    assert report["rounds"] == 2 and report["budget_us"] == 1.0


def test_progress_on_stderr_when_asked(daemon):
    out = run("bench", "toggle", "--host", daemon.host, "--port", str(daemon.port),
              "--count", "200", "--rounds", "2", "--json", "--progress")
    assert out.returncode == 0, out.stderr
    assert "round 2/2" in out.stderr
    json.loads(out.stdout)  # stdout stays clean


def test_the_address_and_port_from_the_environment_reach_every_client(daemon):
    """PIGPIO_ADDR and PIGPIO_PORT: the C benchmark client connects there too."""
    env = {"PIGPIO_ADDR": daemon.host, "PIGPIO_PORT": str(daemon.port)}
    out = run("bench", "toggle", "--count", "200", "--rounds", "1", "--json", **env)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["daemons"][1]["daemon"] == "pigpiod at %s:%d" % (daemon.host, daemon.port)
    assert toggle.C_LOOP in report["daemons"][1]["results"]
    out = run("demo", "--count", "200", "--rounds", "1", **env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "daemon:            pigpiod at %s:%d" % (daemon.host, daemon.port)
    assert "C libpigpiod_if2" in out.stdout


COMMANDS_THAT_CHOOSE = {
    "demo": ["demo", "--count", "200", "--rounds", "1"],
    "bench": ["bench", "toggle", "--count", "200", "--rounds", "1"],
    "monitor": ["monitor", "--seconds", "0.2", "4"],
    "record": ["record", "--vcd", "{tmp}/e.vcd", "--seconds", "0.2", "4"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS_THAT_CHOOSE))
def test_without_an_address_a_daemon_on_localhost_is_used(daemon, command, tmp_path):
    args = [a.format(tmp=tmp_path) for a in COMMANDS_THAT_CHOOSE[command]]
    out = run(*args, PIGPIO_ADDR="", PIGPIO_PORT=str(daemon.port))
    assert out.returncode == 0, out.stderr
    first = out.stdout.splitlines()[0]
    assert "pigpiod at localhost:%d" % daemon.port in first, first


@pytest.mark.parametrize("command", sorted(COMMANDS_THAT_CHOOSE))
def test_without_an_address_or_a_local_daemon_the_simulator_is_used(command, tmp_path):
    args = [a.format(tmp=tmp_path) for a in COMMANDS_THAT_CHOOSE[command]]
    port = dead_port()
    out = run(*args, PIGPIO_ADDR="", PIGPIO_PORT=str(port))
    assert out.returncode == 0, out.stderr
    first = out.stdout.splitlines()[0]
    assert "the built-in simulator" in first and "localhost:%d" % port in first, first


def test_summary_ratios():
    runs = {
        toggle.C_LOOP: [{"toggles": 100, "seconds": 1.0, "user": 0.001, "system": 0.001}],
        "pigpio module": [{"toggles": 100, "seconds": 2.0, "user": 0.004, "system": 0.002}],
    }
    table = toggle.summarise(runs)
    assert table["pigpio module"]["vs_c"] == 0.5
    assert table[toggle.C_LOOP]["user_vs_module"] == 0.25
    assert "vs C" in toggle.format_table(table)


def test_notes_say_when_the_daemon_sets_the_pace():
    """The simulator is called the bottleneck when its C loop is slower than
    against the C responder, or a batched client reaches its ceiling."""
    reference = toggle.summarise({
        toggle.C_LOOP: [{"toggles": 60000, "seconds": 1.0, "user": 0.0, "system": 0.1}],
        toggle.CEILING: [{"toggles": 300000, "seconds": 1.0, "user": 0.0, "system": 0.1}],
    })
    sim = toggle.summarise({
        toggle.C_LOOP: [{"toggles": 20000, "seconds": 1.0, "user": 0.0, "system": 0.1}],
        toggle.CEILING: [{"toggles": 100000, "seconds": 1.0, "user": 0.0, "system": 0.1}],
        toggle.BATCHED[1]: [{"toggles": 90000, "seconds": 1.0, "user": 0.0, "system": 0.1}],
    })
    found = toggle.notes("sim", sim, reference)
    assert any("single commands are paced by the daemon" in note for note in found)
    assert any("0.90 of the raw pipelined ceiling" in note for note in found)
    assert any("0.33x the C responder's" in note for note in found)
    assert toggle.notes("c", reference, None) == []
    summary = toggle.format_summary({"the C responder": reference, "the simulator": sim})
    assert "| the simulator | 20000/s |" in summary and "0.90 of ceiling" in summary


def test_unknown_benchmark():
    out = run("bench", "nope")
    assert out.returncode == 2 and "unknown benchmark" in out.stderr


def test_simulator_benchmark_reports_its_figures(sim):
    out = run("bench", "sim", "--host", sim.host, "--port", str(sim.port), "--count", "2000",
              "--round-trips", "200")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("pipelined: 2000 WRITE commands, ") and lines[0].endswith(" commands/s")
    assert lines[1].startswith("round trip: 200 TICK commands, median ")


def test_report_benchmark_counts_every_edge():
    out = run("bench", "reports", "--rate", "1000", "--seconds", "1")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "raw socket client 0: 1000 of 1000 edges, 0 missing, 0 misplaced" in out.stdout
    assert "simulator CPU while streaming: " in out.stdout


def test_events_benchmark_runs_every_client_on_the_builtin_simulator():
    """Every client delivers the whole stream (none drops), and the table
    has each one's ratio to the pigpio module (functional, not timed)."""
    out = run("bench", "events", "--rates", "2000", "--seconds", "0.5", "--rounds", "1",
              "--json", PIGPIO_ADDR="", PIGPIO_PORT=str(dead_port()))
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["daemon"].startswith("the built-in simulator at ")
    assert set(report["wake_cost_us"]) == {"1", "4", "16"}
    table = report["results"]["2000"]
    assert set(table) == set(CLIENTS)
    for kind, row in table.items():
        assert row["delivered"] == row["offered"] == 1000 and row["dropped"] == 0, kind
        assert row["cpu_vs_module"] > 0, kind
    assert table["pigpio module"]["cpu_vs_module"] == 1.0
    assert table["pigpiod_py thread"]["arrival_latency_p99_us"] is not None


def test_demo_runs_on_the_builtin_simulator():
    out = run("demo", PIGPIO_ADDR="", PIGPIO_PORT=str(dead_port()), timeout=600)
    assert out.returncode == 0, out.stderr
    assert "gpio 22 input with pull-up reads 1" in out.stdout
    assert "Toggle benchmark" in out.stdout and "pigpio module" in out.stdout
    # ... and the benchmark names the simulator as such, not as a pigpiod
    assert "Against the built-in simulator at" in out.stdout
    assert "pigpiod at" not in out.stdout


def test_scan_of_several_daemons_shows_the_absent_one(daemon):
    absent = dead_port()
    out = run("scan", "%s:%d" % (daemon.host, daemon.port), "127.0.0.1:%d" % absent, "--progress")
    assert out.returncode == 1, out.stderr  # not every daemon answered
    assert "pigpiod %s:%d" % (daemon.host, daemon.port) in out.stdout and "gpio 17" in out.stdout
    assert "pigpiod 127.0.0.1:%d" % absent in out.stdout and "not reachable" in out.stdout
    assert "2/2 daemons" in out.stderr


def test_scan_as_json(daemon):
    out = run("scan", "%s:%d" % (daemon.host, daemon.port), "--json")
    assert out.returncode == 0, out.stderr
    (root,) = json.loads(out.stdout)["daemons"]
    assert (root["host"], root["port"], root["connected"]) == (daemon.host, daemon.port, True)
    header = [c for c in root["children"] if c["type"] == "gpio_header"][0]
    assert [c["address"] for c in header["children"]] == [str(g) for g in range(32)]
    assert out.stderr == ""


def test_one_command_line_module():
    """The subcommands are parsed in cli.py; recording.py only records."""
    assert "argparse" not in Path(pigpiod_py.recording.__file__).read_text()
    out = run("--help")
    assert out.returncode == 0
    for command in ("demo", "info", "scan", "bench", "sim", "monitor", "record"):
        assert command in out.stdout

"""Edge capture, VCD text, and the ``monitor`` / ``record`` command lines."""
from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from test_connect import dead_port

import pigpiod_py
from pigpiod_py import Mode
from pigpiod_py.recording import (
    EdgeCapture,
    EdgeLog,
    EdgeRecord,
    Recording,
    checked_gpios,
    record,
    vcd_identifier,
    vcd_text,
    write_vcd,
)
from pigpiod_py.ticks import tick_add, tick_diff

HEADER = """$timescale 1 us $end
$scope module pigpio $end
$var wire 1 ! gpio4 $end
$var wire 1 " gpio17 $end
$upscope $end
$enddefinitions $end
#0
$dumpvars
"""


def body(text: str) -> str:
    """The VCD text from $timescale on (the $date/$version header varies)."""
    return text[text.index("$timescale"):]


def test_vcd_text_of_a_known_recording():
    rec = Recording([4, 17], {4: 0, 17: 1}, 1000, [
        EdgeRecord(4, 1, 1250), EdgeRecord(17, 0, 1250), EdgeRecord(4, 0, 2000)])
    assert body(vcd_text(rec)) == HEADER + '0!\n1"\n$end\n#250\n1!\n0"\n#1000\n0!\n'
    assert vcd_text(rec, date="today").startswith("$date\n  today\n$end\n$version\n")


def test_vcd_times_unwrap_across_the_tick_wrap():
    start = 2**32 - 300
    edges = [EdgeRecord(4, 1, tick_add(start, 100)), EdgeRecord(4, 0, tick_add(start, 500)),
             EdgeRecord(17, 0, tick_add(start, 500 + 2**32 - 100))]  # 71 minutes later
    rec = Recording([4, 17], {4: 0, 17: 1}, start, edges)
    assert edges[1].tick == 200 and edges[2].tick == 100  # wrapped
    assert rec.times() == [100, 500, 2**32 + 400]
    assert body(vcd_text(rec)).endswith("#100\n1!\n#500\n0!\n#%d\n0\"\n" % (2**32 + 400))
    out = io.StringIO()
    write_vcd(rec, out)
    assert out.getvalue() == vcd_text(rec)


def test_a_recording_without_edges_has_only_initial_values():
    rec = Recording([4, 17], {4: 1, 17: 1}, 5, [])
    assert body(vcd_text(rec)) == HEADER + '1!\n1"\n$end\n'
    assert rec.duration() == 0


def test_vcd_identifiers_are_distinct_and_printable():
    ids = [vcd_identifier(k) for k in range(100 * 94)]
    assert len(set(ids)) == len(ids)
    assert all(33 <= ord(c) <= 126 for ident in ids for c in ident)
    assert ids[0] == "!" and ids[93] == "~" and len(ids[94]) == 2


def test_edge_log_lines_use_tick_diff_per_gpio():
    log = EdgeLog()
    assert log.line(EdgeRecord(4, 1, 2**32 - 10)) == "gpio 4 level 1 tick %d -" % (2**32 - 10)
    assert log.line(EdgeRecord(5, 1, 3)) == "gpio 5 level 1 tick 3 -"
    assert log.line(EdgeRecord(4, 0, 20)) == "gpio 4 level 0 tick 20 +30 us"


@pytest.mark.parametrize("gpios, error", [([], ValueError), ([32], ValueError),
                                          ([-1], ValueError), ([True], TypeError),
                                          (["4"], TypeError)])
def test_bad_gpio_lists_are_refused(gpios, error):
    with pytest.raises(error):
        checked_gpios(gpios)


def test_repeated_gpios_are_kept_once():
    assert checked_gpios([4, 17, 4]) == [4, 17]


def wait_for_edges(pi, capture, count, timeout=10.0):
    deadline = time.monotonic() + timeout
    while len(capture.recording.edges) < count and time.monotonic() < deadline:
        pi.sleep(0.05)
    assert len(capture.recording.edges) == count


def expected_vcd(start, initial, first, count, period):
    """VCD text of gpio 4 alone, changing count times from ``initial``."""
    lines = ["$timescale 1 us $end", "$scope module pigpio $end",
             "$var wire 1 ! gpio4 $end", "$upscope $end", "$enddefinitions $end",
             "#0", "$dumpvars", "%d!" % initial, "$end"]
    level = initial
    for k in range(count):
        level ^= 1
        lines += ["#%d" % (tick_diff(start, first) + k * period), "%d!" % level]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("tick", [None, 2**32 - 250_000])
def test_capture_of_a_simulated_edge_stream(sim, tick):
    """10 changes 50 ms apart; with the tick set 250 ms before its wrap the
    stream crosses it (setting up takes far less than 200 ms)."""
    if tick is not None:
        sim.control.set_tick(tick)
    with pigpiod_py.open(sim.host, sim.port) as pi:
        pi.set_mode(4, Mode.INPUT)
        with EdgeCapture(pi, [4]) as capture:
            sim.control.edges(4, 10, 20)
            wait_for_edges(pi, capture, 10)
    rec = capture.recording
    assert rec.edges[0].level == 1 - rec.initial[4]
    if tick is not None:  # the stream crosses the wrap
        assert rec.edges[0].tick > rec.edges[-1].tick
    expected = expected_vcd(rec.start_tick, rec.initial[4], rec.edges[0].tick, 10, 50_000)
    assert body(vcd_text(rec)) == expected


def test_record_for_some_seconds(sim):
    calls = []
    with pigpiod_py.open(sim.host, sim.port) as pi:
        pi.write(17, 1)
        sim.control.wire(17, 4)
        rec = record(pi, [4, 17], 0.3, lambda *args: calls.append(args), step=0.1)
        after = record(pi, [4], 0.0)
    assert rec.initial == {4: 1, 17: 1} and rec.edges == []
    assert [elapsed for elapsed, _ in calls] == [0.0, 0.1, 0.2, 0.3]
    assert after.edges == [] and after.gpios == [4]
    with pytest.raises(ValueError):
        record(pi, [4], -1)
    with pytest.raises(ValueError):
        record(pi, [4], 1, step=0)


def test_outputs_written_by_the_program_are_recorded(sim):
    with pigpiod_py.open(sim.host, sim.port) as pi:
        pi.write(17, 0)
        with EdgeCapture(pi, [17]) as capture:
            for level in (1, 0, 1):
                pi.write(17, level)
            wait_for_edges(pi, capture, 3)
    assert [(e.gpio, e.level) for e in capture.recording.edges] == [(17, 1), (17, 0), (17, 1)]
    assert capture.recording.times() == sorted(capture.recording.times())


def start_cli(*args, first_of="stdout"):
    """``python -m pigpiod_py ARGS`` with the first line of its stdout (or
    stderr) read: it says the callbacks are in place."""
    # no address, and no daemon on localhost: the built-in simulator
    env = {**os.environ, "PIGPIO_ADDR": "", "PIGPIO_PORT": str(dead_port())}
    proc = subprocess.Popen([sys.executable, "-m", "pigpiod_py", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    reader = threading.Thread(target=lambda: lines.append(getattr(proc, first_of).readline()))
    reader.start()
    reader.join(60)
    if not lines:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail("no first line on %s within 60 s; said %r %r" % (first_of, out, err))
    return proc, lines[0]


def test_record_command_end_to_end(sim, tmp_path):
    vcd = tmp_path / "edges.vcd"
    sim.control.drive(4, 0)
    proc, first = start_cli("record", "--vcd", str(vcd), "--host", sim.host,
                            "--port", str(sim.port), "--seconds", "2.5", "--progress", "4", "17")
    assert first.startswith("recording gpio 4, 17 on pigpiod at %s:%d" % (sim.host, sim.port))
    sim.control.edges(4, 4, 500)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "recording: 2.5/2.5 s, 4 edges" in err.splitlines()
    assert out == "4 edges written to %s\n" % vcd
    text = vcd.read_text()
    assert body(text).startswith(HEADER)
    changes = body(text).split("$dumpvars\n")[1].split("\n")
    assert changes[:3] == ["0!", '0"', "$end"]
    times = [int(line[1:]) for line in changes if line.startswith("#")]
    assert [b - a for a, b in zip(times, times[1:])] == [2000, 2000, 2000]
    assert [line for line in changes if line.endswith("!")][1:] == ["1!", "0!", "1!", "0!"]


def test_record_summary_as_json(sim, tmp_path):
    vcd = tmp_path / "edges.vcd"
    sim.control.drive(4, 0)
    proc, first = start_cli("record", "--vcd", str(vcd), "--host", sim.host, "--port",
                            str(sim.port), "--seconds", "1.5", "--json", "--progress", "4", "17",
                            first_of="stderr")
    assert first == "recording: 0.0/1.5 s, 0 edges\n"  # the callbacks are in place
    sim.control.edges(4, 6, 1000)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    summary = json.loads(out)
    assert summary["daemon"] == "pigpiod at %s:%d" % (sim.host, sim.port)
    assert summary["edges"] == 6 and summary["edges_per_gpio"] == {"4": 6, "17": 0}
    assert summary["vcd"] == str(vcd) and summary["png"] is None and summary["seconds"] == 1.5


def test_monitor_command_end_to_end(sim):
    sim.control.drive(4, 0)
    proc, first = start_cli("monitor", "4", "--host", sim.host, "--port", str(sim.port),
                            "--seconds", "2")
    assert first.startswith("monitoring gpio 4 on pigpiod at")
    sim.control.edges(4, 4, 1000)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    lines = out.splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("gpio 4 level 1 tick ") and lines[0].endswith(" -")
    for line, level in zip(lines[1:], (0, 1, 0)):
        assert line.startswith("gpio 4 level %d tick " % level) and line.endswith(" +1000 us")


def test_monitor_stops_on_ctrl_c_with_the_builtin_simulator():
    proc, first = start_cli("monitor", "4")
    assert "monitoring gpio 4 on the built-in simulator" in first and "Ctrl-C" in first
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err


@pytest.mark.parametrize("args", [["record", "4"], ["record", "--vcd", "x.vcd", "40"],
                                  ["monitor", "4", "--seconds", "-1"], ["monitor"]])
def test_bad_command_lines_exit_2(args):
    out = subprocess.run([sys.executable, "-m", "pigpiod_py", *args], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 2 and "usage: pigpiod-py" in out.stderr

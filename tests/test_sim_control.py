"""The control API (drive, wires, reset, pin inspection) and the command line."""
from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys

import pytest
from sim_clients import raw_pi_fixture  # noqa: F401 (fixture "pi")

from pigpiod_py.constants import Command, Mode, Pull
from pigpiod_py.sim import SimConfig, Simulator
from pigpiod_py.sim.interfaces.client import RawClient
from pigpiod_py.sim.control import MAX_LINE, SimControl
from pigpiod_py.sim.buses.serial import WRITTEN_LIMIT
from pigpiod_py.simprocess import SimulatorProcess

PIN_KEYS = {"mode", "level", "latch", "pull", "driven", "function", "dutycycle", "range",
            "frequency", "pulsewidth", "watchdog", "glitch", "noise"}


# -- pins and drive -------------------------------------------------------

def test_pin_describes_a_fresh_gpio(sim):
    pin = sim.control.pin(17)
    assert set(pin) == PIN_KEYS
    assert pin == {"mode": Mode.INPUT, "level": 0, "latch": 0, "pull": Pull.DOWN, "driven": None,
                   "function": "none", "dutycycle": None, "range": 255, "frequency": 800,
                   "pulsewidth": None, "watchdog": 0, "glitch": 0, "noise": [0, 0]}


def test_drive_an_input_from_outside(sim, pi):
    sim.control.drive(17, 1)
    assert pi.command(Command.READ, 17) == 1
    assert sim.control.pin(17)["driven"] == 1
    sim.control.drive(17, 0)
    assert pi.command(Command.READ, 4) == 1   # others keep their pulls
    assert pi.command(Command.READ, 17) == 0
    sim.control.drive(4, 0)
    assert pi.command(Command.READ, 4) == 0   # beats the pull-up
    sim.control.drive(4, None)
    assert pi.command(Command.READ, 4) == 1   # released: the pull again


def test_released_input_without_pull_keeps_its_level(sim, pi):
    pi.command(Command.PUD, 17, Pull.OFF)
    sim.control.drive(17, 1)
    sim.control.drive(17, None)
    assert pi.command(Command.READ, 17) == 1


def test_driving_an_output_does_not_change_it(sim, pi):
    pi.command(Command.WRITE, 17, 0)
    sim.control.drive(17, 1)
    assert pi.command(Command.READ, 17) == 0
    pi.command(Command.MODES, 17, Mode.INPUT)
    assert pi.command(Command.READ, 17) == 1


@pytest.mark.parametrize("call", [
    lambda c: c.drive(54, 1), lambda c: c.drive(4, 2), lambda c: c.pin(-1),
    lambda c: c.pin("x"), lambda c: c.wire(3, 3), lambda c: c.unwire(3, 4),
    lambda c: c.wire(3, 60), lambda c: c.set_revision("zz"),
])
def test_bad_requests_raise_value_error(sim, call):
    with pytest.raises(ValueError):
        call(sim.control)


def test_malformed_control_lines_get_error_replies(sim):
    with socket.create_connection((sim.host, sim.process.control_port)) as sock:
        lines = sock.makefile("rb")
        for request in (b"not json\n", b"[1, 2]\n", b'{"op": "format_disk"}\n',
                        b'{"op": "pin", "args": [1, 2, 3]}\n', b'{"args": []}\n',
                        b'{"op": "pin", "args": {"gpio": 4}}\n', b'"pin"\n',
                        b'{"op": "i2c_set_axes", "args": [1, 83, 1e400, 0, 0]}\n',
                        b'{"op": "set_tick", "args": [1e400]}\n',
                        b'{"op": "i2c_set_axes", "args": [1, 83, 99999, 0, 0]}\n',
                        b'{"op": "spi_set_input", "args": ["main1", 0, NaN]}\n',
                        b'{"op": "serial_tx", "args": [4, 9600, [1], 8, 1e400]}\n',
                        b'{"op": "i2c_attach", "args": [1, 81, {"model": "eeprom", '
                        b'"size": 10000000000}]}\n',
                        b'{"op": "edges", "args": [4, 10, 1e400]}\n',
                        b"[" * 100000 + b"\n", b'{"op": ' * 50000 + b"\n"):
            sock.sendall(request)
            assert "error" in json.loads(lines.readline())
        sock.sendall(b'{"op": "permission_mask"}\n')
        assert json.loads(lines.readline()) == {"result": 0x0FFFFFFC}


# -- wires ----------------------------------------------------------------

@pytest.mark.parametrize("cmd, high, low", [(Command.WRITE, 1, 0), (Command.PWM, 255, 0)])
def test_an_output_drives_the_inputs_wired_to_it(sim, pi, cmd, high, low):
    sim.control.wire(17, 27)
    pi.command(cmd, 17, high)
    assert pi.command(Command.READ, 27) == 1
    pi.command(cmd, 17, low)
    assert pi.command(Command.READ, 27) == 0
    assert sim.control.pin(27)["mode"] == Mode.INPUT


def test_wires_form_groups(sim, pi):
    sim.control.wire(5, 6)
    sim.control.wire(6, 13)
    pi.command(Command.WRITE, 13, 1)
    assert [pi.command(Command.READ, g) for g in (5, 6)] == [1, 1]
    sim.control.unwire(5, 6)
    assert pi.command(Command.READ, 5) == 1  # pull-up (gpio 5) again
    pi.command(Command.WRITE, 13, 0)
    assert [pi.command(Command.READ, g) for g in (5, 6)] == [1, 0]


def test_outside_drive_reaches_the_whole_group(sim, pi):
    sim.control.wire(17, 27)
    sim.control.drive(27, 1)
    assert pi.command(Command.READ, 17) == 1
    pi.command(Command.WRITE, 17, 0)  # an output wins over the outside drive
    assert pi.command(Command.READ, 27) == 0


def test_undriven_wire_group_follows_its_pulls(sim, pi):
    sim.control.wire(17, 27)
    pi.command(Command.PUD, 27, Pull.OFF)
    pi.command(Command.WRITE, 17, 1)
    pi.command(Command.MODES, 17, Mode.INPUT)
    assert [pi.command(Command.READ, g) for g in (17, 27)] == [0, 0]  # 17's pull-down
    pi.command(Command.PUD, 17, Pull.OFF)
    sim.control.drive(27, 1)
    sim.control.drive(27, None)
    assert [pi.command(Command.READ, g) for g in (17, 27)] == [1, 1]  # no pull: kept
    pi.command(Command.PUD, 27, Pull.UP)
    pi.command(Command.PUD, 17, Pull.DOWN)
    assert [pi.command(Command.READ, g) for g in (17, 27)] == [0, 1]  # pulls disagree


def test_reset_restores_everything(sim, pi):
    sim.control.wire(17, 27)
    sim.control.drive(4, 0)
    sim.control.set_revision(0xA02082)
    pi.command(Command.PWM, 18, 10)
    pi.command(Command.PADS, 0, 2)
    sim.control.reset()
    assert sim.control.pin(18)["function"] == "none"
    assert sim.control.pin(4)["driven"] is None
    assert pi.command(Command.HWVER) == 0xC03111
    assert pi.command(Command.PADG, 0) == 8
    pi.command(Command.WRITE, 17, 1)
    assert pi.command(Command.READ, 27) == 0


# -- configuration, command line, in-process ------------------------------

def test_config_file_sets_revision_wires_inputs_and_mask(tmp_path):
    config = tmp_path / "board.json"
    config.write_text(json.dumps({"revision": "0xa02082", "wires": [[17, 27]],
                                  "inputs": {"22": 1}, "permission_mask": "0x0FFFFFFF"}))
    with SimulatorProcess("--config", str(config)) as process, \
            SimControl(process.host, process.control_port) as control, \
            RawClient(process.host, process.port) as pi:
        assert pi.command(Command.HWVER) == 0xA02082
        assert control.permission_mask() == 0x0FFFFFFF
        assert pi.command(Command.READ, 22) == 1
        assert pi.command(Command.WRITE, 0, 1) == 0
        pi.command(Command.WRITE, 17, 1)
        assert pi.command(Command.READ, 27) == 1
        control.set_revision(0xC03111)  # an explicit mask stays
        assert control.permission_mask() == 0x0FFFFFFF
        pi.command(Command.WRITE, 22, 0)
        control.reset()
        assert control.pin(22)["driven"] == 1 and pi.command(Command.READ, 22) == 1


def test_revision_and_sample_rate_options():
    with SimulatorProcess("--revision", "0x9000c1", "--sample-rate", "10") as process, \
            RawClient(process.host, process.port) as pi:
        assert pi.command(Command.HWVER) == 0x9000C1
        assert pi.command(Command.PFG, 4) == 400
        assert pi.command(Command.PFS, 4, 100000) == 4000


def test_fifo_dir_option(tmp_path):
    with SimulatorProcess("--fifo-dir", str(tmp_path)) as process, \
            SimControl(process.host, process.control_port) as control, \
            RawClient(process.host, process.port) as pi:
        assert control.fifo_dir() == str(tmp_path)
        assert pi.command(Command.NO) == 0
        assert (tmp_path / "pigpio0").is_fifo()
        assert pi.command(Command.NC, 0) == 0
        assert not (tmp_path / "pigpio0").exists()


def test_first_line_without_a_control_port():
    with SimulatorProcess(control=False) as process:
        assert process.control_port is None
        with RawClient(process.host, process.port) as pi:
            assert pi.command(Command.PIGPV) == 79


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_signals_stop_the_simulator_cleanly(number):
    process = subprocess.Popen([sys.executable, "-m", "pigpiod_py.sim", "--port", "0"],
                               stdout=subprocess.PIPE, text=True)
    words = process.stdout.readline().split()
    assert words[0] == "listening" and words[3:] == ["control", "-", "-"]
    with RawClient(words[1], int(words[2])):
        process.send_signal(number)
        assert process.wait(30) == 0
    process.stdout.close()


@pytest.mark.parametrize("content", [
    '{"wires": [[1]]}', '{"wires": [[3, 3]]}', '{"sample_rate": 3}', '{"colour": 1}',
    '{"inputs": {"4": 7}}', '{"inputs": [4]}', '{"revision": "pi4"}', "[1]", "nonsense"])
def test_bad_config_exits_with_an_error(tmp_path, content):
    config = tmp_path / "bad.json"
    config.write_text(content)
    result = subprocess.run([sys.executable, "-m", "pigpiod_py.sim", "--port", "0",
                             "--config", str(config)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert result.stdout == "" and "pigpiod-sim:" in result.stderr


def test_in_process_simulator():
    with Simulator(revision="0xa02082", config={"wires": [[17, 27]]}, control_port=0) as sim:
        assert sim.control_port is not None
        with RawClient(sim.host, sim.port) as pi:
            assert pi.command(Command.HWVER) == 0xA02082
            sim.controls.drive(27, 1)
            assert pi.command(Command.READ, 17) == 1
        assert sim.board.wires == [(17, 27)]
        with SimControl(sim.host, sim.control_port) as control:
            assert control.pin(17)["level"] == 1
    with pytest.raises(RuntimeError):
        _ = sim.port


def test_in_process_config_object():
    config = SimConfig(sample_rate=1, inputs={5: 0})
    with Simulator(config=config) as sim, RawClient(sim.host, sim.port) as pi:
        assert pi.command(Command.PFG, 5) == 4000
        assert pi.command(Command.READ, 5) == 0


def test_nagle_reports_is_a_config_key_and_an_option(tmp_path):
    """(Its effect, reports held back until acknowledged as pigpiod holds
    them, is tested with the binding in test_dispatch.py.)"""
    assert SimConfig.from_mapping({"nagle_reports": True}).nagle_reports
    assert not SimConfig().nagle_reports
    config = tmp_path / "nagle.json"
    config.write_text(json.dumps({"nagle_reports": True}))
    for options in (("--nagle-reports",), ("--config", str(config))):
        with SimulatorProcess(*options) as process, RawClient(process.host, process.port) as pi:
            assert pi.command(Command.NOIB) >= 0


def test_an_endless_control_line_is_bounded(sim):
    with socket.create_connection((sim.host, sim.process.control_port)) as sock:
        lines = sock.makefile("rb")
        chunk = b" " * 65536
        for _ in range(MAX_LINE // len(chunk) + 2):
            sock.sendall(chunk)
        assert "at most" in json.loads(lines.readline())["error"]
        sock.sendall(b'tail of the long line\n{"op": "permission_mask"}\n')
        assert json.loads(lines.readline()) == {"result": 0x0FFFFFFC}


def test_what_a_tty_keeps_of_the_written_data_is_bounded(sim, pi):
    handle = pi.command(Command.SERO, 9600, 0, b"/dev/ttyS0")
    block = bytes(range(250)) * 240  # 60000 bytes: a command's extension stays below 64 KiB
    for _ in range(20):
        assert pi.command(Command.SERW, handle, 0, block) == 0
    written = sim.control.serial_written("/dev/ttyS0")
    assert len(written) == WRITTEN_LIMIT and written == (block * 2)[-WRITTEN_LIMIT:]

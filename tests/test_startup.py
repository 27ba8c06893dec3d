"""The startup layer: pull(timeout_sec) and call(id, name, ...)."""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import time

import pytest
from conftest import collect, start_simulator, stop_simulator

from pigpiod_py.simprocess import SimulatorProcess
from pigpiod_py.startup import Startup, daemons_from_environment


def drain(startup, wait=0.0):
    events = []
    while True:
        event = startup.pull(wait)
        if event is None:
            return events
        events.append(event)


def by(events, **fields):
    return [e for e in events if all(e.get(k) == v for k, v in fields.items())]


@pytest.fixture
def startup(daemon):
    s = Startup([(daemon.host, daemon.port)])
    yield s
    s.close()


def test_the_first_events_are_the_picture_of_the_hardware(sim, startup):
    events = drain(startup)
    daemon_bus = by(events, type="bus_attach", bus_type="pigpiod")
    assert len(daemon_bus) == 1 and daemon_bus[0]["bus"] is None
    root = daemon_bus[0]["id"]
    assert startup.call(root, "port") == sim.port and startup.call(root, "version") == 79
    header = by(events, type="bus_attach", bus_type="gpio_header", bus=root)[0]
    pins = by(events, type="device_attach", device_type="gpio", bus=header["id"])
    assert [p["address"] for p in pins] == [str(g) for g in range(32)]
    i2c1 = [b for b in by(events, type="bus_attach", bus_type="i2c", bus=root)]
    addresses = {e["address"] for b in i2c1 for e in by(events, type="device_attach", bus=b["id"])}
    assert {"0x48", "0x50", "0x53"} <= addresses  # the simulator's default rig
    assert by(events, type="bus_attach", bus_type="spi")
    assert by(events, type="device_attach", device_type="serial_port", address="/dev/ttyAMA0")
    assert by(events, type="device_attach", device_type="bsc_slave", bus=root)
    # every event is a plain dict with a type
    assert all(isinstance(e, dict) and "type" in e for e in events)
    # children come after their bus
    seen = set()
    for e in events:
        if e.get("bus") is not None:
            assert e["bus"] in seen
        seen.add(e["id"])


def test_calls_reach_only_the_allowed_methods(sim, startup):
    events = drain(startup)
    accel = by(events, type="device_attach", device_type="i2c_device", address="0x53")[0]["id"]
    assert startup.call(accel, "read_byte_data", 0) == 0xE5
    assert startup.call(accel, "no_such_method") is None
    assert startup.call(accel, "__class__") is None and startup.call(accel, "_opener") is None
    with pytest.raises(LookupError):
        startup.call(999999, "read")
    pin = by(events, device_type="gpio", address="17")[0]["id"]
    startup.call(pin, "write", 1)
    assert startup.call(pin, "read") == 1 and startup.call(pin, "mode") == 1
    bsc = by(events, device_type="bsc_slave")[0]["id"]
    startup.call(bsc, "listen_i2c", 0x13)
    status, received = startup.call(bsc, "transfer", b"hi")
    assert isinstance(status, int) and received == b""
    startup.call(bsc, "stop")


def test_edges_and_watchdogs_are_device_events(sim, startup):
    events = drain(startup)
    pin = by(events, device_type="gpio", address="17")[0]["id"]
    startup.call(pin, "write", 0)
    startup.call(pin, "edges_on")
    startup.call(pin, "write", 1)
    startup.call(pin, "write", 0)
    got = [startup.pull(5), startup.pull(5)]
    assert [(e["type"], e["id"], e["level"]) for e in got] == [("edge", pin, 1), ("edge", pin, 0)]
    assert set(got[0]) == {"type", "id", "level", "tick"}
    startup.call(pin, "watchdog", 50)
    event = startup.pull(5)
    startup.call(pin, "watchdog", 0)
    assert event["type"] == "watchdog" and event["level"] == 2
    startup.call(pin, "edges_off")
    drain(startup, 0.2)
    startup.call(pin, "write", 1)
    assert startup.pull(0.3) is None


def test_pigpio_events(sim, startup):
    events = drain(startup)
    root = by(events, bus_type="pigpiod")[0]["id"]
    startup.call(root, "trigger_event", 3)
    event = startup.pull(5)
    assert event["type"] == "event" and event["id"] == root and event["event"] == 3


def test_rescan_attaches_and_detaches_devices(sim, startup):
    events = drain(startup)
    bus1 = [b for b in by(events, type="bus_attach", bus_type="i2c")
            if any(d["address"] == "0x53" for d in by(events, type="device_attach", bus=b["id"]))][0]["id"]
    sim.control.i2c_attach(1, 0x20, "registers")
    sim.control.i2c_detach(1, 0x48)
    startup.call(bus1, "rescan")
    changes = drain(startup)
    assert by(changes, type="device_attach", address="0x20", bus=bus1)
    assert len(by(changes, type="device_detach")) == 1


def test_pull_time_outs(sim, startup):
    drain(startup)
    t0 = time.monotonic()
    assert startup.pull(0) is None and startup.pull(-1) is None
    assert time.monotonic() - t0 < 0.2
    t0 = time.monotonic()
    assert startup.pull(0.3) is None
    assert 0.29 <= time.monotonic() - t0 < 2
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = usage.ru_utime + usage.ru_stime
    assert startup.pull(2.0) is None
    usage = resource.getrusage(resource.RUSAGE_SELF)
    assert usage.ru_utime + usage.ru_stime - cpu0 < 0.2


@pytest.mark.skipif(bool(os.environ.get("PIGPIO_ADDR")), reason="stops and starts simulators")
def test_a_daemon_stopped_and_restarted_detaches_then_attaches_in_order():
    sim = SimulatorProcess(control=False)
    port = sim.port
    startup = Startup([(sim.host, port)])
    try:
        first = drain(startup)
        root = by(first, bus_type="pigpiod")[0]["id"]
        sim.stop()
        deadline = time.monotonic() + 10
        gone = []
        while time.monotonic() < deadline and len(gone) < len(first) - 1:
            event = startup.pull(0.5)
            if event is not None:
                gone.append(event)
        assert {e["type"] for e in gone} <= {"device_detach", "bus_detach"}
        assert len(gone) == len(first) - 1  # everything under the daemon bus
        order = [e["id"] for e in gone]
        for e in first:  # a bus leaves only after what was on it
            if e.get("bus") is not None and e["bus"] != root:
                assert order.index(e["id"]) < order.index(e["bus"])
        sim = SimulatorProcess.on_port(port, control=False)
        back = collect(startup.pull, len(first) - 1, timeout=20, step=0.5)
        assert [e["type"] for e in back[:1]] == ["bus_attach"]
        assert len(by(back, type="device_attach", device_type="gpio")) == 32
    finally:
        startup.close()
        sim.stop()





@pytest.mark.skipif(bool(os.environ.get("PIGPIO_ADDR")), reason="starts simulators")
def test_two_daemons_at_once():
    a, b = start_simulator(), start_simulator()
    startup = Startup([(a.host, a.port), (b.host, b.port)])
    try:
        events = drain(startup)
        roots = by(events, bus_type="pigpiod")
        assert len(roots) == 2
        ports = {startup.call(r["id"], "port") for r in roots}
        assert ports == {a.port, b.port}
    finally:
        startup.close()
        stop_simulator(a)
        stop_simulator(b)


def test_addresses_from_the_environment(monkeypatch):
    monkeypatch.setenv("PIGPIO_ADDR", "pi1,pi2:9000, pi3")
    monkeypatch.setenv("PIGPIO_PORT", "8889")
    assert daemons_from_environment() == [("pi1", 8889), ("pi2", 9000), ("pi3", 8889)]
    monkeypatch.delenv("PIGPIO_ADDR")
    assert daemons_from_environment() == [("localhost", 8889)]


def test_scan_prints_the_tree(daemon):
    out = subprocess.run([sys.executable, "-m", "pigpiod_py", "scan", "%s:%d" % (daemon.host, daemon.port)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "pigpiod %s:%d" % (daemon.host, daemon.port) in out.stdout
    assert "i2c" in out.stdout and "gpio 17" in out.stdout

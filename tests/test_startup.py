"""The startup layer: pull(timeout_sec) and call(id, name, ...)."""
from __future__ import annotations

import collections
import os
import resource
import signal
import subprocess
import sys
import threading
import time

import pytest
from conftest import start_simulator, stop_simulator
from test_connect import SilentServer, dead_port

import pigpiod_py
from pigpiod_py import DeviceIOError, NoHandleError, PigpioConnectionError
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


def until(startup, done, timeout=30.0):
    """Events pulled until one satisfies ``done`` (included); fails after ``timeout``."""
    events = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        event = startup.pull(0.2)
        if event is not None:
            events.append(event)
            if done(event):
                return events
    raise AssertionError("no such event within %s s; got %r" % (timeout, events[-5:]))


def picture(startup, daemons=1, timeout=30.0):
    """Events until ``daemons`` daemons said daemon_up (their pictures are complete)."""
    events = []
    while len(by(events, type="daemon_up")) < daemons:
        events += until(startup, lambda e: e["type"] == "daemon_up", timeout)
    return events


@pytest.fixture
def startup(daemon):
    s = Startup([(daemon.host, daemon.port)])
    yield s
    s.close()


def test_the_first_events_are_the_picture_of_the_hardware(sim, startup):
    events = picture(startup)
    assert events[-1] == {"type": "daemon_up", "id": events[0]["id"]}  # the picture is complete
    assert drain(startup) == []
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
    assert startup.call(root, "connected") is True
    # children come after their bus
    seen = set()
    for e in events[:-1]:
        if e.get("bus") is not None:
            assert e["bus"] in seen
        seen.add(e["id"])


def test_calls_reach_only_the_allowed_methods(sim, startup):
    events = picture(startup)
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
    events = picture(startup)
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
    events = picture(startup)
    root = by(events, bus_type="pigpiod")[0]["id"]
    startup.call(root, "trigger_event", 3)
    event = startup.pull(5)
    assert event["type"] == "event" and event["id"] == root and event["event"] == 3


def test_rescan_attaches_and_detaches_devices(sim, startup):
    events = picture(startup)
    bus1 = [b for b in by(events, type="bus_attach", bus_type="i2c")
            if any(d["address"] == "0x53" for d in by(events, type="device_attach", bus=b["id"]))][0]["id"]
    sim.control.i2c_attach(1, 0x20, "registers")
    sim.control.i2c_detach(1, 0x48)
    startup.call(bus1, "rescan")
    changes = drain(startup)
    assert by(changes, type="device_attach", address="0x20", bus=bus1)
    assert len(by(changes, type="device_detach")) == 1


def test_pull_time_outs(sim, startup):
    picture(startup)
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


def test_pull_waits_without_limit(sim, startup):
    root = picture(startup)[0]["id"]
    for forever in (None, float("inf"), 1e10):
        timer = threading.Timer(0.2, startup.call, (root, "trigger_event", 5))
        timer.start()
        event = startup.pull(forever)
        timer.join()
        assert event is not None and event["type"] == "event" and event["event"] == 5
    with pytest.raises(ValueError):
        startup.pull(float("nan"))
    with pytest.raises(TypeError):
        startup.pull("1")


def test_unknown_ids_raise_lookup_error_and_unknown_methods_give_none(sim, startup):
    events = picture(startup)
    with pytest.raises(LookupError):
        startup.call(10**6, "read")
    pin = by(events, device_type="gpio", address="4")[0]["id"]
    assert startup.call(pin, "no_such_method") is None


needs_simulators = pytest.mark.skipif(bool(os.environ.get("PIGPIO_ADDR")),
                                      reason="starts, stops and pauses simulators")


@needs_simulators
def test_a_daemon_stopped_and_restarted_detaches_then_attaches_in_order():
    sim = SimulatorProcess(control=False)
    port = sim.port
    startup = Startup([(sim.host, port)])
    try:
        first = picture(startup)[:-1]
        root = by(first, bus_type="pigpiod")[0]["id"]
        sim.stop()
        gone = until(startup, lambda e: e["type"] == "daemon_down")
        assert gone[-1]["id"] == root and gone[-1]["error"]
        gone = gone[:-1]
        assert {e["type"] for e in gone} <= {"device_detach", "bus_detach"}
        assert len(gone) == len(first) - 1  # everything under the daemon bus
        order = [e["id"] for e in gone]
        for e in first:  # a bus leaves only after what was on it
            if e.get("bus") is not None and e["bus"] != root:
                assert order.index(e["id"]) < order.index(e["bus"])
        assert startup.call(root, "connected") is False
        sim = SimulatorProcess.on_port(port, control=False)
        back = picture(startup)
        assert [e["type"] for e in back[:1]] == ["bus_attach"]
        assert len(by(back, type="device_attach", device_type="gpio")) == 32
        assert startup.call(root, "connected") is True
    finally:
        startup.close()
        sim.stop()


@needs_simulators
def test_two_daemons_at_once():
    a, b = start_simulator(), start_simulator()
    startup = Startup([(a.host, a.port), (b.host, b.port)])
    try:
        events = picture(startup, daemons=2)
        roots = by(events, bus_type="pigpiod")
        assert len(roots) == 2
        ports = {startup.call(r["id"], "port") for r in roots}
        assert ports == {a.port, b.port}
    finally:
        startup.close()
        stop_simulator(a)
        stop_simulator(b)


@needs_simulators
def test_an_absent_daemon_holds_back_nothing_and_attaches_when_it_comes_up(sim):
    absent = dead_port()
    startup = Startup([("127.0.0.1", absent), (sim.host, sim.port)])
    later = None
    try:
        events = picture(startup)  # the live daemon's picture, whole
        roots = {startup.call(e["id"], "port"): e["id"] for e in by(events, bus_type="pigpiod")}
        assert set(roots) == {absent, sim.port}
        assert by(events, type="daemon_up")[0]["id"] == roots[sim.port]
        if not by(events, type="daemon_down"):
            events += until(startup, lambda e: e["type"] == "daemon_down")
        down = by(events, type="daemon_down")
        assert [e["id"] for e in down] == [roots[absent]] and down[0]["error"]
        assert startup.call(roots[absent], "connected") is False
        assert startup.call(roots[sim.port], "connected") is True
        with pytest.raises(PigpioConnectionError):
            startup.call(roots[absent], "version")
        assert not by(events, type="bus_attach", bus=roots[absent])
        accel = by(events, device_type="i2c_device", address="0x53")[0]["id"]
        assert startup.call(accel, "read_byte_data", 0) == 0xE5

        later = SimulatorProcess.on_port(absent, control=False)
        back = picture(startup)
        assert back[-1] == {"type": "daemon_up", "id": roots[absent]}
        assert len(by(back, type="device_attach", device_type="gpio")) == 32
        assert startup.call(roots[absent], "version") == 79
    finally:
        startup.close()
        if later is not None:
            later.stop()


@needs_simulators
def test_pull_returns_at_once_and_a_paused_daemon_delays_only_its_own_subtree():
    live, paused = start_simulator(), start_simulator()
    os.kill(paused.process.pid, signal.SIGSTOP)
    startup = None
    try:
        t0 = time.monotonic()
        startup = Startup([(paused.host, paused.port), (live.host, live.port)], timeout=2.0)
        first = startup.pull(0)
        assert time.monotonic() - t0 < 1.0  # the paused daemon would block for its time-out
        events = [first] + picture(startup)
        roots = {startup.call(e["id"], "port"): e["id"] for e in by(events, bus_type="pigpiod")}
        assert by(events, type="daemon_up")[0]["id"] == roots[live.port]
        assert not by(events, type="bus_attach", bus=roots[paused.port])
        down = until(startup, lambda e: e["type"] == "daemon_down")[-1]
        assert down["id"] == roots[paused.port] and "answer" in down["error"]
        os.kill(paused.process.pid, signal.SIGCONT)
        back = picture(startup)
        assert back[-1] == {"type": "daemon_up", "id": roots[paused.port]}
        assert len(by(back, type="device_attach", device_type="gpio")) == 32
    finally:
        os.kill(paused.process.pid, signal.SIGCONT)
        if startup is not None:
            startup.close()
        stop_simulator(live)
        stop_simulator(paused)


def test_connection_attempts_back_off():
    server = SilentServer()  # it accepts, and every command times out
    startup = Startup([("127.0.0.1", server.port)], timeout=0.3)
    try:
        down = until(startup, lambda e: e["type"] == "daemon_down")[-1]
        assert "answer" in down["error"]
        deadline = time.monotonic() + 20
        while len(server.accepted) < 6 and time.monotonic() < deadline:  # it does try again
            time.sleep(0.05)
        assert len(server.accepted) >= 6
        before = len(server.accepted)
        time.sleep(3.0)
        # back-off: a few connections in three seconds, not a busy loop's hundreds
        assert len(server.accepted) - before <= 12
        assert by(drain(startup), type="daemon_down") == []  # said once, not per attempt
    finally:
        startup.close()
        server.close()


@needs_simulators
def test_calls_racing_rescans_get_clear_errors_and_leak_no_handles():
    daemon = start_simulator()
    startup = Startup([(daemon.host, daemon.port)])
    errors, outcomes = [], collections.Counter()
    stop = threading.Event()
    try:
        events = until(startup, lambda e: e.get("address") == "0x48")
        current = [events[-1]["id"]]
        bus = events[-1]["bus"]

        def caller() -> None:
            while not stop.is_set():
                try:
                    startup.call(current[0], "read_byte")
                    outcomes["ok"] += 1
                except (LookupError, DeviceIOError) as exc:
                    outcomes[type(exc).__name__] += 1
                except Exception as exc:  # noqa: BLE001 - every other error is the failure
                    errors.append(exc)

        threads = [threading.Thread(target=caller) for _ in range(3)]
        for t in threads:
            t.start()
        for _ in range(40):
            daemon.control.i2c_detach(1, 0x48)
            startup.call(bus, "rescan")
            daemon.control.i2c_attach(1, 0x48, "temperature")
            startup.call(bus, "rescan")
            for event in drain(startup):
                if event["type"] == "device_attach" and event["address"] == "0x48":
                    current[0] = event["id"]
        # The device stays attached now: the callers get through once its
        # last attach event is in (on a loaded machine maybe only now).
        deadline = time.monotonic() + 20
        while outcomes["ok"] == 0 and time.monotonic() < deadline:
            for event in drain(startup, 0.1):
                if event["type"] == "device_attach" and event["address"] == "0x48":
                    current[0] = event["id"]
        stop.set()
        for t in threads:
            t.join()
        assert errors == [], errors[:3]
        assert outcomes["ok"] > 0
        assert free_i2c_handles(daemon) >= I2C_SLOTS - 1  # at most the one 0x48 holds now
        startup.close()
        assert free_i2c_handles(daemon) == I2C_SLOTS
    finally:
        stop.set()
        startup.close()
        stop_simulator(daemon)


I2C_SLOTS = 512


def free_i2c_handles(daemon) -> int:
    """How many I2C handles the daemon can still give (all handed back after)."""
    with pigpiod_py.open(daemon.host, daemon.port) as pi:
        devices = []
        try:
            while len(devices) <= I2C_SLOTS:
                devices.append(pi.open_i2c(1, 0x53))
        except NoHandleError:
            pass
        for device in devices:
            device.close()
        return len(devices)


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

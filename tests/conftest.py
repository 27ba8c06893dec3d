"""Fixtures: a simulator subprocess on a free port, or a real pigpiod.

With ``PIGPIO_ADDR`` set the tests run against that daemon instead, and the
tests that need the simulator's control API are skipped.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from typing import Iterator, Optional

import pytest

from pigpiod_py.simprocess import SimulatorProcess

REAL_DAEMON = os.environ.get("PIGPIO_ADDR")


@dataclass
class Daemon:
    """Where the daemon under test listens, and (simulator only) its controls."""

    host: str
    port: int
    control: Optional["SimControl"] = None  # noqa: F821
    process: Optional[SimulatorProcess] = None

    @property
    def is_simulator(self) -> bool:
        return self.control is not None


def start_simulator(*options: str) -> Daemon:
    """A simulator subprocess on free ports, with its control client."""
    from pigpiod_py.sim.control import SimControl

    proc = SimulatorProcess(*options)
    assert proc.control_port is not None
    return Daemon(proc.host, proc.port, SimControl(proc.host, proc.control_port), proc)


def collect(pull, want: int, timeout: float = 5.0, step: float = 0.2) -> list:
    """Records from ``pull(step)`` until ``want`` arrived or ``timeout`` passed."""
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < want and time.monotonic() < deadline:
        record = pull(step)
        if record is not None:
            got.append(record)
    return got


def wait_until(predicate, timeout: float = 10.0, step: float = 0.02) -> bool:
    """Poll ``predicate()`` until it is true or ``timeout`` seconds passed;
    its last value."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return bool(predicate())
        time.sleep(step)
    return True


def threads_in_use() -> int:
    """Live threads, without the package's housekeeper (it outlives the
    sessions it looked after by a second or two)."""
    return sum(1 for t in threading.enumerate() if t.name != "pigpiod_py housekeeper")


def stop_simulator(daemon: Daemon) -> None:
    if daemon.control is not None:
        daemon.control.close()
    if daemon.process is not None:
        daemon.process.stop()


@pytest.fixture(scope="session")
def daemon() -> Iterator[Daemon]:
    """The daemon every test talks to (one per test session)."""
    if REAL_DAEMON:
        yield Daemon(REAL_DAEMON, int(os.environ.get("PIGPIO_PORT", "8888")))
        return
    d = start_simulator()
    try:
        yield d
    finally:
        stop_simulator(d)


@pytest.fixture(autouse=True)
def _fresh_simulator(request: pytest.FixtureRequest) -> None:
    """Every test that uses the daemon starts from a freshly reset simulator."""
    if "daemon" in request.fixturenames and not REAL_DAEMON:
        request.getfixturevalue("daemon").control.reset()


@pytest.fixture
def sim(daemon: Daemon) -> Daemon:
    """The daemon, for tests that need the simulator's control API."""
    if not daemon.is_simulator:
        pytest.skip("needs the simulator's control API")
    return daemon

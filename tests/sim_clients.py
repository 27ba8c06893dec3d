"""Shared fixtures and helpers of the simulator bus tests: pigpio.py, raw commands, pigs.

A test module imports the fixtures it uses (``gpio_fixture`` provides ``gpio``,
``raw_fixture`` provides ``raw``, ``raw_pi_fixture`` and ``pigpio_pi_fixture``
provide ``pi``).  ``wait_until`` is how a test waits: poll with a deadline.
"""
from __future__ import annotations

import os
import shutil
import struct
import subprocess
import time
from typing import Callable, TypeVar

import pytest

from pigpiod_py.sim.interfaces.client import RawClient

pigpio = pytest.importorskip("pigpio")
PIGS = shutil.which("pigs")
needs_pigs = pytest.mark.skipif(PIGS is None, reason="pigs is not installed")


T = TypeVar("T")


def wait_until(condition: Callable[[], T], timeout: float = 30.0, step: float = 0.01) -> T:
    """Poll ``condition()`` until it is true or ``timeout`` s passed; its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


def u32s(*values: int) -> bytes:
    """Little-endian u32 words, as a command extension carries them."""
    return struct.pack("<%dI" % len(values), *values)


@pytest.fixture(name="gpio")
def gpio_fixture(sim, monkeypatch):
    """A pigpio.pi on the simulator, returning error codes instead of raising."""
    monkeypatch.setattr(pigpio, "exceptions", False)
    pi = pigpio.pi(sim.host, sim.port)
    yield pi
    pi.stop()


def _raw_client(sim):
    """A raw protocol client on the simulator."""
    with RawClient(sim.host, sim.port) as client:
        yield client


def _pigpio_client(sim):
    """A pigpio.pi on the simulator (raising pigpio.error on errors)."""
    client = pigpio.pi(sim.host, sim.port)
    assert client.connected
    yield client
    client.stop()


raw_fixture = pytest.fixture(name="raw")(_raw_client)
#: The same raw client, for modules whose tests call it ``pi``.
raw_pi_fixture = pytest.fixture(name="pi")(_raw_client)
pigpio_pi_fixture = pytest.fixture(name="pi")(_pigpio_client)


def pigs(sim, *words: str) -> subprocess.CompletedProcess:
    """Run pigs against the simulator."""
    env = dict(os.environ, PIGPIO_ADDR=sim.host, PIGPIO_PORT=str(sim.port))
    return subprocess.run([PIGS, *words], env=env, capture_output=True, text=True, timeout=60,
                          check=False)

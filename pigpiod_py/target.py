"""Which daemon a command-line run talks to: the one named (``--host`` or
``PIGPIO_ADDR``), else a pigpiod answering on localhost, else the built-in
simulator, started for the run. The port is ``--port``, else
``PIGPIO_PORT``, else 8888, for all three."""
from __future__ import annotations

import argparse
import contextlib
import os
from dataclasses import dataclass
from typing import Iterator, Optional

from .errors import PigpioError
from .session import open as open_session
from .simprocess import SimulatorProcess

#: How long a daemon on localhost has to answer before the simulator is used (seconds).
PROBE_TIMEOUT = 1.0


@dataclass(frozen=True)
class Target:
    """A daemon to run against, and how to say which one it is."""

    host: str
    port: int
    description: str
    #: The control port of the built-in simulator (when started with control), else None.
    control_port: Optional[int] = None


def add_address_options(parser: argparse.ArgumentParser) -> None:
    """``--host`` and ``--port``."""
    parser.add_argument("--host", help="daemon address (default: PIGPIO_ADDR, else a pigpiod "
                                       "answering on localhost, else the built-in simulator)")
    parser.add_argument("--port", type=int, help="daemon port (default: PIGPIO_PORT, else 8888)")


def default_port() -> int:
    """``PIGPIO_PORT``, else 8888."""
    return int(os.environ.get("PIGPIO_PORT") or 8888)


def answers(host: str, port: int, timeout: float = PROBE_TIMEOUT) -> bool:
    """True when a pigpio daemon at host:port tells its version within ``timeout``."""
    try:
        with open_session(host, port, timeout=timeout) as session:
            session.pigpio_version()
    except PigpioError:
        return False
    return True


@contextlib.contextmanager
def daemon_target(host: Optional[str] = None, port: Optional[int] = None, *simulator_options: str,
                  control: bool = False) -> Iterator[Target]:
    """The daemon to use (see the module docs); a simulator started here
    (with ``simulator_options``, and its control port if ``control``) is
    stopped when the block ends."""
    port = default_port() if port is None else port
    host = host or os.environ.get("PIGPIO_ADDR")
    if host:
        yield Target(host, port, "pigpiod at %s:%d" % (host, port))
        return
    if answers("localhost", port):
        yield Target("localhost", port, "pigpiod at localhost:%d (no address given; it answers there)"
                     % port)
        return
    with SimulatorProcess(*simulator_options, control=control) as sim:
        yield Target(sim.host, sim.port, "the built-in simulator at %s:%d (no address given, and no "
                     "daemon answers on localhost:%d)" % (sim.host, sim.port, port), sim.control_port)

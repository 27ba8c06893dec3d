"""A stress run of the event path for the sanitizer test: statistics, pulls,
dispatches and waits from several threads while sessions close and daemons
die under them. Prints "done" when it got through; AddressSanitizer, if
loaded, reports any use of freed memory on stderr."""
from __future__ import annotations

import sys
import threading
import time

import pigpiod_py
from pigpiod_py import Edge, PigpioError
from pigpiod_py.sim.control import SimControl
from pigpiod_py.simprocess import SimulatorProcess

GPIO = 21


def hammer(session, stop, what):
    """One kind of use of the event path, until told to stop or closed."""
    while not stop.is_set():
        try:
            if what == "stats":
                session.event_stats()
            elif what == "pull":
                session.pull(0.002)
            elif what == "dispatch":
                session.dispatch()
            else:
                session.wait_for_edge(GPIO, Edge.EITHER, 0.002)
        except PigpioError:
            return


def one_round(sim, control, mode, kill):
    session = pigpiod_py.open(sim.host, sim.port, dispatch=mode, timeout=1.0)
    session.callback(GPIO, Edge.EITHER, lambda *a: None)
    session.callback(GPIO, Edge.EITHER)
    control.edges(GPIO, 20000, 50000)
    stop = threading.Event()
    threads = [threading.Thread(target=hammer, args=(session, stop, what))
               for what in ("stats", "pull", "dispatch", "wait")]
    for t in threads:
        t.start()
    time.sleep(0.05)
    if kill:
        sim.stop()
        deadline = time.monotonic() + 5
        while not session.closed and time.monotonic() < deadline:
            time.sleep(0.01)
    session.close()
    stop.set()
    for t in threads:
        t.join(10)
        assert not t.is_alive(), "a thread hangs"


def main(rounds: int) -> None:
    for n in range(rounds):
        mode = ("thread", "manual", "main")[n % 3]
        kill = n % 4 == 3
        with SimulatorProcess() as sim:
            with SimControl(sim.host, sim.control_port) as control:
                one_round(sim, control, mode, kill)
    print("done", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 12)

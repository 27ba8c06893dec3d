"""The Python clients of the toggle benchmark, each run in its own process.

``python -m pigpiod_py.bench.clients KIND HOST PORT GPIO COUNT`` toggles a
gpio COUNT times and prints one JSON object: toggles, wall seconds and the
process's user / system CPU seconds spent in the loop (the same fields the C
baseline prints).
"""
from __future__ import annotations

import json
import os
import resource
import sys
import time
from typing import Callable, Dict, List


def _ours(host: str, port: int, gpio: int, count: int) -> Callable[[], None]:
    import pigpiod_py

    session = pigpiod_py.open(host, port)
    write = session.write

    def loop() -> None:
        for i in range(count):
            write(gpio, i & 1)

    return loop


def _ours_batched(host: str, port: int, gpio: int, count: int) -> Callable[[], None]:
    import pigpiod_py

    session = pigpiod_py.open(host, port)
    per_batch = 2000

    def loop() -> None:
        done = 0
        while done < count:
            n = min(per_batch, count - done)
            with session.batch() as batch:
                for i in range(n):
                    batch.write(gpio, i & 1)
            done += n

    return loop


def _pigpio_module(host: str, port: int, gpio: int, count: int) -> Callable[[], None]:
    import pigpio  # type: ignore[import-untyped]

    pi = pigpio.pi(host, port)
    if not pi.connected:
        raise SystemExit("pigpio module could not connect")
    write = pi.write

    def loop() -> None:
        for i in range(count):
            write(gpio, i & 1)

    return loop


CLIENTS: Dict[str, Callable[[str, int, int, int], Callable[[], None]]] = {
    "pigpiod_py": _ours,
    "pigpiod_py batched": _ours_batched,
    "pigpio module": _pigpio_module,
}


def main(argv: List[str]) -> None:
    """Time one client's toggle loop (kind host port gpio count) and print the result as JSON."""
    kind, host, port, gpio, count = argv[0], argv[1], int(argv[2]), int(argv[3]), int(argv[4])
    loop = CLIENTS[kind](host, port, gpio, count)
    cpu0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    loop()
    t1, cpu1 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "toggles": count,
        "seconds": t1 - t0,
        "user": cpu1.ru_utime - cpu0.ru_utime,
        "system": cpu1.ru_stime - cpu0.ru_stime,
    }))
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: it is not part of the measurement


if __name__ == "__main__":
    main(sys.argv[1:])

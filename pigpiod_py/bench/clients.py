"""The Python clients of the toggle benchmark, each run in its own process.

``python -m pigpiod_py.bench.clients KIND HOST PORT GPIO COUNT`` toggles a
gpio COUNT times and prints one JSON object: toggles, wall seconds and the
process's user / system CPU seconds spent in the loop (the same fields the C
baseline prints), and what else the client measured.
"""
from __future__ import annotations

import json
import os
import resource
import sys
import time
from typing import Callable, Dict, List, Optional

#: Toggles queued per batch by the batched clients.
PER_BATCH = 2000
#: The wave client's pulse length in µs: one toggle per µs.
WAVE_STEP_US = 1
#: Toggles of the wave client's wave at most.
WAVE_TOGGLES = 5460

Loop = Callable[[], Optional[Dict[str, float]]]


def _ours(host: str, port: int, gpio: int, count: int) -> Loop:
    import pigpiod_py

    session = pigpiod_py.open(host, port)
    write = session.write

    def loop() -> None:
        for i in range(count):
            write(gpio, i & 1)

    return loop


def _ours_batched(host: str, port: int, gpio: int, count: int) -> Loop:
    import pigpiod_py

    session = pigpiod_py.open(host, port)

    def loop() -> None:
        done = 0
        while done < count:
            n = min(PER_BATCH, count - done)
            with session.batch() as batch:
                write = batch.write
                for i in range(n):
                    write(gpio, i & 1)
            done += n

    return loop


def _ours_write_levels(host: str, port: int, gpio: int, count: int) -> Loop:
    import pigpiod_py

    session = pigpiod_py.open(host, port)
    levels = [1, 0] * (PER_BATCH // 2)

    def loop() -> None:
        done = 0
        while done < count:
            n = min(PER_BATCH, count - done)
            with session.batch() as batch:
                batch.write_levels(gpio, levels[:n] if n < PER_BATCH else levels)
            done += n

    return loop


def _ours_wave(host: str, port: int, gpio: int, count: int) -> Loop:
    """A wave of up to ``count`` toggles, one per µs: built, created and
    sent; done when the daemon is. At most WAVE_TOGGLES: the pulses one
    wave_add_generic command carries (WaveBuilder splits longer lists into
    commands whose second one is 12 bytes over the extension limit)."""
    import pigpiod_py

    session = pigpiod_py.open(host, port)
    session.set_mode(gpio, pigpiod_py.Mode.OUTPUT)
    pulses = max(1, min(count, WAVE_TOGGLES) // 2)

    def loop() -> Dict[str, float]:
        t0 = time.perf_counter()
        wave = session.wave().pulse_train(gpio, WAVE_STEP_US, WAVE_STEP_US, pulses).create()
        micros = session.wave_micros().current
        wave.send_once()
        setup = time.perf_counter() - t0
        while session.wave_tx_busy():
            time.sleep(0.001)
        wave.delete()
        return {"toggles": 2 * pulses, "wave_seconds": micros / 1e6, "setup_seconds": setup}

    return loop


def _pigpio_module(host: str, port: int, gpio: int, count: int) -> Loop:
    import pigpio  # type: ignore[import-untyped]

    pi = pigpio.pi(host, port)
    if not pi.connected:
        raise SystemExit("pigpio module could not connect")
    write = pi.write

    def loop() -> None:
        for i in range(count):
            write(gpio, i & 1)

    return loop


#: The clients, by the name the tables show.
CLIENTS: Dict[str, Callable[[str, int, int, int], Loop]] = {
    "pigpiod_py": _ours,
    "pigpio module": _pigpio_module,
    "pigpiod_py batched": _ours_batched,
    "pigpiod_py write_levels": _ours_write_levels,
    "pigpiod_py wave": _ours_wave,
}


def main(argv: List[str]) -> None:
    """Time one client's toggle loop (kind host port gpio count) and print the result as JSON."""
    kind, host, port, gpio, count = argv[0], argv[1], int(argv[2]), int(argv[3]), int(argv[4])
    loop = CLIENTS[kind](host, port, gpio, count)
    cpu0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    extra = loop()
    t1, cpu1 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "toggles": count,
        "seconds": t1 - t0,
        "user": cpu1.ru_utime - cpu0.ru_utime,
        "system": cpu1.ru_stime - cpu0.ru_stime,
        **(extra or {}),
    }))
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: it is not part of the measurement


if __name__ == "__main__":
    main(sys.argv[1:])

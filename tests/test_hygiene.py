"""Resource hygiene and thread safety: nothing leaks, answers never mix."""
from __future__ import annotations

import gc
import os
import resource
import threading

import pytest
from conftest import threads_in_use, wait_until

import pigpiod_py
from pigpiod_py import Edge, Mode


def open_fds() -> int:
    gc.collect()  # what earlier tests dropped is not this test's business
    return len(os.listdir("/proc/self/fd"))


def rss_kib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def run_in_threads(worker, gpios) -> None:
    """Run worker(gpio) in one thread per gpio, all at once, and wait."""
    threads = [threading.Thread(target=worker, args=(g,)) for g in gpios]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


@pytest.mark.distorted_by_emulation
def test_ten_thousand_open_close_cycles_leave_nothing_behind(daemon):
    pigpiod_py.open(daemon.host, daemon.port).close()  # warm up
    fds, threads, rss = open_fds(), threads_in_use(), rss_kib()
    for _ in range(10000):
        pigpiod_py.open(daemon.host, daemon.port).close()
    assert open_fds() <= fds
    assert threads_in_use() <= threads
    assert rss_kib() - rss < 4096  # KiB: flat, allowing for allocator noise


def test_event_paths_are_released(daemon):
    fds, threads = open_fds(), threads_in_use()
    for mode in ("main", "thread", "manual") * 100:
        session = pigpiod_py.open(daemon.host, daemon.port, dispatch=mode)
        session.callback(17, Edge.EITHER)
        session.close()
    assert open_fds() <= fds
    assert threads_in_use() <= threads


def test_a_session_dropped_without_close_is_released(daemon):
    fds, threads = open_fds(), threads_in_use()
    for _ in range(50):
        session = pigpiod_py.open(daemon.host, daemon.port, dispatch="thread")
        session.callback(17, Edge.EITHER, lambda *a: None)
        del session
        gc.collect()
    # The housekeeper closes what a collected session left open (closing may
    # wait for the daemon, which a finalizer must not do).
    assert wait_until(lambda: open_fds() <= fds and threads_in_use() <= threads)


def test_commands_from_eight_threads_each_get_their_own_answer(daemon):
    gpios = [5, 6, 12, 13, 16, 19, 20, 26]
    errors = []
    with pigpiod_py.open(daemon.host, daemon.port) as session:
        for g in gpios:
            session.set_mode(g, Mode.OUTPUT)

        def worker(gpio: int) -> None:
            try:
                for i in range(10000):
                    level = (i >> 1) & 1
                    if i & 1:
                        got = session.read(gpio)
                        if got != level:
                            errors.append((gpio, i, got))
                    else:
                        session.write(gpio, level)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        run_in_threads(worker, gpios)
    assert errors == []


def test_file_descriptor_limit_is_not_approached(daemon):
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    sessions = [pigpiod_py.open(daemon.host, daemon.port) for _ in range(16)]
    try:
        assert open_fds() < soft // 2
    finally:
        for s in sessions:
            s.close()


def test_batches_from_several_threads_never_mix(daemon):
    gpios = [5, 6, 12, 13]
    errors = []
    with pigpiod_py.open(daemon.host, daemon.port) as session:
        def worker(gpio: int) -> None:
            for round_ in range(50):
                batch = session.batch()
                for i in range(40):
                    batch.write(gpio, (i + round_) & 1).read(gpio)
                results = batch.flush()
                if results[1::2] != [(i + round_) & 1 for i in range(40)]:
                    errors.append((gpio, round_))

        run_in_threads(worker, gpios)
    assert errors == []


def test_soak_benchmark_runs_clean(sim):
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "pigpiod_py", "bench", "soak", "--seconds", "2",
                          "--rate", "5000", "--json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads(out.stdout)
    assert report["error_count"] == 0 and report["dropped"] == 0
    assert report["events"] == report["edges_offered"] == 10000
    assert report["commands"] > 0


@pytest.mark.distorted_by_emulation
def test_ten_thousand_handle_cycles_leave_nothing_behind(sim):
    with pigpiod_py.open(sim.host, sim.port) as session:
        session.open_i2c(1, 0x53).close()
        fds, threads, rss = open_fds(), threads_in_use(), rss_kib()
        for _ in range(10000):
            device = session.open_i2c(1, 0x53)
            device.close()
        assert device.closed
        with session.open_i2c(1, 0x53) as device:
            assert device.handle == 0  # every daemon handle was given back
        assert open_fds() <= fds and threads_in_use() <= threads
        assert rss_kib() - rss < 4096

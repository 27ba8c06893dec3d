"""The command path under faults: spoiled replies, signals, SIGPIPE, closes
racing commands. Every fault ends in a typed error, the connection is never
used again, and nothing a late reply carries is ever read as an answer."""
from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from conftest import start_simulator, stop_simulator, wait_until
from fault_proxy import Fault, FaultProxy

import pigpiod_py
from pigpiod_py import (
    I2CZip,
    Mode,
    PigpioConnectionError,
    PigpioTimeoutError,
    SessionClosedError,
)
from pigpiod_py.bitbang import BitBangI2CZip
from pigpiod_py.constants import Command, FileMode

pytestmark = pytest.mark.skipif(bool(os.environ.get("PIGPIO_ADDR")),
                                reason="injects faults between the client and a simulator")
GPIO = 17
ACCESS = "/data/*.bin r\n"


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    """A simulator with a file to read (FR, FL) and its controls."""
    root = tmp_path_factory.mktemp("files")
    (root / "data").mkdir()
    (root / "data" / "eight.bin").write_bytes(bytes(range(1, 9)))
    access = root.parent / (root.name + ".access")
    access.write_text(ACCESS)
    daemon = start_simulator("--files-dir", str(root), "--access-file", str(access))
    yield daemon
    stop_simulator(daemon)


@pytest.fixture(autouse=True)
def _fresh(rig):
    rig.control.reset()


def _serial_read(session, control):
    port = session.open_serial("/dev/ttyAMA0", 9600, timeout=0)
    return lambda: (port.write(b"hello"), port.read(5))[1]


def _bb_serial_read(session, control):
    reader = session.open_bb_serial_read(4, 115200)
    return lambda: (control.serial_tx(4, 115200, b"hello"), reader.read())[1]


def _bb_spi_xfer(session, control):
    control.spi_attach("bb16", "loopback")
    return functools.partial(session.open_bb_spi(16, 13, 19, 26).xfer, b"\x12\x34")


def _file_read(session, control):
    file = session.open_file("/data/eight.bin", FileMode.READ)
    return lambda: (file.seek(0), file.read(8))[1]


def _script_status(session, control):
    script = session.store_script("tag 0 mils 100 jmp 0")
    script.wait_ready()
    return script.status


def _bsc_transfer(session, control):
    slave = session.open_i2c_slave(0x13)
    return lambda: (control.bsc_master_write(0x13, b"ping"), slave.transfer(b"x"))[1]


#: Every command whose reply carries data: how to make one on a fresh session.
DATA_COMMANDS = {
    "I2CRD": lambda s, c: functools.partial(s.open_i2c(1, 0x50).read, 8),
    "I2CRI": lambda s, c: functools.partial(s.open_i2c(1, 0x53).read_i2c_block_data, 0x32, 6),
    "I2CRK": lambda s, c: functools.partial(s.open_i2c(1, 0x48).read_block_data, 0),
    "I2CPK": lambda s, c: functools.partial(s.open_i2c(1, 0x48).block_process_call, 0, b"\1\2"),
    "I2CZ": lambda s, c: functools.partial(s.open_i2c(1, 0x53).zip,
                                          I2CZip().write(b"\x32").read(6)),
    "BI2CZ": lambda s, c: functools.partial(
        s.open_bb_i2c(5, 6).zip,
        BitBangI2CZip().address(0x53).start().write(b"\x32").start().read(6).stop()),
    "SPIR": lambda s, c: functools.partial(s.open_spi(0, 1_000_000).read, 3),
    "SPIX": lambda s, c: functools.partial(s.open_spi(0, 1_000_000).xfer, b"\x01\x80\x00"),
    "BSPIX": _bb_spi_xfer,
    "SERR": _serial_read,
    "SLR": _bb_serial_read,
    "FR": _file_read,
    "FL": lambda s, c: functools.partial(s.list_files, "/data/*.bin"),
    "CF2": lambda s, c: functools.partial(s.custom_2, 0, b"abcdef", 16),
    "PROCP": _script_status,
    "BSCX": _bsc_transfer,
}
#: What each fault raises.
FAULTS = {
    "stall": PigpioTimeoutError,      # part of the reply, the rest after the time-out
    "close": PigpioConnectionError,   # part of the reply, then the daemon closes
    "extra": PigpioConnectionError,   # more bytes than the reply announced
}


@pytest.mark.parametrize("action", FAULTS)
@pytest.mark.parametrize("name", DATA_COMMANDS)
def test_a_spoiled_data_reply_fails_and_nothing_late_is_read(rig, name, action):
    with FaultProxy(rig.host, rig.port) as proxy:
        session = pigpiod_py.open(proxy.host, proxy.port, timeout=0.5)
        try:
            command = DATA_COMMANDS[name](session, rig.control)
            command()  # the same command goes through while nothing is spoiled
            proxy.inject(Fault(action, Command[name], keep=17, extra=b"\x55" * 20))
            with pytest.raises(FAULTS[action]):
                command()
            assert proxy.spoiled.is_set()
            proxy.release()  # what was held back arrives now, late
            assert session.closed  # the connection is never used again
            with pytest.raises(SessionClosedError):
                session.tick()
        finally:
            session.close()


def test_after_a_spoiled_reply_a_reconnected_session_reads_true_answers(rig):
    rig.control.drive(GPIO, 1)
    with FaultProxy(rig.host, rig.port) as proxy:
        with pigpiod_py.open(proxy.host, proxy.port, timeout=0.5, reconnect=True) as session:
            proxy.inject(Fault("stall", Command.I2CRD, keep=18))
            with pytest.raises(PigpioTimeoutError):
                session.open_i2c(1, 0x50).read(8)
            proxy.release()
            assert wait_until(lambda: session.connected)
            for _ in range(50):
                assert session.read(GPIO) == 1
                assert session.get_mode(GPIO) == Mode.INPUT


def test_a_late_simple_reply_is_never_the_next_commands_answer(rig):
    rig.control.drive(GPIO, 1)
    with FaultProxy(rig.host, rig.port) as proxy:
        with pigpiod_py.open(proxy.host, proxy.port, timeout=0.3) as session:
            proxy.inject(Fault("delay", Command.MODEG, seconds=0.6))
            with pytest.raises(PigpioTimeoutError):
                session.get_mode(GPIO)
            with pytest.raises(SessionClosedError):
                session.read(GPIO)


def test_a_batch_time_out_closes_the_session_like_a_command(rig):
    with FaultProxy(rig.host, rig.port) as proxy:
        session = pigpiod_py.open(proxy.host, proxy.port, timeout=0.5)
        proxy.inject(Fault("silent", Command.WRITE))
        with pytest.raises(PigpioTimeoutError):
            with session.batch() as batch:
                batch.write(GPIO, 1).write(GPIO, 0)
        assert session.closed
        started = time.monotonic()
        with pytest.raises(SessionClosedError):
            session.read(GPIO)  # at once: no second time-out
        assert time.monotonic() - started < 0.4
        proxy.release()


# -- signals --------------------------------------------------------------------------

COMMANDS_UNDER_STORM = 20_000


def _hammer(session, count):
    """count commands of a few kinds (a data-carrying one among them)."""
    with session.open_i2c(1, 0x50) as eeprom:
        for n in range(count // 4):
            session.write(GPIO, n & 1)
            assert session.read(GPIO) == n & 1
            assert session.read_bank_1() >> GPIO & 1 == n & 1
            assert len(eeprom.read(4)) == 4


def test_a_signal_storm_never_fails_a_command(rig):
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(1))
    signal.setitimer(signal.ITIMER_REAL, 0.0005, 0.0005)  # 2 kHz
    try:
        with pigpiod_py.open(rig.host, rig.port) as session:
            _hammer(session, COMMANDS_UNDER_STORM)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert len(fired) > 100


def test_a_thread_running_subprocesses_never_fails_a_command(rig):
    stop = threading.Event()
    runs = []

    def spawn():
        while not stop.is_set():
            subprocess.run(["true"], check=True)
            runs.append(1)

    spawner = threading.Thread(target=spawn)
    spawner.start()
    try:
        with pigpiod_py.open(rig.host, rig.port) as session:
            _hammer(session, COMMANDS_UNDER_STORM)
    finally:
        stop.set()
        spawner.join()
    assert len(runs) > 10


SIGPIPE_SCRIPT = """
import os, signal, sys, time
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
sys.path.insert(0, {tests!r})
from fault_proxy import Fault, FaultProxy
import pigpiod_py
from pigpiod_py.constants import Command

host, port = {host!r}, {port}
with FaultProxy(host, port) as proxy:
    # A time-out, then the close of the timed-out connection.
    session = pigpiod_py.open(proxy.host, proxy.port, timeout=0.3)
    proxy.inject(Fault("silent", Command.READ))
    try:
        session.read(17)
    except pigpiod_py.PigpioTimeoutError:
        pass
    session.close()
    proxy.release()
with FaultProxy(host, port) as proxy:
    # The daemon goes away: commands, a batch and the close meet dead sockets.
    session = pigpiod_py.open(proxy.host, proxy.port, timeout=0.3)
    session.batch().write(17, 1).flush()
    proxy.close()
    for _ in range(3):
        try:
            session.write(17, 1)
        except pigpiod_py.PigpioError:
            pass
    try:
        session.batch().write(17, 0).flush()
    except pigpiod_py.PigpioError:
        pass
    session.close()
print("survived")
"""


def test_sigpipe_at_its_default_never_kills_the_process(rig):
    script = SIGPIPE_SCRIPT.format(tests=os.path.dirname(__file__), host=rig.host,
                                   port=rig.port)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, (out.returncode, out.stderr)
    assert out.stdout.strip() == "survived"


# -- close() racing commands ------------------------------------------------------------

def test_close_racing_writers_never_hangs_nor_reaches_another_daemon(rig):
    other = start_simulator()
    try:
        other.control.reset()
        rounds, failures = 1000, []

        def writer(session, stop):
            while not stop.is_set():
                try:
                    session.write(GPIO, 1)
                except SessionClosedError:
                    return
                except Exception as exc:  # noqa: BLE001 - recorded, asserted below
                    failures.append(exc)
                    return

        for _ in range(rounds):
            session = pigpiod_py.open(rig.host, rig.port)
            stop = threading.Event()
            threads = [threading.Thread(target=writer, args=(session, stop)) for _ in range(3)]
            for t in threads:
                t.start()
            session.close()
            # A new session may get the library slot the closed one had.
            with pigpiod_py.open(other.host, other.port) as bystander:
                bystander.read(GPIO)
            stop.set()
            for t in threads:
                t.join(10)
                assert not t.is_alive(), "a writer hangs after close()"
        assert failures == []
        # No write of a closed session reached the other daemon.
        assert other.control.pin(GPIO)["mode"] == Mode.INPUT
    finally:
        stop_simulator(other)

"""Real clients against the simulator: pigs, the pigpio Python module, libpigpiod_if2."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from sim_clients import pigpio_pi_fixture  # noqa: F401 (fixture "pi")

from pigpiod_py.constants import Command
from pigpiod_py.sim.interfaces.client import RawClient

pigpio = pytest.importorskip("pigpio")

PIGS = shutil.which("pigs")
ERROR_STATUS = 253
INCLUDE = Path(__file__).resolve().parent.parent / "include"


# -- pigs -----------------------------------------------------------------

def pigs(sim, *words: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PIGPIO_ADDR=sim.host, PIGPIO_PORT=str(sim.port))
    return subprocess.run([PIGS, *words], env=env, capture_output=True, text=True,
                          timeout=60, check=False)


needs_pigs = pytest.mark.skipif(PIGS is None, reason="pigs is not installed")


@needs_pigs
@pytest.mark.parametrize("line, output", [
    ("hwver", "12595473\n"),
    ("pigpv", "79\n"),
    ("br1", "000001FF\n"),
    ("br2", "003FC01C\n"),
    ("w 17 1 r 17 mg 17", "1\n1\n"),
    ("m 17 w mg 17 m 17 0 mg 17 m 17 r mg 17", "1\n4\n0\n"),
    ("pud 17 u r 17 pud 17 d r 17", "1\n0\n"),
    ("prs 4 2000 pfs 4 1000 prg 4 prrg 4 pfg 4", "250\n1000\n2000\n200\n1000\n"),
    ("p 4 128 gdc 4 pfs 4 0", "128\n10\n"),
    ("s 17 1500 gpw 17 s 17 0 gpw 17", "1500\n0\n"),
    ("hp 18 1000 250000 gdc 18 pfg 18 prrg 18 mg 18", "250000\n1000\n375000\n2\n"),
    ("hc 4 1000000 pfg 4 gdc 4", "1000000\n500000\n"),
    ("trig 17 10 1 r 17", "0\n"),
    ("wdog 4 100 fg 4 10 fn 4 10 20 evt 3", ""),
    ("mics 10 mils 1", ""),
    ("cgi csi 80 cgi", "0\n80\n"),
    ("cf1 1 2 200", "200\n"),
    ("cf2 0 8 1 2 3", "3 3 2 1\n"),
    ("pads 0 3 padg 0", "4\n"),
    ("no nb 0 0xf np 0 nc 0 no", "0\n0\n"),
    ("bs1 0x20000 r 17 bc1 0x20000", "0\n"),
])
def test_pigs_commands(sim, line, output):
    result = pigs(sim, *line.split())
    assert (result.returncode, result.stdout, result.stderr) == (0, output, "")


@needs_pigs
@pytest.mark.parametrize("line, output", [
    ("w 0 1", "-41\n"),
    ("w 17 2", "-5\n"),
    ("r 54", "-3\n"),
    ("p 40 1", "-41\n"),
    ("prs 4 24", "-21\n"),
    ("gdc 4", "-92\n"),
    ("gpw 4", "-93\n"),
    ("s 4 100", "-7\n"),
    ("hp 17 1000 0", "-95\n"),
    ("hc 5 1000000", "-99\n"),
    ("bs2 0xFFFFFF", ""),  # pigs prints nothing for a bank write, only the error
    ("nb 5 1", ""),
    ("evt 32", ""),
    ("wvgo", "-120\n"),
    ("mils 60001", ""),
    ("pads 3 8", ""),
    ("trig 17 101 1", ""),
])
def test_pigs_errors_exit_253(sim, line, output):
    result = pigs(sim, *line.split())
    assert result.returncode == ERROR_STATUS
    assert result.stdout.startswith(output) and "ERROR" in result.stderr


@needs_pigs
def test_pigs_goes_on_after_an_error(sim):
    result = pigs(sim, "r", "4", "w", "0", "1", "r", "4")
    assert (result.returncode, result.stdout) == (ERROR_STATUS, "1\n-41\n1\n")


@needs_pigs
def test_pigs_tick_is_unsigned(sim):
    result = pigs(sim, "t")
    assert result.returncode == 0 and 0 <= int(result.stdout) < 2 ** 32


# -- the pigpio Python module ----------------------------------------------

def test_pigpio_module_basics(pi):
    assert pi.get_hardware_revision() == 0xC03111
    assert pi.get_pigpio_version() == 79
    pi.set_mode(17, pigpio.OUTPUT)
    assert pi.get_mode(17) == pigpio.OUTPUT
    pi.write(17, 1)
    assert pi.read(17) == 1
    pi.set_mode(22, pigpio.INPUT)
    pi.set_pull_up_down(22, pigpio.PUD_UP)
    assert pi.read(22) == 1
    assert pi.read_bank_1() & (1 << 17 | 1 << 22) == 1 << 17 | 1 << 22
    assert pi.read_bank_2() == 0x3FC01C  # gpio 34-36 and 46-53 pulled up at power-on
    assert 0 <= pi.get_current_tick() < 2 ** 32


@pytest.mark.parametrize("call, message", [
    (lambda pi: pi.write(0, 1), "no permission to update GPIO"),
    (lambda pi: pi.set_mode(99, pigpio.OUTPUT), "GPIO not 0-53"),
    (lambda pi: pi.set_PWM_dutycycle(4, 256), r"dutycycle not 0-range \(default 255\)"),
    (lambda pi: pi.get_PWM_dutycycle(4), "GPIO is not in use for PWM"),
    (lambda pi: pi.set_bank_1(0xFFFFFFFF), "no permission to update one or more GPIO"),
    (lambda pi: pi.hardware_clock(5, 1000000), "need password to use hardware clock 1"),
    (lambda pi: pi.notify_begin(31, 1), "unknown handle"),
    (lambda pi: pi.event_trigger(40), "bad event id"),
])
def test_pigpio_module_errors(pi, call, message):
    with pytest.raises(pigpio.error, match=message):
        call(pi)


def test_pigpio_module_pwm_servo_and_hardware(pi):
    assert pi.set_PWM_range(4, 2000) == 250
    assert pi.set_PWM_frequency(4, 1000) == 1000
    pi.set_PWM_dutycycle(4, 1000)
    assert (pi.get_PWM_dutycycle(4), pi.get_PWM_range(4), pi.get_PWM_real_range(4),
            pi.get_PWM_frequency(4)) == (1000, 2000, 200, 1000)
    pi.set_servo_pulsewidth(17, 2000)
    assert pi.get_servo_pulsewidth(17) == 2000
    pi.hardware_PWM(18, 800, 500000)
    assert (pi.get_PWM_dutycycle(18), pi.get_PWM_frequency(18)) == (500000, 800)
    pi.hardware_clock(4, 5000000)
    assert pi.get_PWM_frequency(4) == 5000000


def test_pigpio_module_misc_commands(pi):
    pi.write(17, 0)
    pi.gpio_trigger(17, 20, 1)
    assert pi.read(17) == 0
    pi.set_watchdog(4, 100)
    pi.set_glitch_filter(4, 100)
    pi.set_noise_filter(4, 100, 200)
    assert pi.custom_1(1, 9, [3]) == 9
    assert pi.custom_2(0, [1, 2, 3]) == (3, bytearray(b"\x03\x02\x01"))
    pi.set_pad_strength(2, 16)
    assert pi.get_pad_strength(2) == 16
    pi.event_trigger(5)


def test_pigpio_module_notifications_and_callbacks(pi):
    handle = pi.notify_open()
    assert handle >= 0
    pi.notify_begin(handle, 1 << 4)
    pi.notify_pause(handle)
    pi.notify_close(handle)
    callback = pi.callback(4, pigpio.EITHER_EDGE)
    event = pi.event_callback(3)
    callback.cancel()
    event.cancel()


def test_pigpio_module_stop_frees_its_handle(sim):
    connections = [pigpio.pi(sim.host, sim.port) for _ in range(3)]
    assert all(c.connected for c in connections)
    with RawClient(sim.host, sim.port) as raw:
        assert [raw.command(Command.NB, h, 0) for h in range(4)] == [0, 0, 0, -25]
        for connection in connections:
            connection.stop()
        deadline = time.monotonic() + 30  # the daemon sees the sockets close asynchronously
        while time.monotonic() < deadline:
            if all(raw.command(Command.NB, h, 0) == -25 for h in range(3)):
                break
            time.sleep(0.01)
        assert [raw.command(Command.NB, h, 0) for h in range(3)] == [-25, -25, -25]


def test_pigpio_module_banks_and_tick(pi):
    for gpio in (5, 6):
        pi.set_mode(gpio, pigpio.OUTPUT)
    pi.set_bank_1(1 << 5 | 1 << 6)
    assert (pi.read(5), pi.read(6)) == (1, 1)
    pi.clear_bank_1(1 << 6)
    assert (pi.read(5), pi.read(6)) == (1, 0)
    with pytest.raises(pigpio.error, match="no permission to update one or more GPIO"):
        pi.set_bank_2(1)
    first = pi.get_current_tick()
    time.sleep(0.01)
    assert 10_000 <= pigpio.tickDiff(first, pi.get_current_tick()) < 60_000_000


# -- libpigpiod_if2 ---------------------------------------------------------

C_PROGRAM = r"""
#include <stdio.h>
#include <pigpiod_if2.h>

int main(int argc, char *argv[])
{
    int pi = pigpio_start(argv[1], argv[2]);
    char reply[8];
    if (pi < 0) return 1;
    printf("%u %u\n", get_hardware_revision(pi), get_pigpio_version(pi));
    printf("%d ", gpio_write(pi, 17, 1));
    printf("%d\n", gpio_read(pi, 17));
    printf("%d %d\n", set_PWM_dutycycle(pi, 40, 1), gpio_write(pi, 0, 1));
    printf("%d ", set_PWM_frequency(pi, 4, 0));
    printf("%d\n", set_PWM_range(pi, 4, 100));
    printf("%d\n", callback(pi, 4, EITHER_EDGE, 0));
    printf("%d\n", gpio_trigger(pi, 17, 10, 1));
    printf("%d ", custom_2(pi, 0, "abc", 3, reply, 8));
    printf("%.3s\n", reply);
    pigpio_stop(pi);
    return 0;
}
"""


def build(tmp_path_factory, name: str, program: str) -> Path:
    """``program`` compiled and linked with libpigpiod_if2 (skip if that is not possible)."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler")
    directory = tmp_path_factory.mktemp(name)
    source = directory / (name + ".c")
    source.write_text(program)
    binary = directory / name
    built = subprocess.run([compiler, str(source), "-o", str(binary), "-I", str(INCLUDE),
                            "-lpigpiod_if2", "-lpthread"],
                           capture_output=True, text=True, check=False)
    if built.returncode:
        pytest.skip(f"cannot build against libpigpiod_if2: {built.stderr[-300:]}")
    return binary


@pytest.fixture(scope="module")
def c_program(tmp_path_factory):
    return build(tmp_path_factory, "client", C_PROGRAM)


def test_libpigpiod_if2_program(sim, c_program):
    result = subprocess.run([str(c_program), sim.host, str(sim.port)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "12595473 79", "0 1", "-41 -41", "10 20000", "-2008", "0", "3 cba"]


CALLBACK_PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include <pigpiod_if2.h>

static volatile unsigned count, misplaced, timeouts;
static volatile uint32_t last;

static void edge(int pi, unsigned gpio, unsigned level, uint32_t tick, void *spacing)
{
    if (level == 2) { timeouts++; return; }
    if ((count && tick - last != *(uint32_t *)spacing) || level != ((count & 1) ^ 1))
        misplaced++;
    last = tick;
    count++;
}

int main(int argc, char *argv[])
{
    uint32_t spacing = 50;
    unsigned expected = atoi(argv[3]);
    int i, pi = pigpio_start(argv[1], argv[2]);
    if (pi < 0) return 1;
    if (callback_ex(pi, 21, EITHER_EDGE, edge, &spacing) < 0) return 2;
    printf("ready\n");
    fflush(stdout);
    for (i = 0; i < 1200 && count < expected; i++) time_sleep(0.05);
    set_watchdog(pi, 21, 20);
    time_sleep(0.2);
    set_watchdog(pi, 21, 0);
    printf("%u %u %d\n", count, misplaced, timeouts > 0);
    pigpio_stop(pi);
    return 0;
}
"""


@pytest.fixture(scope="module")
def callback_program(tmp_path_factory):
    return build(tmp_path_factory, "callbacks", CALLBACK_PROGRAM)


def test_libpigpiod_if2_callback_ex(sim, callback_program):
    with subprocess.Popen([str(callback_program), sim.host, str(sim.port), "4000"],
                          stdout=subprocess.PIPE, text=True) as program:
        assert program.stdout is not None
        assert program.stdout.readline() == "ready\n"
        sim.control.edges(21, 4000, 20000)
        out, _ = program.communicate(timeout=120)
    assert program.returncode == 0
    assert out.split() == ["4000", "0", "1"]

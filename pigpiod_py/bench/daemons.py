"""The daemons a benchmark runs against, and the C programs it compiles.

``--daemon`` names one: ``c`` (the reference responder, ``responder.c``,
compiled and started for the run: it answers at once, so the clients' own
cost shows), ``sim`` (the built-in simulator, started for the run: the whole
system), ``HOST:PORT`` (a running daemon), or ``auto`` (``--host`` /
``PIGPIO_ADDR``, else a pigpiod answering on localhost, else the simulator).
"""
from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Optional, Sequence, Tuple

from ..simprocess import SimulatorProcess
from ..target import daemon_target

HERE = Path(__file__).resolve().parent
#: Daemon kinds: the reference responder, the simulator, anything else.
C_RESPONDER, SIMULATOR, PIGPIOD = "c", "sim", "pigpiod"


@dataclass(frozen=True)
class Daemon:
    """A daemon to measure against: where, what kind, how to say which
    (``label`` in tables, ``description`` in full)."""

    host: str
    port: int
    kind: str
    label: str
    description: str


def add_cpu_option(parser: argparse.ArgumentParser) -> None:
    """``--cpu N``."""
    parser.add_argument("--cpu", type=int, metavar="N",
                        help="run on CPU N only, with every daemon and client started here: "
                             "reproducible figures where cross-CPU wake-ups are slow and placed at "
                             "random (virtual machines); default: where the scheduler puts them")


def pin(cpu: Optional[int]) -> None:
    """Keep this process, and the processes it starts, on ``cpu`` (None: no change)."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})


def compile_c(workdir: str, name: str, sources: Sequence[Path], flags: Sequence[str] = ()) -> Optional[str]:
    """Compile ``sources`` into ``workdir/name``; None (and a note on
    stderr) when there is no compiler or the build fails."""
    compiler = shutil.which(os.environ.get("CC", "cc"))
    if compiler is None:
        print("note: no C compiler, %s is skipped" % name, file=sys.stderr)
        return None
    exe = os.path.join(workdir, name)
    build = subprocess.run([compiler, "-O2", "-o", exe, *map(str, sources), *flags],
                           capture_output=True, text=True)
    if build.returncode:
        print("note: %s did not build, it is skipped:\n%s" % (name, build.stderr), file=sys.stderr)
        return None
    return exe


def library_flags() -> List[str]:
    """Linker flags for libpigpiod_if2 (``PIGPIOD_PREFIX`` as build_ffi.py)."""
    prefix = os.environ.get("PIGPIOD_PREFIX")
    flags = ["-I%s/include" % prefix, "-L%s/lib" % prefix, "-Wl,-rpath,%s/lib" % prefix] if prefix else []
    return [*flags, "-lpigpiod_if2", "-lpthread"]


class Responder:
    """The reference responder (``responder.c``) as a child process on a
    free loopback port; it ends when its stdin closes (see :meth:`stop`)."""

    def __init__(self, exe: str) -> None:
        self._process = subprocess.Popen([exe], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         text=True)
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        if not line.isdigit():
            self.stop()
            raise RuntimeError("the C responder did not start (said %r)" % line)
        self.port = int(line)

    def stop(self) -> None:
        """Close its stdin and wait for it to end; idempotent."""
        if self._process.stdin is not None and not self._process.stdin.closed:
            self._process.stdin.close()
        try:
            self._process.wait(5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


@contextlib.contextmanager
def open_daemon(spec: str, workdir: str, host: Optional[str] = None,
                port: Optional[int] = None) -> Iterator[Optional[Daemon]]:
    """The daemon ``spec`` names (see the module docs), stopped at the end
    if started here; None when the C responder cannot be built."""
    if spec == C_RESPONDER:
        exe = compile_c(workdir, "responder", [HERE / "responder.c"], ["-lpthread"])
        if exe is None:
            yield None
            return
        responder = Responder(exe)
        try:
            yield Daemon("127.0.0.1", responder.port, C_RESPONDER, "the C responder",
                         "the C reference responder at 127.0.0.1:%d" % responder.port)
        finally:
            responder.stop()
    elif spec == SIMULATOR:
        with SimulatorProcess(control=False) as sim:
            yield Daemon(sim.host, sim.port, SIMULATOR, "the simulator",
                         "the built-in simulator at %s:%d" % (sim.host, sim.port))
    elif spec == "auto":
        with daemon_target(host, port) as target:
            simulated = target.description.startswith("the built-in simulator")
            yield Daemon(target.host, target.port, SIMULATOR if simulated else PIGPIOD,
                         "the simulator" if simulated else "pigpiod %s:%d" % (target.host, target.port),
                         target.description)
    else:
        address, port_text = parse_address(spec)
        yield Daemon(address, port_text, PIGPIOD, "pigpiod %s:%d" % (address, port_text),
                     "pigpiod at %s:%d" % (address, port_text))


def daemon_spec(spec: str) -> str:
    """``--daemon``'s check: the spec, or argparse's error."""
    if spec not in (C_RESPONDER, SIMULATOR, "auto"):
        try:
            parse_address(spec)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return spec


def parse_address(spec: str) -> Tuple[str, int]:
    """``HOST:PORT`` as (host, port); ValueError when it is not one."""
    address, _, port_text = spec.rpartition(":")
    if not address or not port_text.isdigit():
        raise ValueError("a daemon is c, sim, auto or HOST:PORT, not %r" % spec)
    return address, int(port_text)

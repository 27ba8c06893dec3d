"""The shim's C (include/) under each sanitizer on its own: AddressSanitizer,
LeakSanitizer, UndefinedBehaviorSanitizer and ThreadSanitizer.

tests/c/shim_check.c drives the connection shim and the event ring against a
fake daemon and checks exact counts and order; each sanitizer build must run
clean, with a fast and with a slow (dropping) consumer. UBSan runs alone as
well: paired with ASan, ASan's allocator would hide a misaligned allocation.
A sanitizer whose runtime the toolchain lacks (no TSan on 32-bit ARM, no
LeakSanitizer under ptrace or emulation) is skipped with the reason.
"""
from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "include" / n for n in ("pgd_net.c", "pgd_guard.c", "pgd_shim.c",
                                          "pgd_ring.c", "pgd_events.c", "pgd_signal.c")]
CHECK = ROOT / "tests" / "c" / "shim_check.c"
PROBE = "#include <stdlib.h>\nint main(void) { free(malloc(16)); return 0; }\n"
#: Runtime options per sanitizer: stop at the first report.
OPTIONS = {
    "address": {"ASAN_OPTIONS": "detect_leaks=0:abort_on_error=0"},
    "leak": {"LSAN_OPTIONS": "exitcode=23"},
    "undefined": {"UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1"},
    "thread": {"TSAN_OPTIONS": "halt_on_error=1:suppressions=%s" % (ROOT / "tests" / "c" / "tsan.supp")},
}


def _load_build_ffi():
    """build_ffi.py from the source tree: the sanitizer builds link like the module."""
    spec = importlib.util.spec_from_file_location("build_ffi", ROOT / "build_ffi.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_ffi = _load_build_ffi()


def compiler() -> str:
    found = shutil.which(os.environ.get("CC", "gcc"))
    if found is None:
        pytest.skip("no C compiler")
    return found


def guard_wrappers(directory: Path) -> Path:
    """The guarded twins build_ffi.py generates from the installed header, as
    a C file (the check calls them as the binding does)."""
    protos = build_ffi.prototypes(build_ffi.find_header().read_text())
    _, source = build_ffi.guard_wrappers(build_ffi.guarded(protos))
    path = directory / "guard_wrappers.c"
    path.write_text('#include "pigpiod_if2.h"\n#include "pgd_guard.h"\n#include "pgd_shim.h"\n'
                    + source)
    return path


def python_link_flags() -> list:
    libdir = sysconfig.get_config_var("LIBDIR")
    version = sysconfig.get_config_var("LDVERSION") or sysconfig.get_config_var("VERSION")
    return ["-L%s" % libdir, "-Wl,-rpath,%s" % libdir, "-lpython%s" % version]


@functools.lru_cache(maxsize=None)
def missing_runtime(sanitizer: str) -> str:
    """Why this toolchain cannot run the sanitizer here ('' when it can):
    a tiny program must build and run clean with it."""
    with tempfile.TemporaryDirectory() as work:
        source, exe = Path(work) / "probe.c", Path(work) / "probe"
        source.write_text(PROBE)
        built = subprocess.run([compiler(), "-fsanitize=" + sanitizer, str(source), "-o", str(exe)],
                               capture_output=True, text=True)
        if built.returncode != 0:
            return "the compiler cannot build with -fsanitize=%s: %s" % (
                sanitizer, built.stderr.strip()[-300:])
        ran = subprocess.run([str(exe)], capture_output=True, text=True,
                             env={**os.environ, **OPTIONS[sanitizer]})
        if ran.returncode != 0:
            return "the %s sanitizer's runtime does not run here: %s" % (
                sanitizer, ran.stderr.strip()[-300:])
    return ""


def build(tmp_path: Path, sanitizer: str) -> Path:
    exe = tmp_path / ("shim_check_" + sanitizer)
    cmd = [compiler(), "-O1", "-g", "-fno-omit-frame-pointer",
           "-fsanitize=" + sanitizer, *build_ffi.compile_args(), "-I%s" % (ROOT / "include"),
           "-I%s" % sysconfig.get_paths()["include"], *map(str, SOURCES), str(CHECK),
           str(guard_wrappers(tmp_path)),
           "-o", str(exe), "-lpigpiod_if2", "-lpthread", "-lrt", *build_ffi.atomic_link_args(),
           *python_link_flags()]
    out = subprocess.run(cmd, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return exe


@pytest.mark.parametrize("sanitizer", sorted(OPTIONS))
def test_shim_runs_clean_under_sanitizers(tmp_path, sanitizer):
    reason = missing_runtime(sanitizer)
    if reason:
        pytest.skip(reason)
    exe = build(tmp_path, sanitizer)
    env = {**os.environ, **OPTIONS[sanitizer]}
    for reports, capacity, delay in ((100000, 65536, 0), (100000, 1024, 2000)):
        out = subprocess.run([str(exe), str(reports), str(capacity), str(delay)],
                             capture_output=True, text=True, env=env, timeout=300)
        assert out.returncode == 0, out.stderr
        assert "Sanitizer" not in out.stderr and "runtime error" not in out.stderr, out.stderr
        received, dropped = (int(w) for w in out.stdout.split()[1:4:2])
        assert received + dropped == reports
        if capacity < reports and delay:
            assert dropped > 0


def test_the_event_path_from_python_is_clean_under_address_sanitizer(tmp_path, daemon):
    """The module built with ASan, in a copy of the package, through a
    stress run of closes and lost daemons racing stats, pulls, dispatches and
    waits (tests/stress_events.py)."""
    if daemon.control is None:
        pytest.skip("needs the simulator")
    reason = missing_runtime("address")
    if reason:
        pytest.skip(reason)
    runtime = subprocess.run([compiler(), "-print-file-name=libasan.so"], capture_output=True,
                             text=True).stdout.strip()
    if not os.path.isabs(runtime):
        pytest.skip("no shared ASan runtime to preload into Python")
    build = tmp_path / "build"
    build.mkdir()
    (build / "include").symlink_to(ROOT / "include")  # cffi builds in tmpdir; sources are relative
    env = {**os.environ, "PIGPIOD_SANITIZE": "address"}
    built = subprocess.run([sys.executable, "-c", "import build_ffi; print(build_ffi.build()"
                            ".compile(tmpdir=%r))" % str(build)],
                           cwd=ROOT, env=env, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-2000:]
    package = tmp_path / "site" / "pigpiod_py"
    shutil.copytree(ROOT / "pigpiod_py", package,
                    ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    shutil.copy(built.stdout.strip().splitlines()[-1], package)
    run_env = {**os.environ, "PYTHONPATH": "%s:%s" % (tmp_path / "site", ROOT / "tests"),
               "LD_PRELOAD": runtime,
               "ASAN_OPTIONS": "detect_leaks=0:halt_on_error=1:abort_on_error=0"}
    out = subprocess.run([sys.executable, str(ROOT / "tests" / "stress_events.py"), "12"],
                         cwd=tmp_path, env=run_env, capture_output=True, text=True, timeout=600)
    assert "AddressSanitizer" not in out.stderr, out.stderr[-4000:]
    assert out.returncode == 0 and out.stdout.strip().endswith("done"), out.stderr[-4000:]

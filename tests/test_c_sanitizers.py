"""The shim's C (include/) under AddressSanitizer + UBSan and ThreadSanitizer.

tests/c/shim_check.c drives the connection shim and the event ring against a
fake daemon and checks exact counts and order; each sanitizer build must run
clean, with a fast and with a slow (dropping) consumer.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "include" / n for n in ("pgd_net.c", "pgd_guard.c", "pgd_shim.c",
                                          "pgd_events.c")]
CHECK = ROOT / "tests" / "c" / "shim_check.c"


def guard_wrappers(directory: Path) -> Path:
    """The guarded twins build_ffi.py generates from the installed header, as
    a C file (the check calls them as the binding does)."""
    spec = importlib.util.spec_from_file_location("build_ffi", ROOT / "build_ffi.py")
    build_ffi = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_ffi)
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


def build(tmp_path: Path, sanitizer: str) -> Path:
    compiler = shutil.which(os.environ.get("CC", "gcc"))
    if compiler is None:
        pytest.skip("no C compiler")
    exe = tmp_path / ("shim_check_" + sanitizer.replace(",", "_"))
    cmd = [compiler, "-std=gnu11", "-O1", "-g", "-fno-omit-frame-pointer",
           "-fsanitize=" + sanitizer, "-I%s" % (ROOT / "include"),
           "-I%s" % sysconfig.get_paths()["include"], *map(str, SOURCES), str(CHECK),
           str(guard_wrappers(tmp_path)),
           "-o", str(exe), "-lpigpiod_if2", "-lpthread", *python_link_flags()]
    out = subprocess.run(cmd, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return exe


@pytest.mark.parametrize("sanitizer", ["address,undefined", "thread"])
def test_shim_runs_clean_under_sanitizers(tmp_path, sanitizer):
    exe = build(tmp_path, sanitizer)
    env = {**os.environ,
           "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
           "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1",
           "TSAN_OPTIONS": "halt_on_error=1:suppressions=%s" % (ROOT / "tests" / "c" / "tsan.supp")}
    for reports, capacity, delay in ((100000, 65536, 0), (100000, 1024, 2000)):
        out = subprocess.run([str(exe), str(reports), str(capacity), str(delay)],
                             capture_output=True, text=True, env=env, timeout=300)
        assert out.returncode == 0, out.stderr
        assert "Sanitizer" not in out.stderr and "runtime error" not in out.stderr, out.stderr
        received, dropped = (int(w) for w in out.stdout.split()[1:4:2])
        assert received + dropped == reports
        if capacity < reports and delay:
            assert dropped > 0

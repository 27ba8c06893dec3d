"""The local wheel check: build, auditwheel repair (bundling libpigpiod_if2),
install in a fresh environment, smoke test with the system library hidden."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                    reason="hiding the system library needs root and unshare (mount namespace)")
def test_repaired_wheel_works_without_the_system_library(tmp_path):
    out = subprocess.run(["bash", str(ROOT / "scripts" / "check_wheel.sh"), str(tmp_path)],
                         capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "smoke test passed with" in out.stdout
    assert "pigpiod_py.libs/libpigpiod_if2" in out.stdout

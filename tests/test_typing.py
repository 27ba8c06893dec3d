"""The package type-checks cleanly under ``mypy --strict``."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None,
                    reason="mypy is not installed (pip install mypy)")
def test_mypy_strict_reports_no_errors(tmp_path: Path) -> None:
    # A cache in tmp_path: no .mypy_cache left in the source tree.
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path), "pigpiod_py"],
        cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def untyped_matplotlib_environment(root: Path) -> Path:
    """A Python environment like this one, except that its matplotlib ships
    no type information (as before matplotlib 3.8); its interpreter."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    python = root / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    target = Path(subprocess.run([str(python), "-c", purelib],
                                 capture_output=True, text=True, check=True).stdout.strip())
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.startswith("matplotlib") and not (target / entry.name).exists():
            (target / entry.name).symlink_to(entry)
    (target / "matplotlib").mkdir()
    (target / "matplotlib" / "__init__.py").write_text("def use(backend): pass\n")
    (target / "matplotlib" / "pyplot.py").write_text("def subplots(*args, **kwargs): pass\n")
    return python


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None,
                    reason="mypy is not installed (pip install mypy)")
def test_mypy_strict_accepts_a_matplotlib_without_type_information(tmp_path: Path) -> None:
    python = untyped_matplotlib_environment(tmp_path / "env")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"),
         "--python-executable", str(python), "pigpiod_py"],
        cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr

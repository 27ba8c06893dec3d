"""The compiled module as the linker left it: the event ring is lock-free on
this target, so the module neither calls nor needs libatomic (on ARMv6,
64-bit atomics would be calls into libatomic)."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from pigpiod_py import _pigpiod


def binutils(*args: str) -> str:
    if shutil.which(args[0]) is None:
        pytest.skip("%s (binutils) is not installed" % args[0])
    return subprocess.run([*args, _pigpiod.__file__], capture_output=True, text=True,
                          check=True).stdout


def test_the_module_neither_calls_nor_needs_libatomic():
    undefined = binutils("nm", "-D", "--undefined-only").split()
    assert [s for s in undefined if s.startswith("__atomic_")] == []
    needed = [line for line in binutils("readelf", "-d").splitlines() if "(NEEDED)" in line]
    assert needed and not [line for line in needed if "libatomic" in line]

"""Build hook: setuptools reads cffi_modules from here (pyproject has the metadata).

The module is built for the stable ABI (see build_ffi.compile_args), so the
wheel is tagged cp39-abi3: one wheel per architecture for CPython 3.9 and
later. Free-threaded CPython has no stable ABI: there the wheel is tagged
for the interpreter that built it.
"""
import sysconfig

from setuptools import setup

STABLE_ABI = not sysconfig.get_config_var("Py_GIL_DISABLED")

setup(cffi_modules=["build_ffi.py:build"],
      options={"bdist_wheel": {"py_limited_api": "cp39"}} if STABLE_ABI else {})

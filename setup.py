"""Build hook: setuptools reads cffi_modules from here (pyproject has the metadata)."""
from setuptools import setup

setup(cffi_modules=["build_ffi.py:build"])

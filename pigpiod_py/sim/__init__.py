"""A pigpiod-compatible daemon in pure Python: a virtual Raspberry Pi.

``python -m pigpiod_py.sim`` (or ``pigpiod-sim``) runs it; ``Simulator`` runs
it in-process.  pigs, the pigpio Python module and libpigpiod_if2 programs
talk to it as to the real daemon.
"""
from __future__ import annotations

from .config import SimConfig
from .simulator import Simulator

__all__ = ["SimConfig", "Simulator"]

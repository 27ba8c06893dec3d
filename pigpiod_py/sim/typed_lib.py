"""The compiled module's integer constants (``PI_*``, ``BSC_*``) seen as ints by a type checker.

``lib`` here answers ``lib.PI_BAD_HANDLE`` exactly as the compiled module does;
only its static type differs (int instead of Any).
"""
from __future__ import annotations

from .._pigpiod import lib as _compiled


class _IntConstants:
    """Attribute access to the compiled module's integer constants."""

    def __getattr__(self, name: str) -> int:
        value = getattr(_compiled, name)
        if not isinstance(value, int):
            raise AttributeError("%s is not an integer constant" % name)
        setattr(self, name, value)
        return value


lib = _IntConstants()

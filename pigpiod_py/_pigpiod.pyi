# The compiled cffi module (built by build_ffi.py); private.
from typing import Any

ffi: Any
lib: Any

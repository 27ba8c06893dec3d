"""``python -m pigpiod_py``: see :mod:`pigpiod_py.cli`."""
import sys

from .cli import main

sys.exit(main())

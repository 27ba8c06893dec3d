"""``python -m pigpiod_py bench [NAME] [options]``: the benchmark NAME (default toggle)."""
from __future__ import annotations

import importlib
import sys
from typing import List, Optional

from . import BENCHMARKS


def main(argv: Optional[List[str]] = None) -> int:
    """Run the benchmark named first in ``argv`` (default: toggle); return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    name = argv.pop(0) if argv and not argv[0].startswith("-") else "toggle"
    if name not in BENCHMARKS:
        print("unknown benchmark %r; choose from %s" % (name, ", ".join(BENCHMARKS)), file=sys.stderr)
        return 2
    status: int = importlib.import_module("." + name, __package__).main(argv)
    return status


if __name__ == "__main__":
    sys.exit(main())

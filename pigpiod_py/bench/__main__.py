"""``python -m pigpiod_py bench [toggle|guard|events|soak] [options]``."""
from __future__ import annotations

import sys
from typing import List, Optional

BENCHMARKS = ("toggle", "guard", "events", "soak")


def main(argv: Optional[List[str]] = None) -> int:
    """Run the benchmark named first in ``argv`` (default: toggle); return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    name = argv.pop(0) if argv and not argv[0].startswith("-") else "toggle"
    if name not in BENCHMARKS:
        print("unknown benchmark %r; choose from %s" % (name, ", ".join(BENCHMARKS)), file=sys.stderr)
        return 2
    if name == "events":
        from .events import main as events_main

        return events_main(argv)
    if name == "guard":
        from .guard import main as guard_main

        return guard_main(argv)
    if name == "soak":
        from .soak import main as soak_main

        return soak_main(argv)
    from .toggle import main as toggle_main

    return toggle_main(argv)


if __name__ == "__main__":
    sys.exit(main())

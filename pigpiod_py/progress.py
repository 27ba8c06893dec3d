"""Progress of long command-line runs, on stderr: shown when stderr is a
terminal or when asked (``--progress``), so that pipes, tests and ``--json``
output stay clean. A terminal gets one line updated in place; anything else
a line per update."""
from __future__ import annotations

import argparse
import sys
from typing import Optional, TextIO


def add_progress_option(parser: argparse.ArgumentParser) -> None:
    """``--progress``."""
    parser.add_argument("--progress", action="store_true",
                        help="show progress on stderr even when it is not a terminal")


class Progress:
    """Progress lines of one run (nothing at all unless enabled)."""

    def __init__(self, asked: bool = False, stream: Optional[TextIO] = None) -> None:
        self._stream = sys.stderr if stream is None else stream
        self._terminal = self._stream.isatty()
        self.enabled = asked or self._terminal
        self._open = False

    def show(self, text: str) -> None:
        """Replace the progress line with ``text``."""
        if not self.enabled:
            return
        if self._terminal:
            self._stream.write("\r\x1b[K" + text)
            self._open = True
        else:
            self._stream.write(text + "\n")
        self._stream.flush()

    def end(self) -> None:
        """Finish the progress line (on a terminal, the next output starts a new line)."""
        if self._open:
            self._stream.write("\n")
            self._stream.flush()
            self._open = False

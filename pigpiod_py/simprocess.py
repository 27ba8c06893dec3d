"""Run the simulator in a child process (for tests, benchmarks and demos).

A child keeps the simulator off the client's interpreter lock, which is what
a benchmark of a client needs.
"""
from __future__ import annotations

import subprocess
import sys
import time
from typing import Optional


class SimulatorProcess:
    """``python -m pigpiod_py.sim`` on ``port`` (0: a free one); a context
    manager."""

    host: str
    port: int
    control_port: Optional[int]

    def __init__(self, *options: str, control: bool = True, port: int = 0) -> None:
        args = [sys.executable, "-m", "pigpiod_py.sim", "--port", str(port)]
        if control:
            args += ["--control-port", "0"]
        self._process = subprocess.Popen([*args, *options], stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        words = self._process.stdout.readline().split()
        # "listening HOST PORT control HOST CONTROL_PORT" ("- -" without control)
        if len(words) != 6 or words[0] != "listening":
            self.stop()
            raise RuntimeError("the simulator did not start (said %r)" % " ".join(words))
        self.host, self.port = words[1], int(words[2])
        self.control_port = int(words[5]) if words[5] != "-" else None

    @classmethod
    def on_port(cls, port: int, *options: str, control: bool = True,
                timeout: float = 10.0) -> "SimulatorProcess":
        """A simulator on a given port, retrying while an earlier one's socket
        still holds it."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return cls(*options, control=control, port=port)
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    @property
    def pid(self) -> int:
        """Process id of the simulator."""
        return self._process.pid

    def stop(self) -> None:
        """Stop the simulator; idempotent."""
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()

    def __enter__(self) -> "SimulatorProcess":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

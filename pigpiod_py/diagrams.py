"""Timing diagrams as PNG files: of recorded edges, or of wave pulses before
they are sent.

>>> save_png(traces_from_builder(session.wave().square(18, 1000, 3)), "wave.png")
>>> save_png(traces_from_pulses(pulses), "pulses.png")        # pulses: (on, off, delay)
>>> save_png(traces_from_recording(recording), "edges.png")

Drawing needs matplotlib (``pip install pigpiod-py[plot]``); it is imported
only when a PNG is written, with the non-interactive Agg backend.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

from .recording import Recording
from .wave import WaveBuilder, checked_pulse
from .wave_model import Pulse

Step = Tuple[int, int]  # (time in µs, level from then on)


@dataclass
class Traces:
    """Level steps per gpio on a common µs axis from 0 to ``end``."""

    steps: Dict[int, List[Step]]
    end: int


def traces_from_recording(recording: Recording) -> Traces:
    """The recording's gpios: their initial levels at 0, then every edge."""
    steps: Dict[int, List[Step]] = {g: [(0, recording.initial[g])] for g in recording.gpios}
    for at, edge in zip(recording.times(), recording.edges):
        steps[edge.gpio].append((at, edge.level))
    return Traces(steps, recording.duration())


def traces_from_pulses(pulses: Iterable[Union[Pulse, Tuple[int, int, int]]],
                       initial: int = 0) -> Traces:
    """What a wave of these pulses does to each gpio it sets or clears (all
    at ``initial`` before it starts): each pulse sets its ``on`` gpios,
    clears its ``off`` gpios, then lasts ``delay`` µs."""
    checked = [checked_pulse(p) for p in pulses]
    used = 0
    for pulse in checked:
        used |= pulse.on | pulse.off
    gpios = [g for g in range(32) if used >> g & 1]
    steps: Dict[int, List[Step]] = {g: [(0, initial)] for g in gpios}
    now = 0
    for pulse in checked:
        for gpio in gpios:
            level = 1 if pulse.on >> gpio & 1 else 0 if pulse.off >> gpio & 1 else None
            if level is not None and level != steps[gpio][-1][1]:
                if steps[gpio][-1][0] == now:
                    steps[gpio][-1] = (now, level)
                else:
                    steps[gpio].append((now, level))
        now += pulse.delay
    return Traces(steps, now)


def traces_from_builder(builder: WaveBuilder, initial: int = 0) -> Traces:
    """The wave a builder would create, before it is sent: its pulse lists and
    serial data merged on one time axis from 0 as pigpiod merges them."""
    return traces_from_pulses(builder.model().pulses(), initial)


def require_matplotlib() -> Any:
    """matplotlib.pyplot on the Agg backend; RuntimeError saying how to install it."""
    try:
        import matplotlib
    except ImportError:
        raise RuntimeError("timing diagrams need matplotlib: pip install matplotlib "
                           "(or pigpiod-py[plot])") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_png(traces: Traces, path: str, title: Optional[str] = None) -> None:
    """Draw one row per gpio (level against µs) and write a PNG to ``path``."""
    if not traces.steps:
        raise ValueError("nothing to draw: no gpio in the traces")
    plt = require_matplotlib()
    rows = len(traces.steps)
    end = max(traces.end, 1)
    fig, axes = plt.subplots(rows, 1, sharex=True, squeeze=False,
                             figsize=(10, 0.9 * rows + 1.2))
    try:
        for ax, (gpio, steps) in zip(axes[:, 0], sorted(traces.steps.items())):
            times = [t for t, _ in steps] + [end]
            levels = [level for _, level in steps] + [steps[-1][1]]
            ax.step(times, levels, where="post", linewidth=1.2)
            ax.set_ylim(-0.2, 1.2)
            ax.set_yticks([0, 1])
            ax.set_ylabel("gpio %d" % gpio, rotation=0, ha="right", va="center")
            ax.grid(axis="x", alpha=0.3)
        axes[-1, 0].set_xlim(0, end)
        axes[-1, 0].set_xlabel("µs")
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        fig.savefig(path, format="png")
    finally:
        plt.close(fig)

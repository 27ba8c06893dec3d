"""Names for Raspberry Pi hardware revision codes (as ``HWVER`` reports them)."""
from __future__ import annotations

_MODELS = {
    0x0: "A", 0x1: "B", 0x2: "A+", 0x3: "B+", 0x4: "2B", 0x5: "Alpha", 0x6: "CM1",
    0x8: "3B", 0x9: "Zero", 0xA: "CM3", 0xC: "Zero W", 0xD: "3B+", 0xE: "3A+",
    0x10: "CM3+", 0x11: "4B", 0x12: "Zero 2 W", 0x13: "400", 0x14: "CM4",
}
_PROCESSORS = ("BCM2835", "BCM2836", "BCM2837", "BCM2711")
_MEMORY_MB = (256, 512, 1024, 2048, 4096, 8192)
_OLD_STYLE = {2: "B rev 1", 3: "B rev 1", 0x10: "B+", 0x12: "A+", 0x13: "B+", 0x15: "A+"}


def describe(revision: int) -> str:
    """A readable board name, e.g. ``Raspberry Pi 4B rev 1, BCM2711, 4 GB``."""
    if revision == 0:
        return "unknown board"
    if not revision & (1 << 23):
        name = _OLD_STYLE.get(revision, "A/B rev 2" if 4 <= revision <= 15 else "old-style board")
        return "Raspberry Pi %s, BCM2835" % name
    model = _MODELS.get((revision >> 4) & 0xFF, "model 0x%x" % ((revision >> 4) & 0xFF))
    processor = (revision >> 12) & 0xF
    memory = (revision >> 20) & 0x7
    parts = ["Raspberry Pi %s rev %d" % (model, revision & 0xF)]
    parts.append(_PROCESSORS[processor] if processor < len(_PROCESSORS) else "processor %d" % processor)
    if memory < len(_MEMORY_MB):
        mb = _MEMORY_MB[memory]
        parts.append("%d GB" % (mb // 1024) if mb >= 1024 else "%d MB" % mb)
    return ", ".join(parts)

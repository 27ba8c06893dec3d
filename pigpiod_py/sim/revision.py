"""What the daemon derives from a Raspberry Pi hardware revision code.

The default write-permission masks are pigpio.h's ``PI_DEFAULT_UPDATE_MASK_*``
values; the project's compiled header does not carry them, so they are data
here.
"""
from __future__ import annotations

#: Default write-permission masks (bit n = gpio n may be changed).
MASK_UNKNOWN = 0x0000000FFFFFFC  # also Pi 3B, 3B+, 3A+, 4B
MASK_B1 = 0x03E7CF93
MASK_A_B2 = 0xFBC7CF9C
MASK_APLUS_BPLUS = 0x0080480FFFFFFC  # also Pi 2B
MASK_ZERO = 0x0080000FFFFFFC
MASK_COMPUTE = 0x00FFFFFFFFFFFF

#: New-style model field -> mask, for the models that differ from MASK_UNKNOWN.
_MODEL_MASKS = {
    0: MASK_A_B2, 1: MASK_A_B2,
    2: MASK_APLUS_BPLUS, 3: MASK_APLUS_BPLUS, 4: MASK_APLUS_BPLUS,
    6: MASK_COMPUTE, 10: MASK_COMPUTE, 16: MASK_COMPUTE,
    9: MASK_ZERO, 12: MASK_ZERO,
}

_NEW_STYLE = 0x800000
_BCM2711 = 3
_LAST_OLD_CODE = 0x15
_LAST_PROCESSOR = 3


def hardware_revision(code: int) -> int:
    """The value ``HWVER`` reports: warranty bits dropped, 0 when unrecognised."""
    code &= 0xFFFFFF
    if code & _NEW_STYLE:
        return code if (code >> 12) & 0xF <= _LAST_PROCESSOR else 0
    return code if 0 < code <= _LAST_OLD_CODE else 0


def default_permission_mask(hwver: int) -> int:
    """The mask the daemon picks for a (recognised) revision when not told one."""
    if hwver == 0:
        return MASK_UNKNOWN
    if not hwver & _NEW_STYLE:
        if hwver < 4:
            return MASK_B1
        if hwver < 16:
            return MASK_A_B2
        return MASK_COMPUTE if hwver in (17, 20) else MASK_APLUS_BPLUS
    return _MODEL_MASKS.get((hwver >> 4) & 0xFF, MASK_UNKNOWN)


def is_bcm2711(hwver: int) -> bool:
    """True for a Pi 4 class processor (other clock rates and limits)."""
    return bool(hwver & _NEW_STYLE) and (hwver >> 12) & 0xF == _BCM2711

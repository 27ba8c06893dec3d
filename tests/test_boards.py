"""Board descriptions from hardware revision codes."""
from __future__ import annotations

import dataclasses
import json

import pytest

from pigpiod_py.boards import Board, board, describe


def pins(header):
    return {p.number: (p.name, p.kind, p.gpio) for p in header.pins}


def test_a_new_style_code_decoded():
    b = board(0xA22082)  # 3B, Embest
    assert (b.model, b.board_revision, b.processor, b.memory_mb, b.manufacturer) == (
        "3B", "1.2", "BCM2837", 1024, "Embest")
    assert b.is_new_style and describe(0xA22082) == str(b) == b.description


def test_the_40_pin_header():
    layout = pins(board(0xC03111).header("J8"))
    assert layout[1] == ("3V3", "power", None) and layout[2] == ("5V", "power", None)
    assert layout[3] == ("GPIO2", "gpio", 2) and layout[40] == ("GPIO21", "gpio", 21)
    assert layout[27] == ("ID_SD", "gpio", 0) and layout[28] == ("ID_SC", "gpio", 1)
    assert [n for n, (_, kind, _) in layout.items() if kind == "ground"] == [
        6, 9, 14, 20, 25, 30, 34, 39]
    gpios = sorted(g for _, _, g in layout.values() if g is not None)
    assert gpios == list(range(28))  # every bank-0 gpio 0-27 exactly once


@pytest.mark.parametrize("code, model, header_gpio_3, user", [
    (0x0002, "B", 0, (0, 1, 4, 7, 8, 9, 10, 11, 14, 15, 17, 18, 21, 22, 23, 24, 25)),
    (0x0007, "A", 2, (2, 3, 4, 7, 8, 9, 10, 11, 14, 15, 17, 18, 22, 23, 24, 25, 27,
                      28, 29, 30, 31)),
    (0x0010, "B+", 2, tuple(range(2, 28))),
])
def test_old_style_codes_and_their_headers(code, model, header_gpio_3, user):
    b = board(code)
    assert b.model == model and b.processor == "BCM2835" and not b.is_new_style
    assert b.header().pin(3).gpio == header_gpio_3
    assert b.user_gpios == user  # pigpio's user gpios of that board type


def test_compute_modules_and_unknown_boards_have_no_header():
    cm3 = board(0xA020A0)
    assert cm3.model == "CM3" and cm3.headers == () and cm3.user_gpios == tuple(range(2, 28))
    with pytest.raises(LookupError):
        cm3.header()
    unknown = board(0)
    assert unknown.model == "unknown" and unknown.headers == () and str(unknown) == "unknown board"


def test_a_board_is_plain_data():
    b = board(0xC03111)
    assert isinstance(b, Board)
    text = json.dumps(b.as_dict())
    assert '"model": "4B"' in text and '"gpio": 17' in text
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.model = "5"
    with pytest.raises(LookupError):
        b.header().pin(41)
    assert b.header().physical(40) is None  # gpio 40 is not on the header


def test_bad_codes_are_refused():
    with pytest.raises(TypeError):
        board("0xa02082")
    with pytest.raises(ValueError):
        board(-1)

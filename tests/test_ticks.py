from pigpiod_py import tick_add, tick_diff


def test_tick_diff_across_the_wrap():
    assert tick_diff(10, 25) == 15
    assert tick_diff(0xFFFFFFF0, 0x10) == 0x20
    assert tick_diff(5, 5) == 0


def test_tick_add_wraps_both_ways():
    assert tick_add(0xFFFFFFFF, 1) == 0
    assert tick_add(0, -1) == 0xFFFFFFFF
    assert tick_add(100, 50) == 150

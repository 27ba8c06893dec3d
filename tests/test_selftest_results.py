"""scripts/selftest_results.py: what a self-test program's log adds up to."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "selftest_results.py"
spec = importlib.util.spec_from_file_location("selftest_results", SCRIPT)
assert spec is not None and spec.loader is not None
selftest_results = importlib.util.module_from_spec(spec)
spec.loader.exec_module(selftest_results)


def x_pigpio_log(failed: set[str]) -> str:
    """A log of x_pigpio.py with one check per group, plus 13.12; ``failed`` fail."""
    checks = [f"{group}.1" for group in range(1, 14)] + ["13.12"]
    return "\n".join(f"TEST {check} {'FAILED' if check in failed else 'PASS'} (what: 0)"
                     for check in checks) + "\n"


@pytest.mark.parametrize("failed, status, expected", [
    (set(), "0", 0),
    ({"13.12"}, "0", selftest_results.ONLY_KNOWN_RACES),   # upstream's race: run it again
    ({"13.12", "7.1"}, "0", 1),                            # and a real failure
    ({"7.1"}, "0", 1),
    ({"13.12"}, "1", 1),                                   # the program failed too
])
def test_only_a_known_race_asks_for_another_run(tmp_path, capsys, failed, status, expected):
    log = tmp_path / "x_pigpio.py.log"
    log.write_text(x_pigpio_log(failed))
    assert selftest_results.main(["x_pigpio.py", str(log), status, "1"]) == expected
    out = capsys.readouterr().out
    assert ("races in upstream's test" in out) == (expected == selftest_results.ONLY_KNOWN_RACES)


def test_a_missing_group_is_a_failure_even_with_a_known_race(tmp_path):
    log = tmp_path / "x_pigpio.py.log"
    log.write_text(x_pigpio_log({"13.12"}).replace("TEST 5.1 PASS", "nothing"))
    assert selftest_results.main(["x_pigpio.py", str(log), "0", "1"]) == 1


def test_the_same_race_elsewhere_is_a_failure(tmp_path):
    log = tmp_path / "x_pigpiod_if2.log"
    log.write_text("\n".join(f"TEST {g}.1 PASS" for g in range(1, 13)) + "\nTEST 13.12 FAILED\n")
    assert selftest_results.main(["x_pigpiod_if2", str(log), "0", "1"]) == 1

"""pigpiod_py/_numbers.py: generated from the headers, equal to the compiled
module's constants, and all the simulator needs (it runs without the compiled module)."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from test_binding import build_ffi

from pigpiod_py import _numbers, constants
from pigpiod_py._pigpiod import lib


def _public(module: object) -> dict:
    return {name: value for name, value in vars(module).items() if not name.startswith("_")}


def test_the_numbers_module_is_up_to_date_with_the_headers():
    try:
        client_header = build_ffi.find_header().read_text()
    except RuntimeError:
        pytest.skip("pigpiod_if2.h is not installed")
    expected = build_ffi.numbers_source(build_ffi.project_number_headers(), client_header)
    assert build_ffi.NUMBERS_MODULE.read_text() == expected, \
        "pigpiod_py/_numbers.py is stale: run python build_ffi.py --numbers"


def test_the_numbers_equal_the_compiled_constants():
    numbers = _public(_numbers)
    assert len(numbers) > 500
    assert {name: getattr(lib, name, None) for name in numbers} == numbers


def test_the_enumerations_hold_the_compiled_values():
    for enum, prefix in ((constants.Command, "PI_CMD_"), (constants.ErrorCode, "PI_")):
        assert all(member == getattr(lib, prefix + member.name) for member in enum)
    assert len(constants.Command) >= 100 and len(constants.ErrorCode) >= 140
    assert constants.ClientErrorCode.TOO_MANY_PIS == lib.pigif_too_many_pis
    assert constants.ClientErrorCode.BROKEN == lib.PGD_ERR_BROKEN


def test_generated_defines_and_enumerators():
    header = textwrap.dedent("""
    #define A 1   /* one */
    #define B -0x10
    #define C "text"
    typedef enum { x_one = -1, x_two = 2 } x_t;
    """)
    text = build_ffi.numbers_source({"h.h": header}, header)
    assert "\nA = 1\nB = -0x10\n" in text and "C =" not in text
    assert "\nx_one = -1\nx_two = 2\n" in text
    assert "do not edit" in text


#: Runs the in-process simulator with the compiled module made unimportable.
WITHOUT_COMPILED_MODULE = """
import sys

class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name == "pigpiod_py._pigpiod":
            raise ImportError("no compiled module here")
        return None

sys.meta_path.insert(0, Refuse())
try:
    import pigpiod_py._pigpiod
except ImportError:
    pass
else:
    raise SystemExit("the compiled module was not blocked")

from pigpiod_py.constants import Command
from pigpiod_py.sim import Simulator
from pigpiod_py.sim.interfaces.client import RawClient

with Simulator() as sim, RawClient(sim.host, sim.port) as client:
    client.command(Command.MODES, 17, 1)
    client.command(Command.WRITE, 17, 1)
    pulses = bytes.fromhex("00000200" "00000000" "0a000000" "00000000" "00000200" "0a000000")
    print(client.command(Command.READ, 17), client.command(Command.PIGPV),
          client.command(Command.WVAG, 0, 0, pulses), client.command(Command.WVSM))
print("pigpiod_py._pigpiod" in sys.modules)
"""


def test_the_simulator_runs_without_the_compiled_module():
    out = subprocess.run([sys.executable, "-c", WITHOUT_COMPILED_MODULE], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["1 79 2 20", "False"]

"""The compiled module: generated from the installed header, constants from C."""
from __future__ import annotations

import importlib.util
import re
import textwrap
from pathlib import Path

import pytest

from pigpiod_py import constants
from pigpiod_py._pigpiod import ffi, lib


def _load_build_ffi():
    """build_ffi.py from the source tree (also when testing an installed wheel)."""
    path = Path(__file__).resolve().parent.parent / "build_ffi.py"
    spec = importlib.util.spec_from_file_location("build_ffi", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_ffi = _load_build_ffi()


def header_functions() -> dict:
    try:
        header = build_ffi.find_header()
    except RuntimeError:
        pytest.skip("pigpiod_if2.h is not installed")
    return build_ffi.function_signatures(header.read_text())


def test_every_header_function_is_callable():
    functions = header_functions()
    assert len(functions) >= 130  # pigpiod_if2 1.78 declares 132
    missing = [name for name in functions if not callable(getattr(lib, name, None))]
    assert missing == []


def test_signature_table_matches_header():
    text = ffi.string(lib.pgd_header_signatures()).decode()
    compiled = {line.split()[0]: line.split()[1:] for line in text.splitlines()}
    assert compiled == header_functions()
    assert compiled["gpio_write"] == ["pi", "gpio", "level"]


def test_cdef_generation_strips_comments_and_keeps_integer_defines():
    text = textwrap.dedent("""
    /* a comment with int f(void); inside */
    #include "x.h"
    #define ANSWER 42
    #define NEG -7
    #define STR "no"
    #ifdef __cplusplus
    extern "C" {
    #endif
    typedef struct { char buf[ANSWER]; } s_t;
    int g(int pi, unsigned gpio); /* trailing */
    """)
    cdef = build_ffi.cdef_from_header(text)
    assert "#define ANSWER ..." in cdef and "#define NEG ..." in cdef
    assert "STR" not in cdef and "comment" not in cdef and "extern" not in cdef
    assert "char buf[42];" in cdef
    assert build_ffi.function_signatures(text) == {"g": ["pi", "gpio"]}


def test_constants_come_from_the_compiled_module():
    assert constants.Command.WRITE == lib.PI_CMD_WRITE
    assert constants.Command.NOIB == lib.PI_CMD_NOIB
    assert constants.ErrorCode.BAD_GPIO == lib.PI_BAD_GPIO
    assert constants.Mode.ALT0 == lib.PI_ALT0
    assert constants.PIGPIO_VERSION == 79
    assert constants.ClientErrorCode.BAD_RECV == lib.pigif_bad_recv


def test_python_sources_do_not_retype_pigpio_numbers():
    """Error codes and command numbers appear only in the C headers (and in
    _numbers.py, generated from them: see tests/test_numbers.py)."""
    package = Path(constants.__file__).parent
    offenders = []
    for path in package.glob("*.py"):
        if path.name == "_numbers.py":
            continue
        for line in path.read_text().splitlines():
            if re.search(r"=\s*-(?:[1-9]\d|1[0-4]\d)\b", line):
                offenders.append("%s: %s" % (path.name, line.strip()))
    assert offenders == []


def test_library_messages():
    assert ffi.string(lib.pigpio_error(lib.PI_BAD_GPIO)) == b"GPIO not 0-53"
    assert lib.pigpiod_if_version() == 17


def test_the_typed_stub_is_generated_from_the_headers_and_up_to_date():
    try:
        text = build_ffi.typed_stub()
    except RuntimeError:
        pytest.skip("pigpiod_if2.h is not installed")
    assert (Path(__file__).resolve().parent.parent / "pigpiod_py" / "_pigpiod.pyi").read_text() == text
    declared = set(re.findall(r"^    (?:def )?(\w+)", text, re.M))
    missing = [name for name in declared if not hasattr(lib, name)]
    assert missing == []
    assert "pgd_gpio_write" in declared and "PI_BAD_GPIO" in declared

"""cffi builder for pigpiod_py._pigpiod.

The cdef is generated, never hand-maintained:

* prototypes, typedefs and enums come from the installed ``pigpiod_if2.h``
  (comments and preprocessor lines stripped);
* types and ``PI_*`` integer constants come from ``include/pigpio.h``, the
  project's compatibility header (every ``#define NAME <int>`` becomes a
  ``#define NAME ...`` of the compiled module, so its value is the compiler's);
* the shim's API comes from ``include/pgd_shim.h``.

The same integer constants, as plain Python for code that must not need the
compiled module (the simulator), are in ``pigpiod_py/_numbers.py``: generated
by :func:`numbers_source` (``python build_ffi.py --numbers`` rewrites it) and
committed; tests/test_numbers.py checks it is up to date and agrees with the
compiled module.

``PIGPIOD_PREFIX`` points the build at another install prefix of the library
(``$PIGPIOD_PREFIX/include`` and ``$PIGPIOD_PREFIX/lib``); by default the
usual system prefixes are searched.

setup.py names :func:`build`; tests/test_c_sanitizers.py compiles the same C
with :func:`compile_args` and links it with :func:`atomic_link_args`.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import sysconfig
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, NamedTuple, Tuple

from cffi import FFI

HERE = Path(__file__).resolve().parent
INCLUDE = HERE / "include"
PREFIXES = ("/usr", "/usr/local")
#: The project's C: public headers (parsed into the cdef) and sources.
SHIM_HEADERS = ("pgd_shim.h", "pgd_events.h")
SHIM_SOURCES = ("pgd_net.c", "pgd_guard.c", "pgd_shim.c", "pgd_ring.c", "pgd_events.c",
                "pgd_signal.c")
#: The generated pure-Python twin of the compiled module's integer constants.
NUMBERS_MODULE = HERE / "pigpiod_py" / "_numbers.py"
_INTEGER_DEFINE = re.compile(r"^\s*#define\s+(\w+)\s+(-?(?:0x[0-9A-Fa-f]+|\d+))\s*$", re.M)


def compile_args() -> list[str]:
    """Compiler arguments for the project's C: the stable ABI of CPython 3.9
    for every source (one abi3 module serves 3.9 and later; free-threaded
    builds have no stable ABI), and a call of anything outside it is an
    error, not a warning."""
    args = ["-std=gnu11", "-Wall", "-Wno-unused-function", "-Werror=implicit-function-declaration"]
    if not sysconfig.get_config_var("Py_GIL_DISABLED"):
        args.append("-DPy_LIMITED_API=0x03090000")
    return args + sanitizer_args()


def sanitizer_args() -> list[str]:
    """``PIGPIOD_SANITIZE=address`` (or another -fsanitize= value) builds the
    module instrumented, for the sanitizer stress test; nothing by default."""
    sanitize = os.environ.get("PIGPIOD_SANITIZE")
    return ["-fsanitize=" + sanitize, "-fno-omit-frame-pointer", "-g"] if sanitize else []


def _compiler() -> list[str]:
    return shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")


@lru_cache(maxsize=None)
def atomic_link_args() -> tuple[str, ...]:
    """libatomic where the toolchain has it, recorded as a dependency only if
    the linked code calls it (``--as-needed``): the ring uses 32-bit atomics,
    which are instructions on every target, but an atomic the compiler turns
    into a library call (64-bit ones on ARMv6) must not break the import.
    A link probe decides; nothing where libatomic cannot be linked."""
    args = ("-Wl,--as-needed", "-latomic", "-Wl,--no-as-needed")
    with tempfile.TemporaryDirectory() as work:
        probe = Path(work) / "probe.c"
        probe.write_text("int main(void) { return 0; }\n")
        try:
            linked = subprocess.run([*_compiler(), str(probe), "-o", str(Path(work) / "probe"), *args],
                                    capture_output=True)
        except OSError:
            return ()
    return args if linked.returncode == 0 else ()


def _prefixes() -> list[str]:
    custom = os.environ.get("PIGPIOD_PREFIX")
    return [custom] if custom else list(PREFIXES)


def find_header() -> Path:
    """Path of the pigpiod_if2.h the module is built against."""
    for prefix in _prefixes():
        candidate = Path(prefix) / "include" / "pigpiod_if2.h"
        if candidate.is_file():
            return candidate
    raise RuntimeError(
        "pigpiod_if2.h not found under %s: install libpigpiod-if-dev or set "
        "PIGPIOD_PREFIX" % ", ".join(_prefixes())
    )


def _strip_comments(text: str) -> str:
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def _drop_cplusplus_guards(text: str) -> str:
    return re.sub(r"#ifdef __cplusplus.*?#endif", "", text, flags=re.S)


def integer_defines(text: str) -> Dict[str, str]:
    """Every ``#define NAME <integer literal>`` of a C header, in order: name to literal."""
    return dict(_INTEGER_DEFINE.findall(_strip_comments(text)))


def cdef_from_header(text: str) -> str:
    """Declarations cffi can parse from a C header: no comments, no
    preprocessor lines except integer ``#define``s (turned into ``...``)."""
    values = integer_defines(text)
    text = _drop_cplusplus_guards(_strip_comments(text))
    text = re.sub(r"\[(\w+)\]", lambda m: "[%s]" % values.get(m.group(1), m.group(1)), text)
    out = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            m = _INTEGER_DEFINE.match(stripped)
            if m:
                out.append("#define %s ..." % m.group(1))
            continue
        out.append(line)
    return "\n".join(out)


def enum_values(text: str) -> Dict[str, str]:
    """Every enumerator given an integer literal (``name = -2000,``) in a C header."""
    values: Dict[str, str] = {}
    for body in re.findall(r"\benum\b[^{;]*\{([^}]*)\}", _strip_comments(text)):
        values.update(re.findall(r"(\w+)\s*=\s*(-?(?:0x[0-9A-Fa-f]+|\d+))\s*(?:,|$)", body))
    return values


def numbers_source(project_headers: Dict[str, str], client_header: str) -> str:
    """The text of ``pigpiod_py/_numbers.py``: the integer ``#define``s of the
    project's headers (name to text) and the enumerators of pigpiod_if2.h."""
    sections = [(name, integer_defines(text)) for name, text in project_headers.items()]
    sections.append(("pigpiod_if2.h (its enums)", enum_values(client_header)))
    lines = ['"""Integer constants of pigpio.h, the shim\'s headers and pigpiod_if2.h\'s enums.',
             "",
             "Generated by ``python build_ffi.py --numbers`` (build_ffi.numbers_source): do not edit.",
             "The compiled module has the same constants; this module serves code that must",
             "not need it (the simulator).",
             '"""']
    for name, values in sections:
        lines += ["", "# -- %s" % name]
        lines += ["%s = %s" % item for item in values.items()]
    return "\n".join(lines) + "\n"


def project_number_headers() -> Dict[str, str]:
    """The texts of the project's headers whose integers ``_numbers.py`` holds, by path."""
    return {"include/" + name: (INCLUDE / name).read_text()
            for name in ("pigpio.h",) + SHIM_HEADERS}


def write_numbers() -> None:
    """Regenerate ``pigpiod_py/_numbers.py`` from the headers."""
    NUMBERS_MODULE.write_text(numbers_source(project_number_headers(), find_header().read_text()))


class Prototype(NamedTuple):
    """One function of a header: result type, name, and its parameters as
    written (``"char *buf"``) with their names."""

    result: str
    name: str
    params: List[str]
    names: List[str]


def prototypes(text: str) -> List[Prototype]:
    """Every function declared in a header, in order."""
    text = _drop_cplusplus_guards(_strip_comments(text))
    text = "\n".join(line for line in text.splitlines() if not line.strip().startswith("#"))
    found = []
    for m in re.finditer(r"^([A-Za-z_][\w \t\*]*?)\b(\w+)\s*\(([^()]*)\)\s*;", text, re.M):
        if text[: m.start()].rstrip().endswith("typedef"):
            continue
        params = [" ".join(p.split()) for p in m.group(3).split(",")]
        if params in ([""], ["void"]):
            params = []
        names = [re.findall(r"\w+", p)[-1] for p in params]
        found.append(Prototype(" ".join(m.group(1).split()), m.group(2), params, names))
    return found


def function_signatures(text: str) -> Dict[str, List[str]]:
    """Map of every function declared in a header to its parameter names."""
    return {p.name: p.names for p in prototypes(text)}


#: Functions of libpigpiod_if2 that get no guard: the connection (the shim
#: makes it) and the callbacks run by the library's notification thread (the
#: shim owns notifications; these would wait on a socket that never speaks).
UNGUARDED = frozenset((
    "pigpio_start", "pigpio_stop", "callback", "callback_ex", "wait_for_edge",
    "event_callback", "event_callback_ex", "wait_for_event",
))
GUARD_PREFIX = "pgd_"


def guarded(protos: List[Prototype]) -> List[Prototype]:
    """The functions that take a pi and get a guarded twin."""
    return [p for p in protos
            if p.params[:1] == ["int pi"] and p.name not in UNGUARDED
            and p.result in ("int", "uint32_t")]


def _guarded_body(p: Prototype) -> str:
    """The body of ``p``'s guarded twin."""
    unsigned = p.result == "uint32_t"
    carries_data = int(any("*" in param or "[" in param for param in p.params))
    return ("   pgd_call_t call;\n   int refused = pgd_guard_enter(token, &call, %d);\n"
            "   if (refused) return refused;\n   return %s(&call, %s(%s));\n"
            % (carries_data, "pgd_guard_leave_u32" if unsigned else "pgd_guard_leave", p.name,
               ", ".join(["call.pi"] + p.names[1:])))


def guard_wrappers(protos: List[Prototype]) -> Tuple[str, str]:
    """(cdef, C source) of the guarded twin of every function in ``protos``:
    ``pgd_<name>(int token, ...)`` (see include/pgd_guard.h). A uint32_t
    result becomes int64_t, so that failures stay negative."""
    cdefs, sources = [], []
    for p in protos:
        result = "int64_t" if p.result == "uint32_t" else "int"
        head = "%s %s%s(%s)" % (result, GUARD_PREFIX, p.name, ", ".join(["int token"] + p.params[1:]))
        cdefs.append(head + ";")
        sources.append("%s\n{\n%s}\n" % (head, _guarded_body(p)))
    return "\n".join(cdefs), "\n".join(sources)


#: Python types of the C types the module's functions take and return.
_PY_TYPES = {
    "int": "int", "unsigned": "int", "unsigned int": "int", "int32_t": "int", "uint32_t": "int",
    "int64_t": "int", "uint64_t": "int", "uint8_t": "int", "uint16_t": "int", "size_t": "int",
    "double": "float", "void": "None",
}
STUB = HERE / "pigpiod_py" / "_pigpiod.pyi"


def _py_type(ctype: str) -> str:
    """The Python type of a C type (pointers and structs: ``Any``)."""
    ctype = " ".join(ctype.replace("const", " ").split())
    if "*" in ctype or "[" in ctype:
        return "Any"
    return _PY_TYPES.get(ctype, "Any")


def _stub_function(p: Prototype) -> str:
    params = []
    for param, name in zip(p.params, p.names):
        ctype = param[: param.rindex(name)] + param[param.rindex(name) + len(name):]
        params.append("%s: %s" % (name, _py_type(ctype)))
    return "    def %s(self%s) -> %s: ...\n" % (
        p.name, "".join(", " + param for param in params), _py_type(p.result))


def typed_stub() -> str:
    """The text of ``pigpiod_py/_pigpiod.pyi``: every constant and function of
    the compiled module with its Python types, from the same headers."""
    header_text = find_header().read_text()
    shim_texts = [(INCLUDE / name).read_text() for name in SHIM_HEADERS]
    constants = set()
    for text in [(INCLUDE / "pigpio.h").read_text(), header_text, *shim_texts]:
        cdef = cdef_from_header(text)
        constants |= set(re.findall(r"^#define (\w+) \.\.\.$", cdef, re.M))
        for body in re.findall(r"\benum\s*\w*\s*\{([^}]*)\}", cdef):
            constants |= set(re.findall(r"(\w+)\s*(?:=[^,]*)?(?:,|$)", body.strip()))
    protos = prototypes(header_text)
    twins, _ = guard_wrappers(guarded(protos))
    functions = protos + prototypes(twins) + [p for t in shim_texts for p in prototypes(t)]
    functions.append(Prototype("const char *", "pgd_header_signatures", [], []))
    return ("# Generated by build_ffi.py (python build_ffi.py --stub) from pigpiod_if2.h and\n"
            "# include/: do not edit. The compiled cffi module is private.\n"
            "from typing import Any\n\nffi: Any\n\n\nclass _Lib:\n"
            + "".join("    %s: int\n" % name for name in sorted(constants))
            + "".join(_stub_function(p) for p in sorted(functions, key=lambda p: p.name))
            + "\n\nlib: _Lib\n")


def build() -> FFI:
    """The FFI builder of pigpiod_py._pigpiod (what setup.py's cffi_modules names)."""
    header = find_header()
    header_text = header.read_text()
    compat_text = (INCLUDE / "pigpio.h").read_text()
    shim_texts = [(INCLUDE / name).read_text() for name in SHIM_HEADERS]
    protos = prototypes(header_text)
    sigs = {p.name: p.names for p in protos}
    guard_cdef, guard_source = guard_wrappers(guarded(protos))
    sig_literal = "\\n".join("%s %s" % (n, " ".join(a)) for n, a in sorted(sigs.items()))

    ffibuilder = FFI()
    ffibuilder.cdef("typedef ... pthread_t;")
    ffibuilder.cdef(cdef_from_header(compat_text))
    ffibuilder.cdef(cdef_from_header(header_text))
    for text in shim_texts:
        ffibuilder.cdef(cdef_from_header(text))
    ffibuilder.cdef("const char *pgd_header_signatures(void);")
    ffibuilder.cdef(guard_cdef)

    lib_dirs = [str(Path(p) / "lib") for p in _prefixes()]
    ffibuilder.set_source(
        "pigpiod_py._pigpiod",
        '#include "pigpiod_if2.h"\n#include "pgd_guard.h"\n'
        + "".join('#include "%s"\n' % name for name in SHIM_HEADERS)
        + "/* generated from %s: one line per function, its parameter names */\n"
        'const char *pgd_header_signatures(void) { return "%s"; }\n' % (header, sig_literal)
        + "/* generated: the guarded twin of every call (include/pgd_guard.h) */\n" + guard_source,
        sources=[str((INCLUDE / name).relative_to(HERE)) for name in SHIM_SOURCES],
        include_dirs=[str(INCLUDE), str(header.parent)],
        library_dirs=lib_dirs,
        runtime_library_dirs=lib_dirs if os.environ.get("PIGPIOD_PREFIX") else [],
        libraries=["pigpiod_if2", "pthread", "rt"],  # rt: timer_create before glibc 2.34
        extra_compile_args=compile_args(),
        extra_link_args=list(atomic_link_args()) + sanitizer_args(),
    )
    return ffibuilder


if __name__ == "__main__":
    if sys.argv[1:] == ["--stub"]:
        STUB.write_text(typed_stub())
    elif sys.argv[1:] == ["--numbers"]:
        write_numbers()
    else:
        build().compile(verbose=True)

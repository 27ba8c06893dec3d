"""The package's layout: no import cycles, no private names imported across
modules, the simulator apart from the compiled module, a lazy top level."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Set, Union

import pigpiod_py

PACKAGE = Path(pigpiod_py.__file__).resolve().parent
#: The compiled module: known by its stub (it imports nothing of the package).
COMPILED = "pigpiod_py._pigpiod"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: Dict[str, Path] = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
KNOWN = set(MODULES) | {COMPILED}

Import = Union[ast.Import, ast.ImportFrom]


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def runtime_imports(tree: ast.Module) -> Iterator[Import]:
    """The import statements a module runs (anywhere but under ``if TYPE_CHECKING:``)."""
    stack: List[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
        else:
            stack.extend(ast.iter_child_nodes(node))


def _base(module: str, node: ast.ImportFrom) -> str:
    """The absolute name of what ``from ... import`` imports from."""
    if not node.level:
        return node.module or ""
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    parts = package.split(".")[:len(package.split(".")) - node.level + 1]
    return ".".join(parts + ([node.module] if node.module else []))


def dependencies(module: str) -> Set[str]:
    """The package's modules that ``module`` imports when it runs: ``from x import
    y`` depends on the submodule x.y if there is one, else on x (a package: its
    ``__init__``)."""
    found = set()
    for node in runtime_imports(ast.parse(MODULES[module].read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        else:
            base = _base(module, node)
            found |= {base + "." + a.name if base + "." + a.name in KNOWN else base
                      for a in node.names}
    return {name for name in found if name in KNOWN and name != module}


GRAPH = {module: dependencies(module) for module in MODULES}


def find_cycle(graph: Dict[str, Set[str]]) -> List[str]:
    """One import cycle (a path back to its start), or [] when there is none."""
    state: Dict[str, int] = {}  # 1 on the current path, 2 done
    path: List[str] = []

    def visit(node: str) -> List[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        state[node] = 2
        path.pop()
        return []

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start)
            if cycle:
                return cycle
    return []


def test_cycles_are_found():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_imports_resolve_relative_and_package_names():
    assert "pigpiod_py.sim.waves.pool" in GRAPH["pigpiod_py.sim.waves.commands"]
    assert "pigpiod_py.wave_model" in GRAPH["pigpiod_py.sim.waves.commands"]
    assert "pigpiod_py._numbers" in GRAPH["pigpiod_py.sim.board"]       # from .. import _numbers
    assert "pigpiod_py.bench" in GRAPH["pigpiod_py.bench.toggle"]       # from . import add_...
    assert COMPILED in GRAPH["pigpiod_py.wave"]


def test_the_package_has_no_import_cycles():
    assert find_cycle(GRAPH) == []


def test_the_simulator_never_reaches_the_compiled_module():
    reached, todo = set(), [m for m in MODULES if m.startswith("pigpiod_py.sim")]
    while todo:
        module = todo.pop()
        if module not in reached:
            reached.add(module)
            todo.extend(GRAPH.get(module, ()))
    assert COMPILED not in reached
    assert "pigpiod_py._numbers" in reached


def test_no_module_imports_another_modules_private_names():
    """The compiled module's ``ffi``/``lib`` and the numbers module are private
    to the package, not to a module; nothing else private is imported."""
    offenders = []
    for module, path in MODULES.items():
        for node in runtime_imports(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and _base(module, node) != COMPILED:
                offenders += ["%s: %s" % (module, a.name) for a in node.names
                              if a.name.startswith("_") and a.name not in ("_numbers", "annotations")]
    assert offenders == []


def test_the_top_level_names_are_those_type_checkers_see():
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    typed: Dict[str, List[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom)
                typed[imp.module or ""] = [a.name for a in imp.names]
    assert typed == {module: list(names) for module, names in pigpiod_py._EXPORTS.items()}


def test_the_top_level_imports_on_first_use():
    script = ("import sys, pigpiod_py\n"
              "assert 'pigpiod_py.session' not in sys.modules\n"
              "from pigpiod_py import *\n"
              "assert open is pigpiod_py.session.open and Pulse is pigpiod_py.wave_model.Pulse\n"
              "assert pigpiod_py.recording.Recording and 'WaveBuilder' in dir(pigpiod_py)\n"
              "print(len(pigpiod_py.__all__))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) == len(pigpiod_py.__all__) >= 60
    missing = [name for name in pigpiod_py.__all__ if not hasattr(pigpiod_py, name)]
    assert missing == []
    assert not hasattr(pigpiod_py, "no_such_name")

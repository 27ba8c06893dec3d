"""Every public class, function and method in pigpiod_py has a docstring."""
from __future__ import annotations

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "pigpiod_py"


def _is_property_accessor(node: ast.AST) -> bool:
    """A ``@x.setter`` or ``@x.deleter``: the getter carries the docstring."""
    return any(isinstance(d, ast.Attribute) and d.attr in ("setter", "deleter")
               for d in getattr(node, "decorator_list", []))


def undocumented() -> list[str]:
    """``path:line name`` of each public definition without a docstring."""
    missing: list[str] = []

    def visit(path: pathlib.Path, node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if (isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                    and not child.name.startswith("_")):
                if ast.get_docstring(child) is None and not _is_property_accessor(child):
                    missing.append(f"{path.relative_to(PACKAGE.parent)}:{child.lineno} "
                                   f"{prefix}{child.name}")
                if isinstance(child, ast.ClassDef):
                    visit(path, child, prefix + child.name + ".")

    for path in sorted(PACKAGE.rglob("*.py")):
        visit(path, ast.parse(path.read_text(encoding="utf-8")), "")
    return missing


def test_the_package_is_found():
    assert (PACKAGE / "session.py").exists()


def test_every_public_definition_has_a_docstring():
    assert undocumented() == []

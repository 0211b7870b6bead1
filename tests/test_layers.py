"""The layout keeps its promise: layers only look down, and nothing imports in a circle.

Every import in datagen/ (function-level and TYPE_CHECKING ones included) is
read with `ast`. Layers, bottom to top: the contracts (modules at datagen/'s
root and datagen/files); engine and sinks side by side, neither importing the
other; runs, pictures, upload and declarative, which wire them together, side
by side; the HTTP service; the CLI (whose `serve` starts the service);
datagen/__init__.py, the public face, which only Python users import; and
datagen/compat, the original tools' APIs rebuilt on all of it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "datagen"

#: Top-level folder (or "" for a root module) -> layer; same layer, other
#: folder: no imports either way.
LAYERS = {
    "": 0,
    "files": 0,
    "references": 0,
    "schemas": 0,
    "engine": 1,
    "sinks": 1,
    "faults": 1,
    "runs": 2,
    "pictures": 2,
    "upload": 2,
    "declarative": 2,
    "service": 3,
    "verify": 3,
    "cli": 4,
    "__init__": 5,
    "compat": 6,
}
#: Folders of one layer that may import each other: the contracts are the root
#: modules and the file helpers (atomic writes, safe paths, journey archives).
FRIENDS = {frozenset(("", "files")), frozenset(("", "references"))}
#: Import shims kept for a path a user was told about: they sit with the
#: public face, above everything, and nothing in datagen imports them.
SHIMS = {"datagen.document_run"}
#: Packages outside datagen that datagen must not import by name: built-ins
#: are loaded by the registries on first lookup, like plugins.
OUTSIDE = {"document_providers", "journey_providers", "tests", "bench"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def area(module: str) -> str:
    """The layer folder of a module: '' for datagen's root modules."""
    parts = module.split(".")
    if module == "datagen" or module in SHIMS:
        return "__init__"
    if len(parts) == 2 and not (PACKAGE / parts[1]).is_dir():
        return ""
    return parts[1]


def imports_of(module: str) -> set[str]:
    """The datagen modules (and outside packages) a module imports, anywhere
    in its text; `from a.b import c` counts as a.b.c when that is a module."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0]
                base = f"{anchor}.{base}" if base else anchor
            names = [base]
            names += [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if name in MODULES:
                found.add(name)
            elif top in OUTSIDE:
                found.add(top)
    found.discard(module)
    return found


GRAPH = {module: imports_of(module) for module in MODULES}


def test_the_walk_sees_the_package():
    assert "datagen.runs.loop" in GRAPH and "datagen.sinks.base" in GRAPH
    assert "datagen.sinks.base" in GRAPH["datagen.runs.loop"]
    assert {area(m) for m in MODULES} <= set(LAYERS), "a folder with no layer"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_layer_above_or_beside_it(module):
    here = area(module)
    wrong = []
    for imported in sorted(GRAPH[module]):
        if imported in OUTSIDE:
            wrong.append(f"{imported} (outside datagen)")
            continue
        there = area(imported)
        if there == here:
            continue
        if area(imported) == "__init__" and area(module) != "__init__":
            wrong.append(f"{imported} (the public face)")
        elif LAYERS[there] > LAYERS[here]:
            wrong.append(f"{imported} (layer {there} is above {here or 'root'})")
        elif LAYERS[there] == LAYERS[here] and frozenset((here, there)) not in FRIENDS:
            wrong.append(f"{imported} ({there} sits beside {here or 'root'})")
    assert not wrong, f"{module} imports " + ", ".join(wrong)


def test_no_import_cycles():
    cycles = []
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for imported in sorted(GRAPH.get(module, ())):
            if imported not in GRAPH:
                continue
            if state.get(imported) == 1:
                cycles.append(path[path.index(imported) :] + [imported])
            elif imported not in state:
                visit(imported)
        path.pop()
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_root_holds_few_modules_and_long_modules_say_why():
    root = [p for p in PACKAGE.glob("*.py")]
    assert len(root) <= 10, sorted(p.name for p in root)
    unexplained = []
    for path in MODULES.values():
        lines = path.read_text().count("\n")
        if lines > 300:
            docstring = ast.get_docstring(ast.parse(path.read_text())) or ""
            if "long" not in docstring.lower():
                unexplained.append(f"{path.relative_to(PACKAGE)} ({lines} lines)")
    assert not unexplained, "over 300 lines with no word on why: " + ", ".join(
        unexplained
    )

"""The package layout: data flows one way through the pipeline stages, and no import cycles.

Every ``import`` in ``geo_cds/`` is read with :mod:`ast` — at module level and inside
functions alike — and resolved to the module it loads. A module may import from its own stage
or an earlier one, never from a later one; and no chain of imports leads back to where it
started.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "geo_cds"

# Stages in pipeline order. Foundation modules may be imported by any stage; ``sample`` builds
# the sample layers and may import anything below ``cli``; the package root (the public API)
# sits with ``cli`` on top.
FOUNDATION = {"_version", "errors", "plan", "plan_model", "schema", "problems", "geom", "labels",
              "atomic", "checks"}
STAGES = ["foundation", "inputs", "analysis", "planning", "outputs", "pipeline", "sample", "cli"]
RANK = {stage: i for i, stage in enumerate(STAGES)}
RANK["api"] = RANK["cli"]

# Upward imports being removed (issue 9: planning returns data, only outputs writes — the
# writer's rework). Each entry is (importer, imported); delete it when the import is gone:
# test_known_upward_imports_still_exist fails as a reminder. Add nothing new here.
KNOWN_UPWARD: set[tuple[str, str]] = set()


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The geo_cds module ``name`` loads (its longest prefix that is a module), else None."""
    parts = name.split(".")
    while parts:
        if ".".join(parts) in modules:
            return ".".join(parts)
        parts.pop()
    return None


def _imports(module: str, path: Path, modules: dict[str, Path]) -> dict[str, int]:
    """geo_cds modules imported anywhere in ``path`` → first line number."""
    found: dict[str, int] = {}
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            # ``from pkg import mod`` loads pkg.mod when it is a module, else pkg itself
            names = [f"{base}.{a.name}" for a in node.names]
        for name in names:
            target = _resolve(name, modules)
            if target is not None and target != module:
                found.setdefault(target, node.lineno)
    return found


def _stage(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "api"
    head = parts[1]
    if head in FOUNDATION:
        return "foundation"
    if head in STAGES:
        return head
    raise AssertionError(
        f"{module} belongs to no stage: put it in a stage package, or add it to FOUNDATION"
    )


def _graph() -> dict[str, dict[str, int]]:
    modules = _modules()
    return {m: _imports(m, p, modules) for m, p in modules.items()}


def _upward(graph) -> set[tuple[str, str]]:
    return {
        (m, t)
        for m, targets in graph.items()
        for t in targets
        if RANK[_stage(t)] > RANK[_stage(m)]
    }


def _cycles(graph) -> list[list[str]]:
    """Every strongly connected component with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_every_module_belongs_to_a_stage():
    for module in _modules():
        _stage(module)


def test_no_upward_imports():
    graph = _graph()
    bad = sorted(_upward(graph) - KNOWN_UPWARD)
    assert not bad, "imports from a later stage:\n" + "\n".join(
        f"  {m} (line {graph[m][t]}) imports {t}" for m, t in bad
    )


def test_known_upward_imports_still_exist():
    gone = sorted(KNOWN_UPWARD - _upward(_graph()))
    assert not gone, f"fixed, remove from KNOWN_UPWARD: {gone}"


def test_no_import_cycles():
    cycles = _cycles(_graph())
    assert not cycles, "import cycles:\n" + "\n".join(f"  {' ↔ '.join(c)}" for c in cycles)


# The checker itself, on small hand-made graphs.


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b": 1}, "b": {"a": 1}}, [["a", "b"]]),
        ({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}, [["a", "b", "c"]]),
        ({"a": {"b": 1}, "b": {"c": 1}, "c": {}}, []),
    ],
)
def test_cycle_finder(graph, expected):
    assert _cycles(graph) == expected


def test_imports_inside_functions_and_relative_imports_are_seen(tmp_path):
    src = tmp_path / "m.py"
    src.write_text(
        "from geo_cds import schema as S\n"
        "def f():\n"
        "    from geo_cds.outputs.write import atomic_file\n"
        "    from . import tables\n"
        "    import geo_cds.pipeline\n"
    )
    modules = _modules()
    found = _imports("geo_cds.inputs.m", src, modules)
    assert set(found) == {
        "geo_cds.schema",
        "geo_cds.outputs.write",
        "geo_cds.inputs.tables",
        "geo_cds.pipeline",
    }
    upward = _upward({"geo_cds.inputs.m": found})
    assert upward == {
        ("geo_cds.inputs.m", "geo_cds.outputs.write"),
        ("geo_cds.inputs.m", "geo_cds.pipeline"),
    }

"""The house rules, measured: no module over 500 lines, no function over 60, no import cycle.

The exceptions kept are listed below, each with why. An exception that is no longer needed
fails too, so the list stays true. Run ``python tests/test_house.py [FOLDER]`` to see what
breaks the size rules under a folder, and ``python tests/test_house.py --cycles`` to see the
import cycles.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "incidentdesk"
MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 60

# "path" or "path::qualified.function": why it stays.
EXCEPTIONS: dict[str, str] = {}


# Import cycles between modules (imports under TYPE_CHECKING do not count), each as the
# sorted modules of one strongly connected component: why it stays.
CYCLES_KEPT: dict[tuple[str, ...], str] = {}


def violations(under: Path = PACKAGE) -> dict[str, int]:
    """Every module over the file limit and every function over the function limit, with its
    length in lines."""
    found: dict[str, int] = {}
    for path in sorted(under.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n") + (not text.endswith("\n") and bool(text))
        if lines > MAX_FILE_LINES:
            found[rel] = lines
        for name, length in _functions(ast.parse(text)):
            if length > MAX_FUNCTION_LINES:
                found[f"{rel}::{name}"] = length
    return found


def _functions(tree: ast.AST, prefix: str = "") -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            assert node.end_lineno is not None
            out.append((prefix + node.name, node.end_lineno - start + 1))
            out += _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            out += _functions(node, f"{prefix}{node.name}.")
    return out


def test_no_module_or_function_breaks_the_size_rules() -> None:
    found = violations()
    unexpected = {k: v for k, v in found.items() if k not in EXCEPTIONS}
    assert not unexpected, (
        f"over {MAX_FILE_LINES} lines (module) or {MAX_FUNCTION_LINES} (function): {unexpected}"
    )


def test_every_exception_kept_is_still_needed() -> None:
    stale = sorted(set(EXCEPTIONS) - set(violations()))
    assert not stale, f"no longer over the limit, remove from EXCEPTIONS: {stale}"


def test_the_check_sees_a_long_function(tmp_path: Path) -> None:
    body = "\n".join(f"        x{n} = {n}" for n in range(MAX_FUNCTION_LINES))
    (tmp_path / "m.py").write_text(f"class C:\n    def f(self):\n{body}\n")
    tree = ast.parse((tmp_path / "m.py").read_text())
    assert dict(_functions(tree)) == {"C.f": MAX_FUNCTION_LINES + 1}


def import_cycles(package: str = "incidentdesk") -> set[tuple[str, ...]]:
    """Every set of modules of ``package`` that import each other round in a circle (a
    strongly connected component of more than one module), as sorted tuples. Imports under
    ``TYPE_CHECKING`` are left out: they never run."""
    graph = grimp.build_graph(package, exclude_type_checking_imports=True, cache_dir=None)
    modules = sorted(graph.modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}
    return {tuple(sorted(c)) for c in _strongly_connected(modules, edges) if len(c) > 1}


def _strongly_connected(nodes: list[str], edges: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, without recursion (a long import chain would overflow the stack)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(component)
    return found


def test_no_new_import_cycle() -> None:
    new = sorted(import_cycles() - set(CYCLES_KEPT))
    assert not new, f"modules that import each other in a circle: {new}"


def test_every_cycle_kept_is_still_there() -> None:
    stale = sorted(set(CYCLES_KEPT) - import_cycles())
    assert not stale, f"no longer a cycle, remove from CYCLES_KEPT: {stale}"


def test_the_cycle_check_sees_a_circle_and_not_a_chain() -> None:
    edges = {"a": ["b"], "b": ["c"], "c": ["a", "d"], "d": ["e"], "e": [], "f": ["f"]}
    components = _strongly_connected(sorted(edges), edges)
    assert sorted(sorted(c) for c in components if len(c) > 1) == [["a", "b", "c"]]


if __name__ == "__main__":
    if sys.argv[1:] == ["--cycles"]:
        for cycle in sorted(import_cycles()):
            print(" <-> ".join(cycle) + ("   (kept)" if cycle in CYCLES_KEPT else ""))
        sys.exit()
    target = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else PACKAGE
    for key, length in sorted(violations(target).items()):
        print(f"{length:5d}  {key}" + ("   (kept)" if key in EXCEPTIONS else ""))

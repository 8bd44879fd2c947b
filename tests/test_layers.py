"""The architecture as a checked contract (pyproject.toml, [tool.importlinter]): the layers hold on
the tree, a breach fails them, and no module takes part in an import cycle."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["api", "ui", "rag", "index", "prompts", "eval"]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT), "--no-logo", "--no-cache"], cwd=tree, capture_output=True, text=True,
                          timeout=300, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"})


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """A copy of the packages and the contracts, to break on purpose."""
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.tsv", "*.txt",
                                                                                     "*.jsonl", "*.json", "*.png"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contracts_hold_on_the_tree():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("module, line, says", [
    ("rag/decide/gate.py", "import fastapi", "rag is not allowed to import fastapi"),
    ("index/loaders.py", "import gradio", "index is not allowed to import gradio"),
    ("api/replies.py", "import ui.render", "api.replies -> ui.render"),          # the two front ends
    ("index/build.py", "import rag.types", "index.build -> rag.types"),          # a lower layer upwards
    ("rag/compose/verify.py", "import rag.pipeline", "No cycles are allowed in rag"),   # a cycle in the core
])
def test_a_breach_breaks_a_contract(tree: Path, module: str, line: str, says: str):
    path = tree / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # breach\n", encoding="utf-8")
    result = lint(tree)
    assert result.returncode == 1 and "BROKEN" in result.stdout
    assert says in result.stdout, result.stdout


def strongly_connected(graph: grimp.ImportGraph, modules: set[str]) -> list[set[str]]:
    """Tarjan's components of the import graph restricted to `modules` (iterative: no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[set[str]] = []
    counter = 0
    for root in sorted(modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root) & modules)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        component.add(top)
                        if top == node:
                            break
                    out.append(component)
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child) & modules))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return out


def test_strongly_connected_finds_a_cycle_it_is_given():
    graph = grimp.ImportGraph()
    for a, b in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")]:
        graph.add_import(importer=a, imported=b)
    assert sorted(map(sorted, strongly_connected(graph, {"p.a", "p.b", "p.c", "p.d"}))) == [["p.a", "p.b", "p.c"], ["p.d"]]


def test_no_module_takes_part_in_an_import_cycle():
    graph = grimp.build_graph(*PACKAGES)
    ours = {m for m in graph.modules if m.split(".")[0] in PACKAGES}
    cycles = [sorted(c) for c in strongly_connected(graph, ours) if len(c) > 1]
    assert cycles == []

"""The shape of the package: no import cycles (module level or inside functions) and no module
over the size a reader can hold in their head."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "chromatic"
MAX_LINES = 400


def modules(root: Path = PACKAGE) -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (file, is a package ``__init__``) for every module under ``root``."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        out[".".join(parts)] = (path, is_pkg)
    return out


def imports_of(name: str, path: Path, is_pkg: bool, known: set[str]) -> set[str]:
    """Modules of the package that ``name`` imports anywhere in its file (inside functions and
    ``if TYPE_CHECKING`` blocks too). ``from a.b import c`` counts ``a.b`` and, where ``c`` is a
    submodule, ``a.b.c``; relative imports are resolved against the module's package."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if is_pkg else name.rpartition(".")[0]
    deps: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                # "import a.b.c" imports a.b.c (its parents are packages, not edges of the cycle check)
                if alias.name in known:
                    deps.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                if node.level > 1:
                    parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base in known:
                deps.add(base)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in known:
                    deps.add(sub)
    deps.discard(name)
    return deps


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    mods = modules(root)
    known = set(mods)
    return {name: imports_of(name, path, is_pkg, known) for name, (path, is_pkg) in mods.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as a path a -> ... -> a) for every strongly connected group of modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    counter = 0

    def visit(v: str) -> None:  # Tarjan, iterative over each node's edges
        nonlocal counter
        work = [(v, iter(sorted(graph[v])))]
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        while work:
            node, edges = work[-1]
            for w in edges:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    break
                if w in on_stack:
                    low[node] = min(low[node], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        group.add(w)
                        if w == node:
                            break
                    if len(group) > 1:
                        groups.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)

    out = []
    for group in groups:  # a shortest way back to the group's first module, to name in the failure
        start = min(group)
        paths = {start: [start]}
        frontier = [start]
        found = None
        while frontier and found is None:
            nxt = []
            for node in frontier:
                for w in sorted(graph[node] & group):
                    if w == start:
                        found = [*paths[node], start]
                        break
                    if w not in paths:
                        paths[w] = [*paths[node], w]
                        nxt.append(w)
                if found:
                    break
            frontier = nxt
        out.append(found or sorted(group))
    return sorted(out)


def test_the_cycle_check_finds_a_cycle_inside_a_function(tmp_path):
    pkg = tmp_path / "chromatic"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from chromatic.sub import b\n")  # b is a submodule
    (pkg / "sub" / "b.py").write_text("def f():\n    from .. import c\n")
    (pkg / "c.py").write_text("import chromatic.a\n")
    (pkg / "d.py").write_text("from chromatic.a import x\n")  # into the cycle, not part of it
    assert cycles(import_graph(pkg)) == [
        ["chromatic.a", "chromatic.sub.b", "chromatic.c", "chromatic.a"]
    ]


def test_no_import_cycles():
    found = cycles(import_graph())
    assert not found, "import cycles in src/chromatic:\n" + "\n".join(" -> ".join(c) for c in found)


def test_no_module_over_400_lines():
    over = {
        str(path.relative_to(SRC)): n
        for path, _ in modules().values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not over, f"modules over {MAX_LINES} lines (split them): " + ", ".join(
        f"{p} ({n})" for p, n in sorted(over.items())
    )


def package_graph(graph: dict[str, set[str]], root: Path = PACKAGE) -> dict[str, set[str]]:
    """Package -> the packages its modules import. A module belongs to its innermost package; an
    import between a package and one of its own sub-packages is not an edge (a package may use
    its parts, and its parts their parent's shared modules)."""
    packages = {name for name, (_, is_pkg) in modules(root).items() if is_pkg}

    def owner(m: str) -> str:
        return m if m in packages else m.rpartition(".")[0]

    out: dict[str, set[str]] = {p: set() for p in packages}
    for m, deps in graph.items():
        a = owner(m)
        for d in deps:
            b = owner(d)
            if a != b and not a.startswith(b + ".") and not b.startswith(a + "."):
                out.setdefault(a, set()).add(b)
                out.setdefault(b, set())
    return out


def test_the_package_check_finds_a_cycle_between_packages(tmp_path):
    pkg = tmp_path / "chromatic"
    for sub in ("x", "y"):
        (pkg / sub).mkdir(parents=True)
        (pkg / sub / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "x" / "a.py").write_text("from chromatic.y import b\n")  # x -> y
    (pkg / "y" / "b.py").write_text("")
    (pkg / "y" / "c.py").write_text("def f():\n    import chromatic.x.d\n")  # y -> x
    (pkg / "x" / "d.py").write_text("")
    graph = import_graph(pkg)
    assert not cycles(graph)  # no module cycle ...
    assert cycles(package_graph(graph, pkg)) == [["chromatic.x", "chromatic.y", "chromatic.x"]]


def test_no_cycles_between_packages():
    found = cycles(package_graph(import_graph()))
    assert not found, "package cycles in src/chromatic:\n" + "\n".join(
        " -> ".join(c) for c in found
    )


def test_the_benchmarks_library_is_imported_by_nothing_the_product_runs():
    """``chromatic.measure`` is what benchmarks and tests measure with: no module outside it
    imports it (so a figure can never change what is composed)."""
    graph = import_graph()
    users = sorted(
        m
        for m, deps in graph.items()
        if not m.startswith("chromatic.measure")
        and any(d == "chromatic.measure" or d.startswith("chromatic.measure.") for d in deps)
    )
    assert not users, f"modules importing chromatic.measure: {', '.join(users)}"

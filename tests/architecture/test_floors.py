"""The floors of docs/ARCHITECTURE.md hold: every import points down (or stays on its floor), no
package imports in a circle, and no function-level import of the project's own code hides an arrow.

Read from the source with ``ast`` (nothing is imported), so an arrow drawn inside a function counts
exactly like one at the top of a file.
"""

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Highest first. A module may import its own floor and the floors below it.
FLOORS = [
    ("pages and Shopify's callers", ("shopapp",)),
    ("push domain", ("integrations.orders",)),
    ("shop connection", ("integrations.shops",)),
    ("outside services", ("integrations.shopify", "integrations.backerkit")),
]
# Function-level imports of the project's own modules that are not there to dodge a circle.
ALLOWED_LAZY = {
    # Django loads an app's models before calling ready(); importing receivers at module level
    # would load models while the app registry is still being populated.
    ("integrations.orders.apps", "integrations.orders.receivers"),
    ("shopapp.apps", "shopapp.staff.login_events"),
}


def floor_of(module: str) -> int | None:
    for index, (_, prefixes) in enumerate(FLOORS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return index
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> list[Path]:
    files = []
    for top in ("shopapp", "integrations"):
        files += [p for p in (ROOT / top).rglob("*.py") if "migrations" not in p.parts]
    return sorted(files)


def imports_of(path: Path) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for each import of the project's own code."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                for alias in child.names:
                    # `from package import module` imports the module; `from module import name`, the module
                    submodule = f"{child.module}.{alias.name}"
                    found.append((submodule if submodule in known else child.module, child.lineno, in_function))
            visit(child, nested)

    known = {module_name(p) for p in source_files()}
    visit(tree, False)
    source = module_name(path)
    # A module's own parent packages are imported with it: no arrow.
    return [(m, line, lazy) for m, line, lazy in found if m in known and not source.startswith(m + ".")]


def test_the_floor_table_covers_every_source_file():
    files = source_files()
    assert len(files) > 100  # the walk found the tree
    unplaced = [module_name(p) for p in files if floor_of(module_name(p)) is None and module_name(p) != "integrations"]
    assert unplaced == [], f"modules on no floor (add them to docs/ARCHITECTURE.md and FLOORS): {unplaced}"


def test_no_import_points_to_a_higher_floor():
    upward = []
    for path in source_files():
        source = module_name(path)
        for target, line, _ in imports_of(path):
            if floor_of(target) < floor_of(source):
                upward.append(f"{path.relative_to(ROOT)}:{line} {source} -> {target}")
    assert upward == []


def test_the_outside_services_know_nothing_of_each_other():
    crossing = []
    for path in source_files():
        source = module_name(path)
        for top, other in (("integrations.shopify", "integrations.backerkit"),
                           ("integrations.backerkit", "integrations.shopify")):  # fmt: skip
            if source.startswith(top):
                crossing += [f"{source} -> {t}" for t, _, _ in imports_of(path) if t.startswith(other)]
    assert crossing == []


def test_no_function_level_import_of_the_project_hides_an_arrow():
    lazy = []
    for path in source_files():
        source = module_name(path)
        lazy += [
            f"{path.relative_to(ROOT)}:{line} {target}"
            for target, line, in_function in imports_of(path)
            if in_function and (source, target) not in ALLOWED_LAZY
        ]
    assert lazy == []


def package_of(module: str) -> str:
    """The package a module belongs to (a module directly under a top-level package is its own)."""
    parts = module.split(".")
    return ".".join(parts[:3]) if parts[0] == "integrations" else ".".join(parts[:2])


def test_no_modules_import_each_other_in_a_circle():
    graph: dict[str, set[str]] = defaultdict(set)
    for path in source_files():
        source = module_name(path)
        for target, _, in_function in imports_of(path):
            if target != source and not in_function:
                graph[source].add(target)
    cycle = _find_cycle(graph)
    assert cycle is None, " -> ".join(cycle or [])


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    WHITE, GREY, BLACK = 0, 1, 2
    colour: dict[str, int] = defaultdict(int)
    stack: list[str] = []

    def dfs(node: str) -> list[str] | None:
        colour[node] = GREY
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if colour[nxt] == GREY:
                return stack[stack.index(nxt) :] + [nxt]
            if colour[nxt] == WHITE and (found := dfs(nxt)):
                return found
        stack.pop()
        colour[node] = BLACK
        return None

    for node in sorted(graph):
        if colour[node] == WHITE and (found := dfs(node)):
            return found
    return None


@pytest.mark.parametrize("module", ["shopapp.models", "integrations.orders.models"])
def test_the_walk_sees_known_arrows(module):
    # A walk that found no imports at all would pass every test above.
    path = ROOT / (module.replace(".", "/") + ".py")
    assert any(t == "integrations.shops.models" for t, _, _ in imports_of(path))

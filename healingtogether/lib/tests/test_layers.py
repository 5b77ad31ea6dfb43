"""Apps import only downwards: lib ← places ← directory ← (search, articles) ← accounts ← api
← feeds. The synthetic generator sits beside search and articles and nothing imports it.

Articles may use search (a guide lists groups for its topic); nothing else goes sideways or up.
The test reads every module's imports (those inside functions too: a late import is still a
dependency) and prints the app graph it found, so a change in layering shows in the log.
"""

import ast
from collections import defaultdict
from pathlib import Path

import healingtogether

ROOT = Path(healingtogether.__file__).parent
LAYER = {
    "lib": 0,
    "formats": 0,
    "places": 1,
    "directory": 2,
    "search": 3,
    "articles": 3,
    "synthetic": 3,  # the invented groups of generate_groups: written through directory
    "accounts": 4,
    "api": 5,
    "feeds": 6,
}
SIDEWAYS = {("articles", "search")}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The healingtogether modules that the file at `path` imports."""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.startswith("healingtogether.")}


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts or len(parts) == 1:
            continue  # tests and migrations may reach anywhere; project modules sit on top
        yield parts[0], path


def app_graph() -> dict[tuple[str, str], set[str]]:
    edges = defaultdict(set)
    for app, path in _sources():
        for name in _imports(path):
            target = name.split(".")[1]
            if target != app and target in LAYER:
                edges[(app, target)].add(str(path.relative_to(ROOT)))
    return edges


def test_apps_import_only_downwards():
    edges = app_graph()
    for app in sorted(LAYER):
        print(f"{app:>9} imports {', '.join(sorted(t for a, t in edges if a == app)) or '-'}")
    wrong = {
        f"{app} → {target} ({', '.join(sorted(files))})"
        for (app, target), files in edges.items()
        if LAYER[target] >= LAYER[app] and (app, target) not in SIDEWAYS
    }
    assert not wrong, wrong


def test_no_module_imports_one_that_imports_it_back():
    modules = {_module_name(path): path for _app, path in _sources()}
    graph = {name: {m for m in _imports(path) if m in modules} for name, path in modules.items()}
    circles = {
        tuple(sorted((a, b))) for a, targets in graph.items() for b in targets if a in graph[b]
    }
    assert not circles, circles


def test_the_check_sees_imports_relative_ones_included():
    """The walk really finds imports, relative ones included (so the tests above can fail)."""
    found = _imports(ROOT / "directory" / "listing.py")
    assert "healingtogether.directory.models" in found
    assert "healingtogether.places.models" in found
    assert ("accounts", "directory") in app_graph()

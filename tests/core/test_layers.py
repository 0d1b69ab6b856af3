"""Imports go downwards only, with no module cycle, and every import inside a function says why it is deferred.

The package is read as text (``ast``); nothing of it is imported. The layers, lowest first::

    core < wechat < auth < organizations < (families, alliances) < access
         < (catalogue, courses, venues, visits, matching) < (reports, reminders) < dashboard < devtools

A module may import from its own layer or below; between two packages of one layer only while they form no
cycle. The app factory (``jlt_family/__init__.py``) and the model registry (``jlt_family/models.py``) stand above
every layer. Imports under ``if TYPE_CHECKING:`` never run and are not counted. An import inside a function body
needs a comment ``# deferred: <reason>`` on its line or the line above.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("wechat",),
    ("auth",),
    ("organizations",),
    ("families", "alliances"),
    ("access",),
    ("catalogue", "courses", "venues", "visits", "matching"),
    ("reports", "reminders"),
    ("dashboard",),
    ("devtools",),
)
LAYER_OF = {package: rank for rank, packages in enumerate(LAYERS) for package in packages}
TOP = len(LAYERS)  # the factory and the model registry: they may import everything, nothing imports them
ABOVE_EVERY_LAYER = {"jlt_family", "jlt_family.models"}
DEFERRED = re.compile(r"#\s*deferred:\s*\S")


@dataclass(frozen=True)
class Import:
    """One import statement's edge: ``module`` (at ``path:line``) imports ``target``."""

    module: str
    target: str
    path: str
    line: int
    in_function: bool
    reason_given: bool
    specific: bool = True  # False for ``x`` in ``from x import submodule`` (the edge is counted, not reported)
    internal: bool = True  # False for a library (only its reason, if deferred, is checked)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}  {self.module} -> {self.target}"

    @property
    def place(self) -> tuple[str, int, str]:
        return self.path, self.line, self.target


def modules(root: Path) -> dict[str, Path]:
    """Every module of ``root/jlt_family`` by dotted name (a package by its own name)."""
    found = {}
    for path in sorted((root / "jlt_family").rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imported_names(module: str, node: ast.Import | ast.ImportFrom, is_package: bool) -> list[str]:
    """The dotted names an import statement reaches: the module itself and, for ``from x import y``, ``x.y``."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        parts = module.split(".")
        if not is_package:
            parts = parts[:-1]
        parts = parts[: len(parts) - (node.level - 1)]
        base = ".".join(parts + ([base] if base else []))
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.Module):
    """Each import statement with whether it sits in a function body; imports under TYPE_CHECKING left out."""

    def walk(node: ast.AST, in_function: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    yield from walk_one(sub, in_function)
                continue
            yield from walk_one(child, in_function)

    def walk_one(node: ast.AST, in_function: bool):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, in_function
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            yield from walk(node, True)
        else:
            yield from walk(node, in_function)

    yield from walk(tree, False)


def _comments(text: str) -> dict[int, tuple[str, bool]]:
    """Each line's comment, and whether it stands alone on its line."""
    return {
        token.start[0]: (token.string, token.line.lstrip().startswith("#"))
        for token in tokenize.generate_tokens(io.StringIO(text).readline)
        if token.type == tokenize.COMMENT
    }


def _gives_reason(comments: dict[int, tuple[str, bool]], node: ast.stmt) -> bool:
    """A ``# deferred: <reason>`` on one of the statement's lines, or alone on the line above (or above the run of
    consecutive imports the statement belongs to, see ``imports``)."""
    above, alone = comments.get(node.lineno - 1, ("", False))
    own = [comments.get(line, ("", False))[0] for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)]
    return any(DEFERRED.search(text) for text in own) or (alone and bool(DEFERRED.search(above)))


def _heads_run(comments: dict[int, tuple[str, bool]], node: ast.stmt) -> bool:
    """A ``# deferred: <reason>`` alone on the line above: it covers the consecutive imports that follow too."""
    above, alone = comments.get(node.lineno - 1, ("", False))
    return alone and bool(DEFERRED.search(above))


def imports(root: Path) -> list[Import]:
    """Every import of one ``jlt_family`` module by another, and every library imported inside a function."""
    known = modules(root)
    found = []
    for module, path in known.items():
        text = path.read_text(encoding="utf-8")
        comments = _comments(text)
        rel = str(path.relative_to(root))
        previous: tuple[int, bool] = (-1, False)  # (last line, in a run with a reason) of the import just before
        for node, in_function in _import_nodes(ast.parse(text)):
            base, *rest = _imported_names(module, node, path.name == "__init__.py")
            submodules = [name for name in rest if name in known]
            # one reason may head a run of consecutive imports (the app factory's block)
            heads_run = _heads_run(comments, node)
            in_run = in_function and previous == (node.lineno - 1, True)
            reason = _gives_reason(comments, node) or in_run
            previous = (node.end_lineno or node.lineno, heads_run or in_run)
            if base in known and base != module:
                found.append(Import(module, base, rel, node.lineno, in_function, reason, specific=not submodules))
            for target in dict.fromkeys(submodules):
                if target != module:
                    found.append(Import(module, target, rel, node.lineno, in_function, reason))
            if in_function and base not in known and not submodules:
                found.append(Import(module, base, rel, node.lineno, in_function, reason, internal=False))
    return found


def package(module: str) -> str:
    parts = module.split(".")
    return module if module in ABOVE_EVERY_LAYER else parts[1]


def layer(module: str) -> int | None:
    return TOP if module in ABOVE_EVERY_LAYER else LAYER_OF.get(package(module))


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """The sets of more than one node that reach each other (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def layer_offenders(found: list[Import]) -> list[str]:
    """Module-level imports that go upwards, leave the layer map, or join two packages of one layer in a cycle."""
    top_level = [i for i in found if not i.in_function and i.specific and i.internal]
    same_layer: dict[str, set[str]] = {}
    for i in top_level:
        source, target = layer(i.module), layer(i.target)
        if package(i.module) != package(i.target) and source == target and source not in (None, TOP):
            same_layer.setdefault(package(i.module), set()).add(package(i.target))
    cyclic = {frozenset(c) for c in strongly_connected(same_layer)}
    out = []
    for i in sorted(top_level, key=lambda i: i.place):
        source, target = layer(i.module), layer(i.target)
        if i.module in ABOVE_EVERY_LAYER:
            continue
        if source is None or target is None:
            unmapped = package(i.module) if source is None else package(i.target)
            out.append(f"{i}  (package {unmapped!r} has no layer in LAYERS)")
        elif target > source:
            out.append(f"{i}  (upwards: {package(i.module)} imports {package(i.target)})")
        elif source == target and any({package(i.module), package(i.target)} <= c for c in cyclic):
            out.append(f"{i}  (same layer, in a package cycle: {package(i.module)} <-> {package(i.target)})")
    return list(dict.fromkeys(out))


def cycle_offenders(found: list[Import]) -> list[str]:
    """Each module cycle over module-level imports, with the imports that close it."""
    graph: dict[str, set[str]] = {}
    found = [i for i in found if i.internal]
    for i in found:
        if not i.in_function:
            graph.setdefault(i.module, set()).add(i.target)
    out = []
    for component in strongly_connected(graph):
        members = set(component)
        inside = [i for i in found if not i.in_function and i.module in members and i.target in members]
        edges = list(dict.fromkeys(str(i) for i in sorted(inside, key=lambda i: i.place)))
        out.append(f"cycle {{{', '.join(component)}}}:\n      " + "\n      ".join(edges))
    return out


def deferred_without_reason(found: list[Import]) -> list[str]:
    """Imports inside a function body with no ``# deferred: <reason>`` comment on their line or the line above."""
    missing = [i for i in found if i.in_function and i.specific and not i.reason_given]
    return list(dict.fromkeys(str(i) for i in sorted(missing, key=lambda i: i.place)))


def _report(title: str, offenders: list[str]) -> str:
    return f"{len(offenders)} {title}:\n  " + "\n  ".join(offenders)


# The house itself -------------------------------------------------------------------------------------------------


# The upward imports still to be taken out, each with what takes it out. Any other upward import fails the test,
# and so does an entry here once its import is gone (the list only shrinks).
KNOWN_UPWARD = {
    # School visibility follows alliance visibility: the visibility rules move into jlt_family.access
    "jlt_family.organizations.permissions -> jlt_family.alliances.models",
    # A staff role's scope may be an alliance: the scope map moves into jlt_family.access with the grants
    "jlt_family.organizations.service -> jlt_family.alliances.models",
    # Moving a pupil checks the guardian's access: the placement routes move above families
    "jlt_family.organizations.placement_routes -> jlt_family.families.permissions",
}


def _without_place(offender: str) -> str:
    return offender.split("  ")[1]


def test_imports_go_downwards_only():
    offenders = layer_offenders(imports(ROOT))
    new = [o for o in offenders if _without_place(o) not in KNOWN_UPWARD]
    assert not new, _report("imports against the layer order", new)
    gone = KNOWN_UPWARD - {_without_place(o) for o in offenders}
    assert not gone, f"no longer imported upwards, take them out of KNOWN_UPWARD: {sorted(gone)}"


def test_no_module_cycle():
    offenders = cycle_offenders(imports(ROOT))
    assert not offenders, _report("module cycles", offenders)


def test_every_function_level_import_gives_its_reason():
    offenders = deferred_without_reason(imports(ROOT))
    assert not offenders, _report("imports inside functions without a '# deferred: <reason>' comment", offenders)


# The checker on a small tree --------------------------------------------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in {"jlt_family/__init__.py": "", **files}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_the_checker_finds_an_upward_import_with_its_line(tmp_path):
    root = _tree(
        tmp_path,
        {
            "jlt_family/core/__init__.py": "",
            "jlt_family/core/errors.py": "import json\n\nfrom jlt_family.auth.context import Actor\n",
            "jlt_family/auth/__init__.py": "",
            "jlt_family/auth/context.py": "from jlt_family.core import errors\n",
        },
    )
    assert layer_offenders(imports(root)) == [
        "jlt_family/core/errors.py:3  jlt_family.core.errors -> jlt_family.auth.context  (upwards: core imports auth)"
    ]


def test_the_checker_allows_downward_factory_and_type_only_imports(tmp_path):
    root = _tree(
        tmp_path,
        {
            "jlt_family/__init__.py": "from jlt_family import dashboard\n",
            "jlt_family/models.py": "import jlt_family.visits.models\n",
            "jlt_family/core/__init__.py": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
            "    from jlt_family.visits.models import Visit\n",
            "jlt_family/visits/__init__.py": "",
            "jlt_family/visits/models.py": "from jlt_family.core import db\nfrom . import rules\n",
            "jlt_family/visits/rules.py": "from ..organizations.models import School\n",
            "jlt_family/organizations/__init__.py": "",
            "jlt_family/organizations/models.py": "",
            "jlt_family/dashboard/__init__.py": "",
        },
    )
    found = imports(root)
    assert layer_offenders(found) == []
    assert cycle_offenders(found) == []
    assert ("jlt_family.visits.rules", "jlt_family.organizations.models") in {(i.module, i.target) for i in found}


def test_the_checker_finds_a_package_cycle_within_one_layer_and_a_module_cycle(tmp_path):
    root = _tree(
        tmp_path,
        {
            "jlt_family/families/__init__.py": "",
            "jlt_family/families/models.py": "from jlt_family.alliances.models import Alliance\n",
            "jlt_family/alliances/__init__.py": "",
            "jlt_family/alliances/models.py": "\n\nfrom jlt_family.families import models\n",
        },
    )
    found = imports(root)
    assert layer_offenders(found) == [
        "jlt_family/alliances/models.py:3  jlt_family.alliances.models -> jlt_family.families.models  "
        "(same layer, in a package cycle: alliances <-> families)",
        "jlt_family/families/models.py:1  jlt_family.families.models -> jlt_family.alliances.models  "
        "(same layer, in a package cycle: families <-> alliances)",
    ]
    [cycle] = cycle_offenders(found)
    assert cycle.startswith("cycle {jlt_family.alliances.models, jlt_family.families.models}:")
    assert "jlt_family/families/models.py:1  jlt_family.families.models -> jlt_family.alliances.models" in cycle


def test_the_checker_wants_a_reason_for_each_function_level_import(tmp_path):
    root = _tree(
        tmp_path,
        {
            "jlt_family/core/__init__.py": "",
            "jlt_family/core/a.py": "",
            "jlt_family/core/cli.py": (
                "def zero():\n"
                "    import importlib  # deferred: only the command needs it\n"
                "    from pathlib import Path\n"
                "\n"
                "def one():\n"
                "    # deferred: click loads commands lazily\n"
                "    from jlt_family.core import a\n"
                "\n"
                "def two():\n"
                "    from jlt_family.core import a  # noqa: F401  # deferred: only when run\n"
                "\n"
                "def three():\n"
                "    from jlt_family.core import a  # a cycle, really\n"
                "\n"
                "def four():\n"
                "    # deferred:\n"
                "    from jlt_family.core import a\n"
                "\n"
                "def five():\n"
                "    # deferred: the factory's block, one reason for the run\n"
                "    from jlt_family.core import a\n"
                "    import importlib\n"
                "\n"
                "    from pathlib import Path\n"
            ),
            "jlt_family/unmapped/__init__.py": "from jlt_family.core import a\n",
        },
    )
    found = imports(root)
    assert deferred_without_reason(found) == [
        "jlt_family/core/cli.py:3  jlt_family.core.cli -> pathlib",
        "jlt_family/core/cli.py:13  jlt_family.core.cli -> jlt_family.core.a",
        "jlt_family/core/cli.py:17  jlt_family.core.cli -> jlt_family.core.a",
        "jlt_family/core/cli.py:24  jlt_family.core.cli -> pathlib",
    ]
    assert layer_offenders(found) == [
        "jlt_family/unmapped/__init__.py:1  jlt_family.unmapped -> jlt_family.core.a  "
        "(package 'unmapped' has no layer in LAYERS)"
    ]

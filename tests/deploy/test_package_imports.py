"""Every import a package's shipped code makes resolves with only what the package declares.

An image installs one service with `uv sync --frozen --no-dev --package motcua-<svc>`: its own
dependencies, its workspace libraries' dependencies and their locked closure, nothing from the
dev group. An import of a distribution that is not declared by the package (or by a workspace
package it depends on) works on a developer machine, where the whole workspace and the dev group
are installed, and fails in the image (`motcua-intake onboard` imported httpx that way).

Read statically: the import statements of src/ and migrations/ (ast), the declarations of every
pyproject.toml, and uv.lock for the extras' packages. Imports guarded by `if TYPE_CHECKING:` or
by `try: ... except ImportError:` are optional and not counted.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ["contracts", "libs/platform", "libs/clock", "services/intake", "services/workflow",
           "services/notify", "services/analytics", "standalone"]  # fmt: skip
PACKAGES = [*SHIPPED, "testkit"]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _req_name(req: str) -> tuple[str, list[str]]:
    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?", req)
    assert m, req
    extras = [e.strip() for e in (m.group(2) or "").split(",") if e.strip()]
    return _norm(m.group(1)), extras


def _projects() -> dict[str, dict]:
    out = {}
    for rel in PACKAGES:
        data = tomllib.loads((ROOT / rel / "pyproject.toml").read_text("utf-8"))
        out[_norm(data["project"]["name"])] = {"dir": ROOT / rel, **data["project"]}
    return out


def _lock() -> dict[str, dict]:
    data = tomllib.loads((ROOT / "uv.lock").read_text("utf-8"))
    return {_norm(p["name"]): p for p in data["package"]}


def declared(project: str, projects: dict[str, dict], lock: dict[str, dict]) -> set[str]:
    """Distributions `project` may import: its declared ones (with their direct locked
    dependencies and their extras' packages), and those of the workspace packages it declares,
    recursively. Deeper transitive packages are not counted: nothing guarantees they stay."""
    allowed: set[str] = set()
    todo, seen = [project], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        allowed.add(name)
        for req in projects[name].get("dependencies", []):
            dep, extras = _req_name(req)
            if dep in projects:
                todo.append(dep)
                continue
            allowed.add(dep)
            locked = lock.get(dep, {})
            # A declared library's own direct dependencies are part of its public surface
            # (fastapi -> starlette, pydantic -> pydantic-core), as are its extras' packages.
            allowed.update(_norm(d["name"]) for d in locked.get("dependencies", []))
            optional = locked.get("optional-dependencies", {})
            for extra in extras:
                allowed.update(_norm(d["name"]) for d in optional.get(extra, []))
    return allowed


def _optional_lines(tree: ast.AST) -> set[int]:
    """Line numbers of imports that are type-only or guarded against ImportError."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        guarded: list[ast.stmt] = []
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            guarded = node.body
        if isinstance(node, ast.Try) and any(
            h.type is not None
            and re.search(r"\b(ImportError|ModuleNotFoundError)\b", ast.unparse(h.type))
            for h in node.handlers
        ):
            guarded = node.body
        for stmt in guarded:
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.Import | ast.ImportFrom):
                    lines.add(sub.lineno)
    return lines


def top_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    optional = _optional_lines(tree)
    names: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in optional:
            continue
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def shipped_files(pkg_dir: Path) -> list[Path]:
    return sorted(
        p for sub in ("src", "migrations") for p in (pkg_dir / sub).rglob("*.py") if p.is_file()
    )


def undeclared_imports(project: str) -> dict[str, list[str]]:
    """{module: [file, ...]} for each import `project` makes that its declarations don't cover."""
    projects, lock = _projects(), _lock()
    allowed = declared(project, projects, lock)
    dists = {k: list(v) for k, v in packages_distributions().items()}
    for name, proj in projects.items():  # editable workspace installs are not always listed
        for src in (proj["dir"] / "src").iterdir():
            if src.is_dir():
                dists.setdefault(src.name, []).append(name)
    own = {p.name for p in (projects[project]["dir"] / "src").iterdir() if p.is_dir()}
    missing: dict[str, list[str]] = {}
    for path in shipped_files(projects[project]["dir"]):
        for module in top_level_imports(path):
            if module in sys.stdlib_module_names or module in own or module == "__future__":
                continue
            providers = {_norm(d) for d in dists.get(module, [])}
            if not providers:
                # Not installed at all (or a migration's `alembic` context): must still be known.
                providers = {_norm(module)}
            if not providers & allowed:
                missing.setdefault(module, []).append(str(path.relative_to(ROOT)))
    return missing


@pytest.mark.parametrize("rel", PACKAGES)
def test_every_import_is_declared_by_the_package(rel: str) -> None:
    data = tomllib.loads((ROOT / rel / "pyproject.toml").read_text("utf-8"))
    missing = undeclared_imports(_norm(data["project"]["name"]))
    assert not missing, f"{rel} imports undeclared distributions: {missing}"


@pytest.mark.parametrize("rel", SHIPPED)
def test_no_shipped_package_depends_on_the_testkit(rel: str) -> None:
    data = tomllib.loads((ROOT / rel / "pyproject.toml").read_text("utf-8"))
    deps = {_req_name(r)[0] for r in data["project"].get("dependencies", [])}
    assert "motcua-testkit" not in deps
    for path in shipped_files(ROOT / rel):
        assert "motcua_testkit" not in top_level_imports(path), path
        assert path.name not in ("testing.py", "standins.py"), f"test helper shipped: {path}"


def test_the_checker_sees_an_undeclared_import(tmp_path: Path) -> None:
    """The check itself: httpx is undeclared for a package that declares only pydantic."""
    mod = tmp_path / "m.py"
    mod.write_text(
        "import json\nimport httpx\nfrom typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import fastapi\n"
        "try:\n    import orjson\nexcept ImportError:\n    orjson = None\n",
        encoding="utf-8",
    )
    assert top_level_imports(mod) == {"json", "httpx", "typing"}
    projects = {"p": {"dependencies": ["pydantic[email]>=2"]}}
    lock = {
        "pydantic": {
            "dependencies": [{"name": "pydantic-core"}],
            "optional-dependencies": {"email": [{"name": "email-validator"}]},
        },
        "pydantic-core": {"dependencies": [{"name": "typing-extensions"}]},
    }
    allowed = declared("p", projects, lock)
    assert "httpx" not in allowed and "typing-extensions" not in allowed
    assert {"pydantic", "pydantic-core", "email-validator"} <= allowed

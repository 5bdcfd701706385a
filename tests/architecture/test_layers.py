"""The import graph the architecture promises: pure domains, parallel services.

Each check runs in a fresh interpreter, so what another test imported cannot hide a leak.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "workflow", "notify", "analytics")
# What a domain must never load, directly or through the platform.
INFRASTRUCTURE = (
    "fastapi",
    "starlette",
    "jwt",
    "sqlalchemy",
    "asyncpg",
    "aiokafka",
    "faststream",
    "httpx",
    "uvicorn",
)

_PROBE = """
import importlib, json, pkgutil, sys
pkg = importlib.import_module(sys.argv[1])
for info in pkgutil.walk_packages(pkg.__path__, sys.argv[1] + "."):
    importlib.import_module(info.name)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in sys.argv[2:])))
"""


@pytest.mark.parametrize("service", SERVICES)
def test_a_domain_loads_no_web_database_or_broker_code(service: str) -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, f"{service}.domain", *INFRASTRUCTURE],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    assert json.loads(out) == [], f"{service}.domain loads infrastructure"


def _first_party_imports(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_only_itself_the_contracts_and_the_platform(service: str) -> None:
    others = set(SERVICES) - {service}
    src = ROOT / "services" / service / "src" / service
    leaks = {
        str(path.relative_to(ROOT)): sorted(_first_party_imports(path) & others)
        for path in src.rglob("*.py")
        if _first_party_imports(path) & others
    }
    assert leaks == {}


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_same_inner_layers(service: str) -> None:
    src = ROOT / "services" / service / "src" / service
    for layer in ("domain", "application", "adapters", "entrypoints"):
        assert (src / layer / "__init__.py").is_file(), f"{service} has no {layer} layer"
    assert (src / "bootstrap.py").is_file(), f"{service} has no composition root"

"""The use cases hold the rules, the adapters the SQL: no module of intake's application
layer imports SQLAlchemy (not even for a type; it names adapters.transaction's aliases)."""

from __future__ import annotations

import ast
from pathlib import Path

import intake.application

APPLICATION = Path(intake.application.__file__).parent


def _imported_modules(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):  # every import, at any depth (TYPE_CHECKING, functions)
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def sqlalchemy_imports(source: str) -> list[str]:
    return [m for m in _imported_modules(ast.parse(source)) if m.split(".")[0] == "sqlalchemy"]


def test_the_check_sees_imports_at_any_depth() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from sqlalchemy.ext.asyncio import AsyncSession\n"
        "def f():\n"
        "    import sqlalchemy as sa\n"
    )
    assert sqlalchemy_imports(source) == ["sqlalchemy.ext.asyncio", "sqlalchemy"]
    assert sqlalchemy_imports("from intake.adapters.transaction import Transaction\n") == []


def test_no_application_module_imports_sqlalchemy() -> None:
    modules = sorted(APPLICATION.rglob("*.py"))
    assert len(modules) > 10  # the layer was found
    offenders = {
        str(p.relative_to(APPLICATION)): found
        for p in modules
        if (found := sqlalchemy_imports(p.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_closed_and_lateness_are_defined_once() -> None:
    """The merger and the citizen's page read the lifecycle's CLOSED and the aggregate's
    is_late; neither keeps its own copy of the rule."""
    from intake.application import merge_tenants, public_lookup
    from intake.domain import lifecycle

    assert merge_tenants.CLOSED is lifecycle.CLOSED
    assert not hasattr(public_lookup, "_late")
    assert "FINISHED" not in vars(public_lookup)

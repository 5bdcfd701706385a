"""The service Dockerfiles, read as text (no Docker engine here to build them)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "deploy" / "docker"
SERVICES = ["intake", "workflow", "notify", "analytics"]


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


@pytest.mark.parametrize("svc", SERVICES)
def test_dockerfile_is_multi_stage_non_root_and_locked(svc: str) -> None:
    path = DOCKER / f"{svc}.Dockerfile"
    steps = instructions(path.read_text(encoding="utf-8"))
    stages = [args for word, args in steps if word == "FROM"]
    assert len(stages) >= 2 and stages[0].endswith("AS builder"), stages
    final = max(i for i, (word, _) in enumerate(steps) if word == "FROM")
    runtime = steps[final:]
    runs = " ".join(args for word, args in steps if word == "RUN")
    assert f"uv sync --frozen --no-dev --package motcua-{svc}" in runs
    assert f"test -d services/{svc}/migrations" in runs
    # The final stage: copies the built /app (venv + sources + migrations) and drops root.
    assert ("COPY", "--from=builder /app /app") in runtime
    users = [args for word, args in runtime if word == "USER"]
    assert users == ["10001:10001"]
    assert ("ENTRYPOINT", f'["motcua-{svc}"]') in runtime
    env = " ".join(args for word, args in runtime if word == "ENV")
    assert "HOME=/tmp" in env and "PYTHONDONTWRITEBYTECODE=1" in env
    assert not [args for word, args in steps if word == "ADD"]  # nothing fetched by URL
    ignore = (DOCKER / f"{svc}.Dockerfile.dockerignore").read_text(encoding="utf-8")
    assert f"!services/{svc}/" in ignore and "**/tests/" in ignore


@pytest.mark.parametrize("svc", SERVICES)
def test_migrations_are_where_bootstrap_looks(svc: str) -> None:
    # bootstrap.py: Path(__file__).resolve().parents[2] / "migrations"
    bootstrap = ROOT / "services" / svc / "src" / svc / "bootstrap.py"
    assert 'parents[2] / "migrations"' in bootstrap.read_text(encoding="utf-8")
    assert (bootstrap.parents[2] / "migrations").is_dir()

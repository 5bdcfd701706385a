"""One standalone platform for the whole abuse suite, and the counts it writes at the end."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.abuse.platform_server import RunningPlatform
from tests.abuse.tokens import OWN, good_tokens
from tests.support.dossiers import registration

ARTIFACT = Path(__file__).resolve().parents[1] / "artifacts" / "abuse.txt"
COUNTS: dict[str, Counter[str]] = {}
ORDER = (
    "operations",
    "requests",
    "leaks",
    "bad tokens accepted",
    "server errors",
    "schema violations",
)


@pytest.fixture(scope="session")
def abuse_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    root = tmp_path_factory.mktemp("abuse")
    running = RunningPlatform(root / "data", root / "keys")
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def own_dossier(abuse_platform: RunningPlatform) -> str:
    """A dossier registered in the own commune: the object other communes must not reach."""
    token = good_tokens(abuse_platform.keys_dir)["clerk@own"]
    response = httpx.post(
        f"{abuse_platform.urls['intake']}/api/v1/communes/{OWN}/dossiers",
        json=registration(),
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "abuse-own-dossier"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    dossier_id = str(response.json()["dossier_id"])
    _wait_for_workflow(abuse_platform, dossier_id, token)
    return dossier_id


def record(suite: str, counts: Counter[str]) -> None:
    COUNTS[suite] = counts
    lines = [
        "# abuse suite (tests/abuse): the standalone platform (four services, one process),"
        " and intake on PostgreSQL",
        "",
    ]
    total: Counter[str] = Counter()
    for c in COUNTS.values():
        total.update({k: c.get(k, 0) for k in ORDER if k != "operations"})
    total["operations"] = max(c.get("operations", 0) for c in COUNTS.values())
    sections = {"total": total, **COUNTS} if len(COUNTS) > 1 else dict(COUNTS)
    for name, c in sections.items():
        lines.append(f"[{name}]")
        width = max(len(k) for k in c) if c else 0
        keys = [k for k in ORDER if k in c] + sorted(k for k in c if k not in ORDER)
        lines.extend(f"{k.ljust(width)} : {c[k]}" for k in keys)
        lines.append("")
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text("\n".join(lines), encoding="utf-8")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if COUNTS and ARTIFACT.exists():
        terminalreporter.section("abuse suite counts (tests/artifacts/abuse.txt)")
        terminalreporter.write_line(ARTIFACT.read_text(encoding="utf-8"))


def _wait_for_workflow(running: RunningPlatform, dossier_id: str, token: str) -> None:
    """Workflow learns the dossier from intake's event; the matrix needs it known there too."""
    import time

    url = f"{running.urls['workflow']}/api/v1/communes/{OWN}/dossiers/{dossier_id}/clock"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answer = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        if answer.status_code == 200:
            return
        time.sleep(0.2)
    raise AssertionError(f"workflow never knew dossier {dossier_id}")

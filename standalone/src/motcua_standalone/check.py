"""`--check`: the whole province onboarded through the API, simulated, then verified.

Done means for the simulator (issue #10): it drives the standalone platform for a while without
an error, and the dashboard then shows every commune. "Without an error" is checked three ways:
the simulator's own calls (every non-2xx answer), the platform's log (every ERROR record: failed
background jobs, dead letters), and the dead-letter counter. "Shows every commune" is checked on
the ranking the dashboard draws: every onboarded unit is listed, and each one's received count
equals the dossiers the simulator registered there (after the bus has drained).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from motcua_clock import VN_TZ
from motcua_platform.auth.dev_tokens import mint
from motcua_platform.auth.roles import Role
from prometheus_client import REGISTRY

VN = VN_TZ  # the one zone: motcua_clock's

PROVINCE_FILE = Path(__file__).resolve().parents[3] / "data" / "tenants" / "son-la-2025.json"


class ErrorLog(logging.Handler):
    """Keeps every ERROR record the platform logs while the check runs."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[str] = []
        self._mark = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()}"[:300])

    def mark(self) -> None:
        """Remembers where the check read the log: what comes later (shutdown) is counted apart."""
        self._mark = len(self.records)

    def since_mark(self) -> list[str]:
        return self.records[self._mark :]


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    communes_listed: int = 0
    communes_with_dossiers: int = 0
    received_total: int = 0
    drain_seconds: float = 0.0  # from the simulator's last call until analytics had them all

    def ok(self) -> bool:
        return not self.problems


def working_morning(now: datetime) -> datetime:
    """07:00 in Sơn La on the next weekday (today if it is one and the morning is not over)."""
    local = now.astimezone(VN)
    day = local.date()
    if local.hour >= 12:
        day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 7, 0, tzinfo=VN)


async def onboard_province(intake_url: str, path: Path = PROVINCE_FILE) -> list[str]:
    """PUTs every unit of the file through intake's API, as `motcua-intake onboard` does."""
    from intake.onboard import onboard, rows_of

    text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    rows = rows_of(json.loads(text))
    token = mint(Role.OPERATOR, None, subject="sim-operator")
    async with httpx.AsyncClient(base_url=intake_url, timeout=60) as client:
        report = await onboard(client, rows, token=token)
    if report.errors:
        raise RuntimeError(f"onboarding failed: {report.errors[:3]}")
    return [tenant_id for tenant_id, _ in rows]


async def ranking(
    analytics_url: str, start: date, end: date, client: httpx.AsyncClient | None = None
) -> list[dict[str, Any]]:
    token = mint(Role.PROVINCE_MONITOR, None, subject="sim-monitor")
    own = client or httpx.AsyncClient(timeout=60)
    try:
        response = await own.get(
            f"{analytics_url}/api/v1/ranking",
            params={"from": start.isoformat(), "to": end.isoformat()},
            headers={"Authorization": f"Bearer {token}"},
        )
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]
    finally:
        if client is None:
            await own.aclose()


async def wait_for_communes(analytics_url: str, ids: list[str], day: date, seconds: float) -> None:
    """Analytics learns units from the tenants topic; the simulation starts once it knows all."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        listed = {r["tenant_id"] for r in await ranking(analytics_url, day, day)}
        if set(ids) <= listed:
            return
        if loop.time() > deadline:
            raise RuntimeError(f"analytics never listed {sorted(set(ids) - listed)[:5]}")
        await asyncio.sleep(0.5)


def dead_letters() -> float:
    total = 0.0
    for metric in REGISTRY.collect():
        if metric.name == "motcua_dead_letters":
            total += sum(s.value for s in metric.samples if s.name.endswith("_total"))
    return total


async def verify(
    analytics_url: str,
    communes: list[str],
    registered: Counter[str],
    attempted: Counter[str],
    start: date,
    end: date,
    *,
    stall_seconds: float = 300.0,
    most_seconds: float = 3600.0,
) -> Verdict:
    """Waits until analytics has counted every registered dossier, then compares per commune.

    At a high simulator speed the consumers end the run far behind (thousands of events):
    slow is not wrong, so the wait goes on while analytics' count still grows, and gives up
    after `stall_seconds` without progress (or `most_seconds` in all).
    A registration the run's end cut off may or may not have committed: each commune's count
    must lie between the dossiers confirmed (201) and the registrations sent.
    """
    loop = asyncio.get_running_loop()
    began = loop.time()
    deadline, counted = began + stall_seconds, -1
    while True:
        rows = await ranking(analytics_url, start, end)
        received = {r["tenant_id"]: int(r["received"]) for r in rows}
        missing = [c for c in communes if c not in received]
        wrong = [c for c in communes if not registered[c] <= received.get(c, 0) <= attempted[c]]
        if not missing and not wrong:
            break
        now, total = loop.time(), sum(received.values())
        if total > counted:  # progress: the consumers are behind, not stuck
            deadline, counted = min(now + stall_seconds, began + most_seconds), total
        if now > deadline:
            break
        await asyncio.sleep(1.0)
    verdict = Verdict(
        communes_listed=sum(1 for c in communes if c in received),
        communes_with_dossiers=sum(1 for c in communes if received.get(c, 0) > 0),
        received_total=sum(received.get(c, 0) for c in communes),
        drain_seconds=loop.time() - began,
    )
    if missing:
        verdict.problems.append(f"{len(missing)} communes missing from the ranking: {missing[:5]}")
    for c in wrong[:10]:
        verdict.problems.append(
            f"{c}: analytics counts {received.get(c, 0)}, simulator registered "
            f"{registered[c]} (sent {attempted[c]})"
        )
    return verdict

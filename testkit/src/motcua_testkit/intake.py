"""Test helpers: intake on SQLite with a fixed clock, the real statutory clock and dev tokens.

Imported by intake's unit tests, the cross-service tests and the benchmark."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from intake.adapters.statutory_clock import CatalogueClock
from intake.auth import dev_tokens
from intake.bootstrap import build_runtime, seed_tenants
from intake.domain.time import VN
from intake.settings import IntakeSettings
from motcua_contracts.topics import Topics
from motcua_platform.auth.roles import Role
from motcua_platform.clock import FixedClock
from motcua_platform.rate_limit import TokenBucketLimiter
from motcua_platform.runtime import ServiceRuntime

A, B = "quyet-thang", "chieng-khuong"
STATUTORY = CatalogueClock()  # loaded once: the catalogue and calendar are immutable


@dataclass
class Desk:
    runtime: ServiceRuntime
    client: httpx.AsyncClient
    clock: FixedClock
    keys: Path

    def token(self, role: str, tenant: str | None = A, subject: str | None = None) -> str:
        return dev_tokens.mint(role, tenant, subject=subject, keys_dir=self.keys)

    def auth(self, role: str = Role.CLERK, tenant: str | None = A) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, tenant)}"}

    async def register(self, tenant: str = A, **overrides: Any) -> dict[str, Any]:
        response = await self.client.post(
            f"/api/v1/communes/{tenant}/dossiers",
            json={**dossier_body(), **overrides},
            headers=self.auth(Role.CLERK, tenant),
        )
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    async def act(
        self,
        dossier: dict[str, Any],
        action: str,
        body: dict[str, Any] | None = None,
        role: str = Role.CLERK,
    ) -> httpx.Response:
        url = f"/api/v1/communes/{dossier['tenant_id']}/dossiers/{dossier['dossier_id']}/{action}"
        return await self.client.post(url, json=body, headers=self.auth(role, dossier["tenant_id"]))


def dossier_body() -> dict[str, Any]:
    return {
        "procedure_code": "1.001193",
        "channel": "counter",
        "applicant": {
            "full_name": "Lò Văn Bình",
            "id_number": "014095001234",
            "date_of_birth": "1995-04-12",
            "phone": "0912345678",
            "email": "binh.lv@example.vn",
            "address": "Bản Hìn, xã Chiềng Khương, tỉnh Sơn La",
        },
        "documents": [
            {"name": "Giấy chứng sinh", "form": "original"},
            {"name": "Giấy chứng nhận kết hôn của cha mẹ", "form": "copy"},
        ],
    }


async def make_desk(
    tmp: Path, keys: Path, *, tenant_limiter: TokenBucketLimiter | None = None, **settings: Any
) -> tuple[ServiceRuntime, FixedClock]:
    clock = FixedClock(datetime(2026, 2, 13, 9, 0, tzinfo=VN))
    runtime = build_runtime(
        IntakeSettings(
            database_url=f"sqlite+aiosqlite:///{tmp / 'intake.db'}",
            environment="test",
            dev_keys_dir=str(keys),
            public_base_url="https://motcua.example.vn",
            # Tests drive one clerk hard on purpose; the limit tests pass strict ones.
            **{"principal_rate_per_second": 100_000.0, "principal_burst": 100_000, **settings},
        ),
        clock=clock,
        statutory=STATUTORY,
        limiter=TokenBucketLimiter(rate_per_minute=6000, burst=1000),
        # Tests drive one commune hard on purpose; the fairness test passes a strict one.
        tenant_limiter=tenant_limiter
        or TokenBucketLimiter(rate_per_minute=6_000_000, burst=100_000),
    )
    await runtime.migrate()
    await seed_tenants(runtime)
    return runtime, clock


async def outbox_events(
    runtime: ServiceRuntime, topic: str = Topics.DOSSIERS
) -> list[dict[str, Any]]:
    """Staged envelopes of one topic (the seeded units' TenantConfigured are on another)."""
    from intake.adapters.tables import outbox
    from sqlalchemy import select

    async with runtime.sessions() as session:
        rows = (
            await session.execute(
                select(outbox.c.value).where(outbox.c.topic == topic).order_by(outbox.c.id)
            )
        ).all()
    return [json.loads(r.value) for r in rows]

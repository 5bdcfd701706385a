"""Composition root: every dependency is built here and can be overridden by tests."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path

from motcua_platform.auth import TokenVerifier, verifier_from_settings
from motcua_platform.clock import Clock, SystemClock
from motcua_platform.rate_limit import ApiRateLimits, TokenBucketLimiter, install_api_rate_limits
from motcua_platform.runtime import ServiceRuntime, build_service

from intake.adapters import tenant_repo
from intake.adapters.catalogue_limits import statutory_working_days
from intake.adapters.tables import inbox, outbox
from intake.application.configure_tenant import configure_tenant
from intake.application.lookup_tokens import LookupTokens
from intake.application.merge_tenants import apply_due_mergers
from intake.application.ports import StatutoryClock
from intake.application.public_lookup import LookupGuard
from intake.entrypoints import (
    api_catalogue,
    api_ceremony,
    api_dossiers,
    api_duty,
    api_lifecycle,
    api_records,
    internal,
    public,
    tenants,
)
from intake.entrypoints.deps import IntakeDeps
from intake.entrypoints.errors import install_error_handlers
from intake.entrypoints.schemas_in import TenantIn
from intake.entrypoints.subscriptions import subscriptions
from intake.settings import IntakeSettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
PILOT_TENANTS = Path(__file__).resolve().parent / "data" / "pilot_tenants.json"
# Outside production only: links stay valid across restarts of a developer's machine.
_DEV_LOOKUP_SECRET = b"motcua-development-lookup-secret-not-for-production"


def _lookup_secret(settings: IntakeSettings) -> bytes:
    """Production reads its own secret and never accepts the development one."""
    if settings.lookup_secret_file:
        secret = Path(settings.lookup_secret_file).read_bytes().strip()
    elif settings.environment == "production":
        raise ValueError("production needs MOTCUA_INTAKE_LOOKUP_SECRET_FILE")
    else:
        return _DEV_LOOKUP_SECRET
    if settings.environment == "production" and (secret == _DEV_LOOKUP_SECRET or len(secret) < 32):
        raise ValueError("the look-up secret must be a production secret of at least 32 bytes")
    return secret


def build_runtime(
    settings: IntakeSettings | None = None,
    *,
    clock: Clock | None = None,
    statutory: StatutoryClock | None = None,
    verifier: TokenVerifier | None = None,
    limiter: TokenBucketLimiter | None = None,
    tenant_limiter: TokenBucketLimiter | None = None,
) -> ServiceRuntime:
    settings = settings or IntakeSettings()
    runtime = build_service(
        settings,
        migrations=MIGRATIONS,
        inbox=inbox,
        outbox=outbox,
        title="motcua — Tiếp nhận và trả kết quả (intake)",
        description=(
            "API của Bộ phận một cửa cấp xã: tiếp nhận hồ sơ, quy trình giải quyết, giấy hẹn, "
            "tra cứu công khai và đánh giá mức độ hài lòng. Mọi lỗi 4xx có mã ổn định "
            "(`code`) và thông báo tiếng Việt theo từng trường."
        ),
    )
    if statutory is None:
        from intake.adapters.statutory_clock import CatalogueClock

        statutory = CatalogueClock()

    app = runtime.app
    assert app is not None
    app.state.verifier = verifier or verifier_from_settings(settings)
    app.state.deps = IntakeDeps(
        sessions=runtime.sessions,
        clock=clock or SystemClock(),
        statutory=statutory,
        tokens=LookupTokens(_lookup_secret(settings)),
        limiter=limiter
        or TokenBucketLimiter(
            rate_per_minute=settings.public_rate_per_minute, burst=settings.public_burst
        ),
        public_base_url=settings.public_base_url,
        after_commit=runtime.nudge_relay,
        trusted_proxies=settings.trusted_networks,
        lookup_guard=LookupGuard(
            max_failures=settings.lookup_max_failures,
            lock_seconds=settings.lookup_lock_seconds,
        ),
    )
    limits = ApiRateLimits.from_settings(settings)
    if tenant_limiter is not None:
        limits.tenant = tenant_limiter
    install_api_rate_limits(app, limits)
    for module in (
        api_catalogue,  # before api_dossiers: /dossiers/preview is not a dossier id
        api_dossiers,
        api_lifecycle,
        api_records,
        api_duty,
        api_ceremony,
        tenants,
        internal,
        public,
    ):
        app.include_router(module.router)
    from intake.entrypoints.desk import desk_router

    app.include_router(desk_router(settings))
    install_error_handlers(app)
    runtime.subscriptions = subscriptions()
    deps = app.state.deps

    async def due_mergers(stop: asyncio.Event) -> None:
        """The `timers` role: a merger recorded for a later date takes effect on it."""
        while not stop.is_set():
            await apply_due_mergers(
                deps.sessions,
                now=deps.clock.now(),
                statutory_days=statutory_working_days,
                after_commit=runtime.nudge_relay,
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=settings.merger_poll_seconds)

    runtime.timers = [due_mergers]
    return runtime


async def seed_tenants(runtime: ServiceRuntime, path: Path = PILOT_TENANTS) -> int:
    """Onboards the file's units as the API would (events included). Idempotent."""
    rows = json.loads(await asyncio.to_thread(path.read_text, encoding="utf-8"))["tenants"]
    now = SystemClock().now()
    async with runtime.sessions() as session, session.begin():
        for row in rows:
            current = await tenant_repo.get_tenant(session, row["tenant_id"])
            if current is not None and "duty_roster" in current.config:
                # The roster is the commune leader's once set: a restart does not reset it.
                row = {k: v for k, v in row.items() if k not in ("duty_roster", "leader_on_duty")}
            body = TenantIn.model_validate({k: v for k, v in row.items() if k != "tenant_id"})
            await configure_tenant(
                session,
                tenants.command(row["tenant_id"], body),
                now=now,
                statutory_days=statutory_working_days,
            )
    runtime.nudge_relay()
    return len(rows)

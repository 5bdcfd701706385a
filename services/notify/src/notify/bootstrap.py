"""Composition root of notify: every dependency can be replaced by tests."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from motcua_platform import devclock
from motcua_platform.auth import TokenVerifier, verifier_from_settings
from motcua_platform.clock import Clock, SystemClock
from motcua_platform.rate_limit import ApiRateLimits, TokenBuckets, install_api_rate_limits
from motcua_platform.runtime import ServiceRuntime, build_service

from notify.adapters import render_process
from notify.adapters.gateways import HttpSms, ZaloZns
from notify.adapters.intake_contacts import DevTokens, FileToken, IntakeContacts
from notify.adapters.ledger import SqlLedger
from notify.adapters.letter_pdf import PdfLetters
from notify.adapters.secrets import ReferenceSecrets
from notify.adapters.smtp import SmtpEmail
from notify.adapters.tables import inbox, outbox
from notify.adapters.templates_db import DatabaseTemplates
from notify.application.compose import Composer
from notify.application.dispatch import DispatchConfig, Dispatcher
from notify.application.ports import (
    ContactDirectory,
    LetterRenderer,
    Provider,
    RateLimiter,
    SecretResolver,
)
from notify.application.send import Sender
from notify.domain.kinds import Channel
from notify.entrypoints import (
    api_callbacks,
    api_notifications,
    api_print,
    api_settings,
    api_templates,
)
from notify.entrypoints.deps import NotifyDeps
from notify.entrypoints.errors import install_error_handlers
from notify.entrypoints.subscriptions import subscriptions
from notify.settings import NotifySettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def dispatch_config(settings: NotifySettings) -> DispatchConfig:
    return DispatchConfig(
        public_base_url=settings.public_base_url,
        batch_size=settings.dispatch_batch_size,
        concurrency=settings.dispatch_concurrency,
        poll_seconds=settings.dispatch_poll_seconds,
        lease_seconds=settings.lease_seconds,
        retry_base_seconds=settings.retry_base_seconds,
        retry_cap_seconds=settings.retry_cap_seconds,
        max_attempts=settings.max_attempts,
        letter_max_attempts=settings.letter_max_attempts,
        morning_spread_seconds=settings.morning_spread_seconds,
        dead_letter_group=settings.group_id,
    )


def build_runtime(
    settings: NotifySettings | None = None,
    *,
    clock: Clock | None = None,
    contacts: ContactDirectory | None = None,
    providers: Mapping[Channel, Provider] | None = None,
    secrets: SecretResolver | None = None,
    letters: LetterRenderer | None = None,
    limiter: RateLimiter | None = None,
    verifier: TokenVerifier | None = None,
    http: httpx.AsyncClient | None = None,
) -> ServiceRuntime:
    settings = settings or NotifySettings()
    runtime = build_service(
        settings,
        migrations=MIGRATIONS,
        inbox=inbox,
        outbox=outbox,
        title="motcua — Thông báo (notify)",
        description=(
            "Tin nhắn, thư điện tử, Zalo và thư in gửi người dân và cán bộ: quy tắc gửi, mẫu "
            "thông báo có phiên bản, hàng đợi in của Bộ phận một cửa, trạng thái từng thông báo."
        ),
    )
    # With dev_clock (never production) the same movable clock as workflow's: a letter queued
    # on a simulated morning is dated that morning.
    clock = devclock.service_clock(settings.dev_clock, clock, SystemClock())
    policy = settings.deployment_policy()
    secrets = secrets or ReferenceSecrets(policy)
    # One pooled client for intake and the gateways; closed with the process.
    http = http or httpx.AsyncClient(limits=httpx.Limits(max_connections=200))
    if contacts is None:
        tokens = (
            FileToken(settings.intake_token_file)
            if settings.intake_token_file
            else DevTokens(settings.dev_keys_dir)
        )
        contacts = IntakeContacts(http, settings.intake_url, tokens)
    if providers is None:
        providers = {
            Channel.EMAIL: SmtpEmail(secrets),
            Channel.SMS: HttpSms(http, secrets, policy),
            Channel.ZALO: ZaloZns(http, secrets, policy),
        }
    engine = render_process.shared(
        timeout_seconds=settings.template_render_timeout_seconds,
        memory_mb=settings.template_memory_mb,
        workers=settings.template_workers,
    )
    read_sessions = runtime.read_sessions or runtime.sessions
    templates = DatabaseTemplates(read_sessions)
    composer = Composer(contacts, templates, engine, settings.public_base_url)
    letters = letters or PdfLetters()

    config = dispatch_config(settings)
    dispatcher = Dispatcher(
        ledger=SqlLedger(
            runtime.sessions,
            config.dead_letter_group,
            connections=_pool_size(runtime.engine, default=config.concurrency),
        ),
        sender=Sender(
            clock=clock,
            composer=composer,
            providers=providers,
            letters=letters,
            limiter=limiter or TokenBuckets(),
            morning_spread_seconds=config.morning_spread_seconds,
        ),
        clock=clock,
        config=config,
        after_commit=runtime.nudge_relay,
    )
    app = runtime.app
    assert app is not None
    app.state.verifier = verifier or verifier_from_settings(settings)
    install_api_rate_limits(app, ApiRateLimits.from_settings(settings))  # per principal, commune
    app.state.deps = NotifyDeps(
        sessions=runtime.sessions,
        clock=clock,
        composer=composer,
        letters=letters,
        templates=templates,
        engine=engine,
        secrets=secrets,
        policy=policy,
        after_commit=runtime.nudge_relay,
        read_sessions=read_sessions,
        dead_letter_group=settings.group_id,
    )
    app.state.dispatcher = dispatcher
    for module in (api_notifications, api_print, api_templates, api_settings, api_callbacks):
        app.include_router(module.router)
    devclock.mount(app, clock, enabled=settings.dev_clock)
    install_error_handlers(app)
    runtime.subscriptions = subscriptions(clock, dispatcher.nudge)
    runtime.timers = [dispatcher.run]
    return runtime


def _pool_size(engine: Any, *, default: int) -> int:
    """The engine pool's size (SQLite's pool has none: one writer anyway)."""
    size = getattr(engine.pool, "size", None)
    return int(size()) if callable(size) else default

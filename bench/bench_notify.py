"""Messages rendered and dispatched per second by notify, beside the gateway's own maximum.

`uv run python bench/bench_notify.py [--quick]` needs the PostgreSQL of `make services-up`.
A tiny SMS gateway runs as its own process on loopback. First a bare httpx client measures
the most requests per second that gateway answers (same concurrency); then notify's
dispatcher sends queued receipts through it: claim with SKIP LOCKED, fetch the contact (an
in-memory stand-in for intake), render the Vietnamese template in the sandbox, POST, record
the outcome and its NotificationSent event in one transaction. Also reports the sandboxed
rendering rate alone. Prints a table and writes bench/results/notify.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.support.servers import (  # noqa: E402
    create_database,
    drop_database,
    free_port,
    server_env,
    unique,
)

RESULTS = ROOT / "bench" / "results" / "notify.json"
TENANT = "bench-chieng-khuong"
CONCURRENCY = 32


async def gateway_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The leanest possible gateway: read the body, answer 200 with a message id."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": b'{"message_id":"g"}'})


def serve_gateway(port: int) -> None:
    import uvicorn

    uvicorn.run(gateway_app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def bare_rate(url: str, total: int) -> float:
    """What the gateway answers with nothing but a client in front of it."""
    body = {"to": "0912345678", "text": "x" * 160, "sender": "UBND XA", "reference": "r"}
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=200)) as client:
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(i: int) -> None:
            async with gate:
                r = await client.post(url, json=body, headers={"Idempotency-Key": str(i)})
                r.raise_for_status()

        await asyncio.gather(*(one(i) for i in range(50)))  # warm-up
        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(total)))
        return total / (time.perf_counter() - started)


def render_rate(total: int) -> float:
    from notify.application.templating import TemplateEngine, default_template
    from notify.domain.kinds import Channel, Kind
    from notify.domain.variables import sample

    engine = TemplateEngine()
    template = default_template(Kind.RESULT_READY, Channel.EMAIL)
    assert template is not None
    context = sample(Kind.RESULT_READY)
    started = time.perf_counter()
    for _ in range(total):
        engine.render(template, context)
    return total / (time.perf_counter() - started)


async def notify_rate(database_url: str, gateway: str, total: int) -> tuple[float, int]:
    from motcua_platform.clock import SystemClock
    from motcua_testkit.notify import FakeContacts, received
    from notify.adapters import store
    from notify.application.plan import plan_notifications
    from notify.bootstrap import build_runtime
    from notify.domain.rules import Trigger
    from notify.domain.tenant_settings import TenantSettings
    from notify.settings import NotifySettings

    runtime = build_runtime(
        NotifySettings(
            database_url=database_url,
            environment="test",
            dispatch_batch_size=256,
            dispatch_concurrency=CONCURRENCY,
            gateway_hosts="127.0.0.1",  # the stand-in gateway
        ),
        contacts=FakeContacts(),
    )
    await runtime.migrate()
    clock = SystemClock()
    settings = TenantSettings.model_validate(
        {
            "unit_name_vi": "Xã Chiềng Khương",
            "quiet_hours": {"start": "00:00", "end": "00:00"},  # any hour of the night
            "sms": {"url": gateway, "rate_per_second": 10_000},
            "rules": [{"kind": "receipt_confirmation", "chain": ["sms", "letter"]}],
        }
    )
    async with runtime.sessions() as session, session.begin():
        await store.save_settings(session, TENANT, settings, by="bench", now=clock.now())
        for i in range(total):
            event = received(code=f"000.22.38.H50-251007-{i:04d}")
            await plan_notifications(
                session,
                Trigger(
                    "DossierReceived",
                    f"ev-{i}",
                    TENANT,
                    f"d-{i}",
                    clock.now(),
                    facts=event.model_dump(mode="json"),
                    intake_channel="counter",
                    procedure_code="1.001193",
                ),
                now=clock.now(),
            )
    dispatcher = runtime.app.state.dispatcher  # type: ignore[union-attr]
    started = time.perf_counter()
    sent = 0
    while sent < total:
        done = await dispatcher.dispatch_once()
        if done == 0:
            break
        sent += done
    elapsed = time.perf_counter() - started
    from notify.adapters.tables import notifications
    from sqlalchemy import func, select

    async with runtime.sessions() as session:
        ok = await session.scalar(
            select(func.count())
            .where(notifications.c.status == "sent")  # type: ignore[arg-type]
            .select_from(notifications)
        )
    await runtime.close()
    return sent / elapsed, int(ok or 0)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="< 1 minute")
    parser.add_argument("--gateway", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.gateway:
        serve_gateway(args.gateway)
        return 0
    total = 1000 if args.quick else 5000
    env = server_env()
    port = free_port()
    gateway = subprocess.Popen([sys.executable, __file__, "--gateway", str(port)])
    url = f"http://127.0.0.1:{port}/sms"
    name = unique("bench_notify")
    try:
        for _ in range(100):
            try:
                httpx.post(url, json={}, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        database_url = asyncio.run(create_database(env, name))
        bare = asyncio.run(bare_rate(url, total))
        rate, ok = asyncio.run(notify_rate(database_url, url, total))
        rendered = render_rate(total * 5)
    finally:
        gateway.terminate()
        gateway.wait(10)
        asyncio.run(drop_database(env, name))
    assert ok == total, f"only {ok} of {total} sent"
    figures = {
        "messages_dispatched_per_second": {
            "value": round(rate, 1),
            "baseline": round(bare, 1),
            "ratio": round(rate / bare, 3),
            "target": ">= 0.25 (ratio): render, contact, send, record + event per message",
        },
        "templates_rendered_per_second": {
            "value": round(rendered, 1),
            "baseline": round(bare, 1),
            "ratio": round(rendered / bare, 3),
            "target": ">= 1 (ratio): rendering is never the bottleneck",
        },
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "notify dispatch",
                "quick": args.quick,
                "messages": total,
                "concurrency": CONCURRENCY,
                "figures": figures,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"{'figure':36} {'value':>10} {'baseline':>10} {'ratio':>7}  target")
    for key, f in figures.items():
        print(f"{key:36} {f['value']:>10} {f['baseline']:>10} {f['ratio']:>7}  {f['target']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

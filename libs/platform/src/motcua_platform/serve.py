"""Run one service (some or all of its roles) against Kafka: the production entrypoint."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn
from fastapi import FastAPI

from motcua_platform.health import health_router
from motcua_platform.messaging.kafka import make_broker
from motcua_platform.messaging.transport import KafkaTransport
from motcua_platform.runtime import ALL_ROLES, ServiceRuntime, make_app
from motcua_platform.security_headers import install_security_headers


def parse_roles(raw: str) -> frozenset[str]:
    roles = frozenset(r.strip() for r in raw.split(",") if r.strip())
    unknown = roles - ALL_ROLES
    if unknown or not roles:
        raise SystemExit(f"unknown roles {sorted(unknown)}; choose from {sorted(ALL_ROLES)}")
    return roles


def ops_app(runtime: ServiceRuntime) -> FastAPI:
    """For roles without the API: only health and metrics, for probes and scraping."""
    app = make_app(title=f"motcua-{runtime.name} (vận hành)")
    install_security_headers(app, runtime.settings)
    app.include_router(
        health_router(
            {"database": runtime.database_ready, "broker": runtime.broker_ready},
            optional=runtime.optional_checks,
        )
    )
    return app


def server_config(app: FastAPI, *, host: str, port: int, **options: Any) -> uvicorn.Config:
    """uvicorn's configuration for every service, here and in standalone.

    proxy_headers off: uvicorn would otherwise replace the client address with the one in
    X-Forwarded-For whenever the peer is in FORWARDED_ALLOW_IPS (loopback by default), so any
    local client could pick its own address. The header is read only by
    `motcua_platform.rate_limit.client_address`, from MOTCUA_<SVC>_TRUSTED_PROXIES.
    """
    return uvicorn.Config(
        app, host=host, port=port, log_config=None, **options, proxy_headers=False
    )


async def serve(
    runtime: ServiceRuntime, *, roles: frozenset[str], host: str, port: int, migrate: bool
) -> None:
    transport = KafkaTransport(make_broker(runtime.settings))
    if migrate:
        await runtime.migrate()
    runtime.wire(transport, roles)
    await transport.start()
    runtime.start_background(roles)
    app = runtime.app if ("api" in roles and runtime.app is not None) else ops_app(runtime)
    server = uvicorn.Server(server_config(app, host=host, port=port))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
    try:
        await server.serve()
    finally:
        await runtime.stop_background()
        await transport.stop()
        await runtime.close()


def run_cli(
    *,
    prog: str,
    build_runtime: Callable[[], ServiceRuntime],
    default_port: int,
    default_roles: str,
    extra: dict[str, Callable[[ServiceRuntime], Awaitable[None]]] | None = None,
    extra_help: dict[str, str] | None = None,
    tools: dict[str, tuple[str, Callable[[list[str]], int]]] | None = None,
    argv: list[str] | None = None,
) -> None:
    """`serve` (Kafka), `migrate`, and any service-specific commands.

    `extra` commands run on the service's runtime; `tools` (name -> (help, main(argv) -> exit
    code)) parse their own arguments and need no runtime. All are listed in `--help`.
    """
    import argparse
    import sys

    from motcua_platform.logs import configure_logging

    argv = sys.argv[1:] if argv is None else argv
    if tools and argv[:1] and argv[0] in tools:
        raise SystemExit(tools[argv[0]][1](argv[1:]))
    parser = argparse.ArgumentParser(prog=prog)
    sub = parser.add_subparsers(dest="command", required=True, metavar="lệnh")
    run = sub.add_parser("serve", help="chạy dịch vụ với Kafka")
    run.add_argument("--roles", default=default_roles, help=f"trong {sorted(ALL_ROLES)}")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=default_port)
    run.add_argument("--no-migrate", action="store_true")
    sub.add_parser("migrate", help="nâng cấp lược đồ cơ sở dữ liệu")
    for name in extra or {}:
        sub.add_parser(name, help=(extra_help or {}).get(name, name))
    for name, (text, _) in (tools or {}).items():
        sub.add_parser(name, help=f"{text} (xem: {prog} {name} --help)", add_help=False)
    args = parser.parse_args(argv)

    runtime = build_runtime()
    settings = runtime.settings
    configure_logging(settings.service_name, level=settings.log_level, as_json=settings.log_json)
    from opentelemetry import trace

    from motcua_platform.telemetry import configure_tracing

    trace.set_tracer_provider(
        configure_tracing(settings.service_name, otlp_endpoint=settings.otlp_endpoint)
    )
    if args.command == "serve":
        coro: Awaitable[None] = serve(
            runtime,
            roles=parse_roles(args.roles),
            host=args.host,
            port=args.port,
            migrate=not args.no_migrate,
        )
    elif args.command == "migrate":
        coro = runtime.migrate()
    else:
        coro = (extra or {})[args.command](runtime)
    asyncio.run(coro)  # type: ignore[arg-type]

"""Stand-ins on loopback for tests and the benchmark: SMS gateway, Zalo ZNS, intake's
contact endpoint (ASGI, served by uvicorn in a thread) and an SMTP server (aiosmtpd).

Each route can be told to answer ok, 4xx, 5xx, 429 or to time out, for some requests or
for good; every request is recorded with its idempotency key. Never used in production.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from motcua_platform.auth.roles import Role


@dataclass
class Behaviour:
    mode: str = "ok"  # ok | 400 | 429 | 500 | 503 | timeout | zalo_error
    times: int = -1  # how many requests behave so; -1: until told otherwise
    delay: float = 2.0  # for "timeout"

    def take(self) -> str:
        if self.mode == "ok" or self.times == 0:
            return "ok"
        if self.times > 0:
            self.times -= 1
        return self.mode


@dataclass
class Recorded:
    route: str
    key: str
    body: dict[str, Any]
    answered: str
    at: float = field(default_factory=time.monotonic)
    traceparent: str | None = None  # the caller's W3C trace context, when it sent one


class GatewayStandIn:
    def __init__(self, *, verify_token: Any = None) -> None:
        self.behaviour: dict[str, Behaviour] = {"sms": Behaviour(), "zns": Behaviour()}
        self.requests: list[Recorded] = []
        self.contacts: dict[str, dict[str, Any]] = {}
        self.contact_calls: list[tuple[str, str, str]] = []
        self.contact_tenants: list[str] = []
        self.missing: dict[str, list[str]] = {}  # Form 02's lists, as intake keeps them
        self._verify = verify_token
        self.app = self._build()

    def set(self, route: str, mode: str, times: int = -1, delay: float = 2.0) -> None:
        self.behaviour[route] = Behaviour(mode, times, delay)

    def seen(self, route: str) -> list[Recorded]:
        return [r for r in self.requests if r.route == route]

    def _build(self) -> FastAPI:
        app = FastAPI()

        async def answer(route: str, request: Request, key: str) -> Response:
            body = await request.json()
            mode = self.behaviour[route].take()
            traceparent = request.headers.get("traceparent")
            self.requests.append(Recorded(route, key, body, mode, traceparent=traceparent))
            if mode == "timeout":
                await asyncio.sleep(self.behaviour[route].delay)
                return JSONResponse({"late": True})
            if mode == "429":
                return JSONResponse({"error": "slow down"}, 429, headers={"Retry-After": "0"})
            if mode == "zalo_error":
                return JSONResponse({"error": -108, "message": "Phone number is invalid"})
            if mode != "ok":
                return JSONResponse({"error": mode}, int(mode))
            if route == "zns":
                return JSONResponse({"error": 0, "message": "Success", "data": {"msg_id": key}})
            return JSONResponse({"message_id": f"sms-{key}"})

        @app.post("/sms")
        async def sms(request: Request) -> Response:
            return await answer("sms", request, request.headers.get("idempotency-key", ""))

        @app.post("/zns")
        async def zns(request: Request) -> Response:
            body = await request.json()  # Starlette caches it for `answer`
            return await answer("zns", request, str(body.get("tracking_id", "")))

        @app.get("/internal/v1/communes/{tenant_id}/dossiers/{dossier_id}/contact")
        async def contact(
            tenant_id: str, dossier_id: str, channel: str, purpose: str, request: Request
        ) -> Response:
            token = request.headers.get("authorization", "").removeprefix("Bearer ")
            if self._verify is not None:
                principal = await self._verify(token)
                if Role.NOTIFY not in principal.roles:
                    return JSONResponse({"code": "auth.forbidden"}, 403)
                if principal.tenant_id != tenant_id:  # like intake: the token's own commune
                    return JSONResponse({"code": "auth.other_commune"}, 403)
            self.contact_calls.append((dossier_id, channel, purpose))
            self.contact_tenants.append(tenant_id)
            found = self.contacts.get(dossier_id)
            if found is None:
                return JSONResponse({"code": "dossier.not_found"}, 404)
            if channel == "email" and not found.get("email"):
                return JSONResponse({"code": "contact.no_email"}, 404)
            keys = {"sms": ("phone",), "email": ("email",), "letter": ("full_name", "address")}
            return JSONResponse(
                {"dossier_id": dossier_id, "channel": channel}
                | {k: found.get(k) for k in keys[channel]}
            )

        @app.get("/internal/v1/communes/{tenant_id}/dossiers/{dossier_id}/missing-items")
        async def missing_items(tenant_id: str, dossier_id: str, request: Request) -> Response:
            token = request.headers.get("authorization", "").removeprefix("Bearer ")
            if self._verify is not None:
                principal = await self._verify(token)
                if Role.NOTIFY not in principal.roles or principal.tenant_id != tenant_id:
                    return JSONResponse({"code": "auth.forbidden"}, 403)
            items = self.missing.get(dossier_id)
            if not items:
                return JSONResponse({"code": "supplement.none"}, 404)
            return JSONResponse({"dossier_id": dossier_id, "missing_items": items})

        return app


class ThreadedServer:
    """uvicorn in a daemon thread: the app answers real HTTP on loopback."""

    def __init__(self, app: Any, port: int) -> None:
        self.port = port
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", access_log=False
        )
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> ThreadedServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("stand-in server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)


class SmtpStandIn:
    """aiosmtpd handler: keeps every message; can answer 451 (temporary) or 550."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.answer = "250 OK"
        self.times = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.times != 0 and self.answer != "250 OK":
            self.times -= 1
            return self.answer
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(parsed)
        return "250 OK"


def start_smtp(port: int) -> tuple[Any, SmtpStandIn]:
    from aiosmtpd.controller import Controller

    handler = SmtpStandIn()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, handler

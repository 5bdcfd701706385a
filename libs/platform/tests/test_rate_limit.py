"""The platform's one rate limiter: trusted proxies, per principal and per commune, the 429."""

from __future__ import annotations

import asyncio
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI, Request
from motcua_platform.auth import Principal, Role
from motcua_platform.auth.fastapi import current_principal
from motcua_platform.errors import install_error_handlers
from motcua_platform.rate_limit import (
    RATE_LIMITED,
    ApiRateLimits,
    RateLimitSettings,
    TokenBucketLimiter,
    client_address,
    install_api_rate_limits,
    parse_networks,
)
from motcua_platform.serve import server_config
from pydantic import ValidationError
from starlette.datastructures import Headers


def _request(peer: str, *forwarded: str) -> Request:
    headers = Headers(headers={"x-forwarded-for": ", ".join(forwarded)} if forwarded else {})
    return Request(
        {
            "type": "http",
            "client": (peer, 5555),
            "headers": headers.raw,
            "method": "GET",
            "path": "/",
        }
    )


INGRESS = parse_networks(["10.42.0.0/16"])


def test_the_header_of_an_untrusted_peer_is_ignored() -> None:
    assert client_address(_request("203.0.113.9", "198.51.100.1"), ()) == "203.0.113.9"
    assert client_address(_request("203.0.113.9", "198.51.100.1"), INGRESS) == "203.0.113.9"
    # Loopback is not trusted unless configured (uvicorn trusts it by default).
    assert client_address(_request("127.0.0.1", "198.51.100.1"), INGRESS) == "127.0.0.1"


def test_a_trusted_proxy_gives_the_address_it_saw_not_what_the_client_wrote() -> None:
    assert client_address(_request("10.42.1.7", "198.51.100.1"), INGRESS) == "198.51.100.1"
    # The client wrote "1.2.3.4" itself; the ingress appended the real address.
    spoofed = _request("10.42.1.7", "1.2.3.4", "198.51.100.1")
    assert client_address(spoofed, INGRESS) == "198.51.100.1"
    # Two trusted hops (ingress behind a load balancer in the same range).
    chain = _request("10.42.1.7", "1.2.3.4", "198.51.100.1", "10.42.0.3")
    assert client_address(chain, INGRESS) == "198.51.100.1"
    # Garbage in the header: nothing left of it is believed.
    assert client_address(_request("10.42.1.7", "1.2.3.4", "nonsense"), INGRESS) == "10.42.1.7"
    assert client_address(_request("10.42.1.7"), INGRESS) == "10.42.1.7"


def test_trusted_proxies_come_from_the_environment_as_cidrs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MOTCUA_TRUSTED_PROXIES", "10.42.0.0/16, 192.168.1.1")
    settings = RateLimitSettings(environment="test")
    assert settings.trusted_proxies == ["10.42.0.0/16", "192.168.1.1"]
    assert [str(n) for n in settings.trusted_networks] == ["10.42.0.0/16", "192.168.1.1/32"]
    monkeypatch.setenv("MOTCUA_TRUSTED_PROXIES", '["fd00::/8"]')
    assert RateLimitSettings(environment="test").trusted_proxies == ["fd00::/8"]
    monkeypatch.setenv("MOTCUA_TRUSTED_PROXIES", "everyone")
    with pytest.raises(ValidationError):
        RateLimitSettings(environment="test")
    monkeypatch.delenv("MOTCUA_TRUSTED_PROXIES")
    assert RateLimitSettings(environment="test").trusted_proxies == []  # none by default


def test_uvicorn_never_rewrites_the_client_address() -> None:
    config = server_config(FastAPI(), host="127.0.0.1", port=0, timeout_keep_alive=30)
    assert config.proxy_headers is False and config.timeout_keep_alive == 30


class _Verifier:
    """Token "<tenant>:<subject>[:notify]"."""

    async def verify(self, token: str) -> Principal:
        tenant, subject, *rest = token.split(":")
        roles = frozenset({Role.NOTIFY} if rest else {Role.CLERK})
        return Principal(subject, roles, tenant or None)


def _app(limits: ApiRateLimits) -> FastAPI:
    app = FastAPI()
    app.state.verifier = _Verifier()
    install_error_handlers(app)
    install_api_rate_limits(app, limits)

    @app.get("/api/ping")
    async def ping(p: Annotated[Principal, Depends(current_principal)]) -> dict[str, str]:
        return {"subject": p.subject}

    return app


async def _statuses(client: httpx.AsyncClient, token: str, n: int) -> list[int]:
    auth = {"Authorization": f"Bearer {token}"}
    return [(await client.get("/api/ping", headers=auth)).status_code for _ in range(n)]


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc")


async def test_one_principal_is_limited_and_another_of_the_same_commune_is_not() -> None:
    limits = ApiRateLimits(
        "workflow",
        principal=TokenBucketLimiter(rate_per_minute=1, burst=3),
        tenant=TokenBucketLimiter(rate_per_minute=6000, burst=1000),
    )
    before = RATE_LIMITED.labels("workflow", "principal")._value.get()
    async with _client(_app(limits)) as client:
        assert await _statuses(client, "xa-a:clerk-1", 5) == [200, 200, 200, 429, 429]
        assert await _statuses(client, "xa-a:clerk-2", 3) == [200, 200, 200]
        # The same subject in another commune is another principal.
        assert await _statuses(client, "xa-b:clerk-1", 1) == [200]
        refused = await client.get("/api/ping", headers={"Authorization": "Bearer xa-a:clerk-1"})
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert refused.json()["message"].startswith("Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau")
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["Cache-Control"] == "no-store"
    assert RATE_LIMITED.labels("workflow", "principal")._value.get() == before + 3


async def test_a_commune_is_limited_whichever_of_its_clerks_asks() -> None:
    limits = ApiRateLimits(
        "notify",
        principal=TokenBucketLimiter(rate_per_minute=6000, burst=1000),
        tenant=TokenBucketLimiter(rate_per_minute=1, burst=4),
    )
    async with _client(_app(limits)) as client:
        statuses = [
            (await _statuses(client, f"xa-a:clerk-{i}", 1))[0] for i in range(6)
        ]  # six different clerks, one request each
        other = await _statuses(client, "xa-b:clerk-0", 2)
        refused = await client.get("/api/ping", headers={"Authorization": "Bearer xa-a:clerk-9"})
    assert statuses == [200, 200, 200, 200, 429, 429]
    assert other == [200, 200]
    assert refused.json()["code"] == "tenant.rate_limited"
    assert "Đơn vị của bạn" in refused.json()["message"]


async def test_service_tokens_follow_the_event_flow_and_are_not_limited() -> None:
    limits = ApiRateLimits(
        "intake",
        principal=TokenBucketLimiter(rate_per_minute=1, burst=1),
        tenant=TokenBucketLimiter(rate_per_minute=1, burst=1),
    )
    async with _client(_app(limits)) as client:
        assert await _statuses(client, ":notify:svc", 5) == [200] * 5


def test_defaults_leave_a_desk_far_below_the_limits() -> None:
    s = RateLimitSettings(environment="test")
    assert s.principal_rate_per_second >= 10 and s.principal_burst >= 50
    assert s.tenant_rate_per_second >= 20 and s.tenant_burst >= 60
    off = RateLimitSettings(environment="test", principal_rate_per_second=0)
    assert ApiRateLimits.from_settings(off).principal is None


def test_metric_labels_are_a_closed_set() -> None:
    from motcua_platform.rate_limit import count_refusal

    count_refusal("anything-a-client-sent", "principal")
    services = {
        s.labels["service"]
        for metric in RATE_LIMITED.collect()
        for s in metric.samples
        if s.name.endswith("_total")
    }
    assert services <= {"intake", "workflow", "notify", "analytics", "other"}


async def test_parallel_requests_cannot_pass_the_burst() -> None:
    limits = ApiRateLimits(
        "analytics", principal=TokenBucketLimiter(rate_per_minute=1, burst=5), tenant=None
    )
    async with _client(_app(limits)) as client:
        auth = {"Authorization": "Bearer :monitor-1"}
        answers = await asyncio.gather(*(client.get("/api/ping", headers=auth) for _ in range(20)))
    assert sorted(r.status_code for r in answers) == [200] * 5 + [429] * 15


def test_one_bucket_arithmetic_for_the_api_limit_and_the_outbound_pacing() -> None:
    from motcua_platform.rate_limit import TokenBuckets

    now = [100.0]
    limiter = TokenBucketLimiter(rate_per_minute=60, burst=2, monotonic=lambda: now[0])
    assert [limiter.check("k") for _ in range(3)] == [0, 0, 1]
    now[0] += 1.0
    assert limiter.check("k") == 0
    pacing = TokenBuckets(lambda: now[0])
    assert [pacing.take("sms", 2.0, 2.0) for _ in range(2)] == [0.0, 0.0]
    assert pacing.take("sms", 2.0, 2.0) == 0.5  # two a second: the next in half a second


def test_token_buckets_forget_the_least_recently_seen_key_past_the_bound() -> None:
    from motcua_platform.rate_limit import TokenBuckets

    buckets = TokenBuckets(lambda: 0.0, max_keys=2)
    assert buckets.take("a", 1.0, 1.0) == 0.0
    assert buckets.take("a", 1.0, 1.0) == 1.0  # empty: one second to wait
    buckets.take("b", 1.0, 1.0)
    buckets.take("c", 1.0, 1.0)  # "a" is the least recently seen: forgotten
    assert buckets.take("a", 1.0, 1.0) == 0.0  # a full bucket again
    assert buckets.take("c", 1.0, 1.0) == 1.0  # "c" kept its state

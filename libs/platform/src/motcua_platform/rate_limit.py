"""Rate limits, one implementation for every service.

- `TokenBuckets`: the one token bucket implementation, a bucket per key, in process (each
  replica sees its share; production adds a shared limit at the ingress), with one API:
  `take(key, rate, burst)` -> seconds to wait (0.0 when a token was taken). Notify's outbound
  pacing calls it with each commune's provider rate.
- `TokenBucketLimiter`: a preset rate and burst over a `TokenBuckets` (the API limits, the
  public lookup limit), answering whole seconds for `Retry-After`.
- `ApiRateLimits`: what every authenticated API checks after the token is verified, per
  principal and per commune (the token's tenant); `install_api_rate_limits` puts it on the app
  where the platform's bearer dependency finds it.
- `client_address`: the caller's address, from `X-Forwarded-For` only when the direct peer is
  one of the configured trusted proxies (`MOTCUA_<SVC>_TRUSTED_PROXIES`, CIDRs; none by
  default). uvicorn's own proxy-header handling is switched off (see `serve.py`), so this is
  the only place that reads the header.
- `RateLimited`: the 429 (code, Vietnamese message, `Retry-After`).
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Annotated, Literal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_client import Counter
from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from motcua_platform.auth.principal import Principal
from motcua_platform.auth.roles import Role
from motcua_platform.domain_errors import (
    RateLimited,
    commune_rate_limited,
    principal_rate_limited,
)
from motcua_platform.settings import ServiceSettings

# Closed label sets: a client can never create a series.
Scope = Literal["principal", "commune", "public_client", "lookup_code"]
_SERVICES = frozenset({"intake", "workflow", "notify", "analytics"})
RATE_LIMITED = Counter(
    "motcua_rate_limited_total", "Requests refused with 429, by limit", ["service", "scope"]
)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def service_label(name: str) -> str:
    return name if name in _SERVICES else "other"


def count_refusal(service: str, scope: Scope) -> None:
    RATE_LIMITED.labels(service_label(service), scope).inc()


class TokenBuckets:
    """A token bucket per key, whatever the rate; bounded memory (the least recently seen key
    is forgotten first, which only ever gives that key a full bucket again)."""

    def __init__(
        self, monotonic: Callable[[], float] = time.monotonic, *, max_keys: int = 50_000
    ) -> None:
        self._now = monotonic
        self._max = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # (tokens, updated)

    def take(self, key: str, rate: float, burst: float) -> float:
        """Takes a token (returns 0.0) or says how many seconds until one is free.

        `rate` in tokens per second (> 0), `burst` the bucket's size (>= 1).
        """
        now = self._now()
        tokens, updated = self._buckets.pop(key, (burst, now))  # a new key: a full bucket
        tokens = min(burst, tokens + (now - updated) * rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / rate
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > self._max:
            self._buckets.popitem(last=False)
        return wait


class TokenBucketLimiter:
    """One preset rate and burst per key (client, principal, commune) over `TokenBuckets`."""

    def __init__(
        self,
        *,
        rate_per_minute: float,
        burst: int,
        max_clients: int = 50_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = rate_per_minute / 60.0
        self._burst = float(burst)
        self._buckets = TokenBuckets(monotonic, max_keys=max_clients)

    @classmethod
    def per_second(cls, rate: float, burst: int) -> TokenBucketLimiter | None:
        """None when `rate` is 0 (the limit is off)."""
        return cls(rate_per_minute=rate * 60, burst=burst) if rate > 0 else None

    def check(self, client: str) -> int:
        """0 if allowed (one token taken), else the whole seconds to wait (Retry-After)."""
        wait = self._buckets.take(client, self._rate, self._burst)
        return 0 if not wait else max(1, math.ceil(wait))


def parse_networks(raw: Sequence[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in raw if item.strip())


class RateLimitSettings(ServiceSettings):
    """Limits of the authenticated API and the proxies whose X-Forwarded-For is believed.

    Per service: `MOTCUA_<SVC>_PRINCIPAL_RATE_PER_SECOND`, `..._PRINCIPAL_BURST`,
    `..._TENANT_RATE_PER_SECOND`, `..._TENANT_BURST` (0 as a rate disables that limit,
    benchmarks only), `..._TRUSTED_PROXIES` (comma-separated CIDRs or a JSON list).
    """

    # One person (a clerk's desk, a monitor's dashboard) stays far below these.
    principal_rate_per_second: float = Field(default=10.0, ge=0)
    principal_burst: int = Field(default=50, ge=1)
    # Fairness between communes: a desk of a few clerks stays far below it.
    tenant_rate_per_second: float = Field(default=20.0, ge=0)
    tenant_burst: int = Field(default=60, ge=1)
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="CIDRs of the reverse proxies (ingress) allowed to set X-Forwarded-For",
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                import json

                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        parse_networks(value)  # ValueError on anything that is not an address or a CIDR
        return value

    @property
    def trusted_networks(self) -> tuple[Network, ...]:
        return parse_networks(self.trusted_proxies)


class ApiRateLimits:
    """Per principal and per commune, checked after the token is verified.

    Service tokens (notify reading contacts at send time) follow the event flow, which the
    consumers already pace: they are not limited here.
    """

    def __init__(
        self,
        service: str,
        *,
        principal: TokenBucketLimiter | None,
        tenant: TokenBucketLimiter | None,
    ) -> None:
        self.service = service
        self.principal = principal
        self.tenant = tenant

    @classmethod
    def from_settings(cls, settings: RateLimitSettings) -> ApiRateLimits:
        return cls(
            settings.service_name,
            principal=TokenBucketLimiter.per_second(
                settings.principal_rate_per_second, settings.principal_burst
            ),
            tenant=TokenBucketLimiter.per_second(
                settings.tenant_rate_per_second, settings.tenant_burst
            ),
        )

    def admit(self, principal: Principal) -> None:
        if principal.roles and all(r == Role.NOTIFY for r in principal.roles):
            return
        # The commune first: a flooding commune costs the others almost nothing, and its
        # clerks' own buckets are not spent on refused requests.
        if self.tenant is not None and principal.tenant_id is not None:
            wait = self.tenant.check(principal.tenant_id)
            if wait:
                count_refusal(self.service, "commune")
                raise commune_rate_limited(wait)
        if self.principal is not None:
            wait = self.principal.check(f"{principal.tenant_id or '-'}/{principal.subject}")
            if wait:
                count_refusal(self.service, "principal")
                raise principal_rate_limited(wait)


def install_api_rate_limits(app: FastAPI, limits: ApiRateLimits) -> None:
    """The platform's bearer dependency checks `app.state.api_limits` on every request; the
    429 is answered here (a service may register its own handler for a subclass)."""
    app.state.api_limits = limits

    @app.exception_handler(RateLimited)
    async def _limited(_: Request, exc: RateLimited) -> JSONResponse:
        return JSONResponse(
            {"code": exc.code, "message": exc.message_vi, "field": None, "errors": []},
            status_code=429,
            headers=retry_headers(exc),
        )


def retry_headers(exc: RateLimited) -> dict[str, str]:
    return {"Retry-After": str(exc.retry_after_seconds), "Cache-Control": "no-store"}


def client_address(request: Request, trusted: Sequence[Network]) -> str:
    """The direct peer, or, when that peer is a trusted proxy, the address the proxies saw.

    X-Forwarded-For is read right to left: each trusted proxy appended the address it got the
    request from; the first address that is not a trusted proxy is the client. Anything a
    client put in the header itself stays to the left and is ignored.
    """
    peer = request.client.host if request.client else "unknown"
    if not trusted or not _in(peer, trusted):
        return peer
    hops = [
        h.strip()
        for value in request.headers.getlist("x-forwarded-for")
        for h in value.split(",")
        if h.strip()
    ]
    address = peer
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address  # garbage: trust nothing further left
        address = hop
        if not _in(hop, trusted):
            return hop
    return address


def _in(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)

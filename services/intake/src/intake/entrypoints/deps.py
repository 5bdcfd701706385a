"""What routes get from the composition root, the bearer dependency (the platform's: it also
applies the per-principal and per-commune limits) and the public pages' limit."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from motcua_platform.auth import Principal
from motcua_platform.auth.fastapi import current_principal
from motcua_platform.clock import Clock
from motcua_platform.rate_limit import Network, TokenBucketLimiter, client_address, count_refusal
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intake.application.lookup_tokens import LookupTokens
from intake.application.ports import StatutoryClock
from intake.application.public_lookup import LookupGuard
from intake.domain.errors import TooManyRequests


@dataclass
class IntakeDeps:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    statutory: StatutoryClock
    tokens: LookupTokens
    limiter: TokenBucketLimiter
    public_base_url: str
    after_commit: Callable[[], None]
    # X-Forwarded-For is believed only from these peers (the ingress); none by default.
    trusted_proxies: tuple[Network, ...] = ()
    lookup_guard: LookupGuard = field(default_factory=LookupGuard)
    # Fairness again: an operator onboarding a province sends many configuration changes at
    # once; this replica applies one at a time, so the desks keep most of its time.
    tenant_changes: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(1))

    def public_url(self, token: str) -> str:
        return f"{self.public_base_url.rstrip('/')}/tra-cuu/{token}"


async def get_deps(request: Request) -> IntakeDeps:
    # async: FastAPI runs a plain `def` dependency in a worker thread, a hop per request.
    return request.app.state.deps  # type: ignore[no-any-return]


async def rate_limited(request: Request, deps: Annotated[IntakeDeps, Depends(get_deps)]) -> None:
    """The public pages' limit per client address (behind a trusted proxy: the address it saw)."""
    wait = deps.limiter.check(client_address(request, deps.trusted_proxies))
    if wait:
        count_refusal("intake", "public_client")
        raise TooManyRequests(wait)


Deps = Annotated[IntakeDeps, Depends(get_deps)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]  # rate-limited too

"""What routes get from the composition root, and the bearer-token dependency."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from motcua_platform.auth import Principal
from motcua_platform.auth.fastapi import current_principal as bearer_principal
from motcua_platform.clock import Clock
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intake.adapters.rate_limit import TokenBucketLimiter
from intake.application.lookup_tokens import LookupTokens
from intake.application.ports import StatutoryClock
from intake.domain.errors import TooManyRequests, commune_rate_limited


@dataclass
class IntakeDeps:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    statutory: StatutoryClock
    tokens: LookupTokens
    limiter: TokenBucketLimiter
    public_base_url: str
    after_commit: Callable[[], None]
    # Fairness: one bucket per commune (the token's tenant); None disables it.
    tenant_limiter: TokenBucketLimiter | None = None
    # Fairness again: an operator onboarding a province sends many configuration changes at
    # once; this replica applies one at a time, so the desks keep most of its time.
    tenant_changes: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(1))

    def public_url(self, token: str) -> str:
        return f"{self.public_base_url.rstrip('/')}/tra-cuu/{token}"


async def get_deps(request: Request) -> IntakeDeps:
    # async: FastAPI runs a plain `def` dependency in a worker thread, a hop per request.
    return request.app.state.deps  # type: ignore[no-any-return]


async def current_principal(
    request: Request, principal: Annotated[Principal, Depends(bearer_principal)]
) -> Principal:
    """The platform's bearer dependency, then the per-commune fairness limit."""
    deps: IntakeDeps = request.app.state.deps  # not a nested dependency: one less to solve
    if deps.tenant_limiter is not None and principal.tenant_id is not None:
        # Checked before any database work: a flooding commune costs the others almost nothing.
        wait = deps.tenant_limiter.check(principal.tenant_id)
        if wait:
            raise commune_rate_limited(wait)
    return principal


async def rate_limited(request: Request, deps: Annotated[IntakeDeps, Depends(get_deps)]) -> None:
    client = request.client.host if request.client else "unknown"
    wait = deps.limiter.check(client)
    if wait:
        raise TooManyRequests(wait)


Deps = Annotated[IntakeDeps, Depends(get_deps)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]

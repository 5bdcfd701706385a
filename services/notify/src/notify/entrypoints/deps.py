"""What routes get from the composition root, and the bearer-token dependency."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from motcua_platform.auth import Principal
from motcua_platform.auth.principal import missing_token
from motcua_platform.clock import Clock
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify.application.compose import Composer
from notify.application.ports import LetterRenderer, SecretResolver
from notify.application.template_store import DatabaseTemplates
from notify.application.templating import TemplateRenderer


class Verifier(Protocol):
    async def verify(self, token: str) -> Principal: ...


@dataclass
class NotifyDeps:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    verifier: Verifier
    composer: Composer
    letters: LetterRenderer
    templates: DatabaseTemplates
    engine: TemplateRenderer
    secrets: SecretResolver
    after_commit: Callable[[], None]
    read_sessions: async_sessionmaker[AsyncSession]  # reads only, never the write lock
    dead_letter_group: str = "notify"


def get_deps(request: Request) -> NotifyDeps:
    return request.app.state.deps  # type: ignore[no-any-return]


_bearer = HTTPBearer(auto_error=False, description="OpenID Connect access token (RS256)")


async def current_principal(
    deps: Annotated[NotifyDeps, Depends(get_deps)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise missing_token()
    return await deps.verifier.verify(credentials.credentials)


Deps = Annotated[NotifyDeps, Depends(get_deps)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]

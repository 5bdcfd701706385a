"""What routes get from the composition root, and the bearer-token dependency."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from motcua_platform.auth.fastapi import CurrentPrincipal
from motcua_platform.clock import Clock
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify.adapters.templates_db import DatabaseTemplates
from notify.application.compose import Composer
from notify.application.ports import LetterRenderer, SecretResolver
from notify.application.templating import TemplateRenderer
from notify.domain.deployment_policy import DeploymentPolicy


@dataclass
class NotifyDeps:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    composer: Composer
    letters: LetterRenderer
    templates: DatabaseTemplates
    engine: TemplateRenderer
    secrets: SecretResolver
    after_commit: Callable[[], None]
    read_sessions: async_sessionmaker[AsyncSession]  # reads only, never the write lock
    dead_letter_group: str = "notify"
    policy: DeploymentPolicy = field(default_factory=DeploymentPolicy)


def get_deps(request: Request) -> NotifyDeps:
    return request.app.state.deps  # type: ignore[no-any-return]


Deps = Annotated[NotifyDeps, Depends(get_deps)]

__all__ = ["CurrentPrincipal", "Deps", "NotifyDeps"]

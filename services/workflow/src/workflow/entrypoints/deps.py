"""What routes get from the composition root, and the bearer-token dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from motcua_platform.auth.fastapi import CurrentPrincipal

from workflow.application.context import Context


def get_context(request: Request) -> Context:
    return request.app.state.context  # type: ignore[no-any-return]


Ctx = Annotated[Context, Depends(get_context)]

__all__ = ["Ctx", "CurrentPrincipal"]

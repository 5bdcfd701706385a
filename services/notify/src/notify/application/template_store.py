"""Where templates live: the package's defaults, overridden by a commune's saved versions
(the SQL is the adapter's, `notify.adapters.templates_db`)."""

from __future__ import annotations

from typing import Protocol

from notify.application.templating import Template
from notify.domain.kinds import Channel, Kind


class TemplateSource(Protocol):
    async def active(
        self, tenant_id: str, kind: Kind, channel: Channel, edition: str = ""
    ) -> Template | None: ...

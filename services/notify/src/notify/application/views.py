"""Read models the use cases share: a dossier as notify knows it, a commune's configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from notify.domain.kinds import Channel
from notify.domain.tenant_settings import TenantSettings


@dataclass(frozen=True)
class DossierView:
    """Projected from DossierReceived (no personal data) and kept current by the clock."""

    dossier_id: str
    tenant_id: str
    dossier_code: str
    procedure_code: str
    procedure_version: str
    intake_channel: str
    received_at: datetime
    due_at: datetime
    preferred_channel: Channel | None = None


@dataclass(frozen=True)
class TenantView:
    tenant_id: str
    settings: TenantSettings = field(default_factory=TenantSettings)
    profile: dict[str, Any] = field(default_factory=dict)  # the latest TenantConfigured

    @property
    def unit_name(self) -> str | None:
        return self.settings.unit_name_vi or self.profile.get("name_vi")

    @property
    def ceremony_slots(self) -> list[str]:
        if self.settings.ceremony_slots is not None:
            return list(self.settings.ceremony_slots)
        return list(self.profile.get("ceremony_slots") or [])

    @property
    def leader_official_id(self) -> str | None:
        leader = self.profile.get("leader_on_duty") or {}
        return leader.get("official_id")

    @property
    def leader_title(self) -> str:
        leader = self.profile.get("leader_on_duty") or {}
        return str(leader.get("title_vi") or "Lãnh đạo UBND")

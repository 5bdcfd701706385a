"""Read models the use cases share: a dossier as notify knows it, a commune's configuration."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from notify.domain.kinds import Channel
from notify.domain.tenant_settings import TenantSettings

_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+$")


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
    def merged_into(self) -> str | None:
        """The unit this one became part of; its messages go out in that unit's name."""
        if self.profile.get("status") != "merged":
            return None
        return self.profile.get("merged_into") or None

    @property
    def send_settings(self) -> TenantSettings:
        """Notify's settings with the registry's sender names (the onboarding's truth):
        `senders.sms` is the SMS brandname, `senders.email` the sender's name or address."""
        senders: dict[str, str] = self.profile.get("senders") or {}
        update: dict[str, object] = {}
        sms, email = senders.get("sms"), senders.get("email")
        if self.settings.sms is not None and sms and len(sms) <= 20:
            update["sms"] = self.settings.sms.model_copy(update={"brandname": sms})
        if self.settings.email is not None and email:
            field_name = "from_address" if _ADDRESS.match(email) else "from_name"
            update["email"] = self.settings.email.model_copy(update={field_name: email[:200]})
        return self.settings.model_copy(update=update) if update else self.settings

    @property
    def leader_title(self) -> str:
        leader = self.profile.get("leader_on_duty") or {}
        return str(leader.get("title_vi") or "Lãnh đạo UBND")

    def title_of(self, official_id: str | None) -> str | None:
        """The title the duty roster gives this official (the escalation's addressee)."""
        if not official_id:
            return None
        roster = self.profile.get("duty_roster") or {}
        default = self.profile.get("leader_on_duty") or {}
        leaders = [e.get("leader") or {} for e in (roster.get("dates") or [])]
        leaders += [e.get("leader") or {} for e in (roster.get("weekdays") or [])]
        for leader in [default, *leaders]:
            if leader.get("official_id") == official_id and leader.get("title_vi"):
                return str(leader["title_vi"])
        return None


@dataclass(frozen=True)
class PrintJob:
    """One letter of a commune's print queue, as the desk lists it."""

    delivery_id: str
    notification_id: str
    dossier_id: str | None
    kind: str
    recipient: str
    letter_number: str | None
    letter_date: date | None
    status: str
    queued_at: datetime
    printed_at: datetime | None

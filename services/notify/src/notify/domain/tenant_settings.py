"""A commune's notify settings: providers, quiet hours, rules, signer, staff contacts.

Secrets appear only as references (`env:NAME` or `file:/path`), resolved at send time;
unknown keys are refused, so a password pasted into a wrong field never gets stored.
"""

from __future__ import annotations

from datetime import time
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from notify.domain.kinds import Channel, Kind
from notify.domain.letters import Signer
from notify.domain.quiet_hours import QuietHours
from notify.domain.rules import DEFAULT_RULES, RuleOverride, apply_overrides

SecretRef = Annotated[
    str,
    Field(
        pattern=r"^(env:[A-Z][A-Z0-9_]{1,100}|file:/[^\s]{1,300})$",
        description="Reference to a secret, never the secret: env:NAME or file:/path",
        examples=["env:MOTCUA_SMS_TOKEN_CHIENG_KHUONG"],
    ),
]
HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EmailProvider(_Model):
    host: str = Field(min_length=1, max_length=200)
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = True
    use_tls: bool = False
    username: str | None = None
    password_ref: SecretRef | None = None
    from_address: str = Field(pattern=r"^[^@\s]+@[^@\s]+$", max_length=200)
    from_name: str | None = Field(default=None, max_length=200)
    rate_per_second: float = Field(default=5.0, gt=0, le=10_000)
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)


class SmsProvider(_Model):
    url: str = Field(pattern=r"^https?://", max_length=500)
    token_ref: SecretRef | None = None
    brandname: str = Field(default="UBND XA", min_length=1, max_length=20)
    rate_per_second: float = Field(default=10.0, gt=0, le=10_000)
    timeout_seconds: float = Field(default=5.0, gt=0, le=120)


class ZaloProvider(_Model):
    url: str = Field(
        default="https://business.openapi.zalo.me/message/template",
        pattern=r"^https?://",
        max_length=500,
    )
    access_token_ref: SecretRef
    templates: dict[Kind, str] = Field(
        default_factory=dict, description="ZNS template id approved for each kind"
    )
    rate_per_second: float = Field(default=5.0, gt=0, le=10_000)
    timeout_seconds: float = Field(default=5.0, gt=0, le=120)


class StaffContact(_Model):
    """Work contacts of an official (never a citizen's)."""

    title_vi: str = Field(min_length=1, max_length=200, examples=["Phó Chủ tịch UBND xã"])
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str | None = Field(default=None, pattern=r"^\+?\d{9,15}$")


class QuietHoursIn(_Model):
    start: HHMM = "21:00"
    end: HHMM = "07:00"

    def to_domain(self) -> QuietHours:
        return QuietHours(time.fromisoformat(self.start), time.fromisoformat(self.end))


class RuleOverrideIn(_Model):
    kind: Kind
    enabled: bool = True
    chain: list[Channel] | None = None
    online_chain: list[Channel] | None = None

    def to_domain(self) -> RuleOverride:
        return RuleOverride(
            self.kind,
            self.enabled,
            tuple(self.chain) if self.chain else None,
            tuple(self.online_chain) if self.online_chain else None,
        )


class SignerIn(_Model):
    on_behalf: str = Field(default="TM. ỦY BAN NHÂN DÂN", max_length=100)
    title: str = Field(default="CHỦ TỊCH", max_length=100)
    name: str = Field(default="", max_length=100)

    def to_domain(self) -> Signer:
        return Signer(self.on_behalf, self.title, self.name)


class TenantSettings(_Model):
    unit_name_vi: str | None = Field(default=None, max_length=200, examples=["Xã Chiềng Khương"])
    place_vi: str | None = Field(default=None, max_length=100, examples=["Chiềng Khương"])
    email: EmailProvider | None = None
    sms: SmsProvider | None = None
    zalo: ZaloProvider | None = None
    quiet_hours: QuietHoursIn = Field(default_factory=QuietHoursIn)
    rules: list[RuleOverrideIn] = Field(default_factory=list)
    staff: dict[str, StaffContact] = Field(
        default_factory=dict, description="'leader', 'head' or an official id → work contacts"
    )
    signer: SignerIn = Field(default_factory=SignerIn)
    ceremony_slots: list[str] | None = Field(default=None, max_length=20)
    number_symbols: dict[Kind, str] = Field(default_factory=dict)
    callback_token_ref: SecretRef | None = Field(
        default=None, description="Shared token providers send with delivery receipts"
    )

    @field_validator("rules")
    @classmethod
    def _one_override_per_kind(cls, value: list[RuleOverrideIn]) -> list[RuleOverrideIn]:
        kinds = [o.kind for o in value]
        if len(kinds) != len(set(kinds)):
            raise ValueError("một loại thông báo chỉ có một cấu hình")
        return value

    @model_validator(mode="after")
    def _chains_are_sound(self) -> TenantSettings:
        apply_overrides(DEFAULT_RULES, self.overrides())  # raises Invalid with a Vietnamese text
        return self

    def overrides(self) -> tuple[RuleOverride, ...]:
        return tuple(o.to_domain() for o in self.rules)

    def configured(self, channel: Channel) -> bool:
        return channel is Channel.LETTER or getattr(self, channel.value) is not None

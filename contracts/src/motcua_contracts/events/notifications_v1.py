"""What became of each message notify sends, published on Topics.NOTIFICATIONS, version 1.

No personal data: recipients are roles ("applicant", "leader"), never addresses or phones;
the letter number is an office reference, not a person's.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from motcua_contracts.events.common import AwareDatetime, Payload


class NotificationChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    ZALO = "zalo"
    LETTER = "letter"


class NotificationSent(Payload):
    """A provider accepted the message (or, for a letter, it entered the print queue)."""

    notification_id: str
    source_event_id: str = Field(description="The event that caused the message")
    kind: str = Field(examples=["receipt_confirmation", "condolence_letter"])
    recipient: str = Field(examples=["applicant", "leader"])
    channel: NotificationChannel
    attempts: int = Field(ge=1, description="Attempts on this channel")
    fell_back: bool = Field(description="An earlier channel of the chain failed first")
    sent_at: AwareDatetime


class NotificationFailed(Payload):
    """One channel gave up on the message; `final` when no channel is left."""

    notification_id: str
    source_event_id: str
    kind: str
    recipient: str
    channel: NotificationChannel
    error_code: str = Field(examples=["http.429", "contact.missing", "smtp.550"])
    permanent: bool = Field(description="The provider refused; retrying cannot help")
    attempts: int = Field(ge=1)
    next_channel: NotificationChannel | None = Field(
        default=None, description="The channel tried next; None when the chain is exhausted"
    )
    final: bool
    dead_lettered: bool = Field(
        default=False, description="Even the printed letter could not be produced"
    )
    failed_at: AwareDatetime


class NotificationPrinted(Payload):
    """A clerk printed the letter at the commune desk (to hand over or post)."""

    notification_id: str
    source_event_id: str
    kind: str
    recipient: str
    letter_number: str = Field(examples=["05/GM-UBND"])
    printed_at: AwareDatetime

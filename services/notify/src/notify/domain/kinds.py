"""The vocabulary of notify: message kinds, recipients, channels and statuses."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    RECEIPT_CONFIRMATION = "receipt_confirmation"
    SUPPLEMENT_REQUEST = "supplement_request"  # Form 02
    REFUSAL_NOTICE = "refusal_notice"  # Form 03
    RESULT_READY = "result_ready"
    CEREMONY_INVITATION = "ceremony_invitation"  # the printed invitation, with date and place
    CEREMONY_MESSAGE = "ceremony_message"  # the same invitation, at once, by SMS/Zalo/e-mail
    APOLOGY_NOTICE = "apology_notice"  # Form 04, the signed letter
    APOLOGY_MESSAGE = "apology_message"  # the same apology, at once, by SMS/Zalo/e-mail
    CONDOLENCE_LETTER = "condolence_letter"
    SATISFACTION_SURVEY = "satisfaction_survey"
    ESCALATION_ALERT = "escalation_alert"
    MORNING_DIGEST = "morning_digest"


class Recipient(StrEnum):
    APPLICANT = "applicant"
    FAMILY = "family"  # of the deceased: the person who registered the death
    LEADER = "leader"  # leader on duty at the desk
    HEAD = "head"  # head of the commune (escalation level 2)

    @property
    def is_citizen(self) -> bool:
        return self in (Recipient.APPLICANT, Recipient.FAMILY)


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    ZALO = "zalo"
    LETTER = "letter"

    @property
    def quiet_at_night(self) -> bool:
        """Phones ring and buzz; an e-mail or a letter waits quietly."""
        return self in (Channel.SMS, Channel.ZALO)


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    PRINT_QUEUED = "print_queued"
    PRINTED = "printed"


class NotificationStatus(StrEnum):
    """What the clerk sees: queued, sent, delivered, failed, printed."""

    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    PRINTED = "printed"

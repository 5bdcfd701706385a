"""Dossier events whose payload changed incompatibly, version 2 (same topic, Topics.DOSSIERS).

`SupplementRequested` v2 carries no free text (issue 17): the list of missing items is typed
by the clerk and may name people ("Giấy khai sinh của Lò Văn A"), so it stays in intake's
database; the event says how many items are missing, and a consumer that prints them (notify's
Form 02 letter and message) reads them from intake's internal API at send time, like contact
data. Consumers still read v1 (with `missing_items`).
"""

from __future__ import annotations

from pydantic import Field

from motcua_contracts.events.common import AwareDatetime, Payload


class SupplementRequested(Payload):
    """Form 02: everything missing listed at once; the clock pauses (or restarts later)."""

    dossier_code: str
    requested_at: AwareDatetime
    missing_count: int = Field(
        ge=1, le=50, description="How many documents are missing or incorrect (the list: intake)"
    )

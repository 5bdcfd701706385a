"""Types shared by payloads. Payloads carry no personal data (names, ID numbers, phones)."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime must carry its UTC offset")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]


class Payload(BaseModel):
    """Base of every payload: immutable, unknown fields refused so drift is caught early."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Channel(StrEnum):
    COUNTER = "counter"
    POSTAL = "postal"
    ONLINE = "online"

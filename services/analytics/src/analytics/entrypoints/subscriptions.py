"""Every subscription of analytics, in one place.

On Kafka the batch consumer (`adapters/kafka_batch.py`) takes these topics; on the
standalone in-process bus the platform's per-message consumer calls `_project_one`.
Both run the same use case, `project_events`.
"""

from __future__ import annotations

from motcua_contracts.topics import Topics
from motcua_platform.messaging.inbox import PermanentError
from motcua_platform.messaging.types import InboundMessage
from motcua_platform.runtime import Subscription
from sqlalchemy.ext.asyncio import AsyncSession

from analytics.adapters.fact_store import SqlProjectionStore
from analytics.adapters.working_time import CalendarWorkingTime
from analytics.application import project_events as projection
from analytics.application.decode import PROJECTED, Undecodable, decode_event

TOPICS = (Topics.DOSSIERS, Topics.CLOCK, Topics.TENANTS)
_WORKING_TIME = CalendarWorkingTime()


async def _project_one(session: AsyncSession, message: InboundMessage) -> None:
    try:
        event = decode_event(message.value)
    except Undecodable as exc:
        raise PermanentError(str(exc)) from exc
    await projection.project_events(SqlProjectionStore(session), [event], _WORKING_TIME)


def subscriptions() -> list[Subscription]:
    return [Subscription(topics=list(TOPICS), handlers=dict.fromkeys(PROJECTED, _project_one))]

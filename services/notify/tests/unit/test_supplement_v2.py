"""Issue 17: the clerk's list of missing items never travels in events nor stays in notify.
SupplementRequested v2 carries a count; Form 02's message reads the list from intake at send
time (as the event's commune); a v1 event's list is not kept either."""

from __future__ import annotations

from motcua_contracts.events import dossiers_v1, dossiers_v2
from motcua_testkit.notify import DOSSIER, MORNING, TENANT, Notify, drain, received
from notify.adapters.tables import notifications
from sqlalchemy import select

TYPED = "Giấy khai sinh của Lò Văn An"  # what a clerk may type: a person's name


async def _facts(n: Notify) -> list[dict[str, object]]:
    async with n.runtime.sessions() as session:
        rows = (
            await session.execute(
                select(notifications.c.facts).where(
                    notifications.c.source_event_type == "SupplementRequested"
                )
            )
        ).scalars()
        return [dict(r) for r in rows]


def _sent_supplements(n: Notify) -> list[str]:
    return [m.body for p in n.providers.values() for m in p.sent if m.kind == "supplement_request"]


async def test_v2_message_reads_the_list_from_intake(n: Notify) -> None:
    n.contacts.items = ["Giấy chứng sinh (bản chính)", "Tờ khai có chữ ký"]
    await n.deliver(received(), DOSSIER)
    at = MORNING
    await n.deliver(
        dossiers_v2.SupplementRequested(
            dossier_code="000.22.38.H50-260213-0001", requested_at=at, missing_count=2
        ),
        DOSSIER,
    )
    await drain(n.runtime)
    [body] = _sent_supplements(n)
    assert "Giấy chứng sinh (bản chính)" in body and "Tờ khai có chữ ký" in body
    assert (TENANT, DOSSIER) in n.contacts.item_calls
    [facts] = await _facts(n)
    assert facts["missing_count"] == 2 and "missing_items" not in facts


async def test_a_v1_events_list_is_not_kept(n: Notify) -> None:
    n.contacts.items = ["Bản sao sổ hộ khẩu"]
    await n.deliver(received(), DOSSIER)
    await n.deliver(
        dossiers_v1.SupplementRequested(
            dossier_code="000.22.38.H50-260213-0001",
            requested_at=MORNING,
            missing_items=[TYPED],
        ),
        DOSSIER,
    )
    await drain(n.runtime)
    [facts] = await _facts(n)
    assert facts["missing_count"] == 1 and TYPED not in str(facts)
    [body] = _sent_supplements(n)
    assert "Bản sao sổ hộ khẩu" in body and TYPED not in body


async def test_no_list_from_intake_is_a_permanent_failure_of_that_send(n: Notify) -> None:
    from notify.domain.retry import SendFailure

    await n.deliver(received(), DOSSIER)
    n.contacts.fail = SendFailure("supplement.missing", permanent=True)
    await n.deliver(
        dossiers_v2.SupplementRequested(
            dossier_code="000.22.38.H50-260213-0001", requested_at=MORNING, missing_count=1
        ),
        DOSSIER,
    )
    await drain(n.runtime)
    assert _sent_supplements(n) == []

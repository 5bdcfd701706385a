"""The fast path for dossiers never moved by a merger adds exactly what the general one does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from analytics.domain import contributions as c
from analytics.domain.facts import DossierFact
from hypothesis import given, settings
from hypothesis import strategies as st

START = datetime(2026, 3, 1, tzinfo=UTC)
# moments around Vietnamese midnight (17:00 UTC) matter most: the day a counter lands on
moment = st.integers(0, 40 * 24 * 4).map(lambda quarter: START + timedelta(minutes=15 * quarter))
maybe = st.none() | moment
tenant = st.sampled_from(["xa-a", "xa-b"])


@st.composite
def facts(draw: st.DrawFn) -> DossierFact:
    return DossierFact(
        dossier_id="d",
        resolving_tenant_id=draw(st.none() | tenant),
        receiving_tenant_id=draw(st.none() | tenant),
        procedure_code=draw(st.none() | st.just("1.001193")),
        field_code=draw(st.none() | st.just("ho_tich")),
        channel=draw(st.sampled_from(["counter", "online", None])),
        received_at=draw(maybe),
        due_at=draw(maybe),
        supplement_requested_at=draw(maybe),
        supplement_received_at=draw(maybe),
        refused_at=draw(maybe),
        withdrawn_at=draw(maybe),
        completed_at=draw(maybe),
        clock_outcome=draw(st.sampled_from([None, "done_early", "done_on_time", "done_late"])),
        processing_seconds=draw(st.none() | st.integers(0, 900 * 3600)),
        returned_at=draw(maybe),
        returned_online=draw(st.booleans()),
        apology_at=draw(maybe),
        apology_late=draw(st.booleans()),
        rated_at=draw(maybe),
        rating_level=draw(st.sampled_from([None, "hai_long", "rat_hai_long", "khac"])),
        rating_points=draw(st.none() | st.integers(0, 18)),
    )


def _nonzero(out: c.Deltas) -> dict[c.AggKey, list[int]]:
    return {key: vector for key, vector in out.items() if any(vector)}


@settings(max_examples=400, deadline=None)
@given(facts(), st.sampled_from([1, -1]))
def test_one_unit_path_equals_the_general_path(fact: DossierFact, sign: int) -> None:
    fast: c.Deltas = {}
    general: c.Deltas = {}
    c.add_contributions(fast, fact, sign)  # assignments is None: the fast path
    if fact.known:
        c._add_over_segments(general, fact, sign)
    assert _nonzero(fast) == _nonzero(general)

"""The tenant registry: onboarding, validation, lifecycle, the province file, fairness."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from intake.onboard import onboard, rows_of
from motcua_contracts.events.tenants_v2 import TenantConfigured
from motcua_contracts.topics import Topics
from motcua_platform.rate_limit import TokenBucketLimiter
from motcua_testkit.intake import A, B, Desk, make_desk, outbox_events

ROOT = Path(__file__).resolve().parents[4]
NEW = "son-la.xa-moi"


def full_config(**overrides: Any) -> dict[str, Any]:
    return {
        "name_vi": "Xã Mới",
        "unit_type": "xa",
        "unit_code": "04099",
        "province_code": "14",
        "agency_code": "000.22.99.H50",
        "status": "pilot",
        "cohorts": ["pilot", "dot-2"],
        "office_hours": {"morning": ["07:00", "11:30"], "afternoon": ["13:30", "17:00"]},
        "closures": ["2026-03-02"],
        "enabled_procedures": [
            {"procedure_code": "1.001193", "promised_working_days": None},
            {"procedure_code": "1.000689", "promised_working_days": 2},
        ],
        "leader_on_duty": {"official_id": "lanh-dao-01", "title_vi": "Phó Chủ tịch UBND xã"},
        "senders": {"sms": "UBND XA MOI", "email": "motcua@xamoi.sonla.gov.vn"},
        "credentials": {"sms": "secret:son-la-sms", "email": "env:SMTP_PASSWORD"},
        "templates": {"receipt_sms": "Ho so {code} da duoc tiep nhan."},
        **overrides,
    }


async def put(desk: Desk, tenant: str, body: dict[str, Any], role: str = "operator") -> Any:
    return await desk.client.put(
        f"/api/v1/tenants/{tenant}", json=body, headers=desk.auth(role, None)
    )


async def tenant_events(desk: Desk, tenant: str) -> list[dict[str, Any]]:
    events = await outbox_events(desk.runtime, Topics.TENANTS)
    return [e for e in events if e["tenant_id"] == tenant]


async def test_onboarding_publishes_once_per_real_change(desk: Desk) -> None:
    first = await put(desk, NEW, full_config())
    assert first.status_code == 200, first.text
    assert first.json()["change"] == "created" and first.json()["revision"] == 1
    again = await put(desk, NEW, full_config())
    assert again.json()["change"] == "unchanged" and again.json()["revision"] == 1
    assert len(await tenant_events(desk, NEW)) == 1
    changed = await put(desk, NEW, full_config(cohorts=["pilot"]))
    assert changed.json()["change"] == "changed" and changed.json()["revision"] == 2
    events = await tenant_events(desk, NEW)
    assert [e["payload"]["revision"] for e in events] == [1, 2]
    payload = TenantConfigured.model_validate(events[-1]["payload"])
    assert payload.agency_code == "000.22.99.H50" and payload.cohorts == ["pilot"]
    assert payload.office_hours.morning == ("07:00", "11:30")
    assert payload.senders["sms.credentials"] == "secret:son-la-sms"
    assert (
        payload.leader_on_duty is not None
        and payload.enabled_procedures[1].promised_working_days == 2
    )
    # Key = tenant id on the compacted topic (the codec uses it when there is no dossier).
    from intake.adapters.tables import outbox
    from sqlalchemy import select

    async with desk.runtime.sessions() as session:
        keys = (
            await session.execute(
                select(outbox.c.message_key).where(outbox.c.topic == Topics.TENANTS)
            )
        ).scalars()
        assert NEW in set(keys)
    listed = await desk.client.get("/api/v1/tenants", headers=desk.auth("province_monitor", None))
    assert NEW in {t["tenant_id"] for t in listed.json()["items"]}
    assert (
        await desk.client.get("/api/v1/tenants", headers=desk.auth("clerk", A))
    ).status_code == 403


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        (
            {"office_hours": {"morning": ["11:30", "07:30"]}},
            "office_hours.morning",
            "tenant.office_hours_order",
        ),
        (
            {"office_hours": {"morning": ["7h", "11:30"]}},
            "office_hours.morning",
            "tenant.office_hours_format",
        ),
        (
            {"office_hours": {"morning": ["07:30", "14:00"], "afternoon": ["13:30", "17:00"]}},
            "office_hours.afternoon",
            "tenant.office_hours_overlap",
        ),
        ({"closures": ["2026-02-30"]}, "closures.0", "validation.date_from_datetime_parsing"),
        (
            {"enabled_procedures": [{"procedure_code": "9.999999"}]},
            "enabled_procedures.0.procedure_code",
            "tenant.procedure_unknown",
        ),
        (
            {"enabled_procedures": [{"procedure_code": "1.000689", "promised_working_days": 5}]},
            "enabled_procedures.0.promised_working_days",
            "tenant.promise_too_long",
        ),
        ({"agency_code": "abc def"}, "agency_code", "tenant.agency_code_format"),
        (
            {"credentials": {"sms": "hunter2-plain-password"}},
            "credentials.sms",
            "tenant.secret_not_reference",
        ),
        (
            {"senders": {"sms": "sk_live_abcdefghijklmnop"}},
            "senders.sms",
            "tenant.secret_not_reference",
        ),
        ({"cohorts": ["Thí điểm"]}, "cohorts.0", "tenant.cohort_format"),
        ({"unit_type": "huyen"}, "unit_type", "validation.literal_error"),
        ({"agency_code": "000.21.31.H50"}, "agency_code", "tenant.agency_code_taken"),
    ],
)
async def test_invalid_configuration_is_refused_field_by_field(
    desk: Desk, overrides: dict[str, Any], field: str, code: str
) -> None:
    r = await put(desk, NEW, full_config(**overrides))
    assert r.status_code == 422, r.text
    errors = {(e["field"], e["code"]) for e in r.json()["errors"]}
    assert (field, code) in errors, r.json()
    assert all(e["message"] for e in r.json()["errors"])
    assert await tenant_events(desk, NEW) == []


async def test_lifecycle_transitions_and_a_suspended_desk(desk: Desk) -> None:
    open_dossier = await desk.register(A)  # quyet-thang is a pilot unit
    pilot = (
        await desk.client.get(f"/api/v1/tenants/{A}", headers=desk.auth("operator", None))
    ).json()
    body = {k: pilot[k] for k in ("name_vi", "unit_type", "agency_code", "province_code")}
    body |= {k: pilot["config"][k] for k in ("cohorts", "office_hours") if k in pilot["config"]}
    assert (await put(desk, A, {**body, "status": "active"})).json()["status"] == "active"
    back = await put(desk, A, {**body, "status": "pilot"})
    assert back.status_code == 409
    assert back.json()["code"] == "tenant.invalid_transition"
    assert back.json()["allowed_transitions"] == ["suspended"]
    assert (await put(desk, A, {**body, "status": "merged"})).json()["code"] == (
        "tenant.merge_by_operation"
    )
    assert (await put(desk, A, {**body, "status": "suspended"})).status_code == 200
    refused = await desk.client.post(
        f"/api/v1/communes/{A}/dossiers",
        json=(await _body()),
        headers=desk.auth("clerk", A),
    )
    assert refused.status_code == 409 and refused.json()["code"] == "tenant.suspended"
    assert "tạm ngừng" in refused.json()["message"]
    assert (await desk.act(open_dossier, "accept")).status_code == 200  # open ones continue
    assert (await put(desk, A, {**body, "status": "active"})).status_code == 200
    await desk.register(A)


async def _body() -> dict[str, Any]:
    from motcua_testkit.intake import dossier_body

    return dossier_body()


async def test_the_province_file_onboards_through_the_api_twice_without_change(desk: Desk) -> None:
    document = json.loads((ROOT / "data/tenants/son-la-2025.json").read_text(encoding="utf-8"))
    rows = rows_of(document)
    assert len(rows) == 75
    assert sum(1 for _, b in rows if b["unit_type"] == "phuong") == 8
    assert all(b["source"]["legal"] for _, b in rows)
    assert len({b["agency_code"] for _, b in rows}) == 75
    token = desk.token("operator", None)
    first = await onboard(desk.client, rows, token=token)
    # Xã Chiềng Khương is a pilot unit already: the same unit (its sources added), not a new one.
    assert first.errors == [] and (first.counts["created"], first.counts["changed"]) == (74, 1)
    second = await onboard(desk.client, rows, token=token)
    assert second.counts["unchanged"] == 75 and not second.errors
    assert len(await outbox_events(desk.runtime, Topics.TENANTS)) == 3 + 75  # 3 pilot units
    listed = await desk.client.get(
        "/api/v1/tenants", params={"limit": 500}, headers=desk.auth("province_monitor", None)
    )
    names = [t["name_vi"] for t in listed.json()["items"]]
    assert len(names) == 3 + 74 and len(set(names)) == len(names)
    [khuong] = [t for t in listed.json()["items"] if t["name_vi"] == "Xã Chiềng Khương"]
    assert (khuong["tenant_id"], khuong["agency_code"]) == ("chieng-khuong", "000.22.38.H50")
    assert khuong["status"] == "pilot"


def test_the_province_file_and_the_pilot_seed_give_a_unit_one_identity() -> None:
    """A commune in both files has the same tenant id and agency code (else the dashboard
    shows it twice)."""
    from intake.bootstrap import PILOT_TENANTS

    pilot = json.loads(PILOT_TENANTS.read_text(encoding="utf-8"))["tenants"]
    province = json.loads((ROOT / "data/tenants/son-la-2025.json").read_text(encoding="utf-8"))
    by_name = {b["name_vi"]: (t, b["agency_code"]) for t, b in rows_of(province)}
    shared = [p for p in pilot if p["name_vi"] in by_name]
    assert shared, "the pilot's Xã Chiềng Khương is in the 2025 list"
    for p in shared:
        assert by_name[p["name_vi"]] == (p["tenant_id"], p["agency_code"]), p["name_vi"]


async def test_cross_commune_intake_receiving_and_resolving_units(desk: Desk) -> None:
    third = "moc-chau-tt"
    d = await desk.register(A, resolving_tenant_id=B)
    assert d["tenant_id"] == A and d["resolving_tenant_id"] == B
    events = await outbox_events(desk.runtime)
    assert events[-1]["payload"]["receiving_tenant_id"] == A
    assert events[-1]["payload"]["resolving_tenant_id"] == B
    for tenant in (A, B):
        url = f"/api/v1/communes/{tenant}/dossiers/{d['dossier_id']}"
        assert (await desk.client.get(url, headers=desk.auth("clerk", tenant))).status_code == 200
        listing = await desk.client.get(
            f"/api/v1/communes/{tenant}/dossiers", headers=desk.auth("clerk", tenant)
        )
        assert d["dossier_id"] in {x["dossier_id"] for x in listing.json()["items"]}
    hidden = await desk.client.get(
        f"/api/v1/communes/{third}/dossiers/{d['dossier_id']}", headers=desk.auth("clerk", third)
    )
    assert hidden.status_code == 404

    async def act(tenant: str, action: str, body: Any = None, role: str = "clerk") -> Any:
        url = f"/api/v1/communes/{tenant}/dossiers/{d['dossier_id']}/{action}"
        return await desk.client.post(url, json=body, headers=desk.auth(role, tenant))

    assert (await act(B, "accept")).json()["code"] == "dossier.other_unit_step"
    assert (await act(A, "accept")).status_code == 200
    assert (await act(A, "transfer", {"to_official_id": "cb-1"})).status_code == 403
    assert (await act(B, "transfer", {"to_official_id": "cb-1"})).status_code == 200
    assert (await act(B, "decision", {"outcome": "approved"}, "leader")).status_code == 200
    assert (await act(B, "result-ready")).status_code == 200
    assert (await act(B, "result-returned", {"method": "counter"})).status_code == 403
    assert (await act(A, "result-returned", {"method": "counter"})).status_code == 200
    bad = await desk.client.post(
        f"/api/v1/communes/{A}/dossiers",
        json={**(await _body()), "resolving_tenant_id": "khong-ton-tai"},
        headers=desk.auth("clerk", A),
    )
    assert bad.status_code == 422 and bad.json()["code"] == "resolving_tenant.unknown"


async def test_merger_moves_open_dossiers_and_keeps_closed_ones(desk: Desk) -> None:
    open_a, open_b = await desk.register(A), await desk.register(B)
    await desk.act(open_a, "accept")
    closed_a = await desk.register(A)
    await desk.act(closed_a, "refuse", {"reason_codes": ["x"], "reason_text": "Không đủ"})
    merge = {
        "sources": [A, B],
        "target": NEW,
        "target_config": {**full_config(status="active"), "tenant_id": NEW},
        "effective_at": "2026-02-13T00:00:00+07:00",
    }
    r = await desk.client.post(
        "/api/v1/tenants/merge", json=merge, headers=desk.auth("operator", None)
    )
    assert r.status_code == 200, r.text
    assert r.json()["moved_dossiers"] == 2 and r.json()["closed_dossiers_kept"] == 1
    assert {s["status"] for s in r.json()["sources"]} == {"merged"}
    assert {s["merged_into"] for s in r.json()["sources"]} == {NEW}
    for before in (open_a, open_b):
        url = f"/api/v1/communes/{NEW}/dossiers/{before['dossier_id']}"
        after = (await desk.client.get(url, headers=desk.auth("clerk", NEW))).json()
        assert after["code"] == before["code"]
        assert datetime.fromisoformat(after["due_at"]) == datetime.fromisoformat(before["due_at"])
        assert after["tenant_id"] == NEW and after["resolving_tenant_id"] == NEW
        steps = (await desk.client.get(f"{url}/history", headers=desk.auth("clerk", NEW))).json()
        assert steps[0]["action"] == "register" and steps[-1]["action"] == "reassign"
        assert [s["seq"] for s in steps] == list(range(1, after["version"] + 1))
    kept = f"/api/v1/communes/{A}/dossiers/{closed_a['dossier_id']}"
    assert (
        await desk.client.get(kept, headers=desk.auth("province_monitor", None))
    ).status_code == 200
    reassigned = [
        e for e in await outbox_events(desk.runtime) if e["event_type"] == "DossierReassigned"
    ]
    assert {e["dossier_id"] for e in reassigned} == {open_a["dossier_id"], open_b["dossier_id"]}
    assert {e["payload"]["from_tenant_id"] for e in reassigned} == {A, B}
    refused = await desk.client.post(
        f"/api/v1/communes/{A}/dossiers", json=await _body(), headers=desk.auth("clerk", A)
    )
    assert refused.status_code == 409 and refused.json()["code"] == "tenant.merged"
    await desk.register(NEW)
    again = await desk.client.post(
        "/api/v1/tenants/merge", json=merge, headers=desk.auth("operator", None)
    )
    assert again.status_code == 200 and again.json()["moved_dossiers"] == 0
    assert (
        len(
            [e for e in await outbox_events(desk.runtime) if e["event_type"] == "DossierReassigned"]
        )
        == 2
    )


async def test_a_flooding_commune_is_limited_and_the_others_are_not_slowed(
    tmp_path: Path, keys_dir: Path
) -> None:
    limiter = TokenBucketLimiter(rate_per_minute=10 * 60, burst=20)
    runtime, _ = await make_desk(tmp_path, keys_dir, tenant_limiter=limiter)
    assert runtime.app is not None
    transport = httpx.ASGITransport(app=runtime.app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
            desk = Desk(runtime, client, None, keys_dir)  # type: ignore[arg-type]
            flood_headers, other_headers = desk.auth("clerk", A), desk.auth("clerk", B)

            async def flood() -> list[httpx.Response]:
                url = f"/api/v1/communes/{A}/dossiers?limit=1"
                return list(
                    await asyncio.gather(
                        *(client.get(url, headers=flood_headers) for _ in range(120))
                    )
                )

            async def other() -> list[int]:
                statuses = []
                for _ in range(10):
                    r = await client.get(
                        f"/api/v1/communes/{B}/dossiers?limit=1", headers=other_headers
                    )
                    assert r.status_code == 200, r.text
                    statuses.append(r.status_code)
                return statuses

            # The other commune is never throttled; the timeout only bounds a hang.
            flooded, others = await asyncio.wait_for(asyncio.gather(flood(), other()), 120)
            limited = [r for r in flooded if r.status_code == 429]
            assert len(limited) >= 80
            assert limited[0].json()["code"] == "tenant.rate_limited"
            assert "quá nhiều yêu cầu" in limited[0].json()["message"]
            assert int(limited[0].headers["Retry-After"]) >= 1
            assert others == [200] * 10
    finally:
        await runtime.close()


async def test_configuration_changes_wait_their_turn_and_desks_do_not(desk: Desk) -> None:
    """A replica applies one configuration change at a time (an operator's bulk onboarding
    must not crowd out the desks); registrations never wait for that turn."""
    changes = desk.runtime.app.state.deps.tenant_changes  # type: ignore[union-attr]
    await changes.acquire()  # another change is being applied
    try:
        waiting = asyncio.create_task(put(desk, NEW, full_config()))
        registered = await desk.register()
        assert registered["status"] == "received"
        await asyncio.sleep(0.2)
        assert not waiting.done()
    finally:
        changes.release()
    assert (await waiting).json()["change"] == "created"


async def test_a_communes_shorter_promise_sets_the_due_date(desk: Desk) -> None:
    """promised_working_days (2 for 1.000689, statutory 3) is the receipt's date, not ignored;
    a longer promise is refused with a clear error."""
    from datetime import datetime

    import motcua_clock as mc

    assert (await put(desk, NEW, full_config())).status_code in (200, 201)
    promised = await desk.register(NEW, procedure_code="1.000689")
    plain = full_config(enabled_procedures=[{"procedure_code": "1.000689"}])
    assert (await put(desk, NEW, plain)).status_code == 200
    statutory = await desk.register(NEW, procedure_code="1.000689")
    received = datetime.fromisoformat(promised["received_at"])
    assert received == datetime.fromisoformat(statutory["received_at"])
    catalogue, national = mc.load_catalogue(), mc.load_calendar()
    version = catalogue.version_at("1.000689", received)
    calendar = national.for_tenant(
        mc.TenantConfig.from_dict(
            {
                "office_hours": full_config()["office_hours"],
                "closures": [{"date": "2026-03-02", "kind": "closure"}],
            }
        )
    )
    two = mc.compute_due(received, version, calendar, promised_working_days=2)
    three = mc.compute_due(received, version, calendar)
    assert two < three
    assert datetime.fromisoformat(promised["due_at"]) == two
    assert datetime.fromisoformat(statutory["due_at"]) == three
    too_long = full_config(
        enabled_procedures=[{"procedure_code": "1.000689", "promised_working_days": 4}]
    )
    refused = await put(desk, NEW, too_long)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["code"] == "tenant.promise_too_long"


async def test_a_new_unit_without_a_status_is_active(desk: Desk) -> None:
    body = {k: v for k, v in full_config().items() if k != "status"}
    created = await put(desk, NEW, body)
    assert created.status_code == 200 and created.json()["status"] == "active"
    pilot = await put(desk, "son-la.xa-thi-diem", full_config(agency_code="000.22.98.H50"))
    assert pilot.json()["status"] == "pilot"  # said explicitly
    again = await put(desk, NEW, body)
    assert again.json()["status"] == "active" and again.json()["change"] == "unchanged"

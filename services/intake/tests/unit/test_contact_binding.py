"""Issue 17, finding 4: a `service:notify` token reads contact data only of its own
commune's dossiers; the request names the commune and the token's tenant claim must match."""

from __future__ import annotations

from motcua_testkit.intake import A, Desk

B = "chieng-khuong"
QUERY = {"channel": "sms", "purpose": "receipt_confirmation"}


def _url(tenant: str, dossier_id: str) -> str:
    return f"/internal/v1/communes/{tenant}/dossiers/{dossier_id}/contact"


async def test_notify_reads_its_own_communes_contact(desk: Desk) -> None:
    mine = await desk.register(A)
    r = await desk.client.get(
        _url(A, mine["dossier_id"]), params=QUERY, headers=desk.auth("service:notify", A)
    )
    assert r.status_code == 200, r.text
    assert r.json()["phone"] == "0912345678"


async def test_another_communes_token_reads_nothing(desk: Desk) -> None:
    mine = await desk.register(A)
    dossier = mine["dossier_id"]
    cases = [
        (A, "service:notify", B),  # B's token naming A
        (B, "service:notify", B),  # B's token, B's path, A's dossier
        (A, "service:notify", None),  # a token bound to no commune
        (A, "clerk", A),  # not the notify service
    ]
    for path_tenant, role, claim in cases:
        r = await desk.client.get(
            _url(path_tenant, dossier), params=QUERY, headers=desk.auth(role, claim)
        )
        assert r.status_code in (403, 404), (path_tenant, role, claim, r.status_code)
        assert "0912345678" not in r.text and "Lò Văn Bình" not in r.text
        assert r.json()["code"] in ("auth.other_commune", "auth.forbidden", "dossier.not_found")
        assert r.json()["message"]  # Vietnamese, from the platform's handlers
    # The old route, which named no commune, is gone.
    old = await desk.client.get(
        f"/internal/v1/dossiers/{dossier}/contact",
        params=QUERY,
        headers=desk.auth("service:notify", B),
    )
    assert old.status_code == 404 and "0912345678" not in old.text


async def test_the_supplement_list_stays_in_intake_and_is_read_by_the_commune(
    desk: Desk,
) -> None:
    """Issue 17: SupplementRequested v2 carries the count; notify reads the clerk's text here."""
    from motcua_testkit.intake import outbox_events

    typed = ["Giấy khai sinh của Lò Văn An", "Tờ khai có chữ ký"]
    mine = await desk.register(A)
    await desk.act(mine, "supplement-request", {"missing_items": typed})
    [event] = [
        e for e in await outbox_events(desk.runtime) if e["event_type"] == "SupplementRequested"
    ]
    assert event["schema_version"] == 2
    assert event["payload"]["missing_count"] == 2
    assert "Lò Văn An" not in str(event)
    url = f"/internal/v1/communes/{A}/dossiers/{mine['dossier_id']}/missing-items"
    r = await desk.client.get(url, headers=desk.auth("service:notify", A))
    assert r.status_code == 200 and r.json()["missing_items"] == typed
    other = url.replace(f"/communes/{A}/", f"/communes/{B}/")
    for target, claim in ((url, B), (other, B), (url, None)):
        r = await desk.client.get(target, headers=desk.auth("service:notify", claim))
        assert r.status_code in (403, 404) and "Lò Văn An" not in r.text
    clerk = await desk.client.get(url, headers=desk.auth("clerk", A))
    assert clerk.status_code == 403

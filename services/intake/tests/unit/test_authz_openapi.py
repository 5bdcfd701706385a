"""Generated from the OpenAPI document: every endpoint, every role, the right and a wrong commune.

No response to another commune's token leaks or changes commune A's dossier.
"""

from __future__ import annotations

import json
from typing import Any

from motcua_testkit.intake import A, Desk, dossier_body

B = "chieng-khuong"
ROLES = ("clerk", "leader", "province_monitor", "operator", "service:notify")
STAFF = ("clerk", "leader")
OTHER_APPLICANT = {
    "full_name": "Hoàng Thị Bê",
    "id_number": "014196009876",
    "date_of_birth": "1996-01-01",
    "phone": "0987654321",
    "email": "be@example.vn",
    "address": "Bản Nà, xã Chiềng Khương",
}
BODIES: dict[str, Any] = {
    "POST /api/v1/communes/{tenant_id}/dossiers": {**dossier_body(), "applicant": OTHER_APPLICANT},
    "POST /api/v1/communes/{tenant_id}/dossiers/preview": {"procedure_code": "1.001193"},
    "POST .../accept": None,
    "POST .../supplement-request": {"missing_items": ["Giấy chứng sinh"]},
    "POST .../supplement-received": None,
    "POST .../refuse": {"reason_codes": ["x"], "reason_text": "Lý do"},
    "POST .../transfer": {"to_official_id": "cb-1"},
    "POST .../decision": {"outcome": "approved"},
    "POST .../result-ready": None,
    "POST .../result-returned": {"method": "counter"},
    "POST .../withdraw": {"note": "x"},
    "POST .../satisfaction": {"level": "hai_long"},
    "PUT .../ceremony": {"ceremony_at": "2026-02-23T08:30:00+07:00", "place": "Hội trường"},
    "PUT /api/v1/communes/{tenant_id}/duty-roster": {
        "weekdays": [{"weekday": 1, "leader": {"official_id": "ld-x"}}]
    },
    "PUT /api/v1/tenants/{tenant_id}": {"name_vi": "Xã Thử", "agency_code": "000.1.H50"},
    # Well-formed, naming units that do not exist: an operator gets 404, nobody merges A.
    "POST /api/v1/tenants/merge": {
        "sources": ["khong-co-1", "khong-co-2"],
        "target": "khong-co-3",
        "effective_at": "2026-02-13T08:00:00+07:00",
    },
}
QUERY = {
    "/internal/v1/communes/{tenant_id}/dossiers/{dossier_id}/contact": {
        "channel": "sms",
        "purpose": "test",
    }
}


def _key(method: str, path: str) -> str:
    suffix = path.rsplit("/", 1)[-1]
    if path.startswith("/api/v1/communes/{tenant_id}/dossiers/{dossier_id}/"):
        return f"{method} .../{suffix}"
    return f"{method} {path}"


def _operations(desk: Desk) -> list[tuple[str, str]]:
    assert desk.runtime.app is not None
    ops = []
    for path, item in desk.runtime.app.openapi()["paths"].items():
        if path.startswith(("/health", "/tra-cuu")):
            continue  # no token involved: public pages are tested on their own
        ops += [(m.upper(), path) for m in item if m in {"get", "post", "put", "delete", "patch"}]
    return ops


async def _call(
    desk: Desk,
    method: str,
    path: str,
    *,
    tenant: str,
    dossier: str,
    token: str,
    bodies: dict[str, Any] = BODIES,
) -> Any:
    url = path.replace("{tenant_id}", tenant).replace("{dossier_id}", dossier)
    body = bodies.get(_key(method, path))
    return await desk.client.request(
        method,
        url,
        json=body if method != "GET" else None,
        params=QUERY.get(path),
        headers={"Authorization": f"Bearer {token}"},
    )


async def _snapshot(desk: Desk, dossier: dict[str, Any]) -> tuple[int, str]:
    url = f"/api/v1/communes/{A}/dossiers/{dossier['dossier_id']}"
    body = (await desk.client.get(url, headers=desk.auth())).json()
    return body["version"], body["status"]


async def test_no_role_of_another_commune_reads_or_changes_commune_a(desk: Desk) -> None:
    mine = await desk.register(A)
    await desk.act(mine, "accept")
    before = await _snapshot(desk, mine)
    secrets_a = ["Lò Văn Bình", "014095001234", "0912345678", "binh.lv@example.vn", "Bản Hìn"]
    ops = _operations(desk)
    assert len(ops) >= 18
    for method, path in ops:
        body_key = _key(method, path)
        assert method == "GET" or body_key in BODIES, f"add a valid body for {body_key}"
        for role in ROLES:
            # notify's tokens are minted per commune (issue 17): B's reads nothing of A.
            tenant_claim = B if role in (*STAFF, "service:notify") else None
            token = desk.token(role, tenant_claim)
            for path_tenant in (A, B):
                r = await _call(
                    desk, method, path, tenant=path_tenant, dossier=mine["dossier_id"], token=token
                )
                text = r.text
                assert r.status_code < 500, (method, path, role, r.text)
                where = (method, path, role, path_tenant, r.status_code)
                reads_everything = role == "province_monitor" and method == "GET"
                operator = role == "operator" and path.startswith("/api/v1/tenants")
                # B's own commune, not A's dossier: allowed, but must show nothing of A.
                own = role in STAFF and path_tenant == B and "{dossier_id}" not in path
                if not (reads_everything or operator or own):
                    assert r.status_code in (403, 404), where
                    assert mine["code"] not in text and mine["dossier_id"] not in text, where
                assert not any(s in text for s in secrets_a), where
    assert await _snapshot(desk, mine) == before


async def test_commune_a_staff_never_see_commune_b_data(desk: Desk) -> None:
    theirs = await desk.register(B, applicant=OTHER_APPLICANT)
    await desk.act(theirs, "accept")
    secrets_b = ["Hoàng Thị Bê", "014196009876", "0987654321", theirs["code"], theirs["dossier_id"]]
    own_bodies = {**BODIES, "POST /api/v1/communes/{tenant_id}/dossiers": dossier_body()}
    for method, path in _operations(desk):
        for role in STAFF:
            mine = await desk.register(A)
            for dossier in (mine["dossier_id"], theirs["dossier_id"]):
                r = await _call(
                    desk,
                    method,
                    path,
                    tenant=A,
                    dossier=dossier,
                    token=desk.token(role, A),
                    bodies=own_bodies,
                )
                assert r.status_code < 500, (method, path, r.text)
                if dossier == theirs["dossier_id"] and "{dossier_id}" in path:
                    assert r.status_code in (403, 404), (method, path, role, r.status_code)
                text = r.text
                assert not any(s in text for s in secrets_b), (method, path, role, json.dumps(text))


async def test_swagger_ui_loads_no_asset_from_a_cdn(desk: Desk) -> None:
    page = await desk.client.get("/docs")
    assert page.status_code == 200 and "cdn.jsdelivr" not in page.text
    assert (await desk.client.get("/static-offline-docs/swagger-ui-bundle.js")).status_code == 200

"""The desk web app served by intake (issue 19): the page, its files, sign-in and the
catalogue/preview API it registers with."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from intake.bootstrap import build_runtime
from intake.entrypoints.desk import ASSETS, page_policy
from intake.settings import IntakeSettings
from motcua_testkit.intake import A, B, Desk, dossier_body


async def test_root_leads_to_the_desk_page_with_its_own_files(desk: Desk) -> None:
    root = await desk.client.get("/", follow_redirects=False)
    assert root.status_code == 307 and root.headers["location"] == "/ban-tiep-nhan/"
    page = await desk.client.get("/ban-tiep-nhan/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="vi">' in page.text
    # Every script and style sheet the page names is served by intake itself: no CDN.
    refs = re.findall(r'(?:src|href)="([^"#]+)"', page.text)
    assert refs and all(r.startswith("/ban-tiep-nhan/static/") for r in refs)
    for ref in refs:
        asset = await desk.client.get(ref)
        assert asset.status_code == 200, ref
    # Modules import each other by relative path only.
    for module in ASSETS.glob("*.js"):
        for target in re.findall(r'from "([^"]+)"', module.read_text(encoding="utf-8")):
            assert target.startswith("./") and (ASSETS / target[2:]).is_file(), target
    assert "https://" not in "".join(p.read_text(encoding="utf-8") for p in ASSETS.iterdir())


async def test_assets_outside_the_package_are_refused(desk: Desk) -> None:
    for name in ("..%2Fdesk.py", ".hidden.js", "index.html", "nothing.js"):
        got = await desk.client.get(f"/ban-tiep-nhan/static/{name}")
        assert got.status_code == 404, name
        assert got.json()["code"] in {"desk.asset_unknown", "route.not_found"}


async def test_development_sign_in_gives_a_token_the_api_accepts(desk: Desk) -> None:
    config = (await desk.client.get("/ban-tiep-nhan/cau-hinh")).json()
    assert config["sign_in"] == "dev"
    assert {c["tenant_id"] for c in config["communes"]} >= {A, B}
    got = await desk.client.post("/ban-tiep-nhan/dev-token", json={"role": "clerk", "tenant_id": A})
    assert got.status_code == 200
    bearer = {"Authorization": f"Bearer {got.json()['access_token']}"}
    listed = await desk.client.get(f"/api/v1/communes/{A}/procedures", headers=bearer)
    assert listed.status_code == 200
    refused = await desk.client.post(
        "/ban-tiep-nhan/dev-token", json={"role": "operator", "tenant_id": A}
    )
    assert refused.status_code == 422


async def test_production_has_no_development_token(tmp_path: Path) -> None:
    runtime = build_runtime(
        IntakeSettings(
            database_url="postgresql+asyncpg://u:p@127.0.0.1:1/never",  # never connected
            environment="production",
            jwks_url="https://id.example.vn/certs",
            jwt_issuer="https://id.example.vn/realms/motcua",
            jwt_audience="motcua",
            lookup_secret_file=str(_secret(tmp_path)),
        )
    )
    transport = httpx.ASGITransport(app=runtime.app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        got = await client.post("/ban-tiep-nhan/dev-token", json={"role": "clerk", "tenant_id": A})
        assert got.status_code == 404
        config = (await client.get("/ban-tiep-nhan/cau-hinh")).json()
        assert config["sign_in"] == "oidc" and config["communes"] == []
        assert config["issuer"] == "https://id.example.vn/realms/motcua"
        page = await client.get("/ban-tiep-nhan/")
        # The page may reach the issuer (discovery, token), nothing else outside.
        csp = page.headers["content-security-policy"]
        assert "connect-src 'self' https://id.example.vn;" in csp
    await runtime.close()


def _secret(tmp: Path) -> Path:
    path = tmp / "lookup.secret"
    path.write_bytes(b"x" * 48)
    return path


def test_the_page_policy_adds_only_the_configured_origins() -> None:
    settings = IntakeSettings(
        environment="test",
        desk_workflow_url="http://127.0.0.1:8002/",
        desk_notify_url="http://127.0.0.1:8003",
    )
    policy = page_policy(settings)
    assert "connect-src 'self' http://127.0.0.1:8002 http://127.0.0.1:8003;" in policy
    assert "script-src 'self';" in policy  # still no inline script


async def test_the_catalogue_lists_versions_in_force_with_documents_and_fees(desk: Desk) -> None:
    got = await desk.client.get(f"/api/v1/communes/{A}/procedures", headers=desk.auth())
    assert got.status_code == 200
    by_code = {p["code"]: p for p in got.json()}
    birth = by_code["1.001193"]
    assert birth["version"] and birth["time_limit_vi"]
    assert birth["documents"] and all(d["name"] and d["form_vi"] for d in birth["documents"])
    assert birth["fees_vi"]
    other = await desk.client.get(f"/api/v1/communes/{B}/procedures", headers=desk.auth())
    assert other.status_code == 403


async def test_the_preview_gives_the_due_date_registration_then_fixes(desk: Desk) -> None:
    url = f"/api/v1/communes/{A}/dossiers/preview"
    shown = await desk.client.post(url, json={"procedure_code": "1.001193"}, headers=desk.auth())
    assert shown.status_code == 200, shown.text
    made = await desk.register()
    assert shown.json()["due_at"] == made["due_at"]
    assert shown.json()["procedure"]["version"] == made["procedure_version"]
    unknown = await desk.client.post(url, json={"procedure_code": "9.999"}, headers=desk.auth())
    assert unknown.status_code == 422 and unknown.json()["field"] == "procedure_code"
    monitor = await desk.client.post(
        url, json={"procedure_code": "1.001193"}, headers=desk.auth("province_monitor", None)
    )
    assert monitor.status_code == 403
    # Nothing was saved by the previews: one dossier only.
    listed = await desk.client.get(f"/api/v1/communes/{A}/dossiers", headers=desk.auth())
    assert len(listed.json()["items"]) == 1
    assert dossier_body()["procedure_code"] == "1.001193"

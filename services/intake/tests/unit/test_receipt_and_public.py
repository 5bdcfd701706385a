"""The receipt (HTML and PDF with QR) and the citizen's window (no login, rate-limited)."""

from __future__ import annotations

import re
from datetime import timedelta

from intake.adapters import receipt_pdf
from motcua_platform.rate_limit import TokenBucketLimiter
from motcua_testkit.intake import A, Desk


def _path(url: str) -> str:
    return url.replace("https://motcua.example.vn", "")


async def test_receipt_only_after_acceptance_with_form_01_contents(desk: Desk) -> None:
    d = await desk.register()
    url = f"/api/v1/communes/{A}/dossiers/{d['dossier_id']}/receipt"
    early = await desk.client.get(url, headers=desk.auth())
    assert early.status_code == 409 and early.json()["code"] == "receipt.not_issued"
    await desk.act(d, "accept")
    page = await desk.client.get(url, headers=desk.auth())
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    for text in (
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        d["code"],
        "Lò Văn Bình",
        "Đăng ký khai sinh",
        "Giấy chứng sinh",
        "Bản chính",
        "<svg",
        "Thời gian trả kết quả",
    ):
        assert text in html, text
    assert "17 giờ 00 phút, Thứ Sáu ngày 13/02/2026" in html  # same day, received at 09:00
    pdf = await desk.client.get(url + ".pdf", headers=desk.auth())
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert b"DejaVuSans" in pdf.content  # the Unicode font is embedded
    monitor = await desk.client.get(url, headers=desk.auth("province_monitor", None))
    assert monitor.status_code == 403


async def test_a_reprinted_receipt_is_rendered_once(desk: Desk, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rendered: list[str] = []
    original = receipt_pdf.render_pdf

    def counting(receipt):  # type: ignore[no-untyped-def]
        rendered.append(receipt.code)
        return original(receipt)

    monkeypatch.setattr(receipt_pdf, "render_pdf", counting)
    first, second = await desk.register(), await desk.register()
    for d in (first, second):
        await desk.act(d, "accept")
    bodies = []
    for d in (first, first, second):
        url = f"/api/v1/communes/{A}/dossiers/{d['dossier_id']}/receipt.pdf"
        pdf = await desk.client.get(url, headers=desk.auth())
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        bodies.append(pdf.content)
    assert bodies[0] == bodies[1] and bodies[2] != bodies[0]
    assert rendered == [first["code"], second["code"]]  # the reprint came from the cache


async def test_public_page_shows_progress_and_no_personal_data(desk: Desk) -> None:
    d = await desk.register()
    await desk.act(d, "accept")
    await desk.act(d, "transfer", {"to_official_id": "cb-1", "step_key": "xu_ly"})
    page = await desk.client.get(_path(d["public_url"]))
    assert page.status_code == 200
    html = page.text
    assert "L** V** B***" in html and d["code"] in html and "Đăng ký khai sinh" in html
    assert "▶ Thẩm định, xử lý hồ sơ" in html and "<script" not in html
    for secret in ("Lò Văn Bình", "014095001234", "0912345678", "binh.lv", "Bản Hìn"):
        assert secret not in html
    desk.clock.advance(timedelta(days=2))
    assert "quá hạn" in (await desk.client.get(_path(d["public_url"]))).text
    missing = await desk.client.get("/tra-cuu/" + "x" * 32)
    assert missing.status_code == 404 and "Không tìm thấy hồ sơ" in missing.text


async def test_lookup_by_code_and_last_four_phone_digits(desk: Desk) -> None:
    d = await desk.register()
    ok = await desk.client.get("/tra-cuu", params={"ma": d["code"], "sdt4": "5678"})
    assert ok.status_code == 200 and d["code"] in ok.text
    wrong = await desk.client.get("/tra-cuu", params={"ma": d["code"], "sdt4": "0000"})
    assert wrong.status_code == 404
    form = await desk.client.get("/tra-cuu")
    assert form.status_code == 200 and 'name="sdt4"' in form.text


async def test_citizen_rates_once_from_the_link(desk: Desk) -> None:
    d = await desk.register()
    path = _path(d["public_url"]) + "/danh-gia"
    early = await desk.client.post(path, data={"level": "hai_long"})
    assert early.status_code == 409 and "sau khi đã nhận kết quả" in early.text
    for action, body, role in (
        ("accept", None, "clerk"),
        ("decision", {"outcome": "approved"}, "leader"),
        ("result-ready", None, "clerk"),
        ("result-returned", {"method": "counter"}, "clerk"),
    ):
        assert (await desk.act(d, action, body, role=role)).status_code == 200
    page = (await desk.client.get(_path(d["public_url"]))).text
    assert "Đánh giá mức độ hài lòng" in page and 'method="post"' in page
    done = await desk.client.post(
        path, data={"level": "rat_hai_long", "c_attitude": "2", "comment": "Tốt"}
    )
    assert done.status_code == 200 and "Cảm ơn bạn đã đánh giá" in done.text
    twice = await desk.client.post(path, data={"level": "hai_long"})
    assert twice.status_code == 409
    bad = await desk.client.post(path, data={"level": "tuyet_voi"})
    assert bad.status_code == 422


async def test_public_pages_are_rate_limited(desk: Desk) -> None:
    assert desk.runtime.app is not None
    desk.runtime.app.state.deps.limiter = TokenBucketLimiter(rate_per_minute=1, burst=3)
    codes = [(await desk.client.get("/tra-cuu")).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    limited = await desk.client.get("/tra-cuu")
    assert limited.json()["code"] == "rate_limited" and int(limited.headers["Retry-After"]) >= 1


async def test_the_citizens_429_is_a_page_with_the_real_wait(desk: Desk) -> None:
    """A browser gets a Vietnamese page, an API client JSON; both say the Retry-After wait."""
    assert desk.runtime.app is not None
    desk.runtime.app.state.deps.limiter = TokenBucketLimiter(rate_per_minute=60, burst=1)
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    assert (await desk.client.get("/tra-cuu", headers=browser)).status_code == 200
    page = await desk.client.get("/tra-cuu", headers=browser)
    assert page.status_code == 429 and page.headers["content-type"].startswith("text/html")
    wait = int(page.headers["Retry-After"])
    assert f"Vui lòng thử lại sau <strong>{wait} giây</strong>" in page.text
    assert "ít phút" not in page.text
    api = await desk.client.get("/tra-cuu", headers={"Accept": "application/json"})
    assert api.status_code == 429 and api.headers["content-type"].startswith("application/json")
    assert api.json()["message"].endswith(f"thử lại sau {api.headers['Retry-After']} giây.")


def test_the_link_token_is_long_and_unguessable() -> None:
    from intake.application.lookup_tokens import LookupTokens

    tokens = LookupTokens(b"s" * 32)
    one, two = tokens.token(tokens.new_nonce()), tokens.token(tokens.new_nonce())
    assert one != two and re.fullmatch(r"[A-Za-z0-9_-]{32}", one)

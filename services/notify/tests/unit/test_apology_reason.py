"""The apology letter (Form 04) and message carry the leader's reason and the new date."""

from __future__ import annotations

import io
import unicodedata
from datetime import UTC, datetime, timedelta

from motcua_testkit.notify import DOSSIER, TENANT, Notify, apology, apology_v2, drain, received
from pypdf import PdfReader

REASON = "Hồ sơ cần lấy ý kiến của Phòng Tư pháp về trích lục gốc."


def _text(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    text = "\n".join(p.extract_text() or "" for p in pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


async def _letter_text(n: Notify) -> str:
    jobs = await n.client.get(f"/api/v1/communes/{TENANT}/print-queue", headers=n.headers())
    assert jobs.status_code == 200, jobs.text
    (job,) = [j for j in jobs.json() if j["kind"] == "apology_notice"]
    pdf = await n.client.get(
        f"/api/v1/communes/{TENANT}/print-queue/{job['delivery_id']}/pdf", headers=n.headers()
    )
    assert pdf.status_code == 200, pdf.text
    return _text(pdf.content)


def _messages(n: Notify) -> list[str]:
    return [m.body for p in n.providers.values() for m in p.sent if m.kind == "apology_message"]


async def test_the_letter_and_message_carry_the_leaders_reason_and_new_date(n: Notify) -> None:
    await n.deliver(received(), DOSSIER)
    await drain(n.runtime)
    old_due = datetime(2025, 10, 14, 10, 0, tzinfo=UTC)  # 17:00 in Vietnam
    new_due = old_due + timedelta(days=3)
    await n.deliver(apology_v2(old_due, new_due, REASON), DOSSIER, producer="workflow")
    await drain(n.runtime)
    (message,) = _messages(n)
    # The leader's words, the sentence's own full stop not doubled; not the canned text.
    assert "Hồ sơ cần lấy ý kiến của Phòng Tư pháp về trích lục gốc." in message
    assert "gốc.." not in message and "vướng mắc" not in message
    assert "17:00 ngày 17/10/2025" in message
    letter = await _letter_text(n)
    assert "Hồ sơ cần lấy ý kiến của Phòng Tư pháp về trích lục gốc" in letter
    assert "17/10/2025" in letter


async def test_a_version_1_apology_keeps_the_standard_wording(n: Notify) -> None:
    await n.deliver(received(), DOSSIER)
    await drain(n.runtime)
    old_due = datetime(2025, 10, 14, 10, 0, tzinfo=UTC)
    await n.deliver(apology(old_due, old_due + timedelta(days=3)), DOSSIER, producer="workflow")
    await drain(n.runtime)
    (message,) = _messages(n)
    assert "cần được xác minh" in message  # the verification code's wording

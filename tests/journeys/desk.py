"""Small steps the stories are made of, each as the user takes it: a clerk registers and moves
a dossier, a leader decides, the desk prints a letter, a citizen opens the QR page.

Add a story by combining these; every wait is a condition with a generous timeout (never a
speed assertion).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as dtime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import httpx

from tests.journeys.platforms import RunningPlatform
from tests.support.pdf_check import CheckedPdf, check_letterhead, check_pdf

T = TypeVar("T")
VN = ZoneInfo("Asia/Ho_Chi_Minh")
WAIT_S = 90.0  # bounds a hang only; consumers on a loaded machine may take a while


def wait_for(what: str, probe: Callable[[], T | None], wait_s: float = WAIT_S) -> T:
    """Polls `probe` until it gives something truthy."""
    deadline = time.monotonic() + wait_s
    last: T | None = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(0.3)
    raise AssertionError(f"never happened within {wait_s:.0f} s: {what} (last: {last!r})")


def applicant(full_name: str = "Lò Thị Mai") -> dict[str, Any]:
    """A citizen of Sơn La (014), a woman born in 1988 (century/sex digit 1), with a random
    serial so two journeys seldom share an ID number."""
    return {
        "full_name": full_name,
        "id_number": f"014188{random.randrange(10**6):06d}",
        "date_of_birth": "1988-02-17",
        "phone": "0912345678",
        "address": "Bản Hìn, xã Chiềng Khương, tỉnh Sơn La",
    }


@dataclass
class Desk:
    """One commune's one-stop-shop desk, seen through the platform's public APIs."""

    platform: RunningPlatform
    tenant: str = "chieng-khuong"

    def _client(self, service: str) -> httpx.Client:
        return httpx.Client(base_url=self.platform.url(service), timeout=30)

    def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        role: str = "clerk",
        json: dict[str, Any] | None = None,
    ) -> httpx.Response:
        with self._client(service) as client:
            return client.request(
                method,
                f"/api/v1/communes/{self.tenant}{path}",
                json=json,
                headers=self.platform.headers(role, self.tenant),
            )

    # --- intake: the clerk and the leader ---------------------------------------------------
    def register(
        self, procedure_code: str, *, full_name: str = "Lò Thị Mai", channel: str = "counter"
    ) -> dict[str, Any]:
        body = {
            "procedure_code": procedure_code,
            "channel": channel,
            "applicant": applicant(full_name),
            "documents": [{"name": "Tờ khai", "form": "original"}],
        }
        r = self.call("intake", "POST", "/dossiers", json=body)
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def dossier(self, dossier_id: str) -> dict[str, Any]:
        r = self.call("intake", "GET", f"/dossiers/{dossier_id}")
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    def step(
        self,
        dossier_id: str,
        action: str,
        body: dict[str, Any] | None = None,
        *,
        role: str = "clerk",
    ) -> dict[str, Any]:
        """One lifecycle step on intake (accept, supplement-request, decision, ...)."""
        r = self.call(
            "intake", "POST", f"/dossiers/{dossier_id}/{action}", json=body or {}, role=role
        )
        assert r.status_code == 200, f"{action}: {r.status_code} {r.text}"
        return r.json()  # type: ignore[no-any-return]

    def to_result(self, dossier_id: str) -> dict[str, Any]:
        """Accepted, handed to the justice officer, approved by the leader, result ready."""
        self.step(dossier_id, "accept")
        self.step(dossier_id, "transfer", {"to_unit_id": "tu-phap"})
        self.step(dossier_id, "decision", {"outcome": "approved"}, role="leader")
        return self.step(dossier_id, "result-ready")

    def receipt_pdf(self, dossier_id: str) -> bytes:
        """The receipt (Form 01) as the clerk prints it for the citizen."""
        r = self.call("intake", "GET", f"/dossiers/{dossier_id}/receipt.pdf")
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/pdf")
        return r.content

    def platform_now(self) -> datetime:
        """The platform's own now (+07:00), which a simulation runs ahead of the wall clock."""
        r = httpx.get(f"{self.platform.url('analytics')}/api/v1/clock", timeout=10)
        assert r.status_code == 200, r.text
        return datetime.fromisoformat(r.json()["now"])

    def schedule_ceremony(self, dossier_id: str, place: str) -> dict[str, Any]:
        """The clerk proposes the hand-over at 08:30 on the first working day ahead that the
        commune's calendar accepts (a holiday or weekend answers 422: the next day is tried)."""
        day = self.platform_now().astimezone(VN).date()
        refused: list[str] = []
        for ahead in range(1, 30):
            at = datetime.combine(day + timedelta(days=ahead), dtime(8, 30), VN)
            if at.weekday() >= 5:
                continue
            r = self.call(
                "intake",
                "PUT",
                f"/dossiers/{dossier_id}/ceremony",
                json={"ceremony_at": at.isoformat(), "place": place},
            )
            if r.status_code == 200:
                return r.json()  # type: ignore[no-any-return]
            assert r.status_code == 422, r.text
            refused.append(r.text)
        raise AssertionError(f"no working day accepted for the ceremony: {refused[-3:]}")

    # --- notify: the print queue ------------------------------------------------------------
    def print_queue(self, *, printed: bool = False) -> list[dict[str, Any]]:
        r = self.call("notify", "GET", f"/print-queue?printed={'true' if printed else 'false'}")
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    def letters(self, dossier_id: str, kind: str) -> list[dict[str, Any]]:
        jobs = self.print_queue() + self.print_queue(printed=True)
        return [j for j in jobs if j["dossier_id"] == dossier_id and j["kind"] == kind]

    def wait_letter(self, dossier_id: str, kind: str) -> dict[str, Any]:
        found = wait_for(f"{kind} of {dossier_id} queued", lambda: self.letters(dossier_id, kind))
        return found[0]

    def letter_pdf(self, delivery_id: str) -> bytes:
        def fetch() -> bytes | None:
            r = self.call("notify", "GET", f"/print-queue/{delivery_id}/pdf")
            if r.status_code == 409:  # notify has not learnt the addressee yet: it says retry
                return None
            assert r.status_code == 200, r.text
            assert r.headers["content-type"].startswith("application/pdf")
            return r.content

        return wait_for(f"PDF of {delivery_id}", fetch)

    def check_letter(self, job: dict[str, Any], name: str, expect: list[str]) -> CheckedPdf:
        """The letter as the desk prints it: text, no overlaps, page 1 kept as a PNG, and the
        Decree 30/2020 letterhead (issuer and number left, motto and place-date right)."""
        pdf = self.letter_pdf(job["delivery_id"])
        checked = check_pdf(pdf, name=f"journey-{self.platform.mode}-{name}", expect=expect)
        issuer, place = LETTERHEADS[self.tenant]
        check_letterhead(
            checked,
            issuer=issuer,
            number=job.get("letter_number") or None,
            place_date=dated(place, job["letter_date"]),
        )
        return checked

    def mark_printed(self, delivery_id: str) -> httpx.Response:
        return self.call("notify", "POST", f"/print-queue/{delivery_id}/printed")


# The pilot communes' issuing body (upper case, Decree 30) and place name on their letters.
LETTERHEADS = {
    "chieng-khuong": ("XÃ CHIỀNG KHƯƠNG", "Chiềng Khương"),
    "moc-chau-tt": ("THỊ TRẤN MỘC CHÂU", "Mộc Châu"),
}


def dated(place: str, letter_date: str) -> str:
    """Decree 30/2020: days below 10 and the months 1 and 2 are written with a leading 0."""
    year, month, day = (int(x) for x in letter_date.split("-"))
    shown = f"{month:02d}" if month < 3 else str(month)
    return f"{place}, ngày {day:02d} tháng {shown} năm {year}"


def public_path(dossier: dict[str, Any]) -> str:
    """The QR code's URL as printed on the receipt."""
    url = dossier["public_url"]
    assert url and "/tra-cuu/" in url, dossier
    return str(url)

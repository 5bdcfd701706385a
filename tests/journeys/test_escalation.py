"""A late dossier reaches the leader on duty that day, and the next working morning's digest
naming it is printed at the desk.

Days pass on the platform's movable clock (development and tests only: POST
/internal/dev/clock with an operator's token, on workflow, which keeps the statutory clock and
compiles the digest, and on notify, which dates the letter; standalone's services share one
clock, so the same offset told to both moves it once). The clock is put back at the end, and the
suite runs this story last in each mode (conftest), since the days it skips also made the other
stories' open dossiers late.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any

import httpx
import pdfplumber
from motcua_clock import load_calendar

from tests.journeys.desk import VN, Desk, wait_for

COPY = "2.000635"  # Cấp bản sao trích lục hộ tịch: same day (before 15:00), else the next
# The pilot seeds set no digest time: workflow's default, 07:30 on each working morning.
DIGEST_AT = dtime(7, 30)
CLOCKED = ("workflow", "notify")


class DevClock:
    """The platform's movable clock, as an operator moves it."""

    def __init__(self, desk: Desk) -> None:
        self.platform = desk.platform

    def _call(
        self, service: str, method: str, path: str = "", body: dict[str, Any] | None = None
    ) -> Any:
        r = httpx.request(
            method,
            f"{self.platform.url(service)}/internal/dev/clock{path}",
            json=body,
            headers=self.platform.headers("operator", None),
            timeout=30,
        )
        assert r.status_code == 200, f"{service}: {r.status_code} {r.text}"
        return r.json()

    def state(self, service: str = "workflow") -> dict[str, Any]:
        return self._call(service, "GET")  # type: ignore[no-any-return]

    def move_to(self, moment: datetime) -> None:
        """Every clocked service to `moment` (an offset from the real clock: told twice, the
        shared clock of standalone moves once)."""
        state = self.state()
        real_now = datetime.fromisoformat(state["now"]) - timedelta(seconds=state["offset_seconds"])
        offset = (moment - real_now).total_seconds()
        for service in CLOCKED:
            moved = self._call(service, "POST", body={"offset_seconds": offset})
            assert datetime.fromisoformat(moved["now"]) >= moment - timedelta(seconds=1), moved

    def reset(self) -> None:
        for service in CLOCKED:
            self._call(service, "POST", "/reset")


@contextmanager
def moved_clock(desk: Desk) -> Iterator[DevClock]:
    clock = DevClock(desk)
    try:
        yield clock
    finally:
        clock.reset()


def leader_on(roster: dict[str, Any], day: date) -> dict[str, Any]:
    """The commune's roster as its leader set it: the date's entry, else the weekday's, else
    the default leader on duty (official_id, title_vi)."""
    for entry in roster.get("dates") or ():
        if entry["day"] == day.isoformat():
            return entry["leader"]  # type: ignore[no-any-return]
    for entry in roster.get("weekdays") or ():
        if entry["weekday"] == day.isoweekday():
            return entry["leader"]  # type: ignore[no-any-return]
    return roster.get("leader_on_duty") or {}


def _text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return " ".join((page.extract_text() or "") for page in doc.pages)


def test_a_late_dossier_reaches_the_leader_on_duty_and_the_morning_digest_is_printed(
    desk: Desk,
) -> None:
    dossier = desk.register(COPY, full_name="Cầm Văn Tươi")
    did = dossier["dossier_id"]

    def clock() -> dict[str, Any] | None:
        r = desk.call("workflow", "GET", f"/dossiers/{did}/clock")
        return r.json() if r.status_code == 200 else None

    tracked = wait_for("workflow tracking the dossier", clock)
    due = datetime.fromisoformat(str(tracked["due_at"])).astimezone(VN)
    roster = desk.call("intake", "GET", "/duty-roster").json()
    on_duty = leader_on(roster, due.date()).get("official_id")
    assert on_duty, roster  # the pilot communes' roster is seeded

    seen_digests = {
        j["delivery_id"]
        for j in desk.print_queue() + desk.print_queue(printed=True)
        if j["kind"] == "morning_digest"
    }
    with moved_clock(desk) as dev:
        dev.move_to(due + timedelta(minutes=1))

        def escalation() -> dict[str, Any] | None:
            r = desk.call("workflow", "GET", "/escalations", role="leader")
            assert r.status_code == 200, r.text
            late = [e for e in r.json() if e["dossier_id"] == did and e["reason"] == "late"]
            return late[0] if late else None

        raised = wait_for("the late dossier escalated", escalation)
        assert raised["level"] == 1, raised
        assert raised["to_official_id"] == on_duty, (raised, due.date(), roster)
        assert datetime.fromisoformat(raised["raised_at"]).astimezone(VN).date() == due.date()
        code = raised["dossier_code"]

        # The next working morning (the commune's calendar: weekends and holidays skipped).
        calendar = load_calendar().for_tenant()
        morning = calendar.next_working_day(due.date())
        dev.move_to(datetime.combine(morning, DIGEST_AT, VN) + timedelta(minutes=5))
        title = f"SÁNG {morning:%d/%m/%Y}"

        def digest() -> tuple[dict[str, Any], str] | None:
            jobs = [
                j
                for j in desk.print_queue()
                if j["kind"] == "morning_digest"
                and j["delivery_id"] not in seen_digests
                and j["letter_date"] == morning.isoformat()
            ]
            for job in jobs:
                text = " ".join(_text(desk.letter_pdf(job["delivery_id"])).split())
                if title in text and code in text:
                    return job, text
                seen_digests.add(job["delivery_id"])  # another morning's, or another digest
            return None

        # Days skipped at once make every open dossier of the suite late together: notify has a
        # backlog of those messages ahead of the digest, so this wait is longer (a bound only).
        job, _ = wait_for(f"the digest of {morning} naming {code} queued", digest, 420)
        assert job["dossier_id"] is None and job["recipient"] == "leader", job
        # Addressed to the leader on duty on the digest's morning (the roster again).
        reader = leader_on(roster, morning)["title_vi"]
        checked = desk.check_letter(
            job,
            "morning-digest",
            [
                f"TÌNH HÌNH HỒ SƠ {title}",
                f"Kính gửi: Đồng chí {reader}",
                f"Quá hạn: {code}",
                "hồ sơ quá hạn",  # with the count: other stories' dossiers may be late too
            ],
        )
        assert checked.pages >= 1
        printed = desk.mark_printed(job["delivery_id"])
        assert printed.status_code == 200, printed.text

    # Back on the real clock: later stories see today again.
    assert all(DevClock(desk).state(s)["offset_seconds"] == 0 for s in CLOCKED)

"""Province simulator: realistic traffic through the public APIs, never the databases.

Time comes from the platform's clock abstraction, so in standalone and benchmark modes a day
can pass in minutes. Every dossier follows a plausible path: most are accepted and returned
early, some need a supplement, a few are refused, withdrawn, or run late with an apology.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from motcua_clock import VN_TZ
from motcua_platform.auth.dev_tokens import mint
from motcua_platform.auth.roles import Role
from motcua_platform.clock import Clock

from motcua_standalone.traffic import Mix, arrivals

VN = VN_TZ  # the one zone: motcua_clock's

log = logging.getLogger(__name__)
Action = Callable[[], Awaitable[None]]


@dataclass
class Report:
    requests: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    dossiers: int = 0
    registered: Counter[str] = field(default_factory=Counter)  # dossiers per commune
    # Registrations sent, answered or not: one still unanswered after the drain may have
    # committed. One still waiting for a free connection when the run ended was not sent.
    attempted: Counter[str] = field(default_factory=Counter)
    # Steps the platform could not take yet: workflow learns a dossier from intake's events,
    # and when its consumer lags it answers 404 (dossier.not_found) for a while. Retried,
    # then skipped: a lagging consumer is slow, not wrong (its lag is on /metrics).
    not_ready: Counter[str] = field(default_factory=Counter)
    retried: int = 0
    drained: int = 0  # calls still in flight when the run ended, waited for
    unanswered: int = 0  # calls still in flight after the drain's bound

    def ok(self) -> bool:
        return not self.errors


@dataclass
class Simulator:
    intake_url: str
    workflow_url: str
    communes: list[str]
    clock: Clock
    mix: Mix = field(default_factory=Mix)
    speed: float = 1.0  # simulated seconds per real second: the clock's factor
    seed: int = 2023
    window_minutes: int = 15
    concurrency: int = 16
    # A step workflow does not know yet is retried after these real seconds, then skipped.
    not_ready_retries: tuple[float, ...] = (2.0, 5.0, 10.0, 20.0, 30.0)
    drain_seconds: float = 90.0  # bound on the wait for calls in flight when the run ends
    timeout_seconds: float = 30.0
    report: Report = field(default_factory=Report)
    http: httpx.AsyncClient | None = None  # tests pass one routed to in-process apps

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._queue: list[tuple[datetime, int, Action]] = []
        self._seq = itertools.count()
        self._gate = asyncio.Semaphore(self.concurrency)
        self._http = self.http or httpx.AsyncClient(timeout=self.timeout_seconds)
        self._tokens: dict[tuple[str, str | None], str] = {}
        self._in_flight: set[asyncio.Task[dict[str, Any] | None]] = set()
        self._queued: set[asyncio.Task[Any]] = set()  # in flight, still waiting for the gate

    def _auth(self, role: str, tenant: str | None) -> dict[str, str]:
        key = (role, tenant)
        if key not in self._tokens:
            self._tokens[key] = mint(role, tenant, subject=f"sim-{role}-{tenant}")
        return {"Authorization": f"Bearer {self._tokens[key]}"}

    def at(self, moment: datetime, action: Action) -> None:
        heapq.heappush(self._queue, (moment, next(self._seq), action))

    async def run(self, real_seconds: float) -> Report:
        """Drive traffic until `real_seconds` of wall time have passed."""
        loop = asyncio.get_running_loop()
        stop_at = loop.time() + real_seconds
        next_window = self.clock.now()
        tasks: set[asyncio.Task[None]] = set()
        try:
            while loop.time() < stop_at:
                now = self.clock.now()
                if now >= next_window:
                    self._plan_window(next_window)
                    next_window += timedelta(minutes=self.window_minutes)
                while self._queue and self._queue[0][0] <= now:
                    _, _, action = heapq.heappop(self._queue)
                    task = asyncio.create_task(self._guarded(action))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                await asyncio.sleep(0.02)
        finally:
            # Steps still waiting for their simulated moment are the future, not failures:
            # cancel them, and the calls not sent yet. Calls already sent are let finish
            # (bounded), so a registration the end of the run caught half-way is counted as
            # what the platform answered.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._drain()
            if self.http is None:
                await self._http.aclose()
        return self.report

    async def _drain(self) -> None:
        for task in self._queued:  # never sent: as if the run had ended a moment earlier
            task.cancel()
        pending = set(self._in_flight)
        self.report.drained = len(pending - self._queued)
        if pending:
            finished, late = await asyncio.wait(pending, timeout=self.drain_seconds)
            for task in finished:  # nobody awaits these any more: their failures are ours
                if not task.cancelled() and task.exception() is not None:
                    self.report.errors.append(repr(task.exception())[:300])
            self.report.unanswered = len(late)
            for task in late:  # never answered: counted by `attempted`, not `registered`
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    async def _guarded(self, action: Action) -> None:
        try:
            await action()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a simulator reports, it does not crash
            self.report.errors.append(repr(exc)[:300])

    def _plan_window(self, start: datetime) -> None:
        local = start.astimezone(VN)
        if local.weekday() >= 5:
            return
        hours = self.window_minutes / 60
        for commune in self.communes:
            for procedure in self.mix.procedures():
                for _ in range(arrivals(self._rng, self.mix, procedure, local, hours)):
                    offset = timedelta(seconds=self._rng.uniform(0, self.window_minutes * 60))
                    self.at(start + offset, self._register(commune, procedure))

    async def _call(
        self,
        method: str,
        url: str,
        *,
        role: str,
        tenant: str | None,
        ok_empty: bool = False,
        may_lag: bool = False,
        sent: Callable[[], None] | None = None,
        answered: Callable[[dict[str, Any]], None] | None = None,
        **kw: Any,
    ) -> dict[str, Any] | None:
        """The answer's body on 2xx ({} on failure, reported). None when a service that
        learns dossiers from events (`may_lag`) does not know this one yet. The request runs
        in its own task: when the run ends, one already sent (`sent` was called as it went)
        is finished by `_drain`, and `answered` still sees its body."""
        sending = asyncio.create_task(
            self._send(
                method,
                url,
                role=role,
                tenant=tenant,
                ok_empty=ok_empty,
                may_lag=may_lag,
                sent=sent,
                **kw,
            )
        )
        self._in_flight.add(sending)
        sending.add_done_callback(self._in_flight.discard)
        if answered is not None:

            def done(task: asyncio.Task[dict[str, Any] | None]) -> None:
                if not task.cancelled() and task.exception() is None and task.result():
                    answered(task.result() or {})

            sending.add_done_callback(done)
        return await asyncio.shield(sending)

    async def _send(
        self,
        method: str,
        url: str,
        *,
        role: str,
        tenant: str | None,
        ok_empty: bool,
        may_lag: bool,
        sent: Callable[[], None] | None,
        **kw: Any,
    ) -> dict[str, Any] | None:
        me = asyncio.current_task()
        assert me is not None
        self._queued.add(me)
        try:
            await self._gate.acquire()
        finally:
            self._queued.discard(me)
        try:
            if sent is not None:
                sent()
            response = await self._http.request(method, url, headers=self._auth(role, tenant), **kw)
        except httpx.HTTPError as exc:  # a timeout or a refused connection: a real failure
            self.report.errors.append(f"{method} {url} -> {exc!r}"[:400])
            return {}
        finally:
            self._gate.release()
        self.report.requests[f"{method} {response.status_code}"] += 1
        if may_lag and response.status_code == 404 and _code(response) == NOT_YET_KNOWN:
            return None
        if response.status_code >= 300:
            self.report.errors.append(
                f"{method} {url} -> {response.status_code} {response.text}"[:400]
            )
            return {}
        if not response.content:
            return {"ok": True} if ok_empty else {}
        return response.json()  # type: ignore[no-any-return]

    async def _sleep_until(self, moment: datetime) -> None:
        ahead = (moment - self.clock.now()).total_seconds()
        if ahead > 0:
            await asyncio.sleep(ahead / self.speed)

    def _dossier_url(self, tenant: str, dossier_id: str, step: str = "") -> str:
        base = f"{self.intake_url}/api/v1/communes/{tenant}/dossiers/{dossier_id}"
        return f"{base}/{step}" if step else base

    def _register(self, tenant: str, procedure: str) -> Action:
        async def act() -> None:
            id_number, born = _person(self._rng)
            body = {
                "procedure_code": procedure,
                "channel": self._rng.choices(["counter", "online", "postal"], [75, 20, 5])[0],
                "applicant": {
                    "full_name": "Công dân Mô Phỏng",
                    "id_number": id_number,
                    "date_of_birth": born,
                    "phone": f"09{self._rng.randrange(10**8):08d}",
                    "address": "Bản Mô Phỏng, tỉnh Sơn La",
                },
                "documents": [{"name": "Tờ khai", "form": "original"}],
            }

            def attempted() -> None:
                self.report.attempted[tenant] += 1

            def registered(_: dict[str, Any]) -> None:
                self.report.dossiers += 1
                self.report.registered[tenant] += 1

            made = await self._call(
                "POST",
                f"{self.intake_url}/api/v1/communes/{tenant}/dossiers",
                role=Role.CLERK,
                tenant=tenant,
                json=body,
                sent=attempted,
                answered=registered,
            )
            if made:
                await self._follow(tenant, made)

        return act

    async def _follow(self, tenant: str, dossier: dict[str, Any]) -> None:
        """One dossier's steps, in order, each at its simulated moment."""
        for moment, name, body, role in self._path(dossier):
            await self._sleep_until(moment)
            if name == "apology":
                url = f"{self.workflow_url}/api/v1/communes/{tenant}/dossiers/"
                url += f"{dossier['dossier_id']}/apology"
                done = await self._lagging_step(url, role=role, tenant=tenant, body=body, name=name)
            else:
                url = self._dossier_url(tenant, dossier["dossier_id"], name)
                done = await self._call(
                    "POST", url, role=role, tenant=tenant, json=body, ok_empty=True
                )
            if done is None:
                continue  # workflow never caught up in time: skipped, counted as not ready
            if not done:
                return  # the step failed (reported): later steps would only add noise

    async def _lagging_step(
        self, url: str, *, role: str, tenant: str, body: dict[str, Any], name: str
    ) -> dict[str, Any] | None:
        """A step on workflow, which learns dossiers from intake's events: while it does not
        know this one yet, retried after a pause; then skipped (None)."""
        for pause in (*self.not_ready_retries, None):
            done = await self._call(
                "POST", url, role=role, tenant=tenant, json=body, ok_empty=True, may_lag=True
            )
            if done is not None:
                return done
            if pause is None:
                break
            self.report.retried += 1
            await asyncio.sleep(pause)
        self.report.not_ready[name] += 1
        return None

    def _path(self, dossier: dict[str, Any]) -> list[tuple[datetime, str, dict[str, Any], str]]:
        now = self.clock.now()
        due = datetime.fromisoformat(dossier["due_at"])
        allowed = max(due - now, timedelta(hours=1))
        roll = self._rng.random()
        steps: list[tuple[datetime, str, dict[str, Any], str]] = []

        def add(delay: timedelta, name: str, body: dict[str, Any], role: str = Role.CLERK) -> None:
            steps.append((now + delay, name, body, role))

        if roll < 0.02:
            add(
                timedelta(minutes=10),
                "refuse",
                {
                    "reason_codes": ["not_competent"],
                    "reason_text": "Thủ tục không thuộc thẩm quyền của UBND cấp xã.",
                },
            )
            return steps
        if roll < 0.10:
            add(
                timedelta(minutes=10),
                "supplement-request",
                {"missing_items": ["Bản sao giấy tờ tùy thân"]},
            )
            add(timedelta(days=self._rng.choice([1, 2, 3])), "supplement-received", {})
            now = steps[-1][0]
        add(timedelta(minutes=15), "accept", {})
        if roll > 0.99:
            add(timedelta(minutes=30), "withdraw", {})
            return steps
        late = roll > 0.95
        finish = allowed * 1.3 if late else allowed * self._rng.uniform(0.3, 0.8)
        add(timedelta(minutes=20), "transfer", {"to_unit_id": "tu-phap"})
        if late:
            add(
                allowed * 0.5,
                "apology",
                {
                    "reason_vi": "Hồ sơ cần xác minh thêm tại bản.",
                    "new_due_at": (due + timedelta(days=3)).isoformat(),
                },
                Role.LEADER,
            )
        add(
            max(finish - timedelta(minutes=10), timedelta(minutes=25)),
            "decision",
            {"outcome": "approved"},
            Role.LEADER,
        )
        add(max(finish, timedelta(minutes=30)), "result-ready", {})
        add(
            max(finish, timedelta(minutes=30)) + timedelta(hours=1),
            "result-returned",
            {"method": "counter"},
        )
        if self._rng.random() < 0.7:
            level = self._rng.choices(["rat_hai_long", "hai_long", "khong_hai_long"], [60, 35, 5])
            add(
                max(finish, timedelta(minutes=30)) + timedelta(hours=2),
                "satisfaction",
                {"level": level[0]},
            )
        steps.sort(key=lambda s: s[0])
        return steps


NOT_YET_KNOWN = "dossier.not_found"


def _code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


def _person(rng: random.Random) -> tuple[str, str]:
    """Sơn La (014), born in the 1900s (century/sex digit 0 or 1), year digits, serial."""
    year = rng.randrange(50, 99)
    number = f"014{rng.choice('01')}{year:02d}{rng.randrange(10**6):06d}"
    return number, f"19{year:02d}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}"

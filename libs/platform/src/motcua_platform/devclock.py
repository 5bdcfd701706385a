"""The movable clock's endpoint (development and tests only): an operator moves a service's
"now" while it runs, so a journey reaches a due moment, an escalation and the next morning's
digest without waiting days.

Mounted only when the service was built with `dev_clock` (refused in production): a production
service answers 404 on these paths. Each call needs an operator's token (403 otherwise).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from motcua_platform.auth import Principal, Role
from motcua_platform.auth.fastapi import CurrentPrincipal
from motcua_platform.clock import MAX_OFFSET, Clock, MovableClock, OffsetOutOfRange
from motcua_platform.errors import DomainError, Forbidden
from motcua_platform.vntime import VnDateTime

PATH = "/internal/dev/clock"
_LIMIT = MAX_OFFSET.total_seconds()


class MoveIn(BaseModel):
    """Exactly one of the two: a move from where the clock is, or an offset from the real
    clock (the same offset told twice moves once: standalone's services share one clock)."""

    model_config = ConfigDict(extra="forbid")

    advance_seconds: float | None = Field(
        default=None, ge=-_LIMIT, le=_LIMIT, description="Dời đồng hồ (giây, âm: lùi lại)"
    )
    offset_seconds: float | None = Field(
        default=None, ge=-_LIMIT, le=_LIMIT, description="Độ lệch so với đồng hồ thật (giây)"
    )

    @model_validator(mode="after")
    def _one(self) -> MoveIn:
        if (self.advance_seconds is None) == (self.offset_seconds is None):
            raise PydanticCustomError(
                "dev_clock.one_of",
                "Cần đúng một trong hai trường: advance_seconds hoặc offset_seconds.",
            )
        return self


class ClockOut(BaseModel):
    now: VnDateTime
    offset_seconds: float


def _operator(principal: Principal) -> None:
    if not principal.has(Role.OPERATOR):
        raise Forbidden(
            "auth.forbidden", "Chỉ cán bộ vận hành được dời đồng hồ của môi trường thử nghiệm."
        )


def _out(clock: MovableClock, now: datetime | None = None) -> ClockOut:
    return ClockOut(now=now or clock.now(), offset_seconds=clock.offset.total_seconds())


def router(clock: MovableClock) -> APIRouter:
    r = APIRouter(tags=["đồng hồ thử nghiệm"])

    @r.get(PATH, response_model=ClockOut, summary="Giờ hiện tại của dịch vụ (thử nghiệm)")
    async def read(principal: CurrentPrincipal) -> ClockOut:
        _operator(principal)
        return _out(clock)

    @r.post(PATH, response_model=ClockOut, summary="Dời đồng hồ của dịch vụ (thử nghiệm)")
    async def move(body: MoveIn, principal: CurrentPrincipal) -> ClockOut:
        _operator(principal)
        try:
            if body.advance_seconds is not None:
                now = clock.advance(timedelta(seconds=body.advance_seconds))
            else:
                assert body.offset_seconds is not None
                now = clock.set_offset(timedelta(seconds=body.offset_seconds))
        except OffsetOutOfRange as exc:
            raise DomainError(
                "dev_clock.out_of_range",
                f"Chỉ được dời đồng hồ tối đa {MAX_OFFSET.days} ngày so với đồng hồ thật.",
                field="advance_seconds" if body.advance_seconds is not None else "offset_seconds",
            ) from exc
        return _out(clock, now)

    @r.post(f"{PATH}/reset", response_model=ClockOut, summary="Đưa đồng hồ về như lúc khởi động")
    async def reset(principal: CurrentPrincipal) -> ClockOut:
        _operator(principal)
        return _out(clock, clock.reset())

    return r


def service_clock(enabled: bool, given: Clock | None, default: Clock) -> Clock:
    """The clock a service runs on: `given` (standalone's, tests') or `default`; with
    `enabled` (dev_clock), a movable one: `given` itself when it already is (one clock shared
    by standalone's services), else `given or default` wrapped."""
    clock = given or default
    if enabled and not isinstance(clock, MovableClock):
        return MovableClock(clock)
    return clock


def mount(app: FastAPI, clock: Clock, *, enabled: bool) -> None:
    """Adds the endpoint when the service runs a movable clock by its settings' leave."""
    if enabled and isinstance(clock, MovableClock):
        app.include_router(router(clock))


__all__ = ["PATH", "ClockOut", "MoveIn", "mount", "router", "service_clock"]

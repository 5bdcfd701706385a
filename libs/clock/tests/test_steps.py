"""Per-step deadlines for the control sheet and the citizen's QR page."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from functools import partial

from motcua_clock import (
    Catalogue,
    ClockEvent,
    ClockState,
    ProcedureStep,
    StepBudget,
    TenantCalendar,
    TimeLimit,
    plan_steps,
)
from motcua_clock.timeutil import VN_TZ

at = partial(datetime, tzinfo=VN_TZ)  # a moment in Vietnam time


def test_steps_add_up_to_the_due(catalogue: Catalogue, tenant: TenantCalendar) -> None:
    received = at(2026, 4, 28, 9)
    proc = catalogue.version_at("1.004859", received)
    plan = plan_steps(ClockState.start(received, proc, tenant))
    assert [s.key for s in plan] == ["tiep_nhan", "xu_ly", "ky_duyet", "tra_ket_qua"]
    moments = [s.due_at for s in plan]
    assert moments == sorted(moments)
    assert moments[-1] == at(2026, 5, 5, 17)
    assert all(tenant.is_office_time(m) for m in moments)
    assert plan[0].actor_vi == "Trung tâm Phục vụ hành chính công xã"


def test_fixed_budgets_and_pauses_push_later_steps(
    catalogue: Catalogue, tenant: TenantCalendar
) -> None:
    received = at(2026, 4, 28, 9)
    proc = replace(
        catalogue.version_at("1.004859", received),
        steps=(
            ProcedureStep("a", "Tiếp nhận", StepBudget(limit=TimeLimit(2, "working_hours"))),
            ProcedureStep("b", "Xử lý", StepBudget(limit=TimeLimit(1, "working_days"))),
            ProcedureStep("c", "Trả kết quả", StepBudget(share=0.1)),
        ),
    )
    state = ClockState.start(received, proc, tenant)
    plan = plan_steps(state)
    assert plan[0].due_at == at(2026, 4, 28, 11)
    assert plan[1].due_at == at(2026, 4, 29, 11)
    assert plan[2].due_at == at(2026, 5, 5, 17)
    paused = state.apply(ClockEvent.paused(at(2026, 4, 28, 10))).apply(
        ClockEvent.resumed(at(2026, 4, 29, 10))
    )
    later = plan_steps(paused)
    assert later[0].due_at == at(2026, 4, 29, 11)
    assert later[-1].due_at == paused.snapshot().due_at
    assert later[-1].to_dict()["due_at"].endswith("+07:00")

"""Indicator formulas, each with its source and confidence mark from docs/domain.md §6.

Marks: [S] read in a source, [W] weak or third-party, [M] widely known, unchecked.
Every [W]/[M] number (targets, maximum points) is configuration (`Targets`), not code.

Decision 766/QĐ-TTg (2022), the national service-quality index, 100 points in six groups:
- Group 2, processing progress, 20 points [S]:
      (resolved early or on time + in progress within time) ÷ (resolved + in progress)
  "in progress" is counted at the end of the period (now, when the period reaches today).
- 5.4 (group 5, satisfaction) [S]: 100% − (late rate + share with a complaint or dislike),
  target 90% [S]. Late rate = (resolved late + in progress past due) ÷ the group-2
  denominator; dislike = ratings "Không hài lòng" ÷ dossiers resolved (no complaint events
  exist yet, so only the rating counts as a dislike).
- Group 3 online services: online share = received online ÷ received (channel) [S for the
  group, target [W]].
- Group 4 digitisation: electronic results = results returned online ÷ results returned
  [S for the group, target [W]].
- Points per indicator [W]: max × min(1, ratio ÷ target).
Not in 766 but asked for by the province: on-time rate = (early + on time) ÷ resolved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from analytics.domain.contributions import COUNTERS

EVALUATION_MAX = 18  # 9 criteria × 2 points [S, one province's implementation]


@dataclass(frozen=True)
class Targets:
    """Targets and maximum points; the [W] ones are meant to be corrected by an operator."""

    group2_target: float = 1.0  # [W] none published for the ratio itself
    group2_max_points: float = 20.0  # [S]
    s54_target: float = 0.90  # [S]
    s54_max_points: float | None = None  # [W] unknown split of group 5's 18 points
    online_target: float = 0.5  # [W]
    online_max_points: float | None = None  # [W]
    e_result_target: float = 1.0  # [W]
    e_result_max_points: float | None = None  # [W]
    on_time_target: float = 1.0  # the pilot's promise: none returned late [S, seed article]


@dataclass(frozen=True)
class Totals:
    """Counters summed over a period and filter, plus the dossiers open at its end."""

    counters: Mapping[str, int] = field(default_factory=dict)
    in_progress_within: int = 0
    in_progress_overdue: int = 0

    def __getitem__(self, name: str) -> int:
        return int(self.counters.get(name, 0) or 0)

    @property
    def resolved(self) -> int:
        return self["resolved_early"] + self["resolved_on_time"] + self["resolved_late"]

    @property
    def in_progress(self) -> int:
        return self.in_progress_within + self.in_progress_overdue

    @property
    def rated(self) -> int:
        return self["rated_khong_hai_long"] + self["rated_hai_long"] + self["rated_rat_hai_long"]


@dataclass(frozen=True)
class Indicator:
    key: str
    label_vi: str
    value: float | None  # a ratio 0..1, None when there is nothing to divide by
    numerator: float
    denominator: float
    target: float | None
    points: float | None
    max_points: float | None
    formula_vi: str
    confidence: str


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def points(value: float | None, *, max_points: float | None, target: float) -> float | None:
    """[W] max × min(1, ratio ÷ target)."""
    if value is None or max_points is None or target <= 0:
        return None
    return round(max_points * min(1.0, value / target), 2)


def _indicator(
    key: str,
    label: str,
    num: float,
    den: float,
    *,
    target: float | None,
    max_points: float | None,
    formula: str,
    confidence: str,
    value: float | None = None,
) -> Indicator:
    v = ratio(num, den) if value is None else value
    pts = points(v, max_points=max_points, target=target) if target is not None else None
    return Indicator(key, label, v, num, den, target, pts, max_points, formula, confidence)


def group2_progress(t: Totals, targets: Targets) -> Indicator:
    good = t["resolved_early"] + t["resolved_on_time"] + t.in_progress_within
    return _indicator(
        "d766_group2",
        "Tiến độ giải quyết (nhóm 2, QĐ 766)",
        good,
        t.resolved + t.in_progress,
        target=targets.group2_target,
        max_points=targets.group2_max_points,
        formula=(
            "(trước hạn + đúng hạn + đang giải quyết trong hạn) ÷ (đã giải quyết + đang giải quyết)"
        ),
        confidence="S",
    )


def s54(t: Totals, targets: Targets) -> Indicator:
    """100% − (late rate + dislike share), clamped to 0..1."""
    den = t.resolved + t.in_progress
    late_rate = ratio(t["resolved_late"] + t.in_progress_overdue, den)
    dislike = ratio(t["rated_khong_hai_long"], t.resolved) or 0.0
    value = None if late_rate is None else max(0.0, min(1.0, 1.0 - (late_rate + dislike)))
    return _indicator(
        "d766_5_4",
        "Chỉ số 5.4: không trễ hạn, không phản ánh, không hài lòng",
        t["resolved_late"] + t.in_progress_overdue + t["rated_khong_hai_long"],
        den,
        target=targets.s54_target,
        max_points=targets.s54_max_points,
        formula="100% − (tỷ lệ trễ hạn + tỷ lệ hồ sơ bị phản ánh, không hài lòng)",
        confidence="S",
        value=value,
    )


def on_time_rate(t: Totals, targets: Targets) -> Indicator:
    return _indicator(
        "on_time_rate",
        "Tỷ lệ giải quyết đúng hạn và trước hạn",
        t["resolved_early"] + t["resolved_on_time"],
        t.resolved,
        target=targets.on_time_target,
        max_points=None,
        formula="(trước hạn + đúng hạn) ÷ đã giải quyết",
        confidence="S",
    )


def online_share(t: Totals, targets: Targets) -> Indicator:
    return _indicator(
        "d766_online",
        "Tỷ lệ hồ sơ trực tuyến (nhóm 3, QĐ 766)",
        t["received_online"],
        t["received"],
        target=targets.online_target,
        max_points=targets.online_max_points,
        formula="hồ sơ nộp trực tuyến ÷ hồ sơ tiếp nhận",
        confidence="W",
    )


def electronic_results(t: Totals, targets: Targets) -> Indicator:
    return _indicator(
        "d766_e_result",
        "Tỷ lệ trả kết quả điện tử (nhóm 4, QĐ 766)",
        t["returned_online"],
        t["returned"],
        target=targets.e_result_target,
        max_points=targets.e_result_max_points,
        formula="kết quả trả trực tuyến ÷ kết quả đã trả",
        confidence="W",
    )


def satisfied_share(t: Totals) -> Indicator:
    return _indicator(
        "satisfied_share",
        "Tỷ lệ hài lòng và rất hài lòng",
        t["rated_hai_long"] + t["rated_rat_hai_long"],
        t.rated,
        target=None,
        max_points=None,
        formula="(hài lòng + rất hài lòng) ÷ lượt đánh giá",
        confidence="S",
    )


def all_indicators(t: Totals, targets: Targets) -> list[Indicator]:
    return [
        on_time_rate(t, targets),
        group2_progress(t, targets),
        s54(t, targets),
        online_share(t, targets),
        electronic_results(t, targets),
        satisfied_share(t),
    ]


def mean_processing_hours(t: Totals) -> float | None:
    seconds = ratio(t["processing_seconds_sum"], t["processing_count"])
    return None if seconds is None else round(seconds / 3600, 2)


def mean_evaluation_points(t: Totals) -> float | None:
    """Mean of the 18-point evaluation over ratings that gave every criterion."""
    value = ratio(t["evaluation_points_sum"], t["evaluation_count"])
    return None if value is None else round(value, 2)


def zero_counters() -> dict[str, int]:
    return dict.fromkeys(COUNTERS, 0)

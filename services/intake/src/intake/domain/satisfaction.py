"""Satisfaction: three levels, the 9 criteria of the full evaluation (docs/domain.md §6.1). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from intake.domain.errors import DomainError


class SatisfactionLevel(StrEnum):
    DISSATISFIED = "khong_hai_long"
    SATISFIED = "hai_long"
    VERY_SATISFIED = "rat_hai_long"


LEVEL_VI = {
    SatisfactionLevel.DISSATISFIED: "Không hài lòng",
    SatisfactionLevel.SATISFIED: "Hài lòng",
    SatisfactionLevel.VERY_SATISFIED: "Rất hài lòng",
}

# One province's implementation [S]; 2 points each, 18 in all.
CRITERIA_VI = {
    "total_time": "Tổng thời gian giải quyết so với quy định",
    "time_per_agency": "Thời gian giải quyết tại từng cơ quan",
    "contacts": "Số lần phải liên hệ để hoàn thiện hồ sơ",
    "agencies": "Số cơ quan phải liên hệ",
    "one_stop": "Giải quyết tại Bộ phận một cửa",
    "published": "Thủ tục được công khai đầy đủ",
    "attitude": "Thái độ của cán bộ, công chức",
    "feedback": "Tiếp nhận và xử lý phản ánh, kiến nghị",
    "online": "Cung cấp dịch vụ công trực tuyến",
}
MAX_POINTS = 2


def check_criteria(criteria: Mapping[str, int]) -> dict[str, int]:
    unknown = sorted(set(criteria) - set(CRITERIA_VI))
    if unknown:
        raise DomainError(
            "satisfaction.criterion_unknown",
            "Tiêu chí đánh giá không có trong danh sách 9 tiêu chí.",
            field=f"criteria.{unknown[0]}",
        )
    for key, points in criteria.items():
        if not 0 <= points <= MAX_POINTS:
            raise DomainError(
                "satisfaction.points_out_of_range",
                "Điểm mỗi tiêu chí từ 0 đến 2.",
                field=f"criteria.{key}",
            )
    return dict(criteria)

"""Request bodies at the HTTP boundary (not the database's, not the events')."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from motcua_contracts.events.dossiers_v1 import ReturnMethod
from motcua_platform.inputs import BoundedDate, BoundedMoment, MultilineText, Text
from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from intake.domain.applicant import (
    check_address,
    check_date_of_birth,
    check_full_name,
    check_id_number,
    normalise_phone,
)
from intake.domain.dossier import Channel, DocumentForm
from intake.domain.errors import DomainError
from intake.domain.satisfaction import SatisfactionLevel

_CODE = r"^[a-z0-9_.\-]{1,60}$"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _rule(check: Callable[[], object]) -> None:
    """A domain rule as a pydantic error, so that it is reported with every other field."""
    try:
        check()
    except DomainError as problem:
        raise PydanticCustomError(problem.code, problem.message_vi) from None


class ApplicantIn(_In):
    """The desk's own rules (ID number, phone...) run here too, so one 422 lists every field
    at fault; the use case checks them again (and the date of birth against today)."""

    full_name: Text = Field(min_length=1, max_length=200, examples=["Lò Văn Bình"])
    date_of_birth: BoundedDate = Field(examples=["1995-04-12"])
    id_number: Text = Field(
        min_length=1,
        max_length=20,
        examples=["014095001234"],
        description="Số định danh cá nhân, 12 chữ số (mã tỉnh, thế kỷ và giới tính, năm sinh...)",
    )
    phone: Text = Field(min_length=1, max_length=20, examples=["0912345678"])
    email: EmailStr | None = Field(default=None, examples=["binh.lv@example.vn"])
    address: Text = Field(
        min_length=1, max_length=500, examples=["Bản Hìn, xã Chiềng Khương, tỉnh Sơn La"]
    )

    @field_validator("full_name")
    @classmethod
    def _full_name(cls, value: str) -> str:
        _rule(lambda: check_full_name(value))
        return value

    @field_validator("date_of_birth")
    @classmethod
    def _date_of_birth(cls, value: date) -> date:
        _rule(lambda: check_date_of_birth(value))
        return value

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, value: str, info: ValidationInfo) -> str:
        # date_of_birth is declared before: present here when it is itself valid.
        _rule(lambda: check_id_number(value, info.data.get("date_of_birth")))
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        _rule(lambda: normalise_phone(value))
        return value

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        _rule(lambda: check_address(value))
        return value


class DocumentIn(_In):
    name: Text = Field(min_length=1, max_length=300, examples=["Giấy chứng sinh"])
    form: DocumentForm = Field(examples=["original"])
    copies: int = Field(default=1, ge=1, le=100)


class RegisterDossierIn(_In):
    procedure_code: Text = Field(
        min_length=1, max_length=20, examples=["1.001193"], description="Mã thủ tục hành chính"
    )
    channel: Channel = Channel.COUNTER
    applicant: ApplicantIn
    documents: list[DocumentIn] = Field(min_length=1, max_length=50)
    verification_required: bool = False
    resolving_tenant_id: Text | None = Field(
        default=None,
        max_length=64,
        description="Đơn vị giải quyết, nếu khác đơn vị tiếp nhận (bất kỳ xã, phường nào "
        "đang hoạt động trong tỉnh)",
    )


class RequestSupplementIn(_In):
    missing_items: list[Text] = Field(
        min_length=1, max_length=50, examples=[["Bản sao Giấy chứng nhận kết hôn của cha mẹ"]]
    )
    note: MultilineText | None = Field(default=None, max_length=1000)


class RefuseIn(_In):
    reason_codes: list[Text] = Field(min_length=1, max_length=20, examples=[["not_competent"]])
    reason_text: MultilineText = Field(
        min_length=1,
        max_length=2000,
        examples=["Thủ tục không thuộc thẩm quyền giải quyết của UBND cấp xã."],
    )


class TransferIn(_In):
    to_unit_id: Text | None = Field(default=None, max_length=100, examples=["tu-phap-ho-tich"])
    to_official_id: Text | None = Field(default=None, max_length=100, examples=["cb-042"])
    step_key: Text | None = Field(default=None, max_length=40, examples=["verify"])
    note: MultilineText | None = Field(default=None, max_length=1000)


class DecideIn(_In):
    outcome: Literal["approved", "rejected"] = Field(examples=["approved"])
    reason_codes: list[Text] = Field(default_factory=list, max_length=20)
    reason_text: MultilineText | None = Field(default=None, max_length=2000)


class ReturnResultIn(_In):
    method: ReturnMethod = Field(examples=["counter"])
    to_applicant: bool = True
    recipient_name: Text | None = Field(
        default=None, max_length=200, description="Người được ủy quyền nhận (nếu có)"
    )


class WithdrawIn(_In):
    note: MultilineText | None = Field(default=None, max_length=1000)


class RatingIn(_In):
    level: SatisfactionLevel = Field(examples=["rat_hai_long"])
    criteria: dict[str, int] = Field(
        default_factory=dict, max_length=9, examples=[{"attitude": 2, "total_time": 2}]
    )
    comment: MultilineText | None = Field(default=None, max_length=1000)


class OfficeHoursIn(_In):
    morning: tuple[Text, Text] = Field(default=("07:30", "11:30"), examples=[["07:30", "11:30"]])
    afternoon: tuple[Text, Text] | None = Field(
        default=("13:30", "17:00"), description="null: the desk works mornings only"
    )


class PromiseIn(_In):
    procedure_code: Text = Field(min_length=1, max_length=20, examples=["1.001193"])
    promised_working_days: float | None = Field(
        default=None, ge=0, le=365, description="Cam kết của địa phương, không dài hơn quy định"
    )


class LeaderIn(_In):
    official_id: Text = Field(min_length=1, max_length=100, examples=["lanh-dao-01"])
    title_vi: Text = Field(default="Lãnh đạo UBND", max_length=100)


class WeekdayDutyIn(_In):
    weekday: int = Field(ge=1, le=7, description="Thứ trong tuần: 1 = Thứ Hai … 7 = Chủ nhật")
    leader: LeaderIn


class DateDutyIn(_In):
    day: BoundedDate = Field(description="Ngày cụ thể (thay cho lịch theo thứ trong tuần)")
    leader: LeaderIn


class DutyRosterIn(_In):
    """Lịch lãnh đạo trực tại bộ phận một cửa: theo thứ trong tuần, và các ngày ngoại lệ."""

    weekdays: list[WeekdayDutyIn] = Field(default_factory=list, max_length=7)
    dates: list[DateDutyIn] = Field(default_factory=list, max_length=400)

    @model_validator(mode="after")
    def _unique(self) -> DutyRosterIn:
        if len({w.weekday for w in self.weekdays}) != len(self.weekdays):
            raise ValueError("Mỗi thứ trong tuần chỉ có một lãnh đạo trực.")
        if len({d.day for d in self.dates}) != len(self.dates):
            raise ValueError("Mỗi ngày chỉ có một lãnh đạo trực.")
        return self


class DutyRosterPutIn(DutyRosterIn):
    leader_on_duty: LeaderIn | None = Field(
        default=None, description="Lãnh đạo trực mặc định (bỏ trống: giữ như hiện tại)"
    )


_KEY = r"^[a-z][a-z0-9_.\-]{0,39}$"


class TenantIn(_In):
    """The whole configuration of one commune-level unit: what is not sent is reset to default."""

    name_vi: Text = Field(min_length=1, max_length=200, examples=["Xã Chiềng Khương"])
    unit_type: Literal["xa", "phuong", "dac_khu", "thi_tran"] = "xa"
    unit_code: Text | None = Field(
        default=None, pattern=r"^\d{5}$", description="Mã đơn vị hành chính (5 chữ số)"
    )
    province_code: Text = Field(default="14", pattern=r"^\d{2}$", examples=["14"])
    agency_code: Text = Field(
        min_length=1,
        max_length=64,
        examples=["000.22.38.H50"],
        description="Mã định danh cơ quan, dùng trong mã hồ sơ",
    )
    status: Literal["pilot", "active", "suspended", "merged"] | None = Field(
        default=None, description="Bỏ trống: giữ trạng thái hiện tại (đơn vị mới: active)"
    )
    cohorts: list[Text] = Field(default_factory=list, max_length=20, examples=[["pilot"]])
    office_hours: OfficeHoursIn = Field(default_factory=OfficeHoursIn)
    closures: list[BoundedDate] = Field(default_factory=list, max_length=366)
    enabled_procedures: list[PromiseIn] = Field(default_factory=list, max_length=500)
    leader_on_duty: LeaderIn | None = None
    duty_roster: DutyRosterIn | None = Field(
        default=None, description="Lịch lãnh đạo trực (bỏ trống: giữ lịch hiện tại)"
    )
    escalate_after_working_hours: float = Field(default=4.0, gt=0, le=80)
    digest_time: Text = Field(default="07:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    ceremony_slots: list[Text] = Field(default_factory=list, max_length=20)
    senders: dict[Annotated[str, StringConstraints(pattern=_KEY)], Text] = Field(
        default_factory=dict,
        max_length=20,
        description="Kênh → tên người gửi (brandname SMS, địa chỉ thư điện tử)",
        examples=[{"sms": "UBND CHIENG KHUONG"}],
    )
    credentials: dict[Annotated[str, StringConstraints(pattern=_KEY)], Text] = Field(
        default_factory=dict,
        max_length=20,
        description="Kênh → tham chiếu bí mật (env:TEN, file:/duong/dan, secret:ten); "
        "không nhận bí mật trực tiếp",
        examples=[{"sms": "secret:son-la-sms"}],
    )
    templates: dict[Annotated[str, StringConstraints(pattern=_KEY)], MultilineText] = Field(
        default_factory=dict, max_length=50, description="Mẫu thông báo riêng của đơn vị"
    )
    source: dict[str, Any] | None = Field(
        default=None, description="Nguồn dữ liệu (văn bản pháp lý, danh sách đã công bố)"
    )
    config: dict[str, Any] | None = Field(
        default=None,
        deprecated=True,
        description="Cách gửi cũ: office_hours, closures, cohorts đặt trong config",
    )

    @model_validator(mode="before")
    @classmethod
    def _legacy_config(cls, data: Any) -> Any:
        """Earlier clients nested office hours, closures and cohorts under `config`."""
        if isinstance(data, dict) and isinstance(data.get("config"), dict):
            legacy = data["config"]
            data = {k: v for k, v in data.items() if k != "config"}
            for key in ("office_hours", "cohorts"):
                if key in legacy and key not in data:
                    data[key] = legacy[key]
            if "closures" in legacy and "closures" not in data:
                data["closures"] = [
                    c.get("date") if isinstance(c, dict) else c for c in legacy["closures"]
                ]
        return data

    def document(self) -> dict[str, Any]:
        """What the registry keeps beside its columns (and publishes, except source/templates)."""
        return self.model_dump(
            mode="json",
            exclude={
                "name_vi",
                "unit_type",
                "unit_code",
                "province_code",
                "agency_code",
                "status",
                "config",
            },
        )


class MergeTargetIn(TenantIn):
    tenant_id: Text = Field(min_length=3, max_length=64, examples=["son-la.moc-chau-moi"])


class MergeIn(_In):
    sources: list[Text] = Field(
        min_length=1, max_length=20, examples=[["son-la.xa-a", "son-la.xa-b"]]
    )
    target: Text = Field(min_length=3, max_length=64, examples=["son-la.xa-c"])
    target_config: MergeTargetIn | None = Field(
        default=None, description="Cấu hình đơn vị mới (nếu đơn vị nhận sáp nhập chưa có)"
    )
    effective_at: BoundedMoment = Field(description="Thời điểm sáp nhập có hiệu lực (ISO 8601)")


REASON_CODE_PATTERN = _CODE

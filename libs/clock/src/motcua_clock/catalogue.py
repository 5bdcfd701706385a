"""Procedure catalogue, versioned by effective date.

A dossier is judged by the procedure version in force on the day it was received
(docs/domain.md §3.1), so versions never overlap and are looked up by local date.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal, cast, get_args

from .errors import CatalogueError, NoVersionInForce, UnknownProcedure
from .timeutil import hhmm, parse_hhmm, to_local

Unit = Literal["same_day", "working_days", "working_hours"]
CountMode = Literal["end_of_day", "working_hours"]
DocumentForm = Literal["original", "certified_copy", "copy", "original_or_copy"]
SupplementMode = Literal["pause_resume", "restart"]
Practice = Literal["ceremony_birth", "ceremony_marriage", "condolence_death"]
Channel = Literal["counter", "online", "postal"]

UNITS: tuple[str, ...] = get_args(Unit)
COUNT_MODES: tuple[str, ...] = get_args(CountMode)
DOCUMENT_FORMS: tuple[str, ...] = get_args(DocumentForm)
SUPPLEMENT_MODES: tuple[str, ...] = get_args(SupplementMode)
PRACTICES: tuple[str, ...] = get_args(Practice)
CHANNELS: tuple[str, ...] = get_args(Channel)

PROCEDURES_ENV = "MOTCUA_PROCEDURES_FILE"
DEFAULT_CUTOFF = time(15, 0)

_FORM_VI = {
    "original": "bản chính",
    "certified_copy": "bản sao có chứng thực",
    "copy": "bản chụp",
    "original_or_copy": "bản chính hoặc bản sao",
}


def _fail(message_vi: str, **details: Any) -> CatalogueError:
    return CatalogueError("invalid_catalogue", message_vi, **details)


@dataclass(frozen=True, slots=True)
class TimeLimit:
    """A statutory time: same day (15:00 rule), N working days or N working hours."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise _fail(f"Đơn vị thời hạn không hợp lệ: {self.unit}")
        if self.unit == "same_day" and self.amount != 0:
            raise _fail("Thời hạn 'trong ngày' không có số lượng (amount phải bằng 0).")
        if self.unit != "same_day" and self.amount < 1:
            raise _fail(f"Thời hạn phải từ 1 trở lên: {self.amount} {self.unit}")

    def label_vi(self) -> str:
        if self.unit == "same_day":
            return "trong ngày làm việc (quy tắc 15 giờ)"
        if self.unit == "working_days":
            return f"{self.amount} ngày làm việc"
        return f"{self.amount} giờ làm việc"

    def to_dict(self) -> dict[str, Any]:
        return {"amount": self.amount, "unit": self.unit}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> TimeLimit:
        return cls(amount=int(raw.get("amount", 0)), unit=cast(Unit, raw["unit"]))


# Working hours in a working day, to compare a promise in days with a limit in hours.
_HOURS_PER_DAY = 8


def limit_working_days(limit: TimeLimit) -> float:
    """A limit in working days (same day: 0; hours at 8 a day)."""
    if limit.unit == "working_days":
        return float(limit.amount)
    if limit.unit == "working_hours":
        return limit.amount / _HOURS_PER_DAY
    return 0.0


def promised_limit(statutory: TimeLimit, promised_working_days: float | None) -> TimeLimit:
    """A commune's own shorter promise as a limit; never longer than the statutory one.

    0 days: the same day; whole days: working days; a fraction: working hours (0.5: 4 h).
    """
    if promised_working_days is None or promised_working_days < 0:
        return statutory
    if promised_working_days >= limit_working_days(statutory):
        return statutory
    if promised_working_days == 0:
        return TimeLimit(0, "same_day")
    if float(promised_working_days).is_integer():
        return TimeLimit(int(promised_working_days), "working_days")
    return TimeLimit(max(1, round(promised_working_days * _HOURS_PER_DAY)), "working_hours")


@dataclass(frozen=True, slots=True)
class Fee:
    name_vi: str
    amount_vnd: int | None  # None: set by the province, see rule_vi
    rule_vi: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name_vi": self.name_vi, "amount_vnd": self.amount_vnd, "rule_vi": self.rule_vi}


@dataclass(frozen=True, slots=True)
class RequiredDocument:
    name_vi: str
    form: DocumentForm
    note_vi: str = ""

    def __post_init__(self) -> None:
        if self.form not in DOCUMENT_FORMS:
            raise _fail(f"Hình thức giấy tờ không hợp lệ: {self.form}")

    @property
    def form_vi(self) -> str:
        return _FORM_VI[self.form]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name_vi": self.name_vi, "form": self.form}
        if self.note_vi:
            out["note_vi"] = self.note_vi
        return out


@dataclass(frozen=True, slots=True)
class StepBudget:
    """Either a share of the allowed time or a fixed working time."""

    share: float | None = None
    limit: TimeLimit | None = None

    def __post_init__(self) -> None:
        if (self.share is None) == (self.limit is None):
            raise _fail("Mỗi bước cần đúng một trong hai: tỷ lệ (share) hoặc thời hạn.")
        if self.share is not None and not 0 < self.share <= 1:
            raise _fail(f"Tỷ lệ thời gian của bước phải trong (0, 1]: {self.share}")
        if self.limit is not None and self.limit.unit == "same_day":
            raise _fail("Thời hạn của bước phải tính bằng ngày hoặc giờ làm việc.")

    def to_dict(self) -> dict[str, Any]:
        if self.share is not None:
            return {"share": self.share}
        assert self.limit is not None
        return self.limit.to_dict()

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> StepBudget:
        if "share" in raw:
            return cls(share=float(raw["share"]))
        return cls(limit=TimeLimit.from_dict(raw))


@dataclass(frozen=True, slots=True)
class ProcedureStep:
    key: str
    name_vi: str
    budget: StepBudget
    actor_vi: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name_vi": self.name_vi,
            "actor_vi": self.actor_vi,
            "budget": self.budget.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class SupplementPolicy:
    """What a supplement request does to the clock (docs/domain.md §3.3)."""

    mode: SupplementMode = "pause_resume"
    max_supplements: int = 1
    close_after_working_days: int | None = None

    def __post_init__(self) -> None:
        if self.mode not in SUPPLEMENT_MODES:
            raise _fail(f"Chế độ bổ sung hồ sơ không hợp lệ: {self.mode}")
        if self.max_supplements < 0:
            raise _fail("Số lần yêu cầu bổ sung tối đa không được âm.")
        if self.close_after_working_days is not None and self.close_after_working_days < 1:
            raise _fail("Số ngày chờ bổ sung phải từ 1 trở lên.")

    def label_vi(self) -> str:
        text = (
            "tạm dừng rồi tính tiếp"
            if self.mode == "pause_resume"
            else "tính lại từ đầu khi nhận đủ hồ sơ"
        )
        text += f"; yêu cầu bổ sung tối đa {self.max_supplements} lần"
        if self.close_after_working_days:
            text += (
                f"; quá {self.close_after_working_days} ngày làm việc không bổ sung thì kết thúc"
            )
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "max_supplements": self.max_supplements,
            "close_after_working_days": self.close_after_working_days,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> SupplementPolicy:
        close = raw.get("close_after_working_days")
        return cls(
            mode=cast(SupplementMode, raw.get("mode", "pause_resume")),
            max_supplements=int(raw.get("max_supplements", 1)),
            close_after_working_days=None if close is None else int(close),
        )


@dataclass(frozen=True, slots=True)
class ProcedureVersion:
    code: str
    version: str
    effective_from: date
    effective_to: date | None  # inclusive; None = still in force
    name_vi: str
    field_vi: str
    field_code: str
    time_limit: TimeLimit
    verification_time_limit: TimeLimit | None = None
    fees: tuple[Fee, ...] = ()
    documents: tuple[RequiredDocument, ...] = ()
    steps: tuple[ProcedureStep, ...] = ()
    supplement_policy: SupplementPolicy = field(default_factory=SupplementPolicy)
    # Channel-specific overrides, e.g. online dossiers restart under the 2025 rules.
    supplement_policy_by_channel: Mapping[str, SupplementPolicy] = field(default_factory=dict)
    practices: frozenset[str] = frozenset()
    thresholds: tuple[float, ...] = (0.5, 0.75)
    apology_lead_working_days: int = 1
    count_mode: CountMode = "end_of_day"
    same_day_cutoff: time = DEFAULT_CUTOFF
    legal_basis_vi: str = ""
    confidence: str = "S"  # docs/domain.md §1: S (read in a source), M (unchecked), W (weak)
    # Derived once: the hot path reads seconds, not a `time`.
    cutoff_seconds: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        cutoff = self.same_day_cutoff
        object.__setattr__(
            self, "cutoff_seconds", cutoff.hour * 3600 + cutoff.minute * 60 + cutoff.second
        )
        where = f"{self.code} phiên bản {self.version}"
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise _fail(f"{where}: ngày hết hiệu lực trước ngày có hiệu lực.")
        if self.count_mode not in COUNT_MODES:
            raise _fail(f"{where}: cách tính không hợp lệ: {self.count_mode}")
        for practice in self.practices:
            if practice not in PRACTICES:
                raise _fail(f"{where}: hoạt động thân thiện không hợp lệ: {practice}")
        for channel in self.supplement_policy_by_channel:
            if channel not in CHANNELS:
                raise _fail(f"{where}: kênh tiếp nhận không hợp lệ: {channel}")
        if any(not 0 < share < 1 for share in self.thresholds):
            raise _fail(f"{where}: ngưỡng cảnh báo phải nằm trong khoảng (0, 1).")
        if self.apology_lead_working_days < 0:
            raise _fail(f"{where}: số ngày báo trước khi xin lỗi không được âm.")
        shares = sum(s.budget.share or 0.0 for s in self.steps)
        if shares > 1.000001:
            raise _fail(f"{where}: tổng tỷ lệ thời gian các bước vượt quá 100%.")
        if len({s.key for s in self.steps}) != len(self.steps):
            raise _fail(f"{where}: trùng mã bước.")

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def supplement_policy_for(self, channel: str = "counter") -> SupplementPolicy:
        return self.supplement_policy_by_channel.get(channel, self.supplement_policy)

    def limit(self, verification: bool = False) -> TimeLimit:
        if verification and self.verification_time_limit is not None:
            return self.verification_time_limit
        return self.time_limit

    def to_dict(self) -> dict[str, Any]:
        vlimit = self.verification_time_limit
        return {
            "code": self.code,
            "version": self.version,
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "name_vi": self.name_vi,
            "field_vi": self.field_vi,
            "field_code": self.field_code,
            "time_limit": self.time_limit.to_dict(),
            "verification_time_limit": vlimit.to_dict() if vlimit else None,
            "fees": [f.to_dict() for f in self.fees],
            "documents": [d.to_dict() for d in self.documents],
            "steps": [s.to_dict() for s in self.steps],
            "supplement_policy": self.supplement_policy.to_dict(),
            "supplement_policy_by_channel": {
                k: v.to_dict() for k, v in sorted(self.supplement_policy_by_channel.items())
            },
            "practices": sorted(self.practices),
            "thresholds": list(self.thresholds),
            "apology_lead_working_days": self.apology_lead_working_days,
            "count_mode": self.count_mode,
            "same_day_cutoff": hhmm(self.cutoff_seconds),
            "legal_basis_vi": self.legal_basis_vi,
            "confidence": self.confidence,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ProcedureVersion:
        try:
            vlimit = raw.get("verification_time_limit")
            to = raw.get("effective_to")
            return cls(
                code=str(raw["code"]),
                version=str(raw["version"]),
                effective_from=date.fromisoformat(raw["effective_from"]),
                effective_to=date.fromisoformat(to) if to else None,
                name_vi=raw["name_vi"],
                field_vi=raw["field_vi"],
                field_code=raw["field_code"],
                time_limit=TimeLimit.from_dict(raw["time_limit"]),
                verification_time_limit=TimeLimit.from_dict(vlimit) if vlimit else None,
                fees=tuple(
                    Fee(f["name_vi"], f.get("amount_vnd"), f.get("rule_vi", ""))
                    for f in raw.get("fees", ())
                ),
                documents=tuple(
                    RequiredDocument(d["name_vi"], d["form"], d.get("note_vi", ""))
                    for d in raw.get("documents", ())
                ),
                steps=tuple(
                    ProcedureStep(
                        key=s["key"],
                        name_vi=s["name_vi"],
                        budget=StepBudget.from_dict(s["budget"]),
                        actor_vi=s.get("actor_vi", ""),
                    )
                    for s in raw.get("steps", ())
                ),
                supplement_policy=SupplementPolicy.from_dict(raw.get("supplement_policy", {})),
                supplement_policy_by_channel={
                    k: SupplementPolicy.from_dict(v)
                    for k, v in raw.get("supplement_policy_by_channel", {}).items()
                },
                practices=frozenset(raw.get("practices", ())),
                thresholds=tuple(float(x) for x in raw.get("thresholds", (0.5, 0.75))),
                apology_lead_working_days=int(raw.get("apology_lead_working_days", 1)),
                count_mode=raw.get("count_mode", "end_of_day"),
                same_day_cutoff=parse_hhmm(raw.get("same_day_cutoff", "15:00")),
                legal_basis_vi=raw.get("legal_basis_vi", ""),
                confidence=raw.get("confidence", "S"),
            )
        except CatalogueError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise _fail(
                f"Dữ liệu thủ tục {raw.get('code', '?')} phiên bản {raw.get('version', '?')} "
                f"không hợp lệ: {exc!r}"
            ) from exc


class Catalogue:
    """All versions of all procedures; immutable once built."""

    def __init__(self, versions: Iterable[ProcedureVersion], source: str = "") -> None:
        by_code: dict[str, list[ProcedureVersion]] = {}
        for version in versions:
            by_code.setdefault(version.code, []).append(version)
        for code, items in by_code.items():
            items.sort(key=lambda v: v.effective_from)
            if len({v.version for v in items}) != len(items):
                raise _fail(f"Thủ tục {code}: trùng số hiệu phiên bản.")
            for before, after in pairwise(items):
                if before.effective_to is None or before.effective_to >= after.effective_from:
                    raise _fail(
                        f"Thủ tục {code}: phiên bản {before.version} và {after.version} "
                        "có thời gian hiệu lực chồng lên nhau."
                    )
        self._by_code = {code: tuple(items) for code, items in sorted(by_code.items())}
        self.source = source

    def codes(self) -> list[str]:
        return list(self._by_code)

    def versions(self, code: str) -> tuple[ProcedureVersion, ...]:
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownProcedure(code) from None

    def all_versions(self) -> list[ProcedureVersion]:
        return [v for items in self._by_code.values() for v in items]

    def version_at(self, code: str, at: datetime | date) -> ProcedureVersion:
        """The version in force on the local (Vietnam) date of `at`."""
        day = to_local(at).date() if isinstance(at, datetime) else at
        for version in self.versions(code):
            if version.in_force_on(day):
                return version
        raise NoVersionInForce(code, day.strftime("%d/%m/%Y"))

    def get(self, code: str, version: str) -> ProcedureVersion:
        """A specific version, e.g. the one a dossier recorded at receipt."""
        for item in self.versions(code):
            if item.version == version:
                return item
        raise NoVersionInForce(code, f"(phiên bản {version})")

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": 1,
            "procedures": [
                {"code": code, "versions": [v.to_dict() for v in items]}
                for code, items in self._by_code.items()
            ],
        }


def parse_catalogue(raw: Mapping[str, Any], source: str = "") -> Catalogue:
    """Build a catalogue from the JSON structure documented in docs/clock.md.

    Keys at procedure level are defaults for each of its versions, which may
    override any of them; that keeps a new version down to what changed.
    """
    if raw.get("format") != 1:
        raise _fail('Tệp danh mục thủ tục phải có "format": 1.')
    versions = []
    for proc in raw.get("procedures", ()):
        shared = {k: v for k, v in proc.items() if k != "versions"}
        for item in proc.get("versions", ()):
            versions.append(ProcedureVersion.from_dict({**shared, **item}))
    return Catalogue(versions, source=source)


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Read the catalogue: `path`, else $MOTCUA_PROCEDURES_FILE, else the packaged file."""
    if path is None:
        path = os.environ.get(PROCEDURES_ENV) or None
    if path is None:
        text = resources.files("motcua_clock").joinpath("data/procedures.json").read_text("utf-8")
        source = "motcua_clock/data/procedures.json"
    else:
        text = Path(path).read_text("utf-8")
        source = str(path)
    return parse_catalogue(json.loads(text), source=source)

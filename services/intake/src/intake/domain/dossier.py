"""The dossier at the desk: the aggregate owning its rules, its code format, its checklist.

Each behaviour checks the rule, and returns a `Change`: the dossier after it, the fields it
set, the control-sheet hop and the integration event it causes (the published facts of
`motcua_contracts`, plain data). The repository stores the change and stages the event in
one transaction; nothing here does I/O. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from motcua_contracts.events import common
from motcua_contracts.events import dossiers_v1 as v1
from motcua_contracts.events import dossiers_v2 as v2
from pydantic import BaseModel

from intake.domain.applicant import Applicant
from intake.domain.ceremony import SCHEDULABLE
from intake.domain.errors import Conflict, DomainError
from intake.domain.lifecycle import CLOSED, FINISHED, Action, Guards, Status, next_status
from intake.domain.satisfaction import SatisfactionLevel, check_criteria


class Channel(StrEnum):
    COUNTER = "counter"
    POSTAL = "postal"
    ONLINE = "online"


class DocumentForm(StrEnum):
    ORIGINAL = "original"
    COPY = "copy"
    CERTIFIED_COPY = "certified_copy"


DOCUMENT_FORM_VI = {
    DocumentForm.ORIGINAL: "Bản chính",
    DocumentForm.COPY: "Bản sao",
    DocumentForm.CERTIFIED_COPY: "Bản sao chứng thực",
}
CHANNEL_VI = {
    Channel.COUNTER: "Trực tiếp tại Bộ phận một cửa",
    Channel.POSTAL: "Qua dịch vụ bưu chính",
    Channel.ONLINE: "Trực tuyến",
}


@dataclass(frozen=True)
class Document:
    """One line of the checklist the clerk ticked."""

    name: str
    form: DocumentForm
    copies: int = 1


def format_dossier_code(agency_code: str, day: date, sequence: int) -> str:
    """`<agency e-ID>-YYMMDD-NNNN`, a daily sequence of 4+ digits (docs/domain.md §3.5)."""
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    return f"{agency_code}-{day:%y%m%d}-{sequence:04d}"


@dataclass(frozen=True)
class Hop:
    """Control-sheet fields of a step; the sender defaults to the acting official."""

    sender: str | None = None
    receiver: str | None = None
    step_key: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Change:
    """What one behaviour did: the control sheet, the audit trail and the outbox record it."""

    before: Dossier | None  # None: the dossier was just registered
    after: Dossier
    action: str
    at: datetime
    actor: str
    values: Mapping[str, Any]  # the fields this change set (audited against `before`)
    event: BaseModel | None
    hop: Hop | None = Hop()  # None: no control-sheet row (a rating, an apology)

    @property
    def timeliness(self) -> str:
        """The step against the appointment in force when it was taken."""
        due = (self.before or self.after).due_at
        return "late" if self.at > due else "on_time"


@dataclass(frozen=True)
class Dossier:
    """One dossier received at a commune's desk (the aggregate; its `version` orders its events)."""

    dossier_id: str
    tenant_id: str
    code: str
    procedure_code: str
    procedure_version: str
    field_code: str
    channel: Channel
    status: Status
    version: int
    received_at: datetime
    due_at: datetime
    verification_required: bool
    accepted_at: datetime | None
    supplements_requested: int
    missing_items: list[str]
    reason_codes: list[str]
    reason_text: str | None
    decision: str | None
    handler_unit_id: str | None
    handler_official_id: str | None
    completed_at: datetime | None
    returned_at: datetime | None
    return_method: str | None
    returned_to: str | None
    apology_new_due_at: datetime | None
    rated: bool
    documents: list[dict[str, Any]]
    applicant_name: str
    applicant_id_number: str
    applicant_dob: date | None
    applicant_phone: str
    applicant_email: str | None
    applicant_address: str | None
    lookup_nonce: str | None
    resolving_tenant_id: str = ""  # the unit that decides; = tenant_id unless cross-commune
    promised_working_days: float | None = None  # the commune's shorter promise at receipt
    apology_reason_vi: str | None = None  # the leader's reason on the apology (Form 04)
    apology_clock_version: int | None = field(default=None, compare=False)

    # -- registration -------------------------------------------------------------------

    @classmethod
    def register(
        cls,
        *,
        dossier_id: str,
        tenant_id: str,
        resolving_tenant_id: str,
        code: str,
        procedure_code: str,
        procedure_version: str,
        field_code: str,
        channel: Channel,
        at: datetime,
        due_at: datetime,
        verification_required: bool,
        promised_working_days: float | None,
        applicant: Applicant,
        documents: Sequence[Document],
        lookup_nonce: str,
        actor: str,
    ) -> Change:
        """A dossier received now (status `received`, version 1); `applicant` already checked."""
        check_documents(documents)
        dossier = cls(
            dossier_id=dossier_id,
            tenant_id=tenant_id,
            code=code,
            procedure_code=procedure_code,
            procedure_version=procedure_version,
            field_code=field_code,
            channel=channel,
            status=Status.RECEIVED,
            version=1,
            received_at=at,
            due_at=due_at,
            verification_required=verification_required,
            accepted_at=None,
            supplements_requested=0,
            missing_items=[],
            reason_codes=[],
            reason_text=None,
            decision=None,
            handler_unit_id=None,
            handler_official_id=None,
            completed_at=None,
            returned_at=None,
            return_method=None,
            returned_to=None,
            apology_new_due_at=None,
            rated=False,
            documents=[
                {"name": d.name, "form": d.form.value, "copies": d.copies} for d in documents
            ],
            applicant_name=applicant.full_name,
            applicant_id_number=applicant.id_number,
            applicant_dob=applicant.date_of_birth,
            applicant_phone=applicant.phone,
            applicant_email=applicant.email,
            applicant_address=applicant.address,
            lookup_nonce=lookup_nonce,
            resolving_tenant_id=resolving_tenant_id,
            promised_working_days=promised_working_days,
        )
        event = v1.DossierReceived(
            dossier_code=code,
            procedure_code=procedure_code,
            procedure_version=procedure_version,
            field_code=field_code,
            channel=common.Channel(channel.value),
            received_at=at,
            due_at=due_at,
            receiving_tenant_id=tenant_id,
            resolving_tenant_id=resolving_tenant_id,
            verification_required=verification_required,
        )
        hop = Hop(sender=None, receiver=actor)
        return Change(None, dossier, "register", at, actor, {}, event, hop)

    # -- state ----------------------------------------------------------------------------

    @property
    def guards(self) -> Guards:
        return Guards(supplements_requested=self.supplements_requested)

    @property
    def closed(self) -> bool:
        """History: returned, refused or withdrawn; nothing more can happen to it."""
        return self.status in CLOSED

    @property
    def finished(self) -> bool:
        """The statutory clock has stopped (closed, or the result waits at the desk)."""
        return self.status in FINISHED

    def is_late(self, now: datetime, promised: datetime | None = None) -> bool:
        """Past the appointment and not finished, or finished after it. `promised`: the
        apology's later date, when the citizen was given one."""
        due = self.due_at if promised is None or promised <= self.due_at else promised
        if self.finished:
            return self.completed_at is not None and self.completed_at > due
        return now > due

    # -- desk steps (the lifecycle table decides what is allowed) -------------------------

    def check_allowed(self, action: Action) -> None:
        """InvalidTransition (409, with the allowed actions) unless `action` may be taken now."""
        next_status(self.status, action, self.guards)

    def _step(
        self,
        action: Action,
        *,
        at: datetime,
        actor: str,
        values: Mapping[str, Any],
        event: Any,
        hop: Hop = Hop(),
    ) -> Change:
        """`event` builds the payload from the dossier after the step."""
        status = next_status(self.status, action, self.guards)
        changed = {**values, "status": status, "version": self.version + 1}
        after = replace(self, **changed)
        return Change(self, after, action.value, at, actor, changed, event(after), hop)

    def accept(self, *, at: datetime, actor: str) -> Change:
        """Receipt issued (Form 01): the appointment is the due moment stored at (re)counting."""
        return self._step(
            Action.ACCEPT,
            at=at,
            actor=actor,
            values={"accepted_at": at},
            event=lambda d: v1.DossierAccepted(
                dossier_code=d.code, accepted_at=at, due_at=d.due_at
            ),
        )

    def request_supplement(
        self, missing_items: Sequence[str], *, at: datetime, actor: str, note: str | None = None
    ) -> Change:
        """Form 02: everything missing listed at once; allowed only once (docs/domain.md §3.3)."""
        items = [i.strip() for i in missing_items if i.strip()]
        if not items:
            raise DomainError(
                "supplement.items_required",
                "Phải liệt kê đầy đủ các giấy tờ cần bổ sung.",
                field="missing_items",
            )
        return self._step(
            Action.REQUEST_SUPPLEMENT,
            at=at,
            actor=actor,
            values={
                "missing_items": items,
                "supplements_requested": self.supplements_requested + 1,
            },
            # v2: the count only; the clerk's text stays here (notify reads it at send time).
            event=lambda d: v2.SupplementRequested(
                dossier_code=d.code, requested_at=at, missing_count=len(items)
            ),
            hop=Hop(note=note),
        )

    def receive_supplement(self, *, due_at: datetime, at: datetime, actor: str) -> Change:
        """What was missing arrived; `due_at` is the statutory clock's new appointment."""
        return self._step(
            Action.RECEIVE_SUPPLEMENT,
            at=at,
            actor=actor,
            values={"due_at": due_at, "missing_items": []},
            event=lambda d: v1.SupplementReceived(dossier_code=d.code, received_at=at),
        )

    def refuse(
        self, reason_codes: Sequence[str], reason_text: str, *, at: datetime, actor: str
    ) -> Change:
        """Form 03: refused with reasons; the dossier is closed."""
        codes = list(reason_codes)
        return self._step(
            Action.REFUSE,
            at=at,
            actor=actor,
            values={"reason_codes": codes, "reason_text": reason_text, "completed_at": at},
            event=lambda d: v1.DossierRefused(
                dossier_code=d.code, refused_at=at, reason_codes=codes
            ),
        )

    def transfer(
        self,
        *,
        to_unit_id: str | None,
        to_official_id: str | None,
        at: datetime,
        actor: str,
        step_key: str | None = None,
        note: str | None = None,
    ) -> Change:
        """A hand-over to an official or a unit; each is a control-sheet row."""
        if not (to_unit_id or to_official_id):
            raise DomainError(
                "transfer.receiver_required",
                "Phải chọn cán bộ hoặc đơn vị nhận hồ sơ.",
                field="to_official_id",
            )
        return self._step(
            Action.TRANSFER,
            at=at,
            actor=actor,
            values={"handler_unit_id": to_unit_id, "handler_official_id": to_official_id},
            event=lambda d: v1.DossierTransferred(
                dossier_code=d.code,
                transferred_at=at,
                sheet_row=d.version,
                step_key=step_key,
                from_unit_id=self.handler_unit_id,
                from_official_id=self.handler_official_id or actor,
                to_unit_id=to_unit_id,
                to_official_id=to_official_id,
            ),
            hop=Hop(receiver=to_official_id or to_unit_id, step_key=step_key, note=note),
        )

    def decide(
        self,
        *,
        approved: bool,
        reason_codes: Sequence[str],
        reason_text: str | None,
        at: datetime,
        actor: str,
    ) -> Change:
        """The leader's decision; a rejection states its reasons."""
        if not approved and not reason_codes:
            raise DomainError(
                "decision.reasons_required",
                "Khi không giải quyết hồ sơ phải nêu rõ lý do.",
                field="reason_codes",
            )
        outcome = v1.DecisionOutcome.APPROVED if approved else v1.DecisionOutcome.REJECTED
        codes = list(reason_codes)
        return self._step(
            Action.DECIDE,
            at=at,
            actor=actor,
            values={"decision": outcome.value, "reason_codes": codes, "reason_text": reason_text},
            event=lambda d: v1.DecisionMade(
                dossier_code=d.code, decided_at=at, outcome=outcome, reason_codes=codes
            ),
        )

    def mark_result_ready(self, practices: Sequence[str], *, at: datetime, actor: str) -> Change:
        """The result is at the desk; the clock stops. `practices`: the procedure version's
        (ceremony, condolence letter), carried for notify when the outcome is approved."""
        outcome = v1.DecisionOutcome(self.decision or v1.DecisionOutcome.APPROVED)
        return self._step(
            Action.MARK_RESULT_READY,
            at=at,
            actor=actor,
            values={"completed_at": at},
            event=lambda d: v1.ResultReady(
                dossier_code=d.code,
                ready_at=at,
                outcome=outcome,
                procedure_code=d.procedure_code,
                procedure_version=d.procedure_version,
                # A rejected birth registration is no occasion for a ceremony.
                practices=list(practices) if outcome is v1.DecisionOutcome.APPROVED else [],
            ),
        )

    def return_result(
        self,
        *,
        method: str,
        to_applicant: bool,
        recipient_name: str | None,
        at: datetime,
        actor: str,
    ) -> Change:
        """Handed to the applicant, or to an authorised person whose name is written down."""
        if not to_applicant and not (recipient_name or "").strip():
            raise DomainError(
                "return.recipient_required",
                "Phải ghi họ tên người được ủy quyền nhận kết quả.",
                field="recipient_name",
            )
        how = v1.ReturnMethod(method)
        return self._step(
            Action.RETURN_RESULT,
            at=at,
            actor=actor,
            values={
                "returned_at": at,
                "return_method": how.value,
                "returned_to": None if to_applicant else recipient_name,
            },
            event=lambda d: v1.ResultReturned(
                dossier_code=d.code, returned_at=at, method=how, to_applicant=to_applicant
            ),
            hop=Hop(receiver="applicant" if to_applicant else "authorised_person"),
        )

    def withdraw(self, *, at: datetime, actor: str, note: str | None = None) -> Change:
        """Withdrawn at the applicant's request, before a decision."""
        return self._step(
            Action.WITHDRAW,
            at=at,
            actor=actor,
            values={"completed_at": at},
            event=lambda d: v1.DossierWithdrawn(dossier_code=d.code, withdrawn_at=at),
            hop=Hop(note=note),
        )

    # -- after the result -----------------------------------------------------------------

    def rate(
        self,
        level: SatisfactionLevel,
        *,
        source: str,
        criteria: Mapping[str, int],
        at: datetime,
        actor: str,
    ) -> Change:
        """Once, after the result was returned (docs/domain.md §6.1)."""
        if self.status is not Status.RETURNED:
            raise Conflict("satisfaction.not_yet", "Chỉ đánh giá được sau khi đã nhận kết quả.")
        if self.rated:
            raise Conflict("satisfaction.already_rated", "Hồ sơ này đã được đánh giá.")
        checked = check_criteria(criteria)
        changed: dict[str, Any] = {"rated": True, "version": self.version + 1}
        after = replace(self, **changed)
        event = v1.SatisfactionRated(
            dossier_code=self.code,
            rated_at=at,
            level=v1.SatisfactionLevel(level.value),
            source=v1.RatingSource(source),
            criteria=checked,
        )
        return Change(self, after, "rate", at, actor, changed, event, hop=None)

    def apologise(
        self, *, clock_version: int, new_due_at: datetime, reason_vi: str | None, at: datetime
    ) -> Change | None:
        """Workflow's apology (Form 04): the new return date the citizen was promised, or None
        when this apology is not newer than the one applied (a duplicate, a replay, a stale
        copy). Not a clerk's edit: `version` (intake's event sequence) is untouched."""
        if self.apology_clock_version is not None and clock_version <= self.apology_clock_version:
            return None
        changed: dict[str, Any] = {
            "apology_new_due_at": new_due_at,
            "apology_clock_version": clock_version,
        }
        if reason_vi is not None:
            changed["apology_reason_vi"] = reason_vi
        after = replace(self, **changed)
        return Change(self, after, "apology_issued", at, APOLOGY_ACTOR, changed, None, hop=None)

    # -- the ceremony ---------------------------------------------------------------------

    def check_ceremony_possible(self) -> None:
        """A hand-over ceremony is proposed once decided (approved), before the result is
        returned."""
        if self.status not in SCHEDULABLE or self.decision not in (None, "approved"):
            raise Conflict(
                "ceremony.not_ready",
                "Chỉ hẹn lễ trao khi hồ sơ đã được giải quyết (chấp thuận) và chưa trả kết quả.",
            )


APOLOGY_ACTOR = "workflow"


def check_documents(documents: Sequence[Document]) -> None:
    if not documents:
        raise DomainError(
            "documents.required", "Cần kê khai ít nhất một thành phần hồ sơ.", field="documents"
        )

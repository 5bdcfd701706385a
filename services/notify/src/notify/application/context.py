"""The variables of one message: event facts + dossier + commune + the one contact needed.

Every variable the kind allows is always present (see domain/variables.py): that is what
makes the save-time check a promise that no letter ever shows a blank.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from notify.application.ports import Contact
from notify.application.views import DossierView, TenantView
from notify.domain import vocabulary as vi
from notify.domain.kinds import Kind, Recipient
from notify.domain.rules import CEREMONY_PRACTICES
from notify.domain.variables import NO_DOSSIER_KINDS


class MissingFacts(Exception):
    """The dossier is not known here yet (its DossierReceived is still on its way)."""


@lru_cache(maxsize=1)
def _catalogue() -> Any:
    import motcua_clock as mc

    return mc.load_catalogue()


def procedure_name(code: str, version: str | None) -> str:
    try:
        cat = _catalogue()
        found = cat.get(code, version) if version else cat.versions(code)[-1]
        return str(found.name_vi)
    except Exception:  # unknown code: still a readable, non-blank phrase
        return f"Thủ tục hành chính mã {code}"


def _when(raw: Any) -> datetime:
    return raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))


def authority_of(unit_name: str | None) -> str:
    if not unit_name:
        return "Ủy ban nhân dân cấp xã"
    return f"Ủy ban nhân dân {unit_name[0].lower()}{unit_name[1:]}"


def salutation(recipient: Recipient, contact: Contact | None, staff_title: str | None) -> str:
    if not recipient.is_citizen:
        return f"Đồng chí {staff_title}" if staff_title else "Đồng chí lãnh đạo"
    if contact is not None and contact.full_name:
        return f"Ông/Bà {contact.full_name}"
    return "Ông/Bà"


def build_context(
    kind: Kind,
    *,
    facts: dict[str, Any],
    dossier: DossierView | None,
    tenant: TenantView,
    recipient: Recipient,
    contact: Contact | None,
    public_base_url: str,
    staff_title: str | None = None,
) -> dict[str, Any]:
    unit = tenant.unit_name
    ctx: dict[str, Any] = {
        "commune_name": unit or "Ủy ban nhân dân cấp xã",
        "authority_name": authority_of(unit),
        "salutation": salutation(recipient, contact, staff_title),
    }
    if kind not in NO_DOSSIER_KINDS:
        code = facts.get("dossier_code") or (dossier.dossier_code if dossier else None)
        proc = facts.get("procedure_code") or (dossier.procedure_code if dossier else None)
        if not code or not proc:
            raise MissingFacts(kind)
        version = facts.get("procedure_version") or (dossier.procedure_version if dossier else None)
        lookup = (contact.lookup_url if contact else None) or (
            f"{public_base_url.rstrip('/')}/tra-cuu?ma={quote(code)}"
        )
        ctx |= {"dossier_code": code, "procedure_name": procedure_name(proc, version)}
        ctx["lookup_url"] = lookup
    ctx |= _specific(kind, facts, dossier, tenant)
    if kind is Kind.SATISFACTION_SURVEY:
        ctx["survey_url"] = ctx["lookup_url"]  # the public page carries the rating form
    return ctx


def _specific(
    kind: Kind, f: dict[str, Any], dossier: DossierView | None, tenant: TenantView
) -> dict[str, Any]:
    if kind is Kind.RECEIPT_CONFIRMATION:
        return {
            "received_date": vi.date_vi(_when(f["received_at"])),
            "due_date": vi.moment_vi(_when(f["due_at"])),
        }
    if kind is Kind.SUPPLEMENT_REQUEST:
        return {
            "requested_date": vi.date_vi(_when(f["requested_at"])),
            "missing_items": list(f["missing_items"]),
        }
    if kind is Kind.REFUSAL_NOTICE:
        reasons = [vi.REFUSAL_REASONS_VI.get(c, "") for c in f.get("reason_codes", [])]
        known = [r for r in reasons if r]
        if len(known) < len(reasons) or not known:
            known.append(vi.REFUSAL_OTHER_VI)
        return {"refused_date": vi.date_vi(_when(f["refused_at"])), "refusal_reasons": known}
    if kind in (Kind.CEREMONY_INVITATION, Kind.CEREMONY_MESSAGE):
        # From CeremonyScheduled: the date, time and place the desk set.
        names = vi.CEREMONY_VI.get(str(f.get("occasion")), ("", ""))
        at = _when(f["ceremony_at"])
        return {
            "ready_date": vi.date_vi(_when(f.get("ready_at") or f["ceremony_at"])),
            "ceremony_name": names[0] or "Lễ trao kết quả",
            "certificate_name": names[1] or "kết quả giải quyết hồ sơ",
            "ceremony_slots": tenant.ceremony_slots,
            "ceremony_date": vi.day_vi(at),
            "ceremony_time": vi.time_vi(at),
            "ceremony_place": str(f["place_vi"]),
            "ceremony_rescheduled": int(f.get("schedule_revision", 1)) > 1,
        }
    if kind is Kind.RESULT_READY:
        practices = set(f.get("practices", []))
        ceremony = next(
            (CEREMONY_PRACTICES[p] for p in sorted(practices) if p in CEREMONY_PRACTICES), None
        )
        names = vi.CEREMONY_VI.get(ceremony or "", ("", ""))
        return {
            "ready_date": vi.date_vi(_when(f["ready_at"])),
            "ceremony_name": names[0] or "Lễ trao kết quả",
            "ceremony_slots": tenant.ceremony_slots,
            "approved": bool(f.get("approved", True)),
            "ceremony": ceremony is not None,
        }
    if kind in (Kind.APOLOGY_NOTICE, Kind.APOLOGY_MESSAGE):
        if dossier is None:
            raise MissingFacts(kind)
        return {
            "received_date": vi.date_vi(dossier.received_at),
            "original_due_date": vi.moment_vi(_when(f["old_due_at"])),
            "new_due_date": vi.moment_vi(_when(f["new_due_at"])),
            "reason_text": vi.apology_reason(f.get("reason_vi"), f.get("reason_code")),
        }
    if kind is Kind.CONDOLENCE_LETTER:
        return {"registered_date": vi.date_vi(_when(f["ready_at"]))}
    if kind is Kind.SATISFACTION_SURVEY:
        return {"returned_date": vi.date_vi(_when(f["returned_at"]))}
    if kind is Kind.ESCALATION_ALERT:
        due = f.get("due_at") or (dossier.due_at if dossier else None)
        if due is None:
            raise MissingFacts(kind)
        return {
            "due_date": vi.moment_vi(_when(due)),
            "escalation_reason": vi.ESCALATION_VI.get(str(f.get("reason")), "cần được quan tâm"),
            "level": int(f.get("level", 1)),
        }
    if kind is Kind.MORNING_DIGEST:

        def rows(key: str) -> list[dict[str, str]]:
            return [
                {"code": e["dossier_code"], "due": vi.moment_vi(_when(e["due_at"]))}
                for e in f.get(key, [])
            ]

        day = f["day"]
        at_risk, late = rows("at_risk"), rows("late")
        return {
            "day": vi.date_vi(day if isinstance(day, date) else date.fromisoformat(day)),
            "at_risk": at_risk,
            "late": late,
            "at_risk_count": len(at_risk),
            "late_count": len(late),
            "truncated": bool(f.get("truncated", False)),
        }
    raise AssertionError(f"no context for {kind}")

"""Turn a rendered letter template into the official layout the PDF prints."""

from __future__ import annotations

from datetime import date

from notify.application.ports import Contact
from notify.application.templating import Rendered
from notify.application.views import TenantView
from notify.domain.kinds import Recipient
from notify.domain.letters import Letter, place_of, unit_heading
from notify.domain.vocabulary import date_line_vi


def compose_letter(
    tenant: TenantView,
    rendered: Rendered,
    contact: Contact | None,
    *,
    number: str,
    day: date,
    recipient: Recipient,
) -> Letter:
    unit = tenant.unit_name or "cấp xã"
    place = tenant.settings.place_vi or (place_of(unit) if tenant.unit_name else "……………")
    name = contact.full_name if contact and contact.full_name else None
    if recipient is Recipient.FAMILY:
        addressee = f"Ông/Bà {name} và gia quyến" if name else "Gia đình"
    elif recipient.is_citizen:
        addressee = f"Ông/Bà {name}" if name else "Ông/Bà"
    else:
        addressee = f"Đồng chí {name}" if name else "Đồng chí lãnh đạo Ủy ban nhân dân"
    return Letter(
        unit_upper=unit_heading(unit),
        number=number,
        date_line=date_line_vi(place, day),
        title=rendered.subject or "THÔNG BÁO",
        addressee=addressee,
        body=rendered.body,
        signer=tenant.settings.signer.to_domain(),
        address=contact.address if contact else None,
    )

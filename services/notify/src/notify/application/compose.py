"""Compose one message for one channel: the contact it needs, the template, the text.

Shared by the dispatcher and the print desk, which composes a letter again when a clerk
prints it (the name and address are fetched then, never stored).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from notify.application.context import build_context
from notify.application.letters import compose_letter
from notify.application.ports import Claimed, Contact, ContactDirectory, ContactUnavailable
from notify.application.template_store import TemplateSource
from notify.application.templating import Rendered, Template, TemplateRenderer
from notify.application.views import DossierView, TenantView
from notify.domain.kinds import Channel, Kind, Recipient
from notify.domain.letters import Letter, form_edition
from notify.domain.retry import SendFailure
from notify.domain.vocabulary import local


class TemplateMissing(Exception):
    pass


@dataclass(frozen=True)
class Composed:
    rendered: Rendered
    contact: Contact
    context: dict[str, Any]
    template: Template | None = None  # the version it came from


@dataclass
class Composer:
    contacts: ContactDirectory
    templates: TemplateSource
    engine: TemplateRenderer
    public_base_url: str

    async def compose(
        self, c: Claimed, tenant: TenantView, dossier: DossierView | None
    ) -> Composed:
        """Raises ContactUnavailable, MissingFacts, TemplateMissing, Invalid (a template past
        its limits) or a template error."""
        kind, recipient = Kind(c.kind), Recipient(c.recipient)
        contact, staff_title = await self._contact(c, tenant, kind, recipient)
        edition = ""
        if kind is Kind.APOLOGY_NOTICE and dossier is not None:
            edition = form_edition(local(dossier.received_at).date())
        text_channel = Channel.SMS if c.channel is Channel.ZALO else c.channel
        template = await self.templates.active(tenant.tenant_id, kind, text_channel, edition)
        if template is None:
            raise TemplateMissing(kind)
        facts = c.facts
        if kind is Kind.SUPPLEMENT_REQUEST and "missing_items" not in facts:
            # Free text typed by the clerk never travels in events (SupplementRequested v2):
            # read from intake at send time, like the contact, and not kept.
            if not c.dossier_id:
                raise ContactUnavailable(SendFailure("contact.no_dossier", permanent=True))
            items = await self.contacts.missing_items(
                tenant_id=tenant.tenant_id, dossier_id=c.dossier_id
            )
            facts = {**facts, "missing_items": items}
        context = build_context(
            kind,
            facts=facts,
            dossier=dossier,
            tenant=tenant,
            recipient=recipient,
            contact=contact,
            public_base_url=self.public_base_url,
            staff_title=staff_title,
        )
        return Composed(await self.engine.render(template, context), contact, context, template)

    def letter(
        self, composed: Composed, c: Claimed, tenant: TenantView, *, number: str, day: date
    ) -> Letter:
        return compose_letter(
            tenant,
            composed.rendered,
            composed.contact,
            number=number,
            day=day,
            recipient=Recipient(c.recipient),
        )

    async def _contact(
        self, c: Claimed, tenant: TenantView, kind: Kind, recipient: Recipient
    ) -> tuple[Contact, str | None]:
        if recipient.is_citizen:
            if not c.dossier_id:
                raise ContactUnavailable(SendFailure("contact.no_dossier", permanent=True))
            contact = await self.contacts.contact(
                tenant_id=tenant.tenant_id,  # the commune speaking (after a merge: the new one)
                dossier_id=c.dossier_id,
                channel=c.channel,
                purpose=kind.value,
            )
            wanted = {Channel.EMAIL: contact.email, Channel.SMS: contact.phone}
            wanted[Channel.ZALO] = contact.phone
            if c.channel in wanted and not wanted[c.channel]:
                raise ContactUnavailable(SendFailure("contact.missing", permanent=True))
            return contact, None
        return _staff_contact(c, tenant, recipient)


def _staff_contact(
    c: Claimed, tenant: TenantView, recipient: Recipient
) -> tuple[Contact, str | None]:
    """Officials' work contacts come from the commune's settings, never from intake."""
    staff = tenant.settings.staff
    keys = [
        c.facts.get("to_official_id"),
        c.facts.get("leader_official_id"),
        recipient.value,
        tenant.leader_official_id if recipient is Recipient.LEADER else None,
    ]
    found = next((staff[k] for k in keys if k and k in staff), None)
    addressee = c.facts.get("to_official_id") or c.facts.get("leader_official_id")
    if found is not None:
        title = found.title_vi
    elif recipient is Recipient.LEADER:
        # The leader on duty that day, as the roster names them.
        title = tenant.title_of(addressee) or tenant.leader_title
    else:
        title = "Chủ tịch UBND"
    contact = Contact(
        phone=found.phone if found else None,
        email=found.email if found else None,
        full_name=title,
        address="Bộ phận một cửa",
    )
    needed = {Channel.EMAIL: contact.email, Channel.SMS: contact.phone}
    needed[Channel.ZALO] = contact.phone
    if c.channel in needed and not needed[c.channel]:
        raise ContactUnavailable(SendFailure("contact.missing", permanent=True))
    return contact, title

"""Issue 17, finding 4: notify asks intake for a contact as the event's commune, with a token
minted for that commune (intake refuses another commune's token)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from motcua_platform.auth import verifier_from_settings
from motcua_platform.auth.settings import AuthSettings
from motcua_testkit.notify import DOSSIER, TENANT, Notify, drain, received
from notify.adapters.intake_contacts import DevTokens, FileToken, IntakeContacts
from notify.application.ports import ContactUnavailable
from notify.domain.kinds import Channel
from notify.settings import NotifySettings


async def test_the_request_names_the_commune_and_the_token_is_its_own(keys_dir: Path) -> None:
    verifier = verifier_from_settings(AuthSettings(environment="test", dev_keys_dir=str(keys_dir)))
    seen: list[tuple[str, str | None]] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        token = request.headers["authorization"].removeprefix("Bearer ")
        principal = await verifier.verify(token)
        seen.append((request.url.path, principal.tenant_id))
        return httpx.Response(200, json={"phone": "0912345678"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        contacts = IntakeContacts(client, "http://intake", DevTokens(str(keys_dir)))
        for tenant in ("xa-a", "xa-b", "xa-a"):
            got = await contacts.contact(
                tenant_id=tenant, dossier_id="d-1", channel=Channel.SMS, purpose="x"
            )
            assert got.phone == "0912345678"
    assert seen == [
        ("/internal/v1/communes/xa-a/dossiers/d-1/contact", "xa-a"),
        ("/internal/v1/communes/xa-b/dossiers/d-1/contact", "xa-b"),
        ("/internal/v1/communes/xa-a/dossiers/d-1/contact", "xa-a"),
    ]


def test_production_token_files_are_per_commune(tmp_path: Path) -> None:
    (tmp_path / "xa-a").write_text("token-of-a\n")
    tokens = FileToken(str(tmp_path / "{tenant_id}"))
    assert tokens.token("xa-a") == "token-of-a"
    with pytest.raises(ContactUnavailable) as caught:
        tokens.token("xa-b")  # not written yet: temporary
    assert not caught.value.failure.permanent
    for bad in ("../xa-a", ".hidden", ""):
        with pytest.raises(ContactUnavailable):
            tokens.token(bad)
    with pytest.raises(ValueError):
        FileToken(str(tmp_path / "one-token-for-all"))
    with pytest.raises(ValueError, match="tenant_id"):
        NotifySettings(environment="test", intake_token_file=str(tmp_path / "shared"))


async def test_the_dispatcher_asks_as_the_events_commune(n: Notify) -> None:
    await n.deliver(received(), DOSSIER)
    await drain(n.runtime)
    assert n.contacts.calls and set(n.contacts.tenants) == {TENANT}

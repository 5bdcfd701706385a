"""Intake's contact endpoint: one channel's contact for one send, with a service token."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

import httpx
from motcua_platform.auth.roles import Role

from notify.application.ports import Contact, ContactUnavailable
from notify.domain.kinds import Channel
from notify.domain.retry import SendFailure

# Zalo ZNS reaches a phone number: ask intake for the SMS contact.
_INTAKE_CHANNEL = {
    Channel.SMS: "sms",
    Channel.ZALO: "sms",
    Channel.EMAIL: "email",
    Channel.LETTER: "letter",
}


class TokenSource(Protocol):
    def token(self, tenant_id: str) -> str:
        """A `service:notify` token whose tenant claim is this commune."""
        ...


class DevTokens:
    """Outside production: `service:notify` tokens signed by the local development key,
    one per commune (intake refuses a token of another commune)."""

    def __init__(self, keys_dir: str | None = None, ttl_seconds: int = 3600) -> None:
        self._keys = keys_dir
        self._ttl = ttl_seconds
        self._cached: dict[str, tuple[float, str]] = {}

    def token(self, tenant_id: str) -> str:
        from motcua_platform.auth import dev_tokens

        hit = self._cached.get(tenant_id)
        if hit is None or time.monotonic() - hit[0] > self._ttl / 2:
            minted = dev_tokens.mint(
                Role.NOTIFY,
                tenant_id,
                subject="notify",
                ttl_seconds=self._ttl,
                keys=self._keys,
            )
            hit = self._cached[tenant_id] = (time.monotonic(), minted)
        return hit[1]


class FileToken:
    """Production: per-commune tokens the platform's identity sidecar keeps fresh in mounted
    files; the path names the commune with `{tenant_id}` (e.g. /var/run/tokens/{tenant_id})."""

    def __init__(self, path: str) -> None:
        if "{tenant_id}" not in path:
            raise ValueError("the token file path names the commune: …/{tenant_id}")
        self._path = path

    def token(self, tenant_id: str) -> str:
        if not tenant_id or "/" in tenant_id or tenant_id.startswith("."):
            raise ContactUnavailable(SendFailure("intake.token_unavailable", permanent=True))
        try:
            return Path(self._path.replace("{tenant_id}", tenant_id)).read_text("utf-8").strip()
        except OSError:
            # The sidecar has not written this commune's token yet: worth a retry.
            raise ContactUnavailable(
                SendFailure("intake.token_unavailable", permanent=False)
            ) from None


class IntakeContacts:
    def __init__(self, client: httpx.AsyncClient, base_url: str, tokens: TokenSource) -> None:
        self._client = client
        self._base = base_url.rstrip("/")
        self._tokens = tokens

    async def contact(
        self, *, tenant_id: str, dossier_id: str, channel: Channel, purpose: str
    ) -> Contact:
        token = self._tokens.token(tenant_id)
        commune, dossier = quote(tenant_id, safe=""), quote(dossier_id, safe="")
        try:
            response = await self._client.get(
                f"{self._base}/internal/v1/communes/{commune}/dossiers/{dossier}/contact",
                params={"channel": _INTAKE_CHANNEL[channel], "purpose": purpose},
                headers={"Authorization": f"Bearer {token}"},
                timeout=5.0,
            )
        except httpx.HTTPError as exc:
            raise ContactUnavailable(
                SendFailure(f"intake.{type(exc).__name__}"[:60], permanent=False)
            ) from None
        if response.status_code == 404:
            code = _code(response)
            raise ContactUnavailable(
                SendFailure(
                    "contact.missing" if code.startswith("contact.") else "dossier.not_found", True
                )
            )
        if response.status_code >= 300:
            # 401/403 are a token or role being rotated: temporary, like a 5xx.
            raise ContactUnavailable(
                SendFailure(f"intake.{response.status_code}", response.status_code == 422)
            )
        body = response.json()
        return Contact(
            phone=body.get("phone"),
            email=body.get("email"),
            full_name=body.get("full_name"),
            address=body.get("address"),
            lookup_url=body.get("lookup_url"),
        )

    async def missing_items(self, *, tenant_id: str, dossier_id: str) -> list[str]:
        token = self._tokens.token(tenant_id)
        commune, dossier = quote(tenant_id, safe=""), quote(dossier_id, safe="")
        try:
            response = await self._client.get(
                f"{self._base}/internal/v1/communes/{commune}/dossiers/{dossier}/missing-items",
                headers={"Authorization": f"Bearer {token}"},
                timeout=5.0,
            )
        except httpx.HTTPError as exc:
            raise ContactUnavailable(
                SendFailure(f"intake.{type(exc).__name__}"[:60], permanent=False)
            ) from None
        if response.status_code == 404:
            raise ContactUnavailable(SendFailure("supplement.missing", permanent=True))
        if response.status_code >= 300:
            raise ContactUnavailable(
                SendFailure(f"intake.{response.status_code}", response.status_code == 422)
            )
        items = response.json().get("missing_items")
        if not isinstance(items, list) or not items:
            raise ContactUnavailable(SendFailure("supplement.missing", permanent=True))
        return [str(i) for i in items]


def _code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("code") or "")
    except ValueError:
        return ""

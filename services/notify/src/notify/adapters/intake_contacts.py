"""Intake's contact endpoint: one channel's contact for one send, with a service token."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Protocol

import httpx

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
    def token(self) -> str: ...


class DevTokens:
    """Outside production: a `service:notify` token signed by the local development key."""

    def __init__(self, keys_dir: str | None = None, ttl_seconds: int = 3600) -> None:
        self._keys = keys_dir
        self._ttl = ttl_seconds
        self._cached: tuple[float, str] | None = None

    def token(self) -> str:
        from motcua_platform.auth import dev_tokens

        if self._cached is None or time.monotonic() - self._cached[0] > self._ttl / 2:
            minted = dev_tokens.mint(
                "service:notify", None, subject="notify", ttl_seconds=self._ttl, keys=self._keys
            )
            self._cached = (time.monotonic(), minted)
        return self._cached[1]


class FileToken:
    """Production: a token the platform's identity sidecar keeps fresh in a mounted file."""

    def __init__(self, path: str) -> None:
        self._path = Path(path)

    def token(self) -> str:
        return self._path.read_text(encoding="utf-8").strip()


class IntakeContacts:
    def __init__(self, client: httpx.AsyncClient, base_url: str, tokens: TokenSource) -> None:
        self._client = client
        self._base = base_url.rstrip("/")
        self._tokens = tokens

    async def contact(self, *, dossier_id: str, channel: Channel, purpose: str) -> Contact:
        try:
            response = await self._client.get(
                f"{self._base}/internal/v1/dossiers/{dossier_id}/contact",
                params={"channel": _INTAKE_CHANNEL[channel], "purpose": purpose},
                headers={"Authorization": f"Bearer {self._tokens.token()}"},
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


def _code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("code") or "")
    except ValueError:
        return ""

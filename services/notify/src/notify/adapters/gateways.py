"""SMS through an HTTP gateway and Zalo ZNS template messages, over one shared httpx client.

408, 425, 429, 5xx, timeouts and refused connections are temporary; other 4xx permanent.
Each request carries the delivery id as an idempotency key (`Idempotency-Key`, ZNS
`tracking_id`) so a gateway can drop a request repeated after a crash.
"""

from __future__ import annotations

from typing import Any

import httpx
from motcua_platform.telemetry import inject_headers

from notify.application.ports import Outgoing, SecretResolver, SendError, SendReceipt
from notify.domain.deployment_policy import DeploymentPolicy
from notify.domain.kinds import Channel
from notify.domain.retry import SendFailure, http_is_permanent
from notify.domain.tenant_settings import SmsProvider, TenantSettings, ZaloProvider

# ZNS answers HTTP 200 with its own error codes [W: Zalo's public docs]; -124 is an expired
# access token, which the token refresher fixes within minutes: worth a retry.
ZNS_TEMPORARY_ERRORS = frozenset({-124, -32})


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after")
    try:
        return max(0.0, float(raw)) if raw else None
    except ValueError:
        return None


async def _post(
    client: httpx.AsyncClient,
    url: str,
    *,
    json: dict[str, Any],
    headers: dict[str, str],
    wait: float,
    prefix: str,
) -> httpx.Response:
    # The provider sees the send's trace (W3C traceparent), like any service we call.
    headers = inject_headers(dict(headers))
    try:
        response = await client.post(url, json=json, headers=headers, timeout=wait)
    except httpx.TimeoutException:
        raise SendError(SendFailure(f"{prefix}.timeout", permanent=False)) from None
    except httpx.HTTPError as exc:
        raise SendError(SendFailure(f"{prefix}.{type(exc).__name__}"[:60], False)) from None
    if response.status_code >= 300:
        raise SendError(
            SendFailure(
                f"{prefix}.{response.status_code}",
                http_is_permanent(response.status_code),
                _retry_after(response),
            )
        )
    return response


def _allowed(policy: DeploymentPolicy, url: str, prefix: str) -> None:
    """Settings saved before the allow-list (or edited in the database) still never send a
    secret to a host the deployment did not declare."""
    if not policy.allows_gateway(url):
        raise SendError(SendFailure(f"{prefix}.gateway_not_allowed", permanent=True))


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class HttpSms:
    channel = Channel.SMS
    name = "sms_http"

    def __init__(
        self,
        client: httpx.AsyncClient,
        secrets: SecretResolver,
        policy: DeploymentPolicy | None = None,
    ) -> None:
        self._client = client
        self._secrets = secrets
        self._policy = policy or DeploymentPolicy()

    def _config(self, settings: TenantSettings) -> SmsProvider:
        assert settings.sms is not None
        return settings.sms

    def endpoint(self, settings: TenantSettings) -> str:
        return self._config(settings).url

    def rate(self, settings: TenantSettings) -> float:
        return self._config(settings).rate_per_second

    async def send(self, message: Outgoing, settings: TenantSettings) -> SendReceipt:
        cfg = self._config(settings)
        _allowed(self._policy, cfg.url, self.channel.value)
        headers = {"Idempotency-Key": message.delivery_id}
        if cfg.token_ref:
            headers["Authorization"] = f"Bearer {self._secrets.resolve(cfg.token_ref)}"
        response = await _post(
            self._client,
            cfg.url,
            json={
                "to": message.to,
                "text": message.body,
                "sender": cfg.brandname,
                "reference": message.delivery_id,
            },
            headers=headers,
            wait=cfg.timeout_seconds,
            prefix="sms",
        )
        return SendReceipt("sms_http", str(_json(response).get("message_id") or "") or None)


def zalo_phone(phone: str) -> str:
    """ZNS wants 84xxxxxxxxx."""
    digits = phone.lstrip("+")
    return "84" + digits[1:] if digits.startswith("0") else digits


class ZaloZns:
    channel = Channel.ZALO
    name = "zalo_zns"

    def __init__(
        self,
        client: httpx.AsyncClient,
        secrets: SecretResolver,
        policy: DeploymentPolicy | None = None,
    ) -> None:
        self._client = client
        self._secrets = secrets
        self._policy = policy or DeploymentPolicy()

    def _config(self, settings: TenantSettings) -> ZaloProvider:
        assert settings.zalo is not None
        return settings.zalo

    def endpoint(self, settings: TenantSettings) -> str:
        return self._config(settings).url

    def rate(self, settings: TenantSettings) -> float:
        return self._config(settings).rate_per_second

    async def send(self, message: Outgoing, settings: TenantSettings) -> SendReceipt:
        cfg = self._config(settings)
        _allowed(self._policy, cfg.url, self.channel.value)
        from notify.domain.kinds import Kind

        template_id = cfg.templates.get(Kind(message.kind))
        if not template_id:
            raise SendError(SendFailure("zalo.no_template", permanent=True))
        response = await _post(
            self._client,
            cfg.url,
            json={
                "phone": zalo_phone(message.to or ""),
                "template_id": template_id,
                "template_data": message.params,
                "tracking_id": message.delivery_id,
            },
            headers={"access_token": self._secrets.resolve(cfg.access_token_ref)},
            wait=cfg.timeout_seconds,
            prefix="zalo",
        )
        body = _json(response)
        error = int(body.get("error", 0) or 0)
        if error != 0:
            raise SendError(SendFailure(f"zalo.{error}", error not in ZNS_TEMPORARY_ERRORS))
        data = body.get("data") or {}
        return SendReceipt("zalo_zns", str(data.get("msg_id") or "") or None)

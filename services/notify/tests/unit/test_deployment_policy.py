"""Issue 17, finding 3: a commune's settings name only the secrets and gateway hosts the
deployment declares; anything else is refused when saved (422) and again when used."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from motcua_testkit.notify import TENANT, make_notify
from notify.adapters.gateways import HttpSms, ZaloZns
from notify.adapters.secrets import ReferenceSecrets
from notify.application.ports import Outgoing, SendError
from notify.domain.deployment_policy import DeploymentPolicy
from notify.domain.kinds import Channel
from notify.domain.tenant_settings import TenantSettings
from notify.settings import NotifySettings

BASE = f"/api/v1/communes/{TENANT}/notify-settings"


@pytest.fixture
def secrets_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "secrets"
    folder.mkdir()
    (folder / "sms_token").write_text("sms-secret\n")
    canary = tmp_path / "canary.txt"
    canary.write_text("host-secret")
    (folder / "escape").symlink_to(canary)
    return folder


def policy(folder: Path, **kw: Any) -> DeploymentPolicy:
    return DeploymentPolicy.of(
        secrets_dir=str(folder),
        env_names=kw.get("env_names", "MOTCUA_SMS_TOKEN_CK"),
        gateway_hosts=kw.get("gateway_hosts", "sms.vnpt.vn"),
        https_only=kw.get("https_only", True),
    )


def test_only_declared_references_resolve(
    secrets_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTCUA_SMS_TOKEN_CK", "env-secret")
    monkeypatch.setenv("HOME_SECRET", "not-yours")
    secrets = ReferenceSecrets(policy(secrets_dir))
    assert secrets.resolve(f"file:{secrets_dir}/sms_token") == "sms-secret"
    assert secrets.resolve("env:MOTCUA_SMS_TOKEN_CK") == "env-secret"
    refused = [
        "env:HOME_SECRET",
        "env:PATH",
        f"file:{tmp_path}/canary.txt",
        f"file:{secrets_dir}/../canary.txt",
        f"file:{secrets_dir}/escape",  # a symlink out of the folder
        f"file:{secrets_dir}",
        f"file:{secrets_dir}//sms_token",
        "file:/etc/passwd",
    ]
    for ref in refused:
        assert not secrets.allows(ref), ref
        with pytest.raises(SendError) as caught:
            secrets.resolve(ref)
        assert caught.value.failure.code == "secret.not_allowed", ref
    # Nothing declared: nothing resolves.
    with pytest.raises(SendError):
        ReferenceSecrets().resolve("env:MOTCUA_SMS_TOKEN_CK")


def test_gateway_hosts_come_from_the_allow_list() -> None:
    prod = DeploymentPolicy.of(
        secrets_dir=None, env_names="", gateway_hosts="sms.vnpt.vn", https_only=True
    )
    assert prod.allows_gateway("https://sms.vnpt.vn/send")
    assert prod.allows_gateway("https://SMS.vnpt.vn:8443/send")
    for url in (
        "http://sms.vnpt.vn/send",  # production: https only
        "https://evil.example/send",
        "https://sms.vnpt.vn.evil.example/send",
        "https://sms.vnpt.vn@evil.example/send",
        "https://user:pw@sms.vnpt.vn/send",
        "https://sms.vnpt.vn:bad/send",
    ):
        assert not prod.allows_gateway(url), url
    dev = DeploymentPolicy.of(
        secrets_dir=None, env_names="", gateway_hosts="127.0.0.1", https_only=False
    )
    assert dev.allows_gateway("http://127.0.0.1:9/sms")
    assert not dev.allows_gateway("http://10.0.0.1/sms")


def test_the_secrets_folder_is_absolute_without_dots() -> None:
    for folder in ("run/secrets", "/run/../etc"):
        with pytest.raises(ValueError):
            NotifySettings(environment="test", secrets_dir=folder)
    prod = NotifySettings(environment="test", gateway_hosts="a.vn, b.vn").deployment_policy()
    assert prod.gateway_hosts == {"a.vn", "b.vn"} and not prod.https_only


async def test_saving_undeclared_references_or_hosts_is_refused(
    tmp_path: Path, keys_dir: Path, secrets_dir: Path
) -> None:
    async with make_notify(
        tmp_path,
        keys_dir,
        secrets_dir=str(secrets_dir),
        secret_env_names="MOTCUA_SMS_TOKEN_CK",
        gateway_hosts="sms.vnpt.vn",
    ) as n:
        operator = n.headers("operator")
        bad = {
            "sms": {"url": "https://evil.example/send", "token_ref": "file:/etc/passwd"},
            "zalo": {"url": "https://sms.vnpt.vn/zns", "access_token_ref": "env:PATH"},
            "callback_token_ref": f"file:{secrets_dir}/escape",
        }
        r = await n.client.put(BASE, json=bad, headers=operator)
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["code"] == "secret.not_allowed" and "bí mật" in body["message"]
        assert {(e["field"], e["code"]) for e in body["errors"]} == {
            ("sms.token_ref", "secret.not_allowed"),
            ("sms.url", "gateway.not_allowed"),
            ("zalo.access_token_ref", "secret.not_allowed"),
            ("callback_token_ref", "secret.not_allowed"),
        }
        assert "/etc/passwd" not in r.text
        ok = {
            "sms": {
                "url": "https://sms.vnpt.vn/send",
                "token_ref": f"file:{secrets_dir}/sms_token",
            },
            "zalo": {
                "url": "https://sms.vnpt.vn/zns",
                "access_token_ref": "env:MOTCUA_SMS_TOKEN_CK",
            },
        }
        r = await n.client.put(BASE, json=ok, headers=operator)
        assert r.status_code == 200, r.text


def _outgoing() -> Outgoing:
    return Outgoing(
        delivery_id="d-1",
        tenant_id=TENANT,
        channel=Channel.SMS,
        kind="receipt_confirmation",
        body="x",
        to="0912345678",
    )


async def test_a_stored_undeclared_gateway_gets_no_secret(secrets_dir: Path) -> None:
    """Settings stored before the allow-list: the send is refused before any request."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"message_id": "m"})

    rules = policy(secrets_dir)
    secrets = ReferenceSecrets(rules)
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        stored = TenantSettings.model_validate(
            {
                "sms": {
                    "url": "https://evil.example/s",
                    "token_ref": f"file:{secrets_dir}/sms_token",
                },
                "zalo": {
                    "url": "https://evil.example/z",
                    "access_token_ref": f"file:{secrets_dir}/sms_token",
                    "templates": {"receipt_confirmation": "1"},
                },
            }
        )
        for provider in (HttpSms(client, secrets, rules), ZaloZns(client, secrets, rules)):
            with pytest.raises(SendError) as caught:
                await provider.send(_outgoing(), stored)
            assert caught.value.failure.code.endswith("gateway_not_allowed")
            assert caught.value.failure.permanent
        assert seen == []
        allowed = stored.model_copy(
            update={"sms": stored.sms.model_copy(update={"url": "https://sms.vnpt.vn/s"})}  # type: ignore[union-attr]
        )
        await HttpSms(client, secrets, rules).send(_outgoing(), allowed)
        assert seen[0].headers["authorization"] == "Bearer sms-secret"

"""Every service refuses to start in production without its identity provider (issue 17, 4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from analytics.settings import AnalyticsSettings
from intake.settings import IntakeSettings
from motcua_platform.auth.settings import AuthSettings
from notify.settings import NotifySettings
from workflow.settings import WorkflowSettings

SERVICES: dict[str, type[AuthSettings]] = {
    "intake": IntakeSettings,
    "workflow": WorkflowSettings,
    "notify": NotifySettings,
    "analytics": AnalyticsSettings,
}
IDP = {
    "jwks_url": "https://sso.example.vn/realms/sonla/protocol/openid-connect/certs",
    "jwt_issuer": "https://sso.example.vn/realms/sonla",
    "jwt_audience": "motcua",
}


def _required(name: str, tmp_path: Path) -> dict[str, Any]:
    """What each service needs in production besides the identity provider."""
    secret = tmp_path / "secret"
    secret.write_text("x" * 48)
    return {
        "intake": {"lookup_secret_file": str(secret)},
        "notify": {"intake_token_file": str(tmp_path / "{tenant_id}")},
    }.get(name, {})


def _clear_env(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    for key in ("ENVIRONMENT", "JWKS_URL", "JWT_ISSUER", "JWT_AUDIENCE", "DEV_KEYS_DIR"):
        monkeypatch.delenv(f"MOTCUA_{name.upper()}_{key}", raising=False)


@pytest.mark.parametrize("name", SERVICES)
@pytest.mark.parametrize("missing", ["jwks_url", "jwt_issuer", "jwt_audience"])
def test_production_without_the_identity_provider_refuses_to_start(
    name: str, missing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clear_env(monkeypatch, name)
    values = {"environment": "production", "database_url": "postgresql+asyncpg://db/x"}
    values |= _required(name, tmp_path) | {k: v for k, v in IDP.items() if k != missing}
    with pytest.raises(ValueError, match=missing.upper()):
        SERVICES[name](**values)


@pytest.mark.parametrize("name", SERVICES)
def test_forgetting_the_environment_means_production(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No default trusts the development key: without ENVIRONMENT the checks still apply."""
    _clear_env(monkeypatch, name)
    with pytest.raises(ValueError):
        SERVICES[name](database_url="postgresql+asyncpg://db/x", **_required(name, tmp_path))
    settings = SERVICES[name](
        database_url="postgresql+asyncpg://db/x", **IDP, **_required(name, tmp_path)
    )
    assert settings.environment == "production"


@pytest.mark.parametrize("name", SERVICES)
def test_production_refuses_the_development_keys(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clear_env(monkeypatch, name)
    values = {"environment": "production", "database_url": "postgresql+asyncpg://db/x", **IDP}
    with pytest.raises(ValueError, match="development keys"):
        SERVICES[name](**values, **_required(name, tmp_path), dev_keys_dir=str(tmp_path))

"""Bearer tokens: RS256 against the JWKS, roles and tenant claims, Keycloak's claim layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from intake.settings import IntakeSettings
from motcua_testkit.intake import A, Desk


async def test_requests_without_a_valid_token_get_401_with_a_code(desk: Desk) -> None:
    url = f"/api/v1/communes/{A}/dossiers"
    missing = await desk.client.get(url)
    assert missing.status_code == 401 and missing.json()["code"] == "auth.missing_token"
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    bad = await desk.client.get(url, headers={"Authorization": "Bearer abc.def.ghi"})
    assert bad.status_code == 401 and bad.json()["code"] == "auth.invalid_token"


PRODUCTION = {
    "environment": "production",
    "database_url": "postgresql+asyncpg://x/y",
    "jwks_url": "https://sso/certs",
    "jwt_issuer": "https://sso",
    "jwt_audience": "motcua",
}


def test_production_refuses_unsafe_auth_settings() -> None:
    with pytest.raises(ValueError, match="https"):
        IntakeSettings(**(PRODUCTION | {"jwks_url": "http://sso/certs"}))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="LOOKUP_SECRET"):
        IntakeSettings(**PRODUCTION)  # type: ignore[arg-type]


def test_production_refuses_the_development_lookup_secret(tmp_path: Path) -> None:
    from intake.bootstrap import _DEV_LOOKUP_SECRET, _lookup_secret

    for content in (_DEV_LOOKUP_SECRET, b"short"):
        secret = tmp_path / "lookup"
        secret.write_bytes(content)
        settings = IntakeSettings(**PRODUCTION, lookup_secret_file=str(secret))  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="look-up secret"):
            _lookup_secret(settings)
    secret.write_bytes(b"k" * 48)
    assert _lookup_secret(IntakeSettings(**PRODUCTION, lookup_secret_file=str(secret))) == b"k" * 48  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="LOOKUP_SECRET"):
        _lookup_secret(IntakeSettings.model_construct(**PRODUCTION))

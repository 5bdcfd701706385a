"""The one verifier, its token cache, and the production check of the shared auth settings."""

from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest
from motcua_platform.auth import (
    AuthError,
    CachingVerifier,
    JwksVerifier,
    Role,
    verifier_from_settings,
)
from motcua_platform.auth.dev_tokens import DEV_ISSUER, ensure_keys, mint
from motcua_platform.auth.settings import AuthSettings
from motcua_platform.settings import ServiceSettings

PG = "postgresql+asyncpg://db/x"
SAFE = {
    "environment": "production",
    "database_url": PG,
    "jwks_url": "https://sso.example.vn/realms/sonla/protocol/openid-connect/certs",
    "jwt_issuer": "https://sso.example.vn/realms/sonla",
    "jwt_audience": "motcua",
}


def _dev(tmp_path: Path) -> AuthSettings:
    return AuthSettings(environment="test", dev_keys_dir=str(tmp_path))


async def test_a_dev_token_verifies_into_roles_and_tenant(tmp_path: Path) -> None:
    verifier = verifier_from_settings(_dev(tmp_path))
    principal = await verifier.verify(mint("leader", "quyet-thang", keys=tmp_path))
    assert principal.roles == frozenset({Role.LEADER})
    assert principal.tenant_id == "quyet-thang"


async def test_unknown_roles_grant_nothing(tmp_path: Path) -> None:
    verifier = verifier_from_settings(_dev(tmp_path))
    principal = await verifier.verify(mint("superuser", "quyet-thang", keys=tmp_path))
    assert principal.roles == frozenset()


async def test_tampered_expired_or_foreign_tokens_are_refused(tmp_path: Path) -> None:
    verifier = verifier_from_settings(_dev(tmp_path))
    good = mint("clerk", "quyet-thang", keys=tmp_path)
    head, body, sig = good.split(".")
    forged = jwt.encode({"sub": "x", "exp": time.time() + 60, "aud": "motcua"}, "s", "HS256")
    expired = mint("clerk", "quyet-thang", keys=tmp_path, ttl_seconds=-10)
    other_key = mint("clerk", "quyet-thang", keys=tmp_path / "other")
    for token in (f"{head}.{body}x.{sig}", forged, expired, other_key):
        with pytest.raises(AuthError) as caught:
            await verifier.verify(token)
        assert caught.value.code == "auth.invalid_token"


async def test_a_token_from_another_issuer_is_refused(tmp_path: Path) -> None:
    keys = ensure_keys(tmp_path)
    private = (keys / "private.pem").read_bytes()
    kid = jwt.get_unverified_header(mint("clerk", "a", keys=keys))["kid"]
    claims = {"aud": "motcua", "sub": "u", "exp": int(time.time()) + 60, "roles": ["operator"]}
    verifier = JwksVerifier((keys / "jwks.json").as_uri(), issuers=(DEV_ISSUER,), audience="motcua")
    for extra in ({"iss": "https://evil.example"}, {}):  # another issuer, or none at all
        token = jwt.encode(claims | extra, private, algorithm="RS256", headers={"kid": kid})
        with pytest.raises(AuthError):
            await verifier.verify(token)


def test_the_default_environment_is_production() -> None:
    """A deployment that forgets MOTCUA_<SVC>_ENVIRONMENT must not trust development keys."""
    assert ServiceSettings.model_fields["environment"].default == "production"
    with pytest.raises(ValueError, match="JWKS"):
        AuthSettings(database_url=PG)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"jwks_url": None}, "JWKS"),
        ({"jwks_url": "http://sso/certs"}, "JWKS"),
        ({"jwks_url": "file:///run/dev-keys/jwks.json"}, "JWKS"),
        ({"jwt_issuer": None}, "JWT_ISSUER"),
        ({"jwt_issuer": DEV_ISSUER}, "JWT_ISSUER"),
        ({"jwt_audience": None}, "JWT_AUDIENCE"),
        ({"dev_keys_dir": "/tmp/keys"}, "development keys"),
    ],
)
def test_production_refuses_incomplete_auth(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AuthSettings(**(SAFE | change))  # type: ignore[arg-type]


def test_production_with_its_identity_provider_is_accepted() -> None:
    verifier = verifier_from_settings(AuthSettings(**SAFE))  # type: ignore[arg-type]
    assert isinstance(verifier, CachingVerifier)


def test_production_never_falls_back_to_the_dev_key() -> None:
    unchecked = AuthSettings.model_construct(environment="production", jwks_url=None)
    with pytest.raises(ValueError):
        verifier_from_settings(unchecked)


class _Counting(JwksVerifier):
    calls = 0

    async def verify(self, token: str):  # type: ignore[no-untyped-def]
        type(self).calls += 1
        return await super().verify(token)


async def test_a_verified_token_is_reused_until_it_expires(tmp_path: Path) -> None:
    keys = ensure_keys(tmp_path)
    now = [time.time()]
    inner = _Counting((keys / "jwks.json").as_uri(), issuers=(DEV_ISSUER,), audience="motcua")
    verifier = CachingVerifier(inner, cache_seconds=600, cache_size=2, wall_clock=lambda: now[0])
    token = mint("clerk", "a", ttl_seconds=120, keys=keys)
    first = await verifier.verify(token)
    assert await verifier.verify(token) == first and _Counting.calls == 1
    # A different token is verified on its own; the oldest entry leaves when the cache is full.
    others = [mint("leader", "a", subject=f"u{i}", keys=keys) for i in range(2)]
    for other in others:
        assert (await verifier.verify(other)).roles == {Role.LEADER}
    assert _Counting.calls == 3
    await verifier.verify(token)
    assert _Counting.calls == 4
    # Past the token's own expiry the cached answer is not used: the signature and `exp` are
    # checked again (by the real verifier, on the real clock).
    now[0] += 121
    await verifier.verify(token)
    assert _Counting.calls == 5


async def test_keycloak_realm_roles_and_wrong_audience(tmp_path: Path) -> None:
    keys = ensure_keys(tmp_path)
    private = (keys / "private.pem").read_bytes()
    kid = jwt.get_unverified_header(mint("clerk", "a", keys=keys))["kid"]
    issuer = "https://sso.example.vn/realms/sonla"
    claims = {
        "iss": issuer,
        "aud": "motcua",
        "sub": "u1",
        "exp": int(time.time()) + 60,
        "realm_access": {"roles": ["province_monitor", "offline_access"]},
    }
    verifier = JwksVerifier((keys / "jwks.json").as_uri(), issuers=(issuer,), audience="motcua")
    token = jwt.encode(claims, private, algorithm="RS256", headers={"kid": kid})
    principal = await verifier.verify(token)
    assert principal.roles == {Role.PROVINCE_MONITOR} and principal.tenant_id is None
    other = jwt.encode(claims | {"aud": "other"}, private, algorithm="RS256", headers={"kid": kid})
    with pytest.raises(AuthError):
        await verifier.verify(other)

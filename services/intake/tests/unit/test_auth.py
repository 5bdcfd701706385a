"""Bearer tokens: RS256 against the JWKS, roles and tenant claims, Keycloak's claim layout."""

from __future__ import annotations

import time

import jwt
import pytest
from intake.auth import dev_tokens
from intake.auth.verifier import IntakeVerifier
from intake.domain.access import Role
from intake.domain.errors import Unauthenticated
from intake.settings import IntakeSettings
from intake.testing import A, Desk
from motcua_platform.auth import JwksVerifier


async def test_requests_without_a_valid_token_get_401_with_a_code(desk: Desk) -> None:
    url = f"/api/v1/communes/{A}/dossiers"
    missing = await desk.client.get(url)
    assert missing.status_code == 401 and missing.json()["code"] == "auth.missing_token"
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    bad = await desk.client.get(url, headers={"Authorization": "Bearer abc.def.ghi"})
    assert bad.status_code == 401 and bad.json()["code"] == "auth.invalid_token"


async def test_expired_wrong_audience_and_foreign_keys_are_refused(keys_dir, tmp_path) -> None:  # type: ignore[no-untyped-def]
    verifier = IntakeVerifier(
        JwksVerifier(
            (keys_dir / "jwks.json").as_uri(), issuers=(dev_tokens.DEV_ISSUER,), audience="motcua"
        )
    )
    good = dev_tokens.mint("leader", A, keys_dir=keys_dir)
    principal = await verifier.verify(good)
    assert principal.roles == {Role.LEADER} and principal.tenant_id == A
    private = (keys_dir / "private.pem").read_bytes()
    kid = jwt.get_unverified_header(good)["kid"]
    other_audience = jwt.encode(
        {"iss": dev_tokens.DEV_ISSUER, "aud": "other", "sub": "u", "exp": int(time.time()) + 60},
        private,
        algorithm="RS256",
        headers={"kid": kid},
    )
    for token in (
        dev_tokens.mint("clerk", A, ttl_seconds=-10, keys_dir=keys_dir),
        other_audience,
        dev_tokens.mint("clerk", A, keys_dir=dev_tokens.ensure_keys(tmp_path / "other")),
    ):
        with pytest.raises(Unauthenticated):
            await verifier.verify(token)


async def test_keycloak_realm_roles_are_understood(keys_dir) -> None:  # type: ignore[no-untyped-def]
    private = (keys_dir / "private.pem").read_bytes()
    kid = jwt.get_unverified_header(dev_tokens.mint("clerk", A, keys_dir=keys_dir))["kid"]
    now = int(time.time())
    token = jwt.encode(
        {
            "iss": "https://sso.example.vn/realms/sonla",
            "aud": "motcua",
            "sub": "u1",
            "exp": now + 60,
            "realm_access": {"roles": ["province_monitor", "offline_access"]},
        },
        private,
        algorithm="RS256",
        headers={"kid": kid},
    )
    verifier = IntakeVerifier(
        JwksVerifier(
            (keys_dir / "jwks.json").as_uri(),
            issuers=("https://sso.example.vn/realms/sonla",),
            audience="motcua",
        )
    )
    principal = await verifier.verify(token)
    assert principal.roles == {Role.PROVINCE_MONITOR} and principal.tenant_id is None


def test_production_refuses_unsafe_auth_settings() -> None:
    base = {"environment": "production", "database_url": "postgresql+asyncpg://x/y"}
    with pytest.raises(ValueError, match="https"):
        IntakeSettings(**base, jwks_url="http://sso/certs")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="LOOKUP_SECRET"):
        IntakeSettings(**base, jwks_url="https://sso/certs", jwt_issuer="https://sso")  # type: ignore[arg-type]


class _Counting(JwksVerifier):
    calls = 0

    async def verify(self, token: str):  # type: ignore[no-untyped-def]
        type(self).calls += 1
        return await super().verify(token)


async def test_a_verified_token_is_reused_until_it_expires(keys_dir) -> None:  # type: ignore[no-untyped-def]
    now = [time.time()]
    inner = _Counting(
        (keys_dir / "jwks.json").as_uri(), issuers=(dev_tokens.DEV_ISSUER,), audience="motcua"
    )
    verifier = IntakeVerifier(inner, cache_seconds=600, cache_size=2, wall_clock=lambda: now[0])
    token = dev_tokens.mint("clerk", A, ttl_seconds=120, keys_dir=keys_dir)
    first = await verifier.verify(token)
    assert await verifier.verify(token) == first and _Counting.calls == 1
    # A different token is verified on its own; the oldest entry leaves when the cache is full.
    others = [dev_tokens.mint("leader", A, subject=f"u{i}", keys_dir=keys_dir) for i in range(2)]
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

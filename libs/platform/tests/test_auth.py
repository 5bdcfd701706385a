from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest
from motcua_platform.auth import AuthError, verifier_for
from motcua_platform.auth.dev_tokens import mint


async def test_a_dev_token_verifies_into_roles_and_tenant(tmp_path: Path) -> None:
    verifier = verifier_for(environment="test", jwks_url=None, dev_keys_dir=str(tmp_path))
    principal = await verifier.verify(mint("leader", "quyet-thang", keys=tmp_path))
    assert principal.roles == frozenset({"leader"})
    assert principal.tenant_id == "quyet-thang"


async def test_tampered_expired_or_foreign_tokens_are_refused(tmp_path: Path) -> None:
    verifier = verifier_for(environment="test", jwks_url=None, dev_keys_dir=str(tmp_path))
    good = mint("clerk", "quyet-thang", keys=tmp_path)
    head, body, sig = good.split(".")
    forged = jwt.encode({"sub": "x", "exp": time.time() + 60, "aud": "motcua"}, "s", "HS256")
    expired = mint("clerk", "quyet-thang", keys=tmp_path, ttl_seconds=-10)
    other_key = mint("clerk", "quyet-thang", keys=tmp_path / "other")
    for token in (f"{head}.{body}x.{sig}", forged, expired, other_key):
        with pytest.raises(AuthError) as caught:
            await verifier.verify(token)
        assert caught.value.code == "auth.invalid_token"


def test_production_refuses_to_trust_the_dev_key() -> None:
    with pytest.raises(ValueError):
        verifier_for(environment="production", jwks_url=None)

"""Good tokens for every role and the bad tokens an attacker would try."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from motcua_platform.auth.dev_tokens import (
    DEV_AUDIENCE,
    DEV_ISSUER,
    JWKS,
    PRIVATE,
    ensure_keys,
    mint,
)

OWN = "quyet-thang"  # the commune every request targets
OTHER = "chieng-khuong"  # a commune-bound token from here asks for OWN: another commune


def _b64(data: dict[str, object]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def good_tokens(keys: Path) -> dict[str, str]:
    """Principal name → token. `clerk@own` works in OWN, `clerk@other` in OTHER."""
    ensure_keys(keys)
    tokens = {
        "monitor": mint("province_monitor", None, keys=keys),
        "operator": mint("operator", None, keys=keys),
        # Notify's token is minted per commune: it reads only that commune's contacts.
        "service:notify@own": mint("service:notify", OWN, keys=keys),
        "service:notify@other": mint("service:notify", OTHER, keys=keys),
        "unknown-role@own": mint("citizen", OWN, keys=keys),
    }
    for role in ("clerk", "leader"):
        tokens[f"{role}@own"] = mint(role, OWN, keys=keys)
        tokens[f"{role}@other"] = mint(role, OTHER, keys=keys)
    return tokens


def bad_tokens(keys: Path) -> dict[str, str]:
    """Every one of these must be answered 401 by every operation that needs a token."""
    directory = ensure_keys(keys)
    private = (directory / PRIVATE).read_bytes()
    kid = json.loads((directory / JWKS).read_text(encoding="utf-8"))["keys"][0]["kid"]
    now = int(time.time())
    base: dict[str, object] = {
        "iss": DEV_ISSUER,
        "aud": DEV_AUDIENCE,
        "sub": "attacker",
        "iat": now,
        "exp": now + 3600,
        "roles": ["operator", "province_monitor", "clerk", "leader"],
        "tenant_id": OWN,
    }

    def signed(claims: dict[str, object], key: bytes = private, **headers: object) -> str:
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid, **headers})

    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_pem = other_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    good = signed(base)
    header, payload, signature = good.split(".")
    tampered_claims = {**base, "sub": "someone-else"}
    unsigned = {"alg": "none", "typ": "JWT", "kid": kid}
    return {
        "expired": signed({**base, "iat": now - 7200, "exp": now - 3600}),
        "wrong-audience": signed({**base, "aud": "another-app"}),
        "no-audience": signed({k: v for k, v in base.items() if k != "aud"}),
        "wrong-issuer": signed({**base, "iss": "https://evil.example/realms/x"}),
        "no-expiry": signed({k: v for k, v in base.items() if k != "exp"}),
        "alg-none": f"{_b64(unsigned)}.{payload}.",
        "alg-none-signed-part": f"{_b64(unsigned)}.{payload}.{signature}",
        "tampered-payload": f"{header}.{_b64(tampered_claims)}.{signature}",
        "foreign-key-same-kid": signed(base, other_pem),
        "unknown-kid": jwt.encode(base, other_pem, algorithm="RS256", headers={"kid": "nope"}),
        "hs256-with-jwks": _hs256_confusion(base, kid, directory),
        "garbage": "not.a.token",
        "empty-parts": "..",
    }


def _hs256_confusion(claims: dict[str, object], kid: str, directory: Path) -> str:
    """HS256 signed with the public JWKS text as the secret (the classic key confusion)."""
    secret = (directory / JWKS).read_text(encoding="utf-8")
    head = _b64({"alg": "HS256", "typ": "JWT", "kid": kid})
    body = _b64(claims)
    import hashlib
    import hmac

    mac = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"

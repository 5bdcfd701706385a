"""Development tokens signed by a local key (standalone mode, tests, demos). Never production.

The key pair is created in `.run/dev-keys/` (or $MOTCUA_DEV_KEYS_DIR) on first use, and
services trust its JWKS outside production.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

DEV_ISSUER = "motcua-dev"
DEV_AUDIENCE = "motcua"
PRIVATE = "private.pem"
JWKS = "jwks.json"


def keys_dir(directory: Path | str | None = None) -> Path:
    return Path(directory or os.environ.get("MOTCUA_DEV_KEYS_DIR") or ".run/dev-keys")


def ensure_keys(directory: Path | str | None = None) -> Path:
    """Creates the key pair once; concurrent first uses agree on one (atomic rename)."""
    target = keys_dir(directory)
    if (target / JWKS).exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=target.parent, prefix=".dev-keys-"))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (scratch / PRIVATE).write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    public.update({"kid": uuid.uuid4().hex[:16], "use": "sig", "alg": "RS256"})
    (scratch / JWKS).write_text(json.dumps({"keys": [public]}), encoding="utf-8")
    try:
        os.rename(scratch, target)
    except OSError:  # someone else created it first: use theirs
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def mint(
    role: str,
    tenant_id: str | None,
    *,
    subject: str | None = None,
    ttl_seconds: int = 8 * 3600,
    keys: Path | str | None = None,
) -> str:
    """A signed RS256 token with `roles` and `tenant_id` claims, like the identity provider's."""
    directory = ensure_keys(keys)
    kid = json.loads((directory / JWKS).read_text(encoding="utf-8"))["keys"][0]["kid"]
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": DEV_ISSUER,
        "aud": DEV_AUDIENCE,
        "sub": subject or f"dev-{role}-{tenant_id or 'all'}",
        "iat": now,
        "exp": now + ttl_seconds,
        "roles": [role],
    }
    if tenant_id:
        claims["tenant_id"] = tenant_id
    return jwt.encode(
        claims, (directory / PRIVATE).read_bytes(), algorithm="RS256", headers={"kid": kid}
    )

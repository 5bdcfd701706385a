"""The citizen's link token: HMAC(secret, per-dossier nonce).

Derived rather than stored so a receipt can be printed again; only its hash is searchable,
so neither a database dump alone nor the hash reveals a working link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


class LookupTokens:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the look-up secret needs at least 16 bytes")
        self._secret = secret

    @staticmethod
    def new_nonce() -> str:
        return secrets.token_urlsafe(16)

    def token(self, nonce: str) -> str:
        digest = hmac.digest(self._secret, nonce.encode(), "sha256")[:24]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")  # 192 bits

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

"""Development tokens for intake's roles, from the platform's local key. Never production.

`motcua-intake dev-token --role clerk --tenant quyet-thang` prints one; the standalone launcher
calls `mint(role, tenant_id)`.
"""

from __future__ import annotations

from pathlib import Path

from motcua_platform.auth import Role
from motcua_platform.auth import dev_tokens as platform

DEV_ISSUER = platform.DEV_ISSUER
JWKS = platform.JWKS
ensure_keys = platform.ensure_keys


def mint(
    role: str,
    tenant_id: str | None,
    *,
    subject: str | None = None,
    ttl_seconds: int = 8 * 3600,
    keys_dir: Path | str | None = None,
) -> str:
    """A signed RS256 token with `roles` and `tenant_id` claims, like the identity provider's."""
    return platform.mint(role, tenant_id, subject=subject, ttl_seconds=ttl_seconds, keys=keys_dir)


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="motcua-intake dev-token")
    parser.add_argument(
        "--role",
        required=True,
        choices=[r.value for r in Role],
    )
    parser.add_argument("--tenant", default=None)
    parser.add_argument("--subject", default=None)
    parser.add_argument("--ttl", type=int, default=8 * 3600)
    args = parser.parse_args(argv)
    print(mint(args.role, args.tenant, subject=args.subject, ttl_seconds=args.ttl))
    return 0

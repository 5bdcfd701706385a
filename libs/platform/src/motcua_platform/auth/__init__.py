"""OpenID Connect bearer tokens for every service, in one place: the settings and their
production check, the verifier (with its token cache), the bearer dependency, the roles.

Each service decides in its own domain which role may do what; the tenant is a claim.
`Principal` and `Role` are pure; the verifier (PyJWT, HTTP) is imported only when asked
for, so a domain that reads roles does not load the web stack.
"""

from typing import TYPE_CHECKING, Any

from motcua_platform.auth.principal import AuthError, Principal
from motcua_platform.auth.roles import STAFF, Role

if TYPE_CHECKING:
    from motcua_platform.auth.verifier import (
        CachingVerifier,
        JwksVerifier,
        TokenVerifier,
        verifier_from_settings,
    )

_LAZY = frozenset({"CachingVerifier", "JwksVerifier", "TokenVerifier", "verifier_from_settings"})

__all__ = [
    "STAFF",
    "AuthError",
    "CachingVerifier",
    "JwksVerifier",
    "Principal",
    "Role",
    "TokenVerifier",
    "verifier_from_settings",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from motcua_platform.auth import verifier

        return getattr(verifier, name)
    raise AttributeError(f"module 'motcua_platform.auth' has no attribute {name!r}")

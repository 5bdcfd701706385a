"""OpenID Connect bearer tokens for every service, in one place: the settings and their
production check, the verifier (with its token cache), the bearer dependency, the roles.

Each service decides in its own domain which role may do what; the tenant is a claim.
"""

from motcua_platform.auth.principal import AuthError, Principal
from motcua_platform.auth.roles import STAFF, Role
from motcua_platform.auth.verifier import (
    CachingVerifier,
    JwksVerifier,
    TokenVerifier,
    verifier_from_settings,
)

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

"""OpenID Connect bearer tokens for every service: verification and development tokens.

Generic on purpose: roles are plain strings and the tenant is a claim. Each service decides
in its own domain which role may do what.
"""

from motcua_platform.auth.principal import AuthError, Principal
from motcua_platform.auth.verifier import JwksVerifier, verifier_for

__all__ = ["AuthError", "JwksVerifier", "Principal", "verifier_for"]

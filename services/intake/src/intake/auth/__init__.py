"""Bearer tokens: verification against a JWKS, and development tokens from a local key."""

"""Event payloads by version. A published version is frozen; a breaking change is a new one."""

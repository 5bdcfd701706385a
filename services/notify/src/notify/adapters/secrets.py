"""Provider secrets by reference, read at send time, never stored or logged."""

from __future__ import annotations

import os
from pathlib import Path

from notify.application.ports import SendError
from notify.domain.retry import SendFailure


class ReferenceSecrets:
    """`env:NAME` from the environment, `file:/path` from a mounted secret."""

    def resolve(self, ref: str) -> str:
        scheme, _, name = ref.partition(":")
        value: str | None = None
        if scheme == "env":
            value = os.environ.get(name)
        elif scheme == "file":
            try:
                value = Path(name).read_text(encoding="utf-8").strip()
            except OSError:
                value = None
        if not value:
            # Configuration, not the provider: no retry helps, the next channel may.
            raise SendError(SendFailure("secret.unavailable", permanent=True))
        return value

"""Provider secrets by reference, read at send time, never stored or logged.

Only what the deployment declares resolves: `env:NAME` for a declared name, `file:/path`
inside the mounted secrets folder, once symlinks are resolved (a link pointing out of the
folder is refused, as is a reference naming another file of the host).
"""

from __future__ import annotations

import os
from pathlib import Path

from notify.application.ports import SendError
from notify.domain.deployment_policy import DeploymentPolicy
from notify.domain.retry import SendFailure


class ReferenceSecrets:
    """`env:NAME` from the environment, `file:/path` from a mounted secret."""

    def __init__(self, policy: DeploymentPolicy | None = None) -> None:
        self._policy = policy or DeploymentPolicy()

    @property
    def policy(self) -> DeploymentPolicy:
        return self._policy

    def _file(self, ref: str) -> Path | None:
        declared = self._policy.secret_file(ref)
        if declared is None or self._policy.secrets_dir is None:
            return None
        folder = os.path.realpath(self._policy.secrets_dir)
        real = os.path.realpath(declared)
        if os.path.commonpath([folder, real]) != folder or real == folder:
            return None  # a symlink out of the folder
        return Path(real)

    def allows(self, ref: str) -> bool:
        """The save-time check: declared, and (for a file) not a link out of the folder."""
        if ref.startswith("file:"):
            return self._file(ref) is not None
        return self._policy.allows_secret(ref)

    def resolve(self, ref: str) -> str:
        scheme, _, name = ref.partition(":")
        value: str | None = None
        if not self.allows(ref):
            # Never read: a reference the deployment did not declare (issue 17).
            raise SendError(SendFailure("secret.not_allowed", permanent=True))
        if scheme == "env":
            value = os.environ.get(name)
        elif scheme == "file":
            path = self._file(ref)
            try:
                value = path.read_text(encoding="utf-8").strip() if path else None
            except OSError:
                value = None
        if not value:
            # Configuration, not the provider: no retry helps, the next channel may.
            raise SendError(SendFailure("secret.unavailable", permanent=True))
        return value

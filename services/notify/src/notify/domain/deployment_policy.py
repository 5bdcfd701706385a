"""What the deployment lets a commune's notify settings name: secrets and gateway hosts.

An operator types secret references and gateway URLs; the deployment declares what they may
point at. A reference `file:/…` must lie inside the mounted secrets folder (no `..`), an
`env:NAME` must be one of the declared names, a gateway URL's host must be on the allow-list
(https only in production). Anything else is refused when the settings are saved and again
when a message is sent, so a secret of the notify host never leaves for an unknown address.
The symlink check needs the file system: the secrets adapter does it on top of this one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from notify.domain.errors import Invalid, NotifyError
from notify.domain.tenant_settings import TenantSettings


class SecretNotAllowed(Invalid):
    def __init__(self, field_name: str | None = None) -> None:
        super().__init__(
            "secret.not_allowed",
            "Tham chiếu khóa bí mật không thuộc danh sách triển khai cho phép "
            "(chỉ tệp trong thư mục bí mật hoặc biến môi trường đã khai báo).",
            field=field_name,
        )


class GatewayNotAllowed(Invalid):
    def __init__(self, field_name: str | None = None) -> None:
        super().__init__(
            "gateway.not_allowed",
            "Địa chỉ cổng gửi tin không thuộc danh sách máy chủ được phép "
            "(bản triển khai chính thức chỉ dùng https).",
            field=field_name,
        )


def _names(raw: str | Iterable[str] | None) -> frozenset[str]:
    if raw is None:
        return frozenset()
    items = raw.split(",") if isinstance(raw, str) else raw
    return frozenset(x.strip() for x in items if x.strip())


@dataclass(frozen=True)
class DeploymentPolicy:
    secrets_dir: PurePosixPath | None = None
    env_names: frozenset[str] = field(default_factory=frozenset)
    gateway_hosts: frozenset[str] = field(default_factory=frozenset)
    https_only: bool = True

    @classmethod
    def of(
        cls,
        *,
        secrets_dir: str | None,
        env_names: str | Iterable[str] | None,
        gateway_hosts: str | Iterable[str] | None,
        https_only: bool,
    ) -> DeploymentPolicy:
        folder = PurePosixPath(secrets_dir) if secrets_dir else None
        if folder is not None and (not folder.is_absolute() or ".." in folder.parts):
            raise ValueError("the secrets folder must be an absolute path without '..'")
        return cls(
            folder,
            _names(env_names),
            frozenset(h.lower() for h in _names(gateway_hosts)),
            https_only,
        )

    def secret_file(self, ref: str) -> PurePosixPath | None:
        """The file a `file:` reference names, if it lies inside the secrets folder."""
        scheme, _, name = ref.partition(":")
        if scheme != "file" or self.secrets_dir is None:
            return None
        path = PurePosixPath(name)
        # Lexical: no `..`, `.`, `//` tricks; the adapter also resolves symlinks.
        if not path.is_absolute() or str(path) != name or ".." in path.parts:
            return None
        if path == self.secrets_dir or not path.is_relative_to(self.secrets_dir):
            return None
        return path

    def allows_secret(self, ref: str) -> bool:
        scheme, _, name = ref.partition(":")
        if scheme == "env":
            return name in self.env_names
        return self.secret_file(ref) is not None

    def allows_gateway(self, url: str) -> bool:
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
            parts.port  # noqa: B018 - raises on a malformed port
        except ValueError:
            return False
        allowed_schemes = ("https",) if self.https_only else ("https", "http")
        if parts.scheme not in allowed_schemes or parts.username or parts.password:
            return False
        return bool(host) and host in self.gateway_hosts

    def refusals(
        self, settings: TenantSettings, allows_secret: Callable[[str], bool] | None = None
    ) -> list[NotifyError]:
        """Every reference and URL of the settings the deployment does not allow
        (`allows_secret`: the adapter's check, which also follows symlinks)."""
        allows = allows_secret or self.allows_secret
        problems: list[NotifyError] = []
        refs: list[tuple[str, str | None]] = [("callback_token_ref", settings.callback_token_ref)]
        urls: list[tuple[str, str]] = []
        if settings.email is not None:
            refs.append(("email.password_ref", settings.email.password_ref))
        if settings.sms is not None:
            refs.append(("sms.token_ref", settings.sms.token_ref))
            urls.append(("sms.url", settings.sms.url))
        if settings.zalo is not None:
            refs.append(("zalo.access_token_ref", settings.zalo.access_token_ref))
            urls.append(("zalo.url", settings.zalo.url))
        for name, ref in refs:
            if ref is not None and not allows(ref):
                problems.append(SecretNotAllowed(name))
        for name, url in urls:
            if not self.allows_gateway(url):
                problems.append(GatewayNotAllowed(name))
        return problems

"""E-mail over SMTP (aiosmtplib): 4xx replies and network trouble are temporary, 5xx not."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import aiosmtplib

from notify.application.ports import Outgoing, SecretResolver, SendError, SendReceipt
from notify.domain.kinds import Channel
from notify.domain.retry import SendFailure, smtp_is_permanent
from notify.domain.tenant_settings import EmailProvider, TenantSettings


class SmtpEmail:
    channel = Channel.EMAIL
    name = "smtp"

    def __init__(self, secrets: SecretResolver) -> None:
        self._secrets = secrets

    def _config(self, settings: TenantSettings) -> EmailProvider:
        assert settings.email is not None
        return settings.email

    def endpoint(self, settings: TenantSettings) -> str:
        cfg = self._config(settings)
        return f"smtp://{cfg.host}:{cfg.port}"

    def rate(self, settings: TenantSettings) -> float:
        return self._config(settings).rate_per_second

    async def send(self, message: Outgoing, settings: TenantSettings) -> SendReceipt:
        cfg = self._config(settings)
        mail = EmailMessage()
        mail["From"] = formataddr((cfg.from_name or "", cfg.from_address))
        mail["To"] = message.to or ""
        mail["Subject"] = message.subject or ""
        # The delivery id in the Message-ID lets a receiving server drop a repeated send.
        message_id = make_msgid(idstring=message.delivery_id, domain="motcua.notify")
        mail["Message-ID"] = message_id
        mail["X-Motcua-Delivery"] = message.delivery_id
        mail.set_content(message.body, charset="utf-8")
        password = self._secrets.resolve(cfg.password_ref) if cfg.password_ref else None
        try:
            await aiosmtplib.send(
                mail,
                hostname=cfg.host,
                port=cfg.port,
                username=cfg.username,
                password=password,
                start_tls=cfg.starttls and not cfg.use_tls,
                use_tls=cfg.use_tls,
                timeout=cfg.timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            code = exc.recipients[0].code if exc.recipients else 550
            raise SendError(SendFailure(f"smtp.{code}", smtp_is_permanent(code))) from None
        except aiosmtplib.SMTPResponseException as exc:
            raise SendError(SendFailure(f"smtp.{exc.code}", smtp_is_permanent(exc.code))) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise SendError(SendFailure(f"smtp.{type(exc).__name__}"[:60], False)) from None
        return SendReceipt("smtp", message_id)

"""Templates: Jinja2 in a sandbox, strict about variables, checked when saved.

Defaults ship in `notify/templates/<kind>.<channel>[.<edition>].txt` (a first line
`subject: ...` gives the e-mail subject or the letter's title). Communes may save their own
versions; the latest saved version is the active one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2
from jinja2 import StrictUndefined, meta
from jinja2.sandbox import SandboxedEnvironment

from notify.domain.errors import Invalid
from notify.domain.kinds import Channel, Kind
from notify.domain.variables import allowed, sample

TEXT_CHANNELS = (Channel.SMS, Channel.EMAIL, Channel.LETTER)  # Zalo uses approved ZNS templates
SMS_MAX_CHARS = 480  # about seven Unicode SMS segments
BODY_MAX_CHARS = 20_000


@dataclass(frozen=True)
class Template:
    kind: Kind
    channel: Channel
    edition: str
    subject: str | None
    body: str
    version: int = 0  # 0: the packaged default

    @property
    def needs_subject(self) -> bool:
        return self.channel in (Channel.EMAIL, Channel.LETTER)


@dataclass(frozen=True)
class Rendered:
    subject: str | None
    body: str


def parse_template_text(text: str) -> tuple[str | None, str]:
    first, _, rest = text.partition("\n")
    if first.startswith("subject:"):
        return first[len("subject:") :].strip(), rest.lstrip("\n")
    return None, text


@lru_cache(maxsize=1)
def default_templates() -> dict[tuple[Kind, Channel, str], Template]:
    out: dict[tuple[Kind, Channel, str], Template] = {}
    for entry in resources.files("notify").joinpath("templates").iterdir():
        if not entry.name.endswith(".txt"):
            continue
        kind, channel, *edition = entry.name[: -len(".txt")].split(".")
        subject, body = parse_template_text(entry.read_text(encoding="utf-8"))
        key = (Kind(kind), Channel(channel), edition[0] if edition else "")
        out[key] = Template(key[0], key[1], key[2], subject, body)
    return out


def default_template(kind: Kind, channel: Channel, edition: str = "") -> Template | None:
    found = default_templates()
    return found.get((kind, channel, edition)) or found.get((kind, channel, ""))


def _tidy(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


class TemplateEngine:
    """One sandbox for every commune: no attribute tricks, no undefined values."""

    def __init__(self) -> None:
        self._env = SandboxedEnvironment(
            undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
        )
        self._compiled: dict[str, jinja2.Template] = {}

    def _compile(self, source: str) -> jinja2.Template:
        found = self._compiled.get(source)
        if found is None:
            if len(self._compiled) > 2000:
                self._compiled.clear()
            found = self._compiled[source] = self._env.from_string(source)
        return found

    def render(self, template: Template, context: dict[str, Any]) -> Rendered:
        subject = None
        if template.subject is not None:
            subject = " ".join(_tidy(self._compile(template.subject).render(context)).split())
        return Rendered(subject, _tidy(self._compile(template.body).render(context)))

    def check(self, template: Template) -> Rendered:
        """Refuses, with a Vietnamese reason, anything that could print a blank or break."""
        if template.channel not in TEXT_CHANNELS:
            raise Invalid("template.channel", "Kênh này dùng mẫu ZNS đã được Zalo duyệt.")
        if template.needs_subject and not (template.subject or "").strip():
            raise Invalid("template.subject_missing", "Cần nhập tiêu đề.", field="subject")
        if not template.body.strip() or len(template.body) > BODY_MAX_CHARS:
            raise Invalid("template.body_invalid", "Nội dung mẫu trống hoặc quá dài.", field="body")
        names: set[str] = set()
        for field, source in (("subject", template.subject or ""), ("body", template.body)):
            try:
                names |= meta.find_undeclared_variables(self._env.parse(source))
            except jinja2.TemplateSyntaxError as exc:
                raise Invalid(
                    "template.syntax",
                    f"Mẫu sai cú pháp ở dòng {exc.lineno}: {exc.message}",
                    field=field,
                ) from exc
        unknown = sorted(names - allowed(template.kind))
        if unknown:
            raise Invalid(
                "template.unknown_variable",
                "Mẫu dùng biến không có cho loại thông báo này: "
                + ", ".join(unknown)
                + ". Các biến được dùng: "
                + ", ".join(sorted(allowed(template.kind)))
                + ".",
                field="body",
            )
        try:
            rendered = self.render(template, sample(template.kind))
        except jinja2.TemplateError as exc:  # SecurityError, UndefinedError, ...
            raise Invalid(
                "template.render_error", f"Không hiển thị được mẫu với dữ liệu mẫu: {exc}"
            ) from exc
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise Invalid(
                "template.render_error", f"Không hiển thị được mẫu với dữ liệu mẫu: {exc}"
            ) from exc
        if not rendered.body:
            raise Invalid("template.renders_empty", "Mẫu cho ra nội dung trống.", field="body")
        if template.channel is Channel.SMS and len(rendered.body) > SMS_MAX_CHARS:
            raise Invalid(
                "template.sms_too_long",
                f"Tin nhắn dài {len(rendered.body)} ký tự, vượt quá {SMS_MAX_CHARS} ký tự.",
                field="body",
            )
        return rendered

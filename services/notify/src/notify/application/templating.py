"""Templates: Jinja2 in a sandbox, strict about variables, checked when saved.

Defaults ship in `notify/templates/<kind>.<channel>[.<edition>].txt` (a first line
`subject: ...` gives the e-mail subject or the letter's title). Communes may save their own
versions; the latest saved version is the active one.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

import jinja2
from jinja2 import StrictUndefined, meta, nodes
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from notify.domain.errors import Invalid
from notify.domain.kinds import Channel, Kind
from notify.domain.variables import allowed, sample

TEXT_CHANNELS = (Channel.SMS, Channel.EMAIL, Channel.LETTER)  # Zalo uses approved ZNS templates
SMS_MAX_CHARS = 480  # about seven Unicode SMS segments
BODY_MAX_CHARS = 20_000
# Hard limits of one render (subject and body together). A real letter is a few thousand
# characters and loops over a few dozen items; these are orders of magnitude above that.
OUTPUT_MAX_CHARS = 200_000
LOOP_MAX_ITERATIONS = 20_000
SEQUENCE_MAX_ITEMS = 100_000  # 'x' * n, [..] * n, range(n), any integer passed to a call
POWER_MAX_BITS = 4_096  # a ** b: the result's size, estimated before computing it


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


class TemplateRenderer(Protocol):
    """How the use cases render: off the event loop, with a time limit (adapters)."""

    async def render(self, template: Template, context: dict[str, Any]) -> Rendered: ...

    async def check(self, template: Template) -> Rendered: ...


def too_expensive() -> Invalid:
    return Invalid(
        "template.too_expensive",
        "Mẫu cần quá nhiều tính toán hoặc bộ nhớ để hiển thị (số quá lớn, chuỗi hoặc danh sách "
        "quá dài, vòng lặp quá nhiều lần). Hãy đơn giản hoá mẫu.",
        field="body",
    )


def too_large() -> Invalid:
    return Invalid(
        "template.too_large",
        f"Nội dung hiển thị từ mẫu vượt quá {OUTPUT_MAX_CHARS:,} ký tự.".replace(",", "."),
        field="body",
    )


def too_deep() -> Invalid:
    return Invalid(
        "template.recursion",
        "Mẫu gọi lồng nhau quá sâu (macro hoặc vòng lặp đệ quy không dừng).",
        field="body",
    )


class _TooExpensive(jinja2.TemplateError):
    """Raised inside a render by the sandbox's guards; turned into `too_expensive()`."""


_LOOP_BUDGET: ContextVar[list[int]] = ContextVar("template_loop_budget")
_GUARD_FILTER = "motcua_loop_guard"


def _guarded_iter(value: Iterable[Any]) -> Iterator[Any]:
    budget = _LOOP_BUDGET.get(None)
    for item in value:
        if budget is not None:
            budget[0] -= 1
            if budget[0] < 0:
                raise _TooExpensive("loop iterations")
        yield item


def _sized(value: Any) -> int | None:
    return len(value) if isinstance(value, str | bytes | list | tuple) else None


def _big_int(value: Any) -> bool:
    is_int = isinstance(value, int) and not isinstance(value, bool)
    return is_int and abs(value) > SEQUENCE_MAX_ITEMS


class LimitedSandbox(SandboxedEnvironment):
    """The sandbox, plus guards against the expressions that cost a process its minutes:
    huge powers, huge repetitions and concatenations, huge ranges or integer arguments, and
    loops beyond a per-render budget (every `for` passes through a counting filter)."""

    intercepted_binops = frozenset({"**", "*", "+"})

    def __init__(self) -> None:
        super().__init__(
            undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
        )
        self.filters[_GUARD_FILTER] = _guarded_iter
        self.globals["range"] = self._range
        self.globals.pop("lipsum", None)  # generates text of any size on request

    @staticmethod
    def _range(*args: int) -> range:
        r = range(*args)
        if len(r) > SEQUENCE_MAX_ITEMS:
            raise _TooExpensive("range")
        return r

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(left, int) and isinstance(right, int):
            if right > 0 and abs(left) > 1 and right * math.log2(abs(left)) > POWER_MAX_BITS:
                raise _TooExpensive("power")
        elif operator == "*":
            for seq, times in ((left, right), (right, left)):
                n = _sized(seq)
                if n is not None and isinstance(times, int) and n * times > SEQUENCE_MAX_ITEMS:
                    raise _TooExpensive("repetition")
        elif operator == "+":
            a, b = _sized(left), _sized(right)
            if a is not None and b is not None and a + b > SEQUENCE_MAX_ITEMS:
                raise _TooExpensive("concatenation")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if any(_big_int(a) for a in (*args, *kwargs.values())):
            raise _TooExpensive("argument")  # 'x'.ljust(10**8), '0'.zfill(...), ...
        return super().call(__context, __obj, *args, **kwargs)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(
                loop.iter, _GUARD_FILTER, [], [], None, None, lineno=loop.lineno
            )
        return tree


class TemplateEngine:
    """One sandbox for every commune: no attribute tricks, no undefined values, and hard
    limits on what one render may cost (see LimitedSandbox and OUTPUT_MAX_CHARS). Renders in
    the calling thread: the services render through `ProcessTemplates` (adapters), which runs
    this engine in a worker process with a timeout and a memory cap."""

    def __init__(self) -> None:
        self._env = LimitedSandbox()
        self._compiled: dict[str, jinja2.Template] = {}

    def _compile(self, source: str) -> jinja2.Template:
        found = self._compiled.get(source)
        if found is None:
            if len(self._compiled) > 2000:
                self._compiled.clear()
            found = self._compiled[source] = self._env.from_string(source)
        return found

    def _render_one(self, source: str, context: dict[str, Any], room: int) -> str:
        out: list[str] = []
        for chunk in self._compile(source).generate(context):
            room -= len(chunk)
            if room < 0:
                raise too_large()
            out.append(chunk)
        return "".join(out)

    def render(self, template: Template, context: dict[str, Any]) -> Rendered:
        """Raises `Invalid` (template.too_expensive, .too_large, .recursion) past a limit,
        jinja2's errors for a template that cannot render with these values."""
        token = _LOOP_BUDGET.set([LOOP_MAX_ITERATIONS])
        try:
            subject = None
            room = OUTPUT_MAX_CHARS
            if template.subject is not None:
                raw = self._render_one(template.subject, context, room)
                room -= len(raw)
                subject = " ".join(_tidy(raw).split())
            return Rendered(subject, _tidy(self._render_one(template.body, context, room)))
        except _TooExpensive as exc:
            raise too_expensive() from exc
        except (OverflowError, MemoryError) as exc:
            raise too_expensive() from exc
        except RecursionError as exc:
            raise too_deep() from exc
        finally:
            _LOOP_BUDGET.reset(token)

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
            except RecursionError as exc:  # thousands of nested brackets
                raise too_deep() from exc
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

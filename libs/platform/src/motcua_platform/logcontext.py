"""Fields every log line of the current request or message carries (tenant, dossier, trace)."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

# Immutable default (a tuple of pairs): every bind makes a new value, nothing is shared.
_context: contextvars.ContextVar[tuple[tuple[str, str], ...]] = contextvars.ContextVar(
    "motcua_log_context", default=()
)


@contextlib.contextmanager
def bind_log_context(**fields: str | None) -> Iterator[None]:
    """Adds fields for the duration of a block; None values are left out."""
    merged = dict(_context.get()) | {k: v for k, v in fields.items() if v}
    token = _context.set(tuple(merged.items()))
    try:
        yield
    finally:
        _context.reset(token)


def current_log_context() -> dict[str, str]:
    return dict(_context.get())

"""Every error carries a stable machine code and a Vietnamese message: the platform's
handlers and body, shared by every service."""

from __future__ import annotations

from motcua_platform.errors import ErrorOut, error_responses, install_error_handlers

__all__ = ["ERROR_RESPONSES", "ErrorOut", "install_error_handlers"]

ERROR_RESPONSES = error_responses()

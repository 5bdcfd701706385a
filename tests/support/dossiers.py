"""A valid registration body and bearer headers, shared by cross-service tests."""

from __future__ import annotations

from typing import Any

from motcua_platform.auth.dev_tokens import mint


def registration(i: int = 1, procedure_code: str = "2.000884") -> dict[str, Any]:
    """ID number 014 (Sơn La) + century/sex digit 1 (male, 1900s) + year 95 + serial."""
    return {
        "procedure_code": procedure_code,
        "channel": "counter",
        "applicant": {
            "full_name": "Lò Văn Thử",
            "id_number": f"014195{i:06d}",
            "date_of_birth": "1995-04-12",
            "phone": "0912345678",
            "address": "Bản Hìn, xã Chiềng Khương, tỉnh Sơn La",
        },
        "documents": [{"name": "Giấy tờ cần chứng thực chữ ký", "form": "original"}],
    }


def bearer(role: str, tenant_id: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(role, tenant_id)}"}

"""Mergers (docs/tenants.md): units A and B become C; history is never rewritten.

Every fact stays with the unit that held the dossier when it happened (A's closed dossiers
stay A's; an open dossier moved by `DossierReassigned` counts at A before the move and at C
after it). C "with its predecessors" reads C plus every unit whose `merged_into` chain ends
at C, so C's history is continuous; A and B alone are still A and B "as they were". Each
fact is in exactly one unit, so province totals never change with a merger.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def successor(tenant: str, merged_into: Mapping[str, str | None]) -> str:
    """The unit `tenant` lives on in today (itself unless merged); safe against cycles."""
    seen = {tenant}
    current = tenant
    while (nxt := merged_into.get(current)) and nxt not in seen:
        seen.add(nxt)
        current = nxt
    return current


def with_predecessors(tenants: Iterable[str], merged_into: Mapping[str, str | None]) -> list[str]:
    """The asked units plus every unit merged (directly or through others) into one of them."""
    asked = set(tenants)
    out = set(asked)
    for tenant in merged_into:
        seen = {tenant}
        current = tenant
        while (nxt := merged_into.get(current)) and nxt not in seen:
            if nxt in asked:
                out.add(tenant)
                break
            seen.add(nxt)
            current = nxt
    return sorted(out)


def successors(merged_into: Mapping[str, str | None]) -> dict[str, str]:
    """Merged unit → the unit it lives on in today (only units that were merged)."""
    return {t: successor(t, merged_into) for t, target in merged_into.items() if target}

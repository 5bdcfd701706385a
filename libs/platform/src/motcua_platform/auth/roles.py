"""The roles the identity provider grants, one list for every service.

Each service decides in its own domain which role may do what; a role not listed here grants
nothing anywhere (the verifier drops it).
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CLERK = "clerk"
    LEADER = "leader"
    PROVINCE_MONITOR = "province_monitor"
    OPERATOR = "operator"
    NOTIFY = "service:notify"  # notify's own token: contact data at send time


STAFF = frozenset({Role.CLERK, Role.LEADER})

"""Topic names and the partition-key rule. Routing never uses class-name strings."""

from typing import Final


class Topics:
    """Kafka topic names; the version suffix changes only with an incompatible envelope."""

    DOSSIERS: Final = "motcua.dossiers.v1"  # intake -> everyone: the dossier lifecycle
    CLOCK: Final = "motcua.clock.v1"  # workflow -> everyone: deadlines, thresholds, apologies
    NOTIFICATIONS: Final = "motcua.notifications.v1"  # notify -> analytics, intake
    TENANTS: Final = "motcua.tenants.v1"  # compacted: tenant configuration, key = tenant id

    ALL: Final = (DOSSIERS, CLOCK, NOTIFICATIONS, TENANTS)
    COMPACTED: Final = frozenset({TENANTS})


def partition_key(*, dossier_id: str | None, tenant_id: str) -> str:
    """One dossier's events share a partition so they stay ordered; tenant events by tenant."""
    return dossier_id or tenant_id

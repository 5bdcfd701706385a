from __future__ import annotations

import pytest
from motcua_clock import (
    Catalogue,
    NationalCalendar,
    TenantCalendar,
    load_calendar,
    load_catalogue,
)


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def national() -> NationalCalendar:
    return load_calendar()


@pytest.fixture(scope="session")
def tenant(national: NationalCalendar) -> TenantCalendar:
    return national.for_tenant()

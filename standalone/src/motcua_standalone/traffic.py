"""The province's traffic as numbers: procedure mix, hourly arrivals, the Tết lull. Pure.

Volumes from docs/domain.md §8: ≈15–35 dossiers per commune per working day; per commune per year
≈300 births, 100 deaths, 100–150 marriages; certifications make up most of the rest.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime

WORKING_DAYS_PER_YEAR = 250

# Yearly counts per commune for the civil-status events the pilot celebrates or mourns.
_YEARLY = {"1.001193": 300, "1.000656": 100, "1.000894": 125}
# Shares of the remaining daily volume (certifications first).
_OTHERS = {
    "2.000815": 0.40,  # certified copy from the original
    "2.000884": 0.25,  # signature certification
    "2.001035": 0.08,  # certification of a transaction
    "1.004873": 0.08,  # marital-status certificate
    "2.000635": 0.06,  # copy of a civil-status extract
    "1.004859": 0.05,  # correction of civil-status information
    "1.004222": 0.04,  # permanent residence
    "1.004194": 0.04,  # temporary residence
}
# Relative arrivals per hour of the working day (desk queues peak mid-morning).
_HOURLY = {7: 0.5, 8: 1.6, 9: 1.8, 10: 1.4, 11: 0.5, 13: 0.6, 14: 1.3, 15: 1.2, 16: 0.7}
# Lunar new year's day: arrivals fall in the weeks around Tết.
_TET = (date(2025, 1, 29), date(2026, 2, 17), date(2027, 2, 6), date(2028, 1, 26))


@dataclass(frozen=True)
class Mix:
    per_commune_per_day: float = 25.0

    def daily_rate(self, procedure_code: str) -> float:
        yearly = _YEARLY.get(procedure_code)
        if yearly is not None:
            return yearly / WORKING_DAYS_PER_YEAR
        rest = self.per_commune_per_day - sum(_YEARLY.values()) / WORKING_DAYS_PER_YEAR
        return max(rest, 0.0) * _OTHERS.get(procedure_code, 0.0)

    def procedures(self) -> list[str]:
        return [*_YEARLY, *_OTHERS]


def season_factor(day: date) -> float:
    """0.3 in the fortnight before Tết and the week after; 1 otherwise."""
    for tet in _TET:
        offset = (day - tet).days
        if -14 <= offset <= 7:
            return 0.3
    return 1.0


def hour_weight(moment: datetime) -> float:
    return _HOURLY.get(moment.hour, 0.0) / (sum(_HOURLY.values()) / len(_HOURLY))


def arrivals(
    rng: random.Random, mix: Mix, procedure_code: str, moment: datetime, window_hours: float
) -> int:
    """Poisson draws for one commune, one procedure, one window of the working day."""
    hours_per_day = 8.0
    lam = (
        mix.daily_rate(procedure_code)
        * season_factor(moment.date())
        * hour_weight(moment)
        * window_hours
        / hours_per_day
    )
    # Knuth's method is fine for the small rates of one window.
    limit, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1

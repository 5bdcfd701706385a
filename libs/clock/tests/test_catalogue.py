"""The procedure catalogue: seeded from docs/domain.md §4, versioned, editable without a release."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from functools import partial
from importlib import resources
from pathlib import Path

import pytest
from motcua_clock import (
    Catalogue,
    CatalogueError,
    NoVersionInForce,
    ProcedureVersion,
    UnknownProcedure,
    load_catalogue,
    parse_catalogue,
)
from motcua_clock.timeutil import VN_TZ

at = partial(datetime, tzinfo=VN_TZ)  # a moment in Vietnam time

# docs/domain.md §4: code -> (unit, amount, verification amount or None).
DOMAIN_TABLE = {
    "1.001193": ("same_day", 0, None),
    "1.000689": ("working_days", 3, 8),
    "1.000894": ("same_day", 0, 5),
    "1.000656": ("same_day", 0, 3),
    "1.004859": ("working_days", 3, None),
    "1.001022": ("working_days", 3, None),
    "1.004873": ("working_days", 3, None),
    "1.004884": ("working_days", 5, None),
    "1.004746": ("working_days", 5, None),
    "1.005461": ("working_days", 5, None),
    "2.000635": ("same_day", 0, None),
    "2.000815": ("same_day", 0, None),
    "2.000884": ("same_day", 0, None),
    "2.001035": ("working_days", 2, None),
    "2.000986": ("working_days", 3, 5),
    "1.004222": ("working_days", 7, None),
    "1.004194": ("working_days", 3, None),
}


def test_every_domain_procedure_is_seeded(catalogue: Catalogue) -> None:
    assert set(catalogue.codes()) == set(DOMAIN_TABLE)
    for version in catalogue.all_versions():
        unit, amount, verification = DOMAIN_TABLE[version.code]
        assert (version.time_limit.unit, version.time_limit.amount) == (unit, amount), version.code
        vlimit = version.verification_time_limit
        assert (vlimit.amount if vlimit else None) == verification, version.code
        assert version.name_vi and version.field_vi and version.legal_basis_vi
        assert version.documents and version.steps and version.fees
        assert version.thresholds == (0.5, 0.75)
        assert version.same_day_cutoff.hour == 15


def test_fees_from_domain(catalogue: Catalogue) -> None:
    today = at(2026, 1, 5, 9)
    assert catalogue.version_at("2.000884", today).fees[0].amount_vnd == 10_000
    assert catalogue.version_at("2.001035", today).fees[0].amount_vnd == 50_000
    copy_fee = catalogue.version_at("2.000815", today).fees[0]
    assert copy_fee.amount_vnd == 2_000 and "200.000" in copy_fee.rule_vi


def test_practices_trigger_ceremonies_and_condolences(catalogue: Catalogue) -> None:
    today = at(2026, 1, 5, 9)
    assert catalogue.version_at("1.001193", today).practices == {"ceremony_birth"}
    assert catalogue.version_at("1.000894", today).practices == {"ceremony_marriage"}
    assert catalogue.version_at("1.000656", today).practices == {"condolence_death"}
    assert catalogue.version_at("2.000884", today).practices == frozenset()


def test_versions_by_effective_date(catalogue: Catalogue) -> None:
    assert catalogue.version_at("1.001193", at(2025, 6, 30, 23, 59)).version == "1"
    assert catalogue.version_at("1.001193", at(2025, 7, 1, 0, 0)).version == "2"
    assert catalogue.version_at("1.001193", date(2018, 8, 21)).version == "1"
    with pytest.raises(NoVersionInForce) as info:
        catalogue.version_at("1.001193", at(2018, 8, 20, 9))
    assert "20/08/2018" in info.value.message_vi
    with pytest.raises(UnknownProcedure):
        catalogue.version_at("9.999999", at(2026, 1, 5, 9))
    assert catalogue.get("1.001193", "1").effective_to == date(2025, 6, 30)


def test_online_supplement_policy_changes_in_2025(catalogue: Catalogue) -> None:
    old = catalogue.get("1.004859", "1")
    new = catalogue.get("1.004859", "2")
    assert old.supplement_policy_for("online").mode == "pause_resume"
    policy = new.supplement_policy_for("online")
    assert (policy.mode, policy.max_supplements, policy.close_after_working_days) == (
        "restart",
        1,
        15,
    )
    assert new.supplement_policy_for("counter").mode == "pause_resume"


def test_version_round_trips_through_dict(catalogue: Catalogue) -> None:
    for version in catalogue.all_versions():
        assert ProcedureVersion.from_dict(version.to_dict()) == version
    again = parse_catalogue(json.loads(json.dumps(catalogue.to_dict())))
    assert again.all_versions() == catalogue.all_versions()


def test_data_file_is_packaged() -> None:
    data = resources.files("motcua_clock").joinpath("data/procedures.json")
    assert data.is_file()
    assert resources.files("motcua_clock").joinpath("data/calendar.json").is_file()


def test_operator_file_overrides_via_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = {
        "format": 1,
        "procedures": [
            {
                # Procedure-level keys are defaults for every version.
                "code": "1.001193",
                "name_vi": "Đăng ký khai sinh",
                "field_vi": "Hộ tịch",
                "field_code": "ho_tich",
                "time_limit": {"unit": "same_day"},
                "versions": [
                    {"version": "1", "effective_from": "2018-08-21", "effective_to": "2026-12-31"},
                    {
                        "version": "2",
                        "effective_from": "2027-01-01",
                        "time_limit": {"amount": 1, "unit": "working_days"},
                    },
                ],
            }
        ],
    }
    path = tmp_path / "procedures.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("MOTCUA_PROCEDURES_FILE", str(path))
    loaded = load_catalogue()
    assert loaded.source == str(path)
    assert loaded.version_at("1.001193", date(2027, 3, 1)).time_limit.amount == 1
    assert loaded.version_at("1.001193", date(2026, 3, 1)).time_limit.unit == "same_day"


def test_invalid_catalogues_are_refused(catalogue: Catalogue) -> None:
    v1 = catalogue.get("1.001193", "1")
    overlapping = replace(v1, version="x", effective_from=date(2025, 6, 1), effective_to=None)
    with pytest.raises(CatalogueError, match="chồng"):
        Catalogue([v1, overlapping])
    with pytest.raises(CatalogueError):
        parse_catalogue({"format": 2})
    bad = v1.to_dict() | {"time_limit": {"amount": 0, "unit": "working_days"}}
    with pytest.raises(CatalogueError):
        ProcedureVersion.from_dict(bad)
    with pytest.raises(CatalogueError):
        ProcedureVersion.from_dict(v1.to_dict() | {"practices": ["fireworks"]})
    with pytest.raises(CatalogueError):
        ProcedureVersion.from_dict(v1.to_dict() | {"thresholds": [1.5]})

"""Contracts are consistent with their code lists and reference data, and the generated page is current."""

from __future__ import annotations

from pathlib import Path

import pytest

from sources.contracts import all_contracts, code_lists
from sources.contracts.docs import render_contract_docs
from sources.contracts.model import COLUMN_TYPES
from sources.drops import DropNameError, drop_file_name, parse_drop_name
from sources.reference import counties, deployment, industry_sectors, organisations

DOCS = Path(__file__).parent.parent / "docs" / "data-contracts.md"


def test_every_column_has_a_known_type_and_code_list():
    for contract in all_contracts().values():
        for column in contract.columns:
            assert column.type in COLUMN_TYPES
            if column.type == "code":
                assert column.code_list in code_lists(), f"{contract.feed}.{column.name}"
            for other in (column.not_above, column.not_before, column.not_after):
                assert other is None or other in contract.column_names


def test_venue_codes_are_the_25_polaris_types_plus_not_specified():
    sectors = industry_sectors()
    assert sectors.height == 26
    assert set(code_lists()["venue_type"]["codes"]) == set(sectors["venue_code"])


def test_reference_data_is_missouri_complete():
    frame = counties()
    assert frame.height == 115
    assert frame["population_2020"].sum() == 6_154_913
    assert frame["region"].null_count() == 0
    assert set(organisations()["org_type"]) <= set(code_lists()["org_type"]["codes"])
    assert deployment().min_cell_count == 11


def test_region_scheme_switch_is_configuration(tmp_path, monkeypatch):
    import shutil

    from sources.reference import tables

    reference = Path(tables.__file__).parent
    for name in ("counties.csv", "industry_sectors.csv", "organisations.csv", "deployment.yaml"):
        shutil.copy(reference / name, tmp_path / name)
    config = tmp_path / "deployment.yaml"
    config.write_text(config.read_text().replace("region_scheme: mshp_troop", "region_scheme: planning_region"))
    monkeypatch.setenv("LANTERN_REFERENCE_DIR", str(tmp_path))
    regions = counties()["region"].unique()
    assert regions.len() == 19


def test_drop_names_round_trip_and_bad_names_explain_themselves():
    name = drop_file_name("referrals", "LE-KCPD", "2025-03", "parquet")
    parsed = parse_drop_name(name)
    assert (parsed.feed, parsed.agency, parsed.period, parsed.file_format) == ("referrals", "LE-KCPD", "2025-03", "parquet")
    with pytest.raises(DropNameError, match="drop files are named"):
        parse_drop_name("march signals.csv")
    with pytest.raises(DropNameError, match="unknown feed"):
        parse_drop_name("tips__LE-KCPD__2025-03.csv")


def test_generated_contract_page_is_committed_and_current():
    assert DOCS.read_text(encoding="utf-8") == render_contract_docs(), "run `lantern docs` and commit docs/data-contracts.md"


def test_a_deployment_without_grain_limits_fails_closed(tmp_path, monkeypatch):
    """disclosure.grain (which grain a panel shows) has no default: a deployment that does not set it fails."""
    import shutil

    import yaml

    from sources.reference import REFERENCE_DIR
    from sources.reference.tables import _deployment

    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, folder)
    raw = yaml.safe_load((folder / "deployment.yaml").read_text(encoding="utf-8"))
    assert raw["disclosure"]["grain"]["max_hidden_mass_pct"] == 10
    del raw["disclosure"]["grain"]["max_hidden_cells_pct"]
    (folder / "deployment.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ValueError, match="disclosure.grain"):
        _deployment(folder)

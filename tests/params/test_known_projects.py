"""The known-project table: structure, conversions, and the known producers against 2024 output."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abm import projects
from abm.params.data import load_minerals
from abm.params.known_projects import (
    BOC_CAD_PER_USD,
    CAD_AWARDS,
    CAD_CAPEX,
    KNOWN_PROJECTS_CSV,
    STAGES,
    cad_per_usd,
    cad_support_usd,
    load_known_projects,
    producing_mines,
    producing_output_t,
    synthetic_remainder_t,
)
from abm.params.scenario import ScenarioError
from abm.params.schema import COUNTRIES, MINERALS

# Stated before the comparison: known producers may exceed USGS 2024 national mine output by at
# most 10% -- USGS national figures are rounded estimates (e.g. 45,000 t REO, 940 t Li) and
# some known outputs are for 2023 or annualised part-years (see output_year / conversion).
TOLERANCE_FRAC = 0.10


@pytest.fixture(scope="module")
def kp():
    return load_known_projects()


def test_stage_names_match_the_model():
    assert set(STAGES) <= {s.name for s in projects.Stage}


def test_shipped_table_loads(kp):
    assert len(kp) >= 90
    assert kp.project_id.nunique() >= 70
    assert set(kp.country) == set(COUNTRIES)
    assert set(kp.mineral) <= set(MINERALS)
    assert kp.source.str.contains("known_projects.csv line").all()


def test_named_projects_present_at_their_stage(kp):
    def stage(name, mineral):
        row = kp[kp.name.str.contains(name, regex=False) & (kp.mineral == mineral)]
        assert len(row) == 1, name
        return row.stage.iloc[0]

    assert stage("Mountain Pass", "rare_earths") == "PRODUCTION"
    assert stage("Red Dog", "zinc") == "PRODUCTION"
    assert stage("Voisey", "nickel") == "PRODUCTION"
    assert stage("Thacker Pass", "lithium") == "CONSTRUCTION"
    assert stage("Rhyolite Ridge", "lithium") == "APPROVED"
    assert stage("Graphite One", "graphite") == "FEASIBILITY"
    assert stage("NICO", "bismuth") == "APPROVED"
    assert stage("Tamarack", "nickel") == "PERMITTING"


def test_cobalt_rows_dropped_and_byproducts_have_hosts(kp):
    assert not kp.name.str.contains("Electra|Idaho Cobalt").any()
    by = kp[kp.byproduct]
    assert (by.host_mineral != "").all()
    red_dog = kp[kp.name.str.startswith("Red Dog")]
    assert set(red_dog.mineral) == {"zinc", "lead", "silver", "germanium"}


def test_unit_conversions(kp):
    def cap(name, mineral, col="capacity_t_per_year"):
        return kp[kp.name.str.contains(name, regex=False) & (kp.mineral == mineral)][col].iloc[0]

    assert cap("Thacker Pass", "lithium") == pytest.approx(40000 * 2 * 6.941 / 73.89, rel=1e-4)
    assert cap("Florence", "copper") == pytest.approx(85e6 / 2204.62262, rel=1e-4)
    assert cap("Greens Creek", "silver", "output_t_per_year") == pytest.approx(
        9.7e6 / 32150.7466, rel=1e-4
    )
    assert cap("Climax", "molybdenum") == pytest.approx(30e6 / 2204.62262, rel=1e-4)
    # SC6 spodumene: 6% Li2O x (2 x 6.941 / 29.88) Li per Li2O
    assert cap("North American Lithium", "lithium") == pytest.approx(
        226000 * 0.06 * 0.464592, rel=1e-4
    )


def test_gaps_are_marked_not_silent(kp):
    empty = kp.capacity_t_per_year.isna() & kp.output_t_per_year.isna()
    assert (kp.loc[empty, "capacity_basis"] == "gap").all()
    assert (kp.loc[empty, "conversion"].str.len() > 10).all()  # each gap says why


def test_government_support(kp):
    tp = kp[kp.name.str.startswith("Thacker Pass")].iloc[0]
    assert tp.gov_support_usd == pytest.approx(2.26e9)
    assert "doe_lpo_loan" in tp.gov_support_kind
    mp = kp[kp.name.str.startswith("Mountain Pass")].iloc[0]
    assert "dod_equity" in mp.gov_support_kind


def test_known_producers_within_2024_output_and_coverage():
    """Known producing mines vs USGS 2024 national output (params/minerals.toml).

    Prints the coverage: the share of 2024 output the known producers account for; the rest
    is what synthetic mines fill.
    """
    kp = load_known_projects()
    known = producing_output_t(kp)
    national = load_minerals().production_t
    lines, over = [], []
    for i, c in enumerate(COUNTRIES):
        for j, m in enumerate(MINERALS):
            if national[i, j] == 0 and known[i, j] == 0:
                continue
            share = known[i, j] / national[i, j] if national[i, j] else math.inf
            k, n = known[i, j], national[i, j]
            lines.append(f"{c} {m:12s} known {k:>12,.0f} t  2024 {n:>12,.0f} t  {share:7.1%}")
            if known[i, j] > national[i, j] * (1 + TOLERANCE_FRAC):
                over.append(lines[-1])
    print("\nKnown producers' share of 2024 national output:\n" + "\n".join(lines))
    assert not over, "known producers exceed 2024 output by more than 10%:\n" + "\n".join(over)
    assert np.all(known >= 0)


def test_producing_mines_exclude_plants_and_idle(kp):
    mines = producing_mines(kp)
    assert (mines.facility != "processing").all()
    assert not mines.idle_2025.any()
    assert not mines.name.str.contains("Trail Operations").any()


@pytest.mark.parametrize(
    ("col", "bad", "pattern"),
    [
        ("country", "FR", r"row 2: country: unknown country 'FR'"),
        ("mineral", "cobalt", r"row 2: mineral: unknown mineral 'cobalt'"),
        ("stage", "producing", r"row 2: stage: unknown stage 'producing'"),
        ("capacity_t_per_year", "-3", r"row 2: capacity_t_per_year: -3 is below 0"),
        ("capacity_t_per_year", "lots", r"row 2: capacity_t_per_year: 'lots' is not a number"),
        ("byproduct", "maybe", r"row 2: byproduct: 'maybe' is not true or false"),
        ("source", "", r"row 2: source: empty"),
    ],
)
def test_bad_cells_rejected_with_file_and_row(tmp_path, col, bad, pattern):
    import csv

    p = tmp_path / "kp.csv"
    shutil.copy(KNOWN_PROJECTS_CSV, p)
    with p.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows[0][col] = bad
    with p.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with pytest.raises(ScenarioError, match=pattern) as exc:
        load_known_projects(p)
    assert str(exc.value).startswith(str(p))


def test_missing_column_rejected(tmp_path):
    p = tmp_path / "kp.csv"
    p.write_text("name,country\nX,US\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"row 1: missing column\(s\) project_id"):
        load_known_projects(Path(p))


def test_synthetic_remainder_fills_the_rest():
    kp = load_known_projects()
    national = load_minerals().production_t
    rest = synthetic_remainder_t(kp, national)
    assert (rest >= 0).all()
    known = producing_output_t(kp)
    np.testing.assert_allclose(np.minimum(known, national) + rest, national)
    c, m = COUNTRIES.index("US"), MINERALS.index("copper")
    assert rest[c, m] == pytest.approx(national[c, m] - known[c, m])


def test_every_cad_support_amount_is_dated_award_by_award() -> None:
    """Each project with CAD support lists its awards with their years, summing to the row's
    gov_support_cad (the same figure on every row of the project), and no other project."""
    table = load_known_projects()
    cad = table[table["gov_support_cad"] > 0]
    assert set(cad["project_id"]) == set(CAD_AWARDS)
    for project_id, rows in cad.groupby("project_id"):
        total = sum(amount for amount, _ in CAD_AWARDS[project_id])
        assert np.allclose(rows["gov_support_cad"], total), project_id


def test_cad_converts_at_the_award_years_annual_average() -> None:
    assert cad_per_usd(2023) == BOC_CAD_PER_USD[2023] == 1.3497
    assert cad_per_usd(2026) == BOC_CAD_PER_USD[2024]  # after the last full year: 2024
    assert cad_per_usd(2010) == BOC_CAD_PER_USD[2017]
    assert all(1.2 < r < 1.45 for r in BOC_CAD_PER_USD.values())  # a loonie near 0.75 USD
    want = 130e6 / 1.2957 + 250e6 / 1.3497  # Nemaska: 2018 and 2023 awards
    assert math.isclose(cad_support_usd("nemaska_lithium"), want)
    assert cad_support_usd("thacker_pass") == 0.0  # USD support only


def test_cad_only_capex_is_converted_at_its_years_rate_on_every_row() -> None:
    """Nemaska (C$2B, 2024), Strange Lake (C$2B, 2025 -> 2024's rate) and Pine Point (C$653M,
    2022, both its rows) get USD capex; rows with USD capex in the table keep it."""
    table = load_known_projects()
    raw = pd.read_csv(KNOWN_PROJECTS_CSV)
    for project_id, (cad, year) in CAD_CAPEX.items():
        assert raw.loc[raw.project_id == project_id, "capex_usd"].isna().all(), project_id
        rows = table[table.project_id == project_id]
        assert len(rows) >= 1
        np.testing.assert_allclose(rows["capex_usd"], cad / cad_per_usd(year))
        assert (rows["capex_year"] == year).all()
    assert math.isclose(CAD_CAPEX["pine_point"][0] / cad_per_usd(2022), 653e6 / 1.3013)
    usd = raw["capex_usd"].notna()
    np.testing.assert_allclose(table.loc[usd.to_numpy(), "capex_usd"], raw.loc[usd, "capex_usd"])

"""The processing-plant and secondary-supply tables: they load, every row is sourced, and a bad
row is refused when the table loads with one line naming the file, row and column."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from abm import cli
from abm.params import plants
from abm.params.plants import (
    PLANT_COLUMNS,
    PLANTS_CSV,
    SECONDARY_CSV,
    load_plants,
    load_secondary,
    operating_capacity_t,
    operating_sourced_t,
    pipeline_rows,
)
from abm.params.scenario import ScenarioError
from abm.params.schema import COUNTRIES, MINERALS


def test_shipped_tables_load_and_cite_sources():
    plants = load_plants()
    assert len(plants) >= 30
    with PLANTS_CSV.open(newline="", encoding="utf-8") as fh:
        assert all(r["source"].strip() for r in csv.DictReader(fh))
    secondary = load_secondary()
    assert secondary.shape == (len(COUNTRIES), len(MINERALS))
    assert (secondary >= 0).all()
    with SECONDARY_CSV.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["secondary_t_per_year"].strip():
                assert r["source"].strip(), r


def test_operating_capacity_is_the_sum_of_operating_rows():
    plants = load_plants()
    k = operating_capacity_t(plants)
    by_hand = np.zeros_like(k)
    for p in plants:
        if p.stage == "operating" and p.counted and not math.isnan(p.capacity_t_per_year):
            by_hand[COUNTRIES.index(p.country), MINERALS.index(p.mineral)] += p.capacity_t_per_year
    np.testing.assert_array_equal(k, by_hand)
    # the markers: US graphite processing exists at the start (Vidalia); no North
    # American plant recovers gallium today
    assert k[COUNTRIES.index("US"), MINERALS.index("graphite")] > 0
    assert k[:, MINERALS.index("gallium")].sum() == 0
    # a sourced output never exceeds its plant's nameplate
    cap, out = operating_sourced_t(plants)
    assert (out <= cap + 1e-9).all() and (cap <= k + 1e-9).all()


def test_pipeline_rows_are_construction_or_announced():
    rows = pipeline_rows(load_plants())
    assert rows and all(p.stage in ("construction", "announced") for p in rows)
    assert all(p.capacity_t_per_year > 0 for p in rows)


def _write(tmp_path: Path, change: dict[str, str]) -> Path:
    row = {c: "" for c in (*PLANT_COLUMNS, "output_value", "host_mineral")}
    row.update(
        plant_id="p1",
        plant="Plant",
        owner="Owner",
        country="US",
        mineral="zinc",
        product="zinc metal",
        stage="operating",
        capacity_value="100000",
        capacity_unit="t/yr Zn",
        content_t_per_unit="1.0",
        capacity_role="first_stage",
        feed="domestic",
        start_year="1990",
        source="a source",
    )
    row.update(change)
    path = tmp_path / "plants.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=[*PLANT_COLUMNS, "output_value", "host_mineral"])
        w.writeheader()
        w.writerow(row)
    return path


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"mineral": "cobalt"}, "mineral"),
        ({"country": "PE"}, "country"),
        ({"capacity_value": "-5"}, "capacity_value"),
        ({"content_t_per_unit": ""}, "content_t_per_unit"),
        ({"capacity_unit": ""}, "capacity_unit"),
        ({"source": ""}, "source"),
        ({"stage": "planned"}, "stage"),
        ({"feed": "magic"}, "feed"),
        ({"capacity_role": "both"}, "capacity_role"),
        ({"host_mineral": "bauxite"}, "host_mineral"),
        ({"capacity_value": "lots"}, "capacity_value"),
        ({"output_value": "5", "capacity_value": "", "content_t_per_unit": ""}, "content_t_"),
    ],
)
def test_bad_plant_row_is_refused_with_file_row_and_column(tmp_path, change, column):
    path = _write(tmp_path, change)
    with pytest.raises(ScenarioError) as err:
        load_plants(path)
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith(f"{path}: row 2: {column}"), msg


def test_output_without_nameplate_is_the_capacity(tmp_path):
    (p,) = load_plants(_write(tmp_path, {"capacity_value": "", "output_value": "700"}))
    assert p.capacity_t_per_year == p.output_t_per_year == 700.0


def test_good_row_converts_capacity_to_content(tmp_path):
    path = _write(tmp_path, {"capacity_value": "20000", "content_t_per_unit": "0.1654"})
    (p,) = load_plants(path)
    assert p.capacity_t_per_year == pytest.approx(20000 * 0.1654)


def test_abm_run_refuses_a_bad_plant_table_in_one_line(tmp_path, monkeypatch, capsys):
    """A bad row stops `abm run` before any run: exit 2, one line naming the file, row and
    column, nothing written."""
    bad = _write(tmp_path, {"content_t_per_unit": ""})
    monkeypatch.setattr(plants, "PLANTS_CSV", bad)
    out = tmp_path / "run"
    assert cli.main(["run", "baseline", "--years", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(bad) in err[0] and "row 2: content_t_per_unit" in err[0]
    assert not out.exists()

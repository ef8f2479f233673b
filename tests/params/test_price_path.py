"""Price paths as input: the shipped 2005-2024 history and every rejection of a user CSV."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from abm.params.price_path import (
    HISTORY_PRICES_CSV,
    annual_mean_usd_per_t,
    load_history_prices,
    load_price_path,
)
from abm.params.scenario import ScenarioError
from abm.params.schema import MINERALS

ROOT = Path(__file__).resolve().parents[2]
WB = ("copper", "zinc", "lead", "nickel", "gold", "silver")


def _write(tmp_path: Path, rows: list[str], header: str = "mineral,month,price_usd_per_t") -> Path:
    p = tmp_path / "prices.csv"
    p.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return p


def _good_rows(minerals=("copper", "zinc"), months=("2020-01", "2020-02", "2020-03")) -> list[str]:
    return [f"{m},{mo},{1000 + i}" for m in minerals for i, mo in enumerate(months)]


def _load(p: Path, **kw):
    args = {"minerals": ("copper", "zinc"), "first_month": "2020-01", "last_month": "2020-03"}
    args.update(kw)
    return load_price_path(
        p, args.pop("minerals"), args.pop("first_month"), args.pop("last_month"), **args
    )


def test_shipped_history_passes_and_covers_every_mineral_and_month():
    prices = load_price_path(HISTORY_PRICES_CSV, MINERALS, "2005-01", "2024-12")
    assert prices.shape == (240, 14)
    assert list(prices.columns) == list(MINERALS)
    assert (prices.to_numpy() > 0).all()
    assert load_history_prices("2010-01", "2024-12").shape == (180, 14)


def test_shipped_history_source_and_filled_columns():
    import pandas as pd

    df = pd.read_csv(HISTORY_PRICES_CSV)
    assert df.source.str.len().min() > 10
    assert set(df.loc[df.mineral.isin(WB), "filled"]) == {"none"}
    others = df[~df.mineral.isin(WB)]
    assert "none" not in set(others.filled)  # USGS annual values always say how they were spread
    allowed = re.compile(
        r"^(annual_held|held_nearest_\d{4}|interp_loglinear_\d{4}_\d{4}|scaled_related_series|"
        r"anchor_secondary|anchor_secondary_approx|anchor_other_series)$"
    )
    assert all(allowed.match(f) for f in others.filled)


def test_world_bank_conversions_against_published_annual_means():
    """Gold and silver: USD/troy oz x 32,150.7466; base metals already USD/t.

    Reference: World Bank Pink Sheet annual nominal averages as quoted in
    ../shared/domain-primer.md "History to replay" (copper 7,962 / 4,868 / 9,142 USD/t in
    2012 / 2016 / 2024; silver 31.14 / 17.15 / 28.27 and gold 1,670 / 1,249 / 2,388 USD/oz).
    The README of calibration/history reports annual == mean of monthly to < 0.2%.
    """
    annual = annual_mean_usd_per_t(load_history_prices())
    oz = 32150.7466
    expected = {
        ("copper", 2012): 7962,
        ("copper", 2016): 4868,
        ("copper", 2024): 9142,
        ("silver", 2012): 31.14 * oz,
        ("silver", 2016): 17.15 * oz,
        ("silver", 2024): 28.27 * oz,
        ("gold", 2012): 1670 * oz,
        ("gold", 2016): 1249 * oz,
        ("gold", 2024): 2388 * oz,
    }
    for (m, y), v in expected.items():
        assert annual.loc[y, m] == pytest.approx(v, rel=0.003), (m, y)


def test_2024_means_against_minerals_toml():
    """Report 2024 annual means vs params/minerals.toml price_usd_per_t (different bases allowed).

    Bound: 20% for every mineral (lead's minerals.toml price is the USGS salient series its own
    note suspects is a North American producer price, 15% above LME cash).
    """
    toml = tomllib.loads((ROOT / "params" / "minerals.toml").read_text(encoding="utf-8"))
    means = annual_mean_usd_per_t(load_history_prices("2024-01", "2024-12")).loc[2024]
    lines = []
    for m in MINERALS:
        ref = toml[m]["price_usd_per_t"]
        diff = means[m] / ref - 1
        lines.append(
            f"{m:12s} history {means[m]:>14,.1f}  minerals.toml {ref:>14,.1f}  {diff:+.1%}"
        )
        assert abs(diff) < 0.20, lines[-1]
    print("\n2024 mean of params/history/prices_monthly.csv vs minerals.toml:\n" + "\n".join(lines))


def test_good_user_file_loads_in_order(tmp_path):
    p = _write(tmp_path, _good_rows())
    df = _load(p)
    assert list(df.index) == ["2020-01", "2020-02", "2020-03"]
    np.testing.assert_allclose(df["copper"], [1000, 1001, 1002])


def test_optional_source_column_is_accepted(tmp_path):
    rows = [r + ",my source" for r in _good_rows()]
    p = _write(tmp_path, rows, header="mineral,month,price_usd_per_t,source")
    assert _load(p).shape == (3, 2)


@pytest.mark.parametrize(
    ("rows", "pattern"),
    [
        (_good_rows(minerals=("copper",)), r"prices\.csv: missing mineral zinc"),
        ([*_good_rows(), "unobtainium,2020-01,5"], r"row 8: unknown mineral 'unobtainium'"),
        (
            [r for r in _good_rows() if not r.startswith("zinc,2020-02")],
            r"row 6: month gap: zinc has no price for 2020-02",
        ),
        (
            [r for r in _good_rows() if not r.startswith("copper,2020-03")],
            r"row 3: month gap: copper has no price for 2020-03",
        ),
        (
            [r.replace("1001", "-5") for r in _good_rows()],
            r"row 3: price_usd_per_t: -5 is not positive",
        ),
        (
            [r.replace("1001", "abc") for r in _good_rows()],
            r"row 3: price_usd_per_t: 'abc' is not a number",
        ),
        ([r.replace("1001", "nan") for r in _good_rows()], r"row 3: .*not a finite number"),
        ([r.replace("1001", "") for r in _good_rows()], r"row 3: price_usd_per_t: empty"),
        (
            [*_good_rows(), "copper,2020-04,5"],
            r"row 8: month 2020-04 is outside the requested range 2020-01\.\.2020-03",
        ),
        ([*_good_rows(), "copper,2019-12,5"], r"row 8: month 2019-12 is outside"),
        (
            [r.replace("2020-02", "2020/02") for r in _good_rows()],
            r"row 3: month: '2020/02' is not a month YYYY-MM",
        ),
        (
            [*_good_rows(), "copper,2020-01,7"],
            r"row 8: duplicate copper 2020-01 \(first on row 2\)",
        ),
    ],
    ids=[
        "missing-mineral",
        "unknown-mineral",
        "gap-inside",
        "gap-at-end",
        "negative",
        "non-numeric",
        "nan",
        "empty",
        "after-range",
        "before-range",
        "bad-month",
        "duplicate",
    ],
)
def test_rejections_name_file_row_and_problem(tmp_path, rows, pattern):
    p = _write(tmp_path, rows)
    with pytest.raises(ScenarioError) as exc:
        _load(p)
    msg = str(exc.value)
    assert "\n" not in msg
    assert msg.startswith(str(p))
    assert re.search(pattern, msg), msg


def test_missing_column_and_missing_file(tmp_path):
    p = _write(tmp_path, ["copper,2020-01"], header="mineral,month")
    with pytest.raises(ScenarioError, match=r"row 1: missing column\(s\) price_usd_per_t"):
        _load(p)
    with pytest.raises(ScenarioError, match="cannot read"):
        _load(tmp_path / "nope.csv")


def test_trim_drops_rows_outside_the_range(tmp_path):
    p = _write(tmp_path, [*_good_rows(), "copper,2020-04,5", "zinc,2020-04,5"])
    assert _load(p, trim=True).shape == (3, 2)


def test_requested_unknown_mineral_and_empty_range(tmp_path):
    p = _write(tmp_path, _good_rows())
    with pytest.raises(ScenarioError, match="requested unknown mineral"):
        _load(p, minerals=("copper", "kryptonite"))
    with pytest.raises(ScenarioError, match="is empty"):
        _load(p, first_month="2020-03", last_month="2020-01")


def test_extra_cells_and_non_utf8_rejected(tmp_path):
    p = _write(tmp_path, [*_good_rows(), "copper,2020-01,5,oops"])
    with pytest.raises(ScenarioError, match=r"row 8: more cells than header columns"):
        _load(p)
    p.write_bytes("mineral,month,price_usd_per_t\ncopper,2020-01,\xff\n".encode("latin-1"))
    with pytest.raises(ScenarioError, match="not a readable UTF-8 CSV"):
        _load(p)

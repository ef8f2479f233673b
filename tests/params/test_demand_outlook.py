"""World demand outlooks: structure, the IEA anchor points, the interpolation rule, the NA rule."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from abm.params.data import load_minerals
from abm.params.demand import (
    DEMAND_OUTLOOK_CSV,
    NA_RULE,
    SCENARIOS,
    load_demand_outlook,
    na_growth,
    world_growth,
)
from abm.params.scenario import ScenarioError
from abm.params.schema import MINERALS

YEARS = list(range(2024, 2036))
IEA_TOTAL = ("copper", "lithium", "nickel", "graphite", "rare_earths")
# IEA Critical Minerals Data Explorer May 2024, "1 Total demand for key minerals", kt
# (2023 historical, 2030 and 2035 STEPS / NZE); ../shared/calibration/history/demand_outlook_iea.csv
IEA_POINTS = {
    "lithium": (165.372, {"steps": (471.291, 735.866), "nze": (705.391, 1095.218)}),
    "copper": (25915.0, {"steps": (30883.1, 32561.4), "nze": (33445.5, 37122.9)}),
    "nickel": (3104.499, {"steps": (4451.09, 5069.77), "nze": (5570.15, 6205.9)}),
}


@pytest.fixture(scope="module")
def outlook():
    return load_demand_outlook()


def _level(outlook, mineral, scenario, base=1.0):
    g = world_growth(outlook, scenario)[:, MINERALS.index(mineral)]
    return base * np.cumprod(1 + g)  # level at the end of each year 2024..2035 (2023 = base)


def test_every_mineral_scenario_and_year_with_a_source(outlook):
    assert len(outlook) == len(MINERALS) * len(SCENARIOS) * len(YEARS)
    assert (outlook.source.str.len() > 20).all()
    for m in IEA_TOTAL:
        assert set(outlook[(outlook.mineral == m) & (outlook.scenario != "trend")].method) == {
            "iea_total_demand"
        }


@pytest.mark.parametrize("mineral", sorted(IEA_POINTS))
def test_compound_growth_reproduces_the_iea_points(outlook, mineral):
    """Rule: constant compound growth between outlook years, so 2030 and 2035 levels are exact."""
    base, scen = IEA_POINTS[mineral]
    for s, (y2030, y2035) in scen.items():
        level = _level(outlook, mineral, s, base)
        assert level[YEARS.index(2030)] == pytest.approx(y2030, rel=1e-3)
        assert level[YEARS.index(2035)] == pytest.approx(y2035, rel=1e-3)


def test_nze_lithium_2030_above_steps(outlook):
    steps = _level(outlook, "lithium", "steps")[YEARS.index(2030)]
    nze = _level(outlook, "lithium", "nze")[YEARS.index(2030)]
    assert nze > steps * 1.3


def test_cleantech_shares(outlook):
    s = outlook[(outlook.scenario == "steps") & (outlook.year == 2030)].set_index("mineral")
    # IEA 2030 STEPS: lithium clean tech 381.5 of 471.3 kt
    assert s.loc["lithium", "cleantech_share_frac"] == pytest.approx(381.491 / 471.291, abs=2e-3)
    for m in ("zinc", "silver", "molybdenum", "gallium", "germanium", "lead"):
        assert 0 <= s.loc[m, "cleantech_share_frac"] < 1


def test_trend_equals_minerals_toml_and_prints_the_table(outlook):
    trend = world_growth(outlook, "trend")
    np.testing.assert_allclose(trend[0], load_minerals().demand_growth_frac_per_year, atol=1e-5)
    steps, nze = world_growth(outlook, "steps"), world_growth(outlook, "nze")
    lines = [
        f"{'mineral':12s} {'trend':>7s} {'STEPS 24-30':>11s} {'NZE 24-30':>9s} {'STEPS 31-35':>11s}"
    ]
    for j, m in enumerate(MINERALS):
        a = np.prod(1 + steps[:7, j]) ** (1 / 7) - 1
        b = np.prod(1 + nze[:7, j]) ** (1 / 7) - 1
        c = np.prod(1 + steps[7:, j]) ** (1 / 5) - 1
        lines.append(f"{m:12s} {trend[0, j]:+7.3f} {a:+11.3f} {b:+9.3f} {c:+11.3f}")
    print("\nWorld demand growth per year (mean over the period):\n" + "\n".join(lines))
    # the trend (US 2020-2024 consumption) sits below the outlook for the transition minerals
    for m in ("nickel", "rare_earths", "copper"):
        j = MINERALS.index(m)
        assert steps[:7, j].mean() > trend[0, j]


def test_na_rule_is_declared_with_a_range():
    lo, hi = NA_RULE.factor_range
    assert lo <= NA_RULE.factor <= hi
    assert "ASSUMPTION" in NA_RULE.source
    g = np.array([[0.1, -0.02]])
    np.testing.assert_allclose(na_growth(g), g * NA_RULE.factor)
    np.testing.assert_allclose(na_growth(g, factor=0.5), g * 0.5)


def test_unknown_scenario_in_accessor(outlook):
    with pytest.raises(ValueError, match="unknown demand scenario"):
        world_growth(outlook, "boom")


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        ("silver,aps,2024,", "platinum,aps,2024,", r"mineral: unknown mineral 'platinum'"),
        ("silver,aps,2024,", "silver,boom,2024,", r"scenario: unknown scenario 'boom'"),
        ("silver,aps,2024,", "silver,aps,2040,", r"year: 2040 is above 2035"),
        ("silver,aps,2024,", "silver,aps,2025,", r"duplicate \('silver', 'aps', 2025\)"),
    ],
)
def test_bad_rows_rejected(tmp_path, old, new, pattern):
    p = tmp_path / "d.csv"
    shutil.copy(DEMAND_OUTLOOK_CSV, p)
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ScenarioError, match=pattern) as exc:
        load_demand_outlook(p)
    assert str(exc.value).startswith(str(p)) and "\n" not in str(exc.value)


def test_missing_year_rejected(tmp_path):
    p = tmp_path / "d.csv"
    lines = DEMAND_OUTLOOK_CSV.read_text(encoding="utf-8").splitlines()
    kept = [ln for ln in lines if not ln.startswith("zinc,nze,2031,")]
    p.write_text("\n".join(kept) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"zinc / nze: no growth for year\(s\) \[2031\]"):
        load_demand_outlook(p)

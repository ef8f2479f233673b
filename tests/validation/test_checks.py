"""The checks' logic on small synthetic inputs (no model runs)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from abm.experiments.stats import Interval
from abm.validation import checks, frames, starting
from abm.validation.checks import Check, evaluate, paired_relative, passes, point, select


def _check(lo: float, hi: float, sign: int = 0) -> Check:
    return Check("toy", "toy", "src", "t", lo, hi, "why", lambda d: (point(0.0), ""), sign=sign)


def test_pass_rule_range_and_sign() -> None:
    assert passes(_check(0, 1), Interval(0.5, 0.1, 0.4, 0.6, 5))
    assert not passes(_check(0, 1), Interval(1.5, 0.1, 1.4, 1.6, 5))
    # direction checks need the whole interval on the named side of zero
    assert passes(_check(-1, 0, sign=-1), Interval(-0.2, 0.1, -0.3, -0.1, 5))
    assert not passes(_check(-1, 0, sign=-1), Interval(-0.2, 0.3, -0.5, 0.1, 5))
    assert not passes(_check(-1, 0, sign=-1), Interval(-0.2, math.nan, math.nan, math.nan, 1))
    assert passes(_check(0, 1, sign=+1), point(0.3))  # exact values have no noise
    assert not passes(_check(0, 1), Interval(math.nan, math.nan, math.nan, math.nan, 0))


def test_paired_relative_uses_seed_pairs_and_survives_zero() -> None:
    ref = np.array([100.0, 200.0, 50.0, 80.0])
    iv = paired_relative(ref * 0.9, ref)  # the same -10% in every pair: no noise at all
    assert iv.mean == pytest.approx(-0.1) and iv.half_width == pytest.approx(0.0)
    iv = paired_relative(np.zeros(4), ref)
    assert iv.mean == pytest.approx(-1.0) and math.isfinite(iv.lo)


def _frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["step", "date", "country", "mineral", "indicator", "value"])


def test_annual_and_lead_times_on_a_toy_frame() -> None:
    rows = [(s, f"2025-{s:02d}", "MX", "all", "exploration_usd", 10.0) for s in range(1, 13)]
    rows += [(13, "2026-01", "MX", "all", "exploration_usd", 5.0)]
    rows += [
        (-24, "", "US", "all", "project", 60.0),  # starting pipeline: not in the cohort
        (10, "", "US", "all", "project", 190.0),  # 15 years
        (20, "", "CA", "all", "project", 140.0),  # 10 years
        (30, "", "CA", "all", "project", -1.0),  # never produced (censored)
    ]
    f = _frame(rows)
    assert frames.total(f, "MX", [2025]) == 120.0
    assert frames.total(f, "MX", [2026]) == 5.0
    book = frames.projects(f)
    assert sorted(frames.lead_times_years(book, 1, 60)) == [10.0, 15.0]
    assert list(frames.lead_times_years(book, 1, 60, "CA")) == [10.0]
    assert math.isnan(frames.median_or_nan(frames.lead_times_years(book, 1, 60, "MX")))


def test_base_metal_share_on_a_toy_frame() -> None:
    """Copper, zinc, lead and nickel over all minerals, per year; gold does not count."""
    from abm.validation.hindcast import CA_BASE_SHARE, band, base_metal_shares

    rows = []
    for year, base in ((2017, 15.0), (2021, 20.0)):
        for m in range(1, 13):
            date = f"{year}-{m:02d}"
            rows += [(m, date, "CA", "all", "exploration_usd", 100.0)]
            rows += [(m, date, "CA", "copper", "exploration_usd", base - 5.0)]
            rows += [(m, date, "CA", "nickel", "exploration_usd", 5.0)]
            rows += [(m, date, "CA", "gold", "exploration_usd", 60.0)]
    f = _frame(rows)
    np.testing.assert_allclose(base_metal_shares(f, "CA", (2017, 2021)), [0.15, 0.20])
    lo, hi = band(CA_BASE_SHARE[2])  # observed 14.7% -> 20.5%: +39.5%
    assert lo < 0.20 / 0.15 - 1 < hi  # the toy's +33% lies in the band
    assert math.isclose(lo, 0.181, abs_tol=1e-3) and math.isclose(hi, 0.945, abs_tol=1e-3)


def test_seed_range_check_spans_both_sources() -> None:
    lo, hi = starting.seed_range("lead")  # seed 240 kt vs USGS 180 kt
    assert (lo, hi) == (180_000, 240_000)
    assert starting.outside_range(200_000, lo, hi) == 0.0
    assert starting.outside_range(171_000, lo, hi) == pytest.approx(0.05)


def test_usgs_reader_matches_known_rows() -> None:
    usgs = starting.usgs_mine_production_2024()
    assert usgs[("MX", "silver")] == 6300  # MCS2025_World_Data.csv, Silver, Mexico
    assert usgs[("US", "copper")] == 1_100_000  # thousand metric tons x 1000
    assert ("MX", "bismuth") not in usgs  # USGS does not list Mexican bismuth


def test_registry_is_sourced_and_selectable() -> None:
    all_checks = select()
    assert len(all_checks) >= 12
    for c in all_checks:
        assert c.source and c.why and c.target and c.lo <= c.hi, c.name
    groups = {c.group for c in all_checks}
    assert {"starting_state", "exploration_shares", "mexico_2014", "mexico_2023"} <= groups
    assert {"lead_times", "permitting", "effective_tax"} <= groups
    assert [c.name for c in select(["effective_tax"])] == [
        "mx_effective_tax_rate",
        "mx_tax_above_us_ca",
        "mx_tax_above_chile_peru_royalty",
    ]
    with pytest.raises(KeyError):
        select(["no_such_check"])
    with pytest.raises(ValueError):
        checks.register(all_checks[0])


def test_effective_tax_checks_pass_on_the_2025_regimes() -> None:
    results = [evaluate(c, {}) for c in select(["effective_tax"])]
    assert all(r.passed for r in results), [(r.check.name, r.value.mean) for r in results]

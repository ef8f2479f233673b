"""Statistics of comparisons against known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from abm.experiments.stats import paired_difference, t_interval
from abm.experiments.summary import add_reductions, summarise


def test_t_interval_exact_values() -> None:
    ci = t_interval([1, 2, 3, 4, 5])
    assert ci.mean == 3 and ci.n == 5
    assert ci.sd == pytest.approx(np.sqrt(2.5))
    half = 2.7764451051977987 * np.sqrt(2.5) / np.sqrt(5)  # t(0.975, 4)
    assert (ci.lo, ci.hi) == pytest.approx((3 - half, 3 + half))


def test_t_interval_covers_the_true_mean_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(0)
    draws = rng.normal(5.0, 2.0, size=(4000, 8))
    hits = sum(t_interval(row).lo <= 5.0 <= t_interval(row).hi for row in draws)
    assert hits / len(draws) == pytest.approx(0.95, abs=0.012)


def test_t_interval_edge_cases() -> None:
    assert np.isnan(t_interval([2.0]).lo)
    assert t_interval([np.nan, 1.0, 1.0]).n == 2
    same = t_interval([4.0, 4.0, 4.0])
    assert same.lo == same.hi == 4.0
    with pytest.raises(ValueError, match="level"):
        t_interval([1, 2], level=1.5)


def test_pairing_removes_shared_noise() -> None:
    rng = np.random.default_rng(1)
    common = rng.normal(0, 10, 20)  # what the two arms share (same seed)
    ref = common + rng.normal(0, 0.1, 20)
    alt = common + 1.0 + rng.normal(0, 0.1, 20)
    paired = paired_difference(alt, ref)
    assert paired.lo < 1.0 < paired.hi
    assert paired.excludes_zero()
    unpaired_half = t_interval(alt).half_width + t_interval(ref).half_width
    assert paired.half_width < unpaired_half / 20
    exact = paired_difference([2.0, 3.0, 5.0], [1.0, 2.0, 4.0])
    assert (exact.mean, exact.lo, exact.hi) == (1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="length"):
        paired_difference([1.0, 2.0], [1.0])


def _outcomes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scenario": ["base"] * 3 + ["alt"] * 3,
            "seed": [1, 2, 3] * 2,
            "investment_share.MX": [0.20, 0.22, 0.18, 0.18, 0.20, 0.16],
            "import_dependency.lithium.2030": [0.8, 0.6, 0.7, 0.4, 0.3, 0.35],
        }
    )


def test_summary_paired_difference_and_reduction() -> None:
    out = add_reductions(_outcomes(), "base")
    red = out[out.scenario == "alt"]["import_reduction_vs_reference.lithium.2030"]
    assert red.tolist() == pytest.approx([0.5, 0.5, 0.5])
    names = ["investment_share.MX", "import_reduction_vs_reference.lithium.2030"]
    s = summarise(out, names, "base", ["base", "alt"], 2025, 2034).set_index(
        ["scenario", "outcome"]
    )
    row = s.loc[("alt", "investment_share.MX")]
    assert row["diff"] == pytest.approx(-0.02)
    assert row.diff_lo == pytest.approx(-0.02) and row.distinguishable
    assert s.loc[("base", "investment_share.MX"), "mean"] == pytest.approx(0.2)
    assert s.loc[("alt", "import_reduction_vs_reference.lithium.2030"), "mean"] == 0.5
    assert ("base", "import_reduction_vs_reference.lithium.2030") not in s.index

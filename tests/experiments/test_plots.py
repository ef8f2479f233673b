"""Comparison plots: year-end points (step 0 never averaged into 2025), bands that are t
intervals of the mean and say so, the reference drawn on top, monthly plots."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from abm.experiments import plots
from abm.experiments.stats import t_interval
from abm.params.data import load_minerals

CRITICAL = load_minerals().critical_minerals


def _runs(seeds=(1, 2, 3), steps: int = 24) -> pd.DataFrame:
    """Two scenarios; lithium dependency 0.730 at step 0 (2024-12), then 0.765 all of 2025."""
    rows = []
    for scen, off in (("baseline", 0.0), ("alt", -0.1)):
        for seed in seeds:
            for step in range(steps + 1):
                idx = 2024 * 12 + 11 + step
                date = f"{idx // 12}-{idx % 12 + 1:02d}"
                dep = 0.730 if step == 0 else 0.765 + off + 0.001 * seed
                for m in CRITICAL:
                    rows.append((scen, seed, step, date, "NA", m, "import_dependency", dep))
                if step > 0:
                    for c, v in (("US", 3.0), ("MX", 1.0), ("CA", 1.0)):
                        for ind in ("investment_usd", "exploration_usd"):
                            rows.append((scen, seed, step, date, c, "all", ind, v * 1e8))
    cols = ["scenario", "seed", "step", "date", "country", "mineral", "indicator", "value"]
    return pd.DataFrame(rows, columns=cols)


def test_2025_is_december_2025_and_the_start_is_its_own_year() -> None:
    a = plots.annual(_runs())
    li = a[(a.series == "dependency") & (a.country == "lithium") & (a.scenario == "baseline")]
    by_year = li.groupby("year").value.mean()
    assert by_year.loc[2024] == pytest.approx(0.730)  # step 0, December 2024
    assert by_year.loc[2025] == pytest.approx(0.765 + 0.002)  # December 2025 only
    shares = a[(a.series == "investment_share") & (a.scenario == "baseline")]
    assert set(shares.year) == {2025, 2026}  # flows: step 0 has none
    assert shares[shares.country == "US"].value.to_numpy() == pytest.approx(0.6)


def test_bands_are_the_t_interval_of_the_mean() -> None:
    b = plots.bands(plots.annual(_runs(seeds=(1, 2, 3, 4, 5))))
    row = b[(b.series == "dependency") & (b.country == "lithium") & (b.year == 2025)]
    row = row[row.scenario == "baseline"].iloc[0]
    ci = t_interval([0.765 + 0.001 * s for s in (1, 2, 3, 4, 5)])
    assert (row.lo, row.hi) == (pytest.approx(ci.lo), pytest.approx(ci.hi))
    assert plots.band_label(5) == "band: 95% t interval of the mean over 5 replications"


def test_reference_is_drawn_on_top_dashed_and_thicker_and_labelled(tmp_path) -> None:
    b = plots.bands(plots.annual(_runs()))
    fig = plots._panels(
        b, "dependency", CRITICAL, CRITICAL, "%", ["baseline", "alt"], "baseline", "t", 3, 100, 3
    )
    ax = fig.axes[0]
    ref = next(line for line in ax.get_lines() if line.get_label().startswith("baseline"))
    alt = next(line for line in ax.get_lines() if line.get_label() == "alt")
    assert ref.get_linestyle() == "--" and ref.get_linewidth() > alt.get_linewidth()
    assert ref.get_zorder() > alt.get_zorder()
    assert "95% t interval of the mean over 3 replications" in fig._suptitle.get_text()


def test_monthly_plots_are_written(tmp_path) -> None:
    runs = _runs()
    m = plots.monthly(runs)
    li = m[(m.country == "lithium") & (m.scenario == "baseline") & (m.seed == 1)]
    assert len(li) == 25 and np.all(np.diff(li.year.to_numpy()) > 0)
    summary = pd.DataFrame(
        columns=["scenario", "outcome", "mean", "ci_lo", "ci_hi", "diff", "diff_lo", "diff_hi"]
    )
    spec = SimpleNamespace(
        scenarios=[SimpleNamespace(name="baseline"), SimpleNamespace(name="alt")],
        reference="baseline",
        seeds=[1, 2, 3],
    )
    figs = plots.write_plots(plots.annual(runs), m, summary, spec, tmp_path)
    assert (tmp_path / "import_dependency_monthly.png").exists()
    assert (tmp_path / "import_dependency_monthly.svg").exists()
    assert "import_dependency_monthly" in figs
    plots.write_plots(plots.annual(runs), m, summary, spec, tmp_path / "no", monthly_plots=False)
    assert not (tmp_path / "no" / "import_dependency_monthly.png").exists()


def test_annual_rows_per_run_combine_into_those_of_all_runs() -> None:
    """compare computes annual() in each run's worker; combined in task order (seeds not
    sorted), they are annual() of all runs, row for row, so the bands add the same numbers in
    the same order."""
    runs = _runs(seeds=(5, 2, 9))
    per_run = [ts for _, ts in runs.groupby(["scenario", "seed"], sort=False)]
    combined = plots.combine_annual([plots.annual(ts) for ts in per_run])
    pd.testing.assert_frame_equal(combined, plots.annual(runs).reset_index(drop=True))
    pd.testing.assert_frame_equal(plots.bands(combined), plots.bands(plots.annual(runs)))

"""Headline outcomes: known answers on a hand-made timeseries, and a plain pandas reference
on real runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import abm
from abm.outcomes import REGIONS, _critical, headline_outcomes, outcome_specs, value_weights
from abm.params.schema import COUNTRIES

MONTHLY = {"US": 3.0, "MX": 1.0, "CA": 2.0}  # investment per month by country


def _date(step: int) -> str:
    index = 2025 * 12 + step - 1  # step 1 = 2025-01, step 0 = 2024-12
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _toy() -> pd.DataFrame:
    """Two years (2025-2026): flows constant per month, exploration doubling in 2026."""
    rows = []
    for step in range(25):
        date = _date(step)
        year = int(date[:4])
        for r in REGIONS:
            inv = sum(MONTHLY.values()) if r == "NA" else MONTHLY[r]
            exp = (1.0 if year == 2025 else 2.0) * (inv / 10)
            if step > 0:
                rows += [
                    (step, date, r, "all", "investment_usd", inv),
                    (step, date, r, "all", "exploration_usd", exp),
                    (step, date, r, "all", "government_revenue_usd", 0.5 * inv),
                ]
            rows += [
                (step, date, r, "all", "producing_mines", 10.0 + step),
                (step, date, r, "all", "mining_jobs", 100.0 * step),
            ]
        for i, m in enumerate(value_weights()):  # the critical minerals, then copper
            dep = 0.8 if step == 0 else 0.8 - 0.01 * step * (i % 2)
            rows.append((step, date, "NA", m, "import_dependency", dep))
            rows.append((step, date, "NA", m, "import_dependency_mined", dep / 2))
            rows.append((step, date, "NA", m, "consumption_t", 100.0))
            rows.append((step, date, "NA", m, "imports_t", 100.0 * dep))
    cols = ["step", "date", "country", "mineral", "indicator", "value"]
    ts = pd.DataFrame(rows, columns=cols)
    return ts.astype({c: "string" for c in cols[1:5]} | {"step": "int32"})


def test_known_answers_on_a_toy_timeseries() -> None:
    out = headline_outcomes(_toy())
    assert list(out) == [s.name for s in outcome_specs(2025, 2026)]
    assert out["investment_share.US"] == pytest.approx(0.5)
    assert out["investment_share.MX"] == pytest.approx(1 / 6)
    assert out["investment_usd.NA"] == pytest.approx(6.0 * 24)
    assert out["exploration_usd.CA"] == pytest.approx(0.2 * 12 + 0.4 * 12)
    assert out["exploration_change_frac.MX"] == pytest.approx(1.0)
    assert out["government_revenue_usd.US"] == pytest.approx(0.5 * 3.0 * 24)
    assert out["producing_mines_end.CA"] == 34.0 and out["mining_jobs_end.NA"] == 2400.0
    critical = _critical()
    falls = [0.01 * 24 * (i % 2) for i in range(len(critical))]
    mean = float(np.mean([0.8 - f for f in falls]))
    assert out[f"import_dependency.{critical[1]}.end"] == pytest.approx(0.8 - 0.24)
    assert out["import_dependency.critical_mean.end"] == pytest.approx(mean)
    assert out["import_reduction_frac.end"] == pytest.approx(1 - mean / 0.8)
    w = value_weights()
    weighted = sum(wt * (0.8 - 0.01 * 24 * (i % 2)) for i, wt in enumerate(w.values()))
    assert out["import_dependency.critical_value_weighted.end"] == pytest.approx(weighted)
    assert out["import_dependency_mined.critical_value_weighted.end"] == pytest.approx(weighted / 2)
    assert out["regional_supply_t.copper.end"] == pytest.approx(100.0 * (1 - (0.8 - 0.24)))


def _reference(ts: pd.DataFrame) -> dict[str, float]:
    """The same outcomes computed the plain pandas way."""
    flows = ts[(ts.mineral == "all") & (ts.step > 0)].assign(year=ts.date.str[:4].astype(int))
    end = ts[ts.date == ts.date.max()]
    out = {}
    inv = flows[flows.indicator == "investment_usd"].groupby("country").value.sum()
    for c in COUNTRIES:
        out[f"investment_share.{c}"] = inv[c] / inv[list(COUNTRIES)].sum()
    for r in REGIONS:
        mine = flows[flows.country == r]
        for name in ("investment_usd", "government_revenue_usd", "exploration_usd"):
            out[f"{name}.{r}"] = mine[mine.indicator == name].value.sum()
        by_year = mine[mine.indicator == "exploration_usd"].groupby("year").value.sum()
        out[f"exploration_change_frac.{r}"] = by_year.iloc[-1] / by_year.iloc[0] - 1
        for name in ("producing_mines", "mining_jobs"):
            sel = end[(end.country == r) & (end.indicator == name) & (end.mineral == "all")]
            out[f"{name}_end.{r}"] = sel.value.iloc[0]
    dep = ts[(ts.indicator == "import_dependency") & (ts.country == "NA")]
    critical = _critical()
    start = dep[dep.step == 0].set_index("mineral").value[critical].mean()
    last = dep[dep.date == dep.date.max()].set_index("mineral").value[critical]
    year = "end"
    for m in critical:
        out[f"import_dependency.{m}.{year}"] = last[m]
    out[f"import_dependency.critical_mean.{year}"] = last.mean()
    out[f"import_reduction_frac.{year}"] = 1 - last.mean() / start
    every = dep[dep.date == dep.date.max()].set_index("mineral").value
    w = pd.Series(value_weights())
    out[f"import_dependency.critical_value_weighted.{year}"] = (every[w.index] * w).sum()
    return out


@pytest.mark.parametrize("scenario", ["baseline", "full_integration_2026"])
def test_matches_a_plain_pandas_reference_on_real_runs(scenario: str) -> None:
    ts = abm.run(scenario, seed=4, years=4, summary=False).timeseries
    out = headline_outcomes(ts)
    for key, expected in _reference(ts).items():
        assert out[key] == pytest.approx(expected, rel=1e-12), key


def test_a_run_ending_before_december_reports_its_last_month() -> None:
    ts = abm.run("baseline", seed=2, years=2, overrides={"simulation.start": "2025-07"}).timeseries
    assert ts.date.max() == "2027-06"
    out = headline_outcomes(ts)
    assert out["import_dependency.critical_mean.end"] == pytest.approx(
        _reference(ts)["import_dependency.critical_mean.end"], rel=1e-12
    )


def test_a_missing_month_adds_nothing_to_the_sums() -> None:
    ts = _toy()
    hole = (ts.indicator == "investment_usd") & (ts.country == "US") & (ts.step == 5)
    ts.loc[hole, "value"] = np.nan
    out = headline_outcomes(ts)
    assert out["investment_usd.US"] == pytest.approx(3.0 * 23)
    assert out["investment_share.US"] == pytest.approx(69 / (69 + 24 + 48))


def test_every_outcome_declares_a_practical_threshold() -> None:
    from abm.outcomes import PRACTICAL_THRESHOLDS, practical_threshold

    for spec in outcome_specs(2025, 2034):
        size, kind = spec.practical
        assert size > 0 and kind in ("abs", "rel")
    assert {s.name.split(".", 1)[0] for s in outcome_specs(2025, 2034)} <= set(PRACTICAL_THRESHOLDS)
    assert practical_threshold("import_dependency.lithium.2030", 0.7) == 0.01  # 1 pp
    assert practical_threshold("investment_usd.NA", -2e11) == pytest.approx(2e9)  # 1% of it


def test_names_do_not_depend_on_the_horizon() -> None:
    """A script reading ``.end`` (and ``.2030``, a calendar year) works whatever ``years=`` is;
    a run ending in 2030 reports both, equal."""
    names = {
        n: {s.name for s in outcome_specs(2025, last)} for n, last in (("6", 2030), ("10", 2034))
    }
    assert names["6"] == names["10"]
    assert {"import_dependency.critical_mean.end", "import_reduction_frac.2030"} <= names["10"]
    assert not [n for n in names["10"] if n.endswith((".2034", ".2028"))]
    assert "import_dependency.critical_mean.2030" not in {s.name for s in outcome_specs(2025, 2028)}
    out = headline_outcomes(abm.run("baseline", seed=3, years=6, summary=False).timeseries)
    assert out["import_dependency.critical_mean.2030"] == out["import_dependency.critical_mean.end"]


def test_every_outcome_declares_a_direction() -> None:
    """Kinds follow the seed's goals: less dependency and unmet demand, more of the rest;
    investment shares are zero-sum between the countries (no direction)."""
    kinds = {s.name: s.kind for s in outcome_specs(2025, 2034)}
    assert set(kinds.values()) == {"maximise", "minimise", "info"}
    assert kinds["import_dependency.lithium.end"] == "minimise"
    assert kinds["unmet_demand_frac.lithium"] == "minimise"
    assert kinds["import_reduction_frac.2030"] == "maximise"
    assert kinds["investment_usd.NA"] == "maximise"
    assert kinds["investment_share.MX"] == "info"

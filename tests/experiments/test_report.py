"""report.md is computed from the numbers: change the runs and the text changes with them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from abm.experiments import report
from abm.experiments.summary import PAIRED, summarise
from abm.outcomes import value_weights
from abm.params.data import load_minerals

CRITICAL = load_minerals().critical_minerals
STEPS = 24


def _runs(output: dict[str, float], capacity: dict[str, float], dep: float = 0.6, grow=0.0):
    """Tidy NA rows for baseline and alt (2 seeds): constant mine output and capacity per
    mineral; alt's output grows by ``grow`` per month from month 6."""
    rows = []
    for scen in ("baseline", "alt"):
        for seed in (1, 2):
            for step in range(STEPS + 1):
                date = f"{2024 + (step + 11) // 12}-{(step + 11) % 12 + 1:02d}"
                for m in CRITICAL:
                    q = output.get(m, 1000.0)
                    if scen == "alt" and step > 6:
                        q *= 1 + grow * (step - 6)
                    k = capacity.get(m, 2000.0)
                    thr = 0.85 * k  # nameplate x utilisation
                    feed = min(q, thr)  # regional ore first; no imported concentrate here
                    for ind, v in (
                        ("production_t", q),
                        ("processing_capacity_t", k),
                        ("processing_throughput_t", thr),
                        ("processing_feed_t", feed),
                        ("concentrate_exports_t", q - feed),
                        ("import_dependency", dep),
                    ):
                        rows.append((scen, seed, step, date, "NA", m, ind, v))
    cols = ["scenario", "seed", "step", "date", "country", "mineral", "indicator", "value"]
    return pd.DataFrame(rows, columns=cols)


def test_what_binds_is_read_from_the_runs() -> None:
    m = "graphite"
    lots = {x: 1e9 for x in CRITICAL}  # output far above consumption: never "scarce"
    slow_plants = report.mineral_limits(_runs(lots, {m: 0.5e9}), "alt", "baseline").loc[m]
    assert slow_plants.binds == "processing capacity"
    assert slow_plants.processing_binds_frac == 1.0
    assert slow_plants.unprocessed_end_frac == pytest.approx(1 - 0.425)  # throughput 0.425e9
    idle = report.mineral_limits(_runs(lots, {m: 2e9}), "alt", "baseline").loc[m]
    assert idle.binds == "mine output" and idle.idle_capacity_end_frac == pytest.approx(1 - 1 / 1.7)
    scarce = report.mineral_limits(_runs({m: 1e-3}, {}), "alt", "baseline").loc[m]
    assert scarce.binds.startswith("mine output (scarce")
    met = report.mineral_limits(_runs(lots, {m: 0.5e9}, dep=0.01), "alt", "baseline").loc[m]
    assert met.binds.startswith("neither")
    # gallium and germanium are not mined: what limits them is recovery at refineries
    ga = report.mineral_limits(_runs(lots, {}), "alt", "baseline").loc["gallium"]
    assert ga.binds.startswith("refinery recovery")


def test_lead_time_is_when_output_responds() -> None:
    lots = {x: 1e9 for x in CRITICAL}
    fast = report.mineral_limits(_runs(lots, {}, grow=0.05), "alt", "baseline")
    slow = report.mineral_limits(_runs(lots, {}, grow=0.005), "alt", "baseline")
    never = report.mineral_limits(_runs(lots, {}, grow=0.0), "alt", "baseline")
    # 5% above the reference after 1 month of 5% growth, after 10 months of 0.5% (from month 6)
    assert fast.response_months.iloc[0] == 7 and slow.response_months.iloc[0] == 16
    assert np.isnan(never.response_months).all()


def test_the_limits_text_changes_with_the_numbers() -> None:
    lots = {x: 1e9 for x in CRITICAL}
    wide_a = report.limit_frame(_runs(lots, {"lithium": 0.4e9}))
    wide_b = report.limit_frame(_runs(lots, {"lithium": 3e9}))
    a = "\n".join(report.limits_section(wide_a, ["alt"], "baseline"))
    b = "\n".join(report.limits_section(wide_b, ["alt"], "baseline"))
    assert a != b
    line_a = next(x for x in a.splitlines() if x.startswith("- **lithium**"))
    line_b = next(x for x in b.splitlines() if x.startswith("- **lithium**"))
    assert "processing capacity binds" in line_a and "66% of regional ore" in line_a
    assert "mine output binds" in line_b and "61% of throughput idle" in line_b
    for text in (a, b):  # the old fixed conclusion is gone
        assert "capacity, not mining, binds for graphite" not in text


def _outcomes(dep_zinc_ref: float, demand_only: bool = False) -> pd.DataFrame:
    """Paired runs whose December-2034 dependency falls 40% in ``alt``: by more regional supply
    at the same consumption, or (``demand_only``) by consumption destroyed at the same supply."""
    rows = []
    weights = value_weights()
    for scen, f in (("baseline", 1.0), ("alt", 0.6)):
        for seed in range(4):
            row = {"scenario": scen, "seed": seed}
            for m in [*weights, "critical_mean"]:
                base = (dep_zinc_ref if m == "zinc" else 0.8) + 0.01 * seed
                dep = base * f
                row[f"import_dependency.{m}.end"] = dep
                if m == "critical_mean":
                    continue
                if demand_only:  # regional supply fixed at the reference's: C = R / (1 - d)
                    supply = 100.0 * (1 - base)
                    row[f"consumption_t.{m}.end"] = supply / (1 - dep)
                    row[f"regional_supply_t.{m}.end"] = supply
                else:
                    row[f"consumption_t.{m}.end"] = 100.0
                    row[f"regional_supply_t.{m}.end"] = 100.0 * (1 - dep)
            row["import_dependency.critical_value_weighted.end"] = sum(
                w * row[f"import_dependency.{m}.end"] for m, w in weights.items()
            )
            rows.append(row)
    from abm.experiments.summary import add_reductions

    return add_reductions(pd.DataFrame(rows), "baseline")


def _claim(out: pd.DataFrame) -> str:
    names = [c for c in out.columns if c.startswith((*PAIRED, "import_dependency"))]
    summary = summarise(out, names, "baseline", ["baseline", "alt"], 2025, 2034)
    return "\n".join(report._claim_section(summary, ["alt"], "baseline", 2034))


def test_claim_verdicts_skip_n_a_minerals() -> None:
    text = _claim(_outcomes(dep_zinc_ref=0.005))  # zinc under 5% in the reference: n/a
    verdict = next(x for x in text.splitlines() if x.startswith("**Verdict for alt"))
    assert "n/a: zinc" in verdict
    assert "zinc" not in verdict.split("n/a:")[0]
    assert "consistent with the claim" in verdict  # a 40% reduction, inside 35-45%
    text2 = _claim(_outcomes(dep_zinc_ref=0.8))
    assert "n/a" not in text2.split("**Verdict for alt")[1]


def test_demand_destroyed_is_not_progress_toward_the_claim() -> None:
    """The same 40% fall in dependency, once from more regional supply and once from less
    consumption: the verdict reads the supply part, so only the first is consistent."""
    supply = _claim(_outcomes(dep_zinc_ref=0.8))
    demand = _claim(_outcomes(dep_zinc_ref=0.8, demand_only=True))
    line = next(x for x in demand.splitlines() if x.startswith("| critical_value_weighted"))
    cells = [c.strip() for c in line.split("|")]
    assert cells[2] == "+40.0%"  # the reduction itself
    assert cells[3] == "+0.0%" and cells[6] == "below the claim"  # supply part, verdict
    assert cells[5] == "+40.0%"  # all of it is the demand part
    assert "value-weighted reduction is *consistent with the claim*" in supply
    assert "value-weighted reduction is *below the claim*" in demand


def test_negligible_but_distinguishable_is_reported_as_such() -> None:
    rows = []
    for scen, shift in (("baseline", 0.0), ("alt", 0.002)):  # +0.2 pp, under the 1 pp threshold
        for seed in range(6):
            share = 0.3 + 0.001 * seed + shift
            rows.append({"scenario": scen, "seed": seed, "investment_share.MX": share})
    summary = summarise(
        pd.DataFrame(rows), ["investment_share.MX"], "baseline", ["baseline", "alt"], 2025, 2034
    )
    row = summary[summary.scenario == "alt"].iloc[0]
    assert row.distinguishable and row.negligible and row.threshold == pytest.approx(0.01)
    text = "\n".join(report._noise_section(summary, ["alt"], 6, uncertain=False))
    assert "distinguishable but negligible: 1 (investment_share.MX)" in text


def test_limit_rows_per_run_combine_into_those_of_all_runs() -> None:
    """compare computes limit_frame() in each run's worker; combined from any task order they
    are limit_frame() of all runs, row for row (so the report's means are the same)."""
    runs = _runs({}, {"lithium": 0.5e9}, grow=0.01)
    per_run = [ts for _, ts in runs.groupby(["scenario", "seed"], sort=False)][::-1]
    combined = report.combine_limits([report.limit_frame(ts) for ts in per_run])
    pd.testing.assert_frame_equal(combined, report.limit_frame(runs))


def test_a_zero_width_interval_reads_no_variation() -> None:
    """A mineral no scenario moves (the same value in every replication) is reported as "no
    variation", not as [x, x] (issue 25)."""
    assert report._interval(0.0, 0.0, "+.1%") == "no variation"
    assert report._interval(-0.1, 0.2, "+.1%") == "[-10.0%, +20.0%]"
    assert "no variation" in report._cell(0.5, 0.5, 0.5, 1.0, sig=False)

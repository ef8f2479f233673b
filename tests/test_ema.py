"""``abm.ema``: the model as an EMA Workbench 3.x model, generated from the declarations, run
through ``perform_experiments`` and analysed with EMA's PRIM and feature scoring."""

from __future__ import annotations

import json
from pathlib import Path

import ema_workbench  # noqa: F401  (the ema extra: `make test` installs it; no skip)
import numpy as np
import pandas as pd
import pytest

import abm
import abm.ema
from abm.cli import main
from abm.experiments.discover import restrictions
from abm.outcomes import headline_outcomes, outcome_specs
from abm.params.scenario import ScenarioError, read_toml
from abm.params.schema import PARAMS

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"


def test_default_model_is_generated_from_the_declarations() -> None:
    em = abm.ema.workbench("em_framework")
    m = abm.ema.model()
    unc = {p.variable_name[0]: p for p in m.uncertainties}
    lev = {p.variable_name[0]: p for p in m.levers}
    # the ranges are the experiment files' tables, the names declared parameters
    core = read_toml(EXPERIMENTS / "sensitivity_core.toml")
    assert set(unc) == set(core["uncertainties"])
    assert set(lev) == set(read_toml(EXPERIMENTS / "mx_fiscal_sweep.toml")["levers"])
    assert set(unc) | set(lev) <= set(PARAMS) and not set(unc) & set(lev)
    r = unc["investors.risk_aversion"]
    assert isinstance(r, em.RealParameter) and (r.lower_bound, r.upper_bound) == (5.0, 20.0)
    assert lev["government.MX.royalty_rate"].upper_bound == 0.15  # grid span
    # outcomes: every declared outcome, once, under an identifier name
    names = [o.variable_name[0] for o in m.outcomes]
    assert names == [s.name for s in outcome_specs(2025, 2034)]
    assert all(o.name.isidentifier() for o in m.outcomes)
    assert abm.ema.dotted_name(abm.ema.ema_name("import_dependency.lithium.2030")) == (
        "import_dependency.lithium.2030"
    )


def test_kinds_follow_the_schema() -> None:
    em = abm.ema.workbench("em_framework")
    m = abm.ema.model(
        uncertainties={"integration.joint_venture_projects": (0, 5)},
        levers=["trade.rules_of_origin", "government.US.critical_fast_track", "trade.row_tariff"],
    )
    unc = {p.variable_name[0]: p for p in m.uncertainties}
    lev = {p.variable_name[0]: p for p in m.levers}
    assert isinstance(unc["integration.joint_venture_projects"], em.IntegerParameter)
    roo = lev["trade.rules_of_origin"]
    assert isinstance(roo, em.CategoricalParameter)
    assert [c.value for c in roo.categories] == ["status_quo", "geological_origin"]
    assert [c.value for c in lev["government.US.critical_fast_track"].categories] == [
        False,
        True,
    ]
    assert (lev["trade.row_tariff"].lower_bound, lev["trade.row_tariff"].upper_bound) == (0, 2)


@pytest.mark.parametrize(
    ("kw", "needle"),
    [
        ({"uncertainties": {"investors.nope": (0, 1)}}, "unknown parameter"),
        ({"uncertainties": {"investors.risk_aversion": (5, 5)}}, "empty range"),
        ({"levers": {"trade.rules_of_origin": ["status_quo", "atlantis"]}}, "atlantis"),
        ({"levers": ["government.US.state_reserved_minerals"]}, "no range"),
        ({"outcomes": ["nope.MX"]}, "unknown outcome"),
        ({"levers": {"investors.risk_aversion": (5, 6)}}, "both an uncertainty and a lever"),
    ],
)
def test_bad_declarations_raise_one_clear_error(kw, needle) -> None:
    with pytest.raises(ScenarioError, match=needle):
        abm.ema.model(**kw)


@pytest.mark.slow
def test_perform_experiments_then_prim_and_feature_scoring() -> None:
    """Small but real: 6 scenarios x 2 policies of 3-year runs through EMA, then EMA's PRIM
    (with a categorical lever) and feature scoring on the results."""
    ema = abm.ema.workbench()
    outcomes = ["investment_share.MX", "import_dependency.critical_mean.end"]
    m = abm.ema.model(
        uncertainties={"market.demand_growth_shift_frac_per_year": (-0.1, 0.2)},
        levers={"trade.rules_of_origin": None, "government.MX.royalty_rate": (0.05, 0.3)},
        outcomes=outcomes,
        years=3,
    )
    experiments, results = ema.perform_experiments(m, scenarios=6, policies=2)
    assert len(experiments) == 12
    assert set(results) == {abm.ema.ema_name(o) for o in outcomes}
    dep = results[abm.ema.ema_name("import_dependency.critical_mean.end")]
    assert np.isfinite(dep).all() and ((dep >= 0) & (dep <= 1)).all()
    x = abm.ema.inputs_frame(experiments)
    assert set(x.columns) == {
        "market.demand_growth_shift_frac_per_year",
        "trade.rules_of_origin",
        "government.MX.royalty_rate",
    }
    # the direction EMA's runs must show: faster demand growth, higher dependency
    shift = x["market.demand_growth_shift_frac_per_year"].to_numpy()
    assert np.corrcoef(shift, dep)[0, 1] > 0.5
    prim = abm.ema.workbench("analysis.prim")
    box = prim.Prim(x, dep > np.median(dep)).find_box()
    table = restrictions(box, len(box.peeling_trajectory) - 1)
    assert "market.demand_growth_shift_frac_per_year" in set(table.input)
    scores = abm.ema.workbench("analysis.feature_scoring").get_feature_scores_all(
        x, {k: v for k, v in results.items()}
    )
    assert isinstance(scores, pd.DataFrame)
    top = scores[abm.ema.ema_name("import_dependency.critical_mean.end")].idxmax()
    assert top == "market.demand_growth_shift_frac_per_year"


@pytest.mark.slow
def test_an_ema_script_with_integer_and_seed_uncertainties(tmp_path) -> None:
    """What an EMA user writes: an IntegerParameter (numpy integers), the seed as an
    uncertainty, outcome directions, save_results and `abm discover` on the archive; a
    misspelled lever in a Sample is refused with one line naming it."""
    ema = abm.ema.workbench()
    em = abm.ema.workbench("em_framework")
    dep, share = "import_dependency.critical_mean.end", "investment_share.MX"
    jv, growth = "integration.joint_venture_projects", "market.demand_growth_shift_frac_per_year"
    m = abm.ema.model(
        uncertainties={jv: (0, 6), growth: (-0.1, 0.3)},
        levers={"government.MX.royalty_rate": (0.05, 0.3)},
        outcomes=[share, dep],
        years=2,
        seed=(1, 10**6),
    )
    kinds = {o.name: o.kind for o in m.outcomes}
    assert kinds == {
        abm.ema.ema_name(dep): em.ScalarOutcome.MINIMIZE,
        abm.ema.ema_name(share): em.ScalarOutcome.INFO,
    }
    kw = {"uncertainty_sampling_kwargs": {"rng": 4}, "lever_sampling_kwargs": {"rng": 5}}
    experiments, results = ema.perform_experiments(m, scenarios=12, policies=2, **kw)
    assert experiments[abm.ema.ema_name(jv)].dtype.kind == "i"
    assert experiments["abm_seed"].nunique() == 12  # one seed per scenario
    # each EMA experiment is the run abm.run makes with the same values as Python numbers:
    # the numpy integer value and the numpy seed were taken, not dropped or refused
    for i in (0, 13):
        row = experiments.iloc[i]
        direct = abm.run(
            "baseline",
            seed=int(row["abm_seed"]),
            years=2,
            overrides={
                jv: int(row[abm.ema.ema_name(jv)]),
                growth: float(row[abm.ema.ema_name(growth)]),
                "government.MX.royalty_rate": float(row["government__MX__royalty_rate"]),
            },
            summary=False,
        )
        assert headline_outcomes(direct.timeseries)[dep] == results[abm.ema.ema_name(dep)][i]
    # saved as EMA saves, found by abm discover under dotted and EMA names alike
    archive = tmp_path / "ema_results.tar.gz"
    ema.save_results((experiments, results), str(archive))
    cut = float(np.median(results[abm.ema.ema_name(dep)]))
    args = ["discover", str(archive), "--outcome", abm.ema.ema_name(dep), "--threshold"]
    assert main([*args, f"{cut}", "--out", str(tmp_path / "disc")]) == 0
    meta = json.loads((tmp_path / "disc" / "discover.json").read_text())
    assert meta["discover"] == f"{dep} > {cut:g}" and meta["runs"] == 24
    assert set(meta["inputs"]) == {jv, growth, "government.MX.royalty_rate"}  # no ids, no seed
    # a misspelled lever: EMA passes no royalty rate; the run is refused, naming it
    bad = ema.Sample("typo", government__MX__royalty_rat=0.1)
    with pytest.raises(ema.EMAError) as refused:  # EMA wraps the model's error in its own
        ema.perform_experiments(m, scenarios=1, policies=[bad])
    cause = refused.value.__cause__
    assert isinstance(cause, ScenarioError) and "\n" not in str(cause)
    assert str(cause).startswith("abm.ema: missing input(s) government.MX.royalty_rate (")


def test_evaluate_refuses_unknown_and_missing_inputs() -> None:
    declared = ("government.MX.royalty_rate", "investors.risk_aversion")
    with pytest.raises(ScenarioError, match=r"^abm\.ema: unknown input\(s\) trade\.nope "):
        abm.ema.check_inputs({*declared, "trade.nope"}, set(declared))
    with pytest.raises(
        ScenarioError,
        match=r"missing input\(s\) investors\.risk_aversion; unknown input\(s\) x\.y",
    ):
        abm.ema.evaluate(
            "baseline", 1, 3, declared, **{"government.MX.royalty_rate": 0.1, "x.y": 1}
        )
    abm.ema.check_inputs(set(declared), set(declared))  # exactly the declared: no error


def test_a_seed_range_is_checked() -> None:
    with pytest.raises(ScenarioError, match="seed: empty range"):
        abm.ema.model(seed=(5, 5))
    with pytest.raises(ScenarioError, match="seed: must be a whole number"):
        abm.ema.model(seed=(-1, 5))

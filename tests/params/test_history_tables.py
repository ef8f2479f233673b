"""Observed exploration 2010-2024 and the dated policy timeline 2010-2025."""

from __future__ import annotations

import shutil

import pytest

from abm.params.history import (
    EXPLORATION_CSV,
    POLICY_CSV,
    load_exploration_observed,
    load_policy_timeline,
    policy_schedule,
)
from abm.params.scenario import ScenarioError
from abm.params.schema import PARAMS


@pytest.fixture(scope="module")
def expl():
    return load_exploration_observed()


@pytest.fixture(scope="module")
def policy():
    return load_policy_timeline()


def _val(df, year, country, basis):
    r = df[(df.year == year) & (df.country == country) & (df.basis == basis)]
    assert len(r) == 1, (year, country, basis)
    return r.iloc[0]


def test_exploration_covers_the_series_the_hindcast_needs(expl):
    cam = expl[expl.basis == "camimex_exploration_investment_usd"]
    assert set(cam.country) == {"MX"}
    assert {2012, 2014, 2016, 2017, 2018, 2019, 2020, 2023, 2024} <= set(cam.year)
    world = expl[expl.country == "WORLD"]
    assert set(world.year) == set(range(2010, 2025))
    assert _val(expl, 2012, "WORLD", "sp_nonferrous_budget_usd").exploration_usd == 21.5e9
    assert _val(expl, 2016, "WORLD", "sp_nonferrous_budget_usd").exploration_usd == 7.2e9
    assert (expl.source.str.len() > 20).all()


def test_conflicts_resolved_by_latest_revision(expl):
    nr = "nrcan_exploration_deposit_appraisal_cad"
    assert _val(expl, 2021, "CA", nr).exploration_cad == 3.8e9  # NRCan 2023 bulletin, not 3.6
    assert _val(expl, 2019, "CA", nr).exploration_cad == 2286.5e6  # final, not 2,087.3 prelim
    assert _val(expl, 2011, "CA", nr).exploration_cad == 4.2e9
    assert "CONFLICT" in _val(expl, 2021, "CA", nr).rule
    # definition conflict: excl. uranium (NRCan/MEG) kept over MEG incl. uranium (2.2bn)
    assert _val(expl, 2010, "CA", "sp_nonferrous_budget_usd").exploration_usd == 2032e6


def test_na_is_the_sum_of_its_countries_on_one_basis(expl):
    sp = "sp_nonferrous_budget_usd"
    for y in sorted(set(expl[(expl.country == "NA")].year)):
        total = sum(_val(expl, y, c, sp).exploration_usd for c in ("US", "MX", "CA"))
        assert _val(expl, y, "NA", sp).exploration_usd == pytest.approx(total, rel=1e-5)


def test_mexico_2012_2016_fall_and_world_fall(expl):
    cam = "camimex_exploration_investment_usd"
    mx = _val(expl, 2016, "MX", cam).exploration_usd / _val(expl, 2012, "MX", cam).exploration_usd
    assert mx == pytest.approx(401 / 1160, rel=1e-4)
    print(f"\nMX Camimex 2016/2012 = {mx:.3f}; world S&P 2016/2012 = {7.2 / 21.5:.3f}")


def test_policy_values_pass_the_parameter_declarations(policy):
    mapped = policy[policy.has_parameter]
    assert set(mapped.parameter) <= set(PARAMS)
    assert (policy.source.str.len() > 5).all()
    missing = policy[policy.parameter_status == "no_parameter_yet"]
    assert len(missing) >= 5 and missing.note.str.contains("NO PARAMETER").all()
    assert not policy[~policy.has_parameter].parameter_status.eq("mapped").any()


def test_policy_schedule_replays_mexico(policy):
    sched = {e["date"]: e["set"] for e in policy_schedule(policy, "2010-01")}
    assert sched["2010-01"]["government.MX.royalty_rate"] == 0.0
    assert sched["2014-01"]["government.MX.royalty_rate"] == 0.075
    assert sched["2014-01"]["government.MX.exploration_deduction_years"] == 10.0
    assert sched["2019-08"]["government.MX.new_concessions"] is False
    assert sched["2022-04"]["government.MX.state_reserved_minerals"] == ["lithium"]
    assert sched["2023-05"]["government.MX.concession_years"] == 30.0
    assert sched["2025-01"]["government.MX.royalty_rate"] == 0.085
    assert sched["2023-01"]["government.US.production_credit_frac"] == 0.10
    assert sched["2022-04"]["government.CA.critical_exploration_credit_frac"] == 0.30


def test_schedule_from_a_later_start_merges_earlier_changes(policy):
    sched = policy_schedule(policy, "2016-01")
    first = sched[0]
    assert first["date"] == "2016-01"
    assert first["set"]["government.MX.royalty_rate"] == 0.075  # the 2014 value, not 2010's


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        (
            "government.MX.royalty_rate,0.075",
            "government.MX.royalty_rate,1.5",
            r"value '1.5' for government.MX.royalty_rate",
        ),
        (
            "government.MX.royalty_rate,0.075",
            "government.MX.royalty_rte,0.075",
            r"parameter 'government.MX.royalty_rte' is not declared",
        ),
        (
            "2014-01,MX,government.MX.royalty_rate",
            "2014-13,MX,government.MX.royalty_rate",
            r"date: '2014-13' is not a month",
        ),
        (
            "2014-01,MX,government.MX.royalty_rate",
            "2014-01,CA,government.MX.royalty_rate",
            r"does not belong to country CA",
        ),
    ],
)
def test_bad_policy_rows_rejected(tmp_path, old, new, pattern):
    p = tmp_path / "policy.csv"
    shutil.copy(POLICY_CSV, p)
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ScenarioError, match=pattern) as exc:
        load_policy_timeline(p)
    assert str(exc.value).startswith(str(p)) and " row " in str(exc.value)


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        ("2012,MX,1160000000.0", "2009,MX,1160000000.0", r"year: 2009 is below 2010"),
        ("2012,MX,1160000000.0", "2012,FR,1160000000.0", r"country: unknown country 'FR'"),
        ("2012,MX,1160000000.0", "2012,MX,-1", r"exploration_usd: -1 is below 0"),
        ("2014,MX,856000000.0", "2012,MX,856000000.0", r"duplicate \(2012, 'MX', 'camimex"),
    ],
)
def test_bad_exploration_rows_rejected(tmp_path, old, new, pattern):
    p = tmp_path / "expl.csv"
    shutil.copy(EXPLORATION_CSV, p)
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ScenarioError, match=pattern) as exc:
        load_exploration_observed(p)
    assert str(exc.value).startswith(str(p))

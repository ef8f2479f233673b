"""Demand outlooks, quantities that clear, the rest of the world's response, the
inverse-demand feedback and processing built where it pays (issue 12).

Directional and size tests over paired seeds (common random numbers) with t intervals."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ci95, paired, runs

from abm.agents.rest_of_world import offer
from abm.demand import DemandPath, growth_by_year
from abm.model import MiningModel
from abm.params.demand import load_demand_outlook, world_growth
from abm.params.scenario import ScenarioError, load_scenario
from abm.params.schema import COUNTRIES, MINERALS
from abm.projects import Stage

BASE = load_scenario("baseline").values


def _annual_mean(ts, indicator, country, mineral, year):
    s = ts[
        (ts.indicator == indicator)
        & (ts.country == country)
        & (ts.mineral == mineral)
        & (ts.date.str.startswith(str(year)))
    ]
    return float(s.value.mean())


# --- demand outlooks ------------------------------------------------------------------------
def test_demand_path_compounds_the_outlook_growth_by_calendar_year():
    v = {**BASE, "market.demand_scenario": "nze"}
    path = DemandPath.from_values(v, 2025, 1, 120)
    g = world_growth(load_demand_outlook(), "nze", range(2025, 2035))
    expect = np.prod(1 + g, axis=0)  # ten full calendar years 2025-2034
    np.testing.assert_allclose(path.na_index[120], expect, rtol=1e-12)
    np.testing.assert_allclose(path.na_index[0], 1.0)


def test_years_outside_the_outlook_take_the_nearest_year():
    for outside, nearest in ((2010, 2024), (2040, 2035)):
        np.testing.assert_array_equal(
            growth_by_year("steps", [outside]), growth_by_year("steps", [nearest])
        )


def test_per_mineral_override_replaces_the_outlook_growth():
    ni = MINERALS.index("nickel")
    v = {**BASE, "market.demand_growth_frac_per_year.nickel": 0.05}
    path = DemandPath.from_values(v, 2025, 1, 120)
    assert path.na_index[120, ni] == pytest.approx(1.05**10)
    cu = MINERALS.index("copper")
    ref = DemandPath.from_values(BASE, 2025, 1, 120)
    assert path.na_index[120, cu] == ref.na_index[120, cu]  # others untouched


def test_override_reaches_the_model_and_bad_values_are_refused():
    ni = MINERALS.index("nickel")
    over = {
        "market.demand_growth_frac_per_year.nickel": 0.05,
        "market.na_demand_price_elasticity": 0,
    }
    m = MiningModel("baseline", rng=1, years=2, overrides=over)
    while m.running:
        m.step()
    got = m.market.demand_t[:, ni].sum() / m.minerals.consumption_t[:, ni].sum()
    assert got == pytest.approx(1.05**2, rel=1e-9)
    with pytest.raises(ScenarioError, match=r"market\.demand_growth_frac_per_year\.nickel"):
        load_scenario("baseline").with_overrides({"market.demand_growth_frac_per_year.nickel": 2.0})
    with pytest.raises(ScenarioError, match=r"market\.demand_scenario"):
        load_scenario("baseline").with_overrides({"market.demand_scenario": "boom"})


def test_nze_outlook_raises_2030_lithium_demand_above_steps():
    def lithium_2030(ts):
        return _annual_mean(ts, "demand_t", "NA", "lithium", 2030)

    d = paired(lithium_2030, {"market.demand_scenario": "nze"})
    ratio = d / np.array([lithium_2030(t) for t in runs()]) + 1.0
    mean, half = ci95(d)
    assert mean - half > 0
    # IEA GCMO 2024: NZE/STEPS world lithium growth 2025-2030 compounds to ~1.38; the short-run
    # price response moves NA demand a little around it.
    g = world_growth(load_demand_outlook(), "nze", range(2025, 2031)) / 1.0
    s = world_growth(load_demand_outlook(), "steps", range(2025, 2031))
    li = MINERALS.index("lithium")
    outlook = np.prod(1 + g[:, li]) / np.prod(1 + s[:, li])
    assert abs(ratio.mean() / outlook - 1) < 0.1


def test_demand_falls_with_the_delivered_price():
    """A 25% tariff raises the landed cost of imported minerals and lowers what is wanted by
    the short-run elasticity; zinc (not imported: North America refines more than it uses)
    is untouched."""
    li, au = MINERALS.index("graphite"), MINERALS.index("zinc")
    e = BASE["market.na_demand_price_elasticity"]
    base = MiningModel("baseline", rng=3, years=1)
    tariff = MiningModel("baseline", rng=3, years=1, overrides={"trade.row_tariff": 0.25})
    for m in (base, tariff):
        m.step()
    ratio = tariff.market.demand_t.sum(0) / base.market.demand_t.sum(0)
    landed = tariff.market.prices.landed / base.market.prices.landed
    assert ratio[li] == pytest.approx(landed[li] ** -e, rel=1e-9)
    assert ratio[li] < 0.99
    assert ratio[au] == pytest.approx(1.0)


# --- export restrictions that ration, a rest of the world that responds -----------------------
def test_offer_clears_by_price_below_the_cap_and_rations_above_it():
    v = {**BASE, "market.demand_elasticity": 0.5, "market.max_price_multiple": 5.0}
    small = offer(v, np.array([0.3]))
    assert small.price_multiple[0] == pytest.approx(0.7**-2)
    assert small.supply_frac[0] == 1.0
    big = offer(v, np.array([0.8]))  # uncapped multiple 25x: the cap binds
    assert big.price_multiple[0] == 5.0
    assert big.supply_frac[0] == pytest.approx(0.2 / 5.0**-0.5)


GRAPHITE_50 = {"trade.row_export_restriction.graphite": 0.5}


def test_graphite_restriction_cuts_consumption_and_raises_the_na_price():
    def consumption_2025(ts):
        return _annual_mean(ts, "consumption_t", "NA", "graphite", 2025)

    def price_2025(ts):
        s = ts[(ts.indicator == "price_usd_per_t") & (ts.country == "NA")]
        s = s[(s.mineral == "graphite") & s.date.str.startswith("2025")]
        return float(np.log(s.value).mean())

    mean, half = ci95(paired(consumption_2025, GRAPHITE_50))
    assert mean + half < 0
    base = np.mean([consumption_2025(t) for t in runs()])
    e = BASE["market.na_demand_price_elasticity"]
    share = 0.5 * 0.9  # 50% of the top supplier's 90% of world supply (USGS MCS 2025)
    expect_price = (1 - share) ** (-1 / BASE["market.demand_elasticity"])
    assert -mean / base == pytest.approx(1 - expect_price**-e, abs=0.05)
    lp, lh = ci95(paired(price_2025, GRAPHITE_50))
    assert lp - lh > np.log(2.0)  # world price x3.3 at elasticity 0.5, less other producers


def test_graphite_restriction_later_raises_na_exploration():
    """Since the sourced midstream (issue 24) the same restriction no longer raises North
    American graphite processing capacity: the announced anode plants (Novonix, Kellyton,
    Nouveau Monde) are built either way and treat all North American flake, so no ore is left
    for new plants (docs/model.md, midstream). Exploration still responds to the price."""

    def exploration_late(ts):
        s = ts[(ts.indicator == "exploration_usd") & (ts.country == "NA")]
        s = s[(s.mineral == "graphite") & (s.step > 24)]
        return float(s.value.sum())

    mean, half = ci95(paired(exploration_late, GRAPHITE_50))
    assert mean - half > 0


CRISIS = {"trade.row_export_restriction.gallium": 0.8}


def test_severe_restriction_rations_and_the_rest_of_the_world_responds():
    """80% of gallium's top supplier (98.7% of world supply) withheld: the world price hits its
    cap, the world rations, North America's delivered price rises to its scarcity cap over the
    landed cost and some demand goes unmet; other producers' response ends the rationing within
    a few years and brings the price down."""
    ga = "gallium"
    for ts in runs('{"trade.row_export_restriction.gallium": 0.8}', years=6, seeds=(1, 2, 3)):
        unmet_y1 = _annual_mean(ts, "unmet_demand_t", "NA", ga, 2025)
        unmet_y6 = _annual_mean(ts, "unmet_demand_t", "NA", ga, 2030)
        want_y1 = _annual_mean(ts, "demand_t", "NA", ga, 2025)
        assert unmet_y1 > 0.1 * want_y1
        assert unmet_y6 < 0.1 * unmet_y1
        p = ts[(ts.indicator == "price_usd_per_t") & (ts.mineral == ga) & (ts.step == 2)]
        na, row = (float(p[p.country == c].value.iloc[0]) for c in ("NA", "ROW"))
        assert na / row == pytest.approx(BASE["market.max_scarcity_multiple"], rel=0.05)
        w1 = _annual_mean(ts, "price_usd_per_t", "ROW", ga, 2025)
        w6 = _annual_mean(ts, "price_usd_per_t", "ROW", ga, 2030)
        assert w6 < 0.75 * w1


def test_restriction_decay_lowers_later_prices():
    def world_year4(ts):
        return float(np.log(_annual_mean(ts, "price_usd_per_t", "ROW", "gallium", 2028)))

    decay = {**CRISIS, "trade.row_restriction_decay_frac_per_year": 0.5}
    mean, half = ci95(paired(world_year4, decay, CRISIS, years=4, seeds=(1, 2, 3, 4)))
    assert mean + half < 0


def test_mexican_silver_expansion_lowers_the_world_silver_price_a_little():
    ag, mx = MINERALS.index("silver"), COUNTRIES.index("MX")
    ratios = []
    for seed in range(1, 6):
        models = [MiningModel("baseline", rng=seed, years=3) for _ in range(2)]
        book = models[1].projects
        mines = (book.stage == Stage.PRODUCTION) & (book.country == mx) & (book.mineral == ag)
        book.capacity_t[mines] *= 1.25  # a quarter more Mexican silver capacity
        prices = []
        for m in models:
            worlds = []
            while m.running:
                m.step()
                worlds.append(m.market.world_price[ag])
            prices.append(np.mean(np.log(worlds[12:])))
        ratios.append(prices[1] - prices[0])
    mean, half = ci95(np.array(ratios))
    assert mean + half < 0  # lower
    mx_share = models[0].minerals.production_t[mx, ag] / models[0].minerals.world_production_t[ag]
    bound = -np.log(1 + 0.25 * mx_share) / BASE["market.demand_elasticity"]
    assert mean > 1.5 * bound  # a little: no more than the full expansion's inverse demand


# --- processing as an investment; indicators --------------------------------------------------
def test_quantity_indicators_add_up():
    ts = runs()[0]
    last = ts[ts.step == ts.step.max()]

    def get(ind, country="NA"):
        s = last[(last.indicator == ind) & (last.country == country)]
        return s.set_index("mineral").value.reindex(MINERALS).to_numpy()

    np.testing.assert_allclose(get("consumption_t") + get("unmet_demand_t"), get("demand_t"))
    dep = np.divide(get("imports_t"), get("consumption_t"))
    np.testing.assert_allclose(get("import_dependency"), dep, atol=1e-12)
    by_country = sum(get("processing_capacity_t", c) for c in COUNTRIES)
    np.testing.assert_allclose(by_country, get("processing_capacity_t"))


def test_higher_country_risk_builds_less_processing():
    def processing_mx(ts):
        s = ts[(ts.indicator == "processing_capacity_t") & (ts.country == "MX")]
        return float(s[s.mineral != "all"].groupby("step").value.sum().iloc[-1])

    mean, half = ci95(
        paired(processing_mx, {"government.MX.country_risk_premium_frac": 0.06}, years=10)
    )
    assert mean + half < 0


def test_persistent_restriction_without_response_keeps_rationing_and_uses_all_own_supply():
    """Other producers do not respond: the world stays rationed, North America's delivered
    price stays above the landed cost every month (at its cap, with demand unmet, until a
    regional recovery circuit, the announced Clarksville gallium plant, comes on); what
    North America consumes of its own supply is all it has (nothing left unused while short).
    """
    ga = MINERALS.index("gallium")
    over = {**CRISIS, "trade.row_supply_response_frac": 0.0}
    m = MiningModel("baseline", rng=4, years=5, overrides=over)
    cap = m.values["market.max_scarcity_multiple"]
    while m.running:
        m.step()
        c = m.market.clearing
        if c.refined.own_t[:, ga].sum() == 0:
            assert c.scarcity_multiple[ga] == pytest.approx(cap)
            assert c.unmet_demand_t[:, ga].sum() > 0.1 * c.demand_t[:, ga].sum()
        assert c.scarcity_multiple[ga] > 1.0
        own = c.refined.own_t[:, ga].sum()  # refined at home (Clarksville, if built) + scrap
        used = c.consumption_t[:, ga].sum() - c.imports_t[ga]
        assert used == pytest.approx(own, rel=1e-9)
        assert c.feed.mine_t[:, ga].sum() == 0  # gallium is recovered at refineries, not mined


def test_longer_permits_lower_the_value_of_a_processing_plant():
    m = MiningModel("baseline", rng=1, years=1)
    m.step()
    rates = np.full(len(COUNTRIES), 0.08)
    no_scarcity = np.ones(len(MINERALS))
    short, long = (
        m.market._plant_value_index(m.values, np.full(len(COUNTRIES), b), no_scarcity, rates, rates)
        for b in (40.0, 120.0)
    )
    assert np.all(long < short)

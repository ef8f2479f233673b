"""The midstream (abm/midstream.py, abm/market.py): feed routing on known answers, the
accounting identities per country and stage in a run, the step-0 capacity from the plant table,
and the supply/demand split of a change in dependency."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ci95, paired

from abm.experiments.summary import dependency_split
from abm.midstream import allocate_feed, mined_dependency, share_refined
from abm.model import MiningModel
from abm.outcomes import value_weights
from abm.params.plants import load_plants, operating_capacity_t
from abm.params.schema import MINERALS

US, MX, CA = 0, 1, 2


def test_feed_goes_home_then_to_partners_then_abroad():
    # one mineral: US mines 100 and has a 40 t plant; Canada mines 10 and has a 50 t plant
    # (Trail); Mexico mines 30, no plant
    mine = np.array([[100.0], [30.0], [10.0]])
    plant = np.array([[40.0], [0.0], [50.0]])
    f = allocate_feed(mine, plant, np.array([1.0]))
    np.testing.assert_allclose(f.processing_feed_t[:, 0], [40.0, 0.0, 50.0])
    # 90 t of ore has no home plant (60 US, 30 MX); Canada has 40 t spare: shared 2:1
    np.testing.assert_allclose(f.partner_out_t[:, 0], [40 * 60 / 90, 40 * 30 / 90, 0.0])
    np.testing.assert_allclose(f.partner_in_t[:, 0], [0.0, 0.0, 40.0])
    np.testing.assert_allclose(f.concentrate_exports_t[:, 0], [60 - 80 / 3, 30 - 40 / 3, 0.0])
    assert f.concentrate_imports_t.sum() == 0


def test_spare_capacity_treats_imported_concentrate_as_offered():
    mine = np.array([[0.0], [0.0], [0.0]])
    plant = np.array([[10.0], [0.0], [0.0]])  # an anode plant on imported flake
    full = allocate_feed(mine, plant, np.array([1.0]))
    half = allocate_feed(mine, plant, np.array([0.5]))  # an export restriction abroad
    assert full.processing_feed_t[US, 0] == 10.0
    assert half.processing_feed_t[US, 0] == 5.0


def test_refined_sharing_home_first_then_partners_then_imports():
    demand = np.array([[100.0], [10.0], [10.0]])
    own = np.array([[50.0], [30.0], [0.0]])
    r = share_refined(demand, own, np.array([1e9]))
    np.testing.assert_allclose(r.home_t[:, 0], [50.0, 10.0, 0.0])
    # Mexico's surplus of 20 goes to the short US (50) and Canada (10) by their shortfall
    np.testing.assert_allclose(r.partner_in_t[:, 0], [20 * 50 / 60, 0.0, 20 * 10 / 60])
    np.testing.assert_allclose(r.consumption_t[:, 0], demand[:, 0])
    assert r.exports_t.sum() == 0
    np.testing.assert_allclose(r.imports_t.sum(), 120 - 80)


def test_mined_dependency_is_net_reliance_on_ore():
    c, q, s = np.array([100.0, 100.0, 0.0]), np.array([30.0, 150.0, 5.0]), np.array([20.0, 0, 0])
    np.testing.assert_allclose(mined_dependency(c, q, s), [0.5, 0.0, 0.0])


@pytest.fixture(scope="module")
def clearings():
    m = MiningModel("baseline", rng=3)
    out = [m.market.last_clearing()]
    for _ in range(36):
        m.step()
        out.append(m.market.last_clearing())
    return m, out


def test_step0_capacity_is_the_operating_plants(clearings):
    _, out = clearings
    np.testing.assert_array_equal(out[0].processing_capacity_t, operating_capacity_t(load_plants()))


def test_flows_add_up_per_country_and_stage(clearings):
    _, out = clearings
    for c in out:
        f, r = c.feed, c.refined
        ore = (
            f.mine_t
            + f.concentrate_imports_t
            + f.partner_in_t
            - f.partner_out_t
            - f.concentrate_exports_t
            + f.recovered_t
        )
        np.testing.assert_allclose(ore, f.processing_feed_t, rtol=1e-9, atol=1e-6)
        refined = (
            f.processing_feed_t
            + c.secondary_supply_t
            + c.imports_by_country_t
            + r.partner_in_t
            - r.partner_out_t
            - r.exports_t
        )
        np.testing.assert_allclose(refined, c.consumption_t, rtol=1e-9, atol=1e-6)
        # USMCA partner flows net to zero at each stage
        np.testing.assert_allclose(f.partner_in_t.sum(0), f.partner_out_t.sum(0), atol=1e-6)
        np.testing.assert_allclose(r.partner_in_t.sum(0), r.partner_out_t.sum(0), atol=1e-6)


def test_dependency_split_adds_up_and_separates_the_causes():
    c0, r0 = np.array([100.0]), np.array([40.0])
    # supply only: regional supply 40 -> 60 at the same consumption
    s, d = dependency_split(c0, r0, c0, np.array([60.0]))
    assert d[0] == 0.0 and s[0] == pytest.approx(-0.2)
    # demand only: consumption 100 -> 80 at the same regional supply (demand destroyed)
    s, d = dependency_split(c0, r0, np.array([80.0]), r0)
    assert s[0] == 0.0 and d[0] == pytest.approx((1 - 40 / 80) - (1 - 40 / 100))
    # both: the parts sum to the change
    c1, r1 = np.array([90.0]), np.array([55.0])
    s, d = dependency_split(c0, r0, c1, r1)
    assert s[0] + d[0] == pytest.approx(((1 - r1 / c1) - (1 - r0 / c0))[0])


def test_value_weights_sum_to_one_and_include_copper():
    w = value_weights()
    assert sum(w.values()) == pytest.approx(1.0)
    assert "copper" in w and "gallium" in w
    assert w["copper"] > w["gallium"]


def _weighted_dependency(ts, year: int = 2030) -> float:
    w = value_weights()
    end = ts[(ts.indicator == "import_dependency") & (ts.country == "NA")]
    end = end[end.date == f"{year}-12"].set_index("mineral").value
    return float(sum(wt * end[m] for m, wt in w.items()))


@pytest.mark.slow
def test_higher_utilisation_lowers_dependency_paired():
    """Plants running closer to nameplate refine more at home: the value-weighted refined
    dependency of 2030 falls (size: at least a tenth of a percentage point; direction)."""
    d = paired(
        _weighted_dependency,
        {"processing.utilisation_frac": 0.95},
        {"processing.utilisation_frac": 0.70},
    )
    mean, half = ci95(d)
    assert mean + half < -0.001, (mean, half)


def _ca_graphite_capacity(ts) -> float:
    s = ts[(ts.indicator == "processing_capacity_t") & (ts.country == "CA")]
    return float(s[s.mineral == "graphite"].value.mean())


@pytest.mark.slow
def test_an_announced_plant_is_built_when_it_pays_and_dropped_when_it_does_not():
    """Nouveau Monde's announced Becancour anode plant (44.1 kt, the only Canadian graphite
    plant in params/processing_plants.csv): under today's policy it pays and is built; with a
    10 pp higher Canadian risk premium it never pays and is dropped after the patience, so
    Canada's graphite capacity over the decade falls by most of the plant (paired seeds)."""
    adverse = {"government.CA.country_risk_premium_frac": 0.10}
    mean, half = ci95(paired(_ca_graphite_capacity, adverse))
    assert mean + half < -10_000, (mean, half)  # at least a quarter of the plant, on average
    m = MiningModel("baseline", rng=1, years=10, overrides=adverse)
    while m.running:
        m.step()
    assert not [a for a in m.market.announced if a.plant.plant_id == "nmg_becancour_graphite"]


def test_mexican_consumption_multiple_scales_demand_and_raises_dependency():
    """market.mx_consumption_multiple scales Mexico's 2024 consumption (a crude estimate, a
    declared uncertainty): doubled, Mexico consumes twice as much at the start, US and Canada
    are unchanged, and with the same regional supply North American copper dependency rises."""
    base = MiningModel("baseline", rng=2, years=1)
    more = MiningModel(
        "baseline", rng=2, years=1, overrides={"market.mx_consumption_multiple": 2.0}
    )
    c0, c1 = base.market.last_clearing(), more.market.last_clearing()
    np.testing.assert_allclose(c1.demand_t[MX], 2.0 * c0.demand_t[MX])
    np.testing.assert_allclose(c1.demand_t[[US, CA]], c0.demand_t[[US, CA]])
    cu = MINERALS.index("copper")
    # no more regional supply: the extra use is all imported, d1 = (d0 C0 + dC) / (C0 + dC)
    used0, extra = c0.consumption_t[:, cu].sum(), c0.consumption_t[MX, cu]
    expect = (c0.dependency_na[cu] * used0 + extra) / (used0 + extra)
    assert c1.dependency_na[cu] == pytest.approx(expect, rel=1e-9)

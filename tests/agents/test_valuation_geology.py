"""Exploration valuation sees the reserve-life cost shift of new deposits: within a country,
exploration moves toward minerals with a longer reserve life (cheaper new deposits), while
each country's total at the calibrated weights is kept."""

from __future__ import annotations

import json

import numpy as np
from conftest import ci95, paired, runs, value

from abm import MiningModel
from abm.agents import valuation
from abm.agents.valuation import JUNIOR, MAJOR
from abm.calibration import within_country_scale
from abm.params.schema import COUNTRIES, MINERALS

COST_KEY = "projects.unit_cost_reserve_life_elasticity"
MX = COUNTRIES.index("MX")
CU, AG = MINERALS.index("copper"), MINERALS.index("silver")


def _relative(model: MiningModel) -> np.ndarray:
    inputs = model.valuation_inputs()
    return valuation.relative_value(valuation.exploration_value(inputs), model.reference_value)


def test_valuation_reads_the_factorys_cost_shift() -> None:
    """One definition: the valuation's multiplier is the deposit factory's array, and a cell
    whose deposits are made dearer is worth less to explore."""
    model = MiningModel("baseline", rng=1, years=1, overrides={COST_KEY: 0.2})
    inputs = model.valuation_inputs()
    assert inputs.unit_cost_shift_frac is model.deposits.unit_cost_shift_frac
    value = valuation.exploration_value(inputs)
    shift = inputs.unit_cost_shift_frac.copy()
    shift[MX, CU] *= 1.1
    dearer = valuation.exploration_value(
        valuation.ValuationInputs(**{**inputs.__dict__, "unit_cost_shift_frac": shift})
    )
    assert (dearer[:, MX, CU] < value[:, MX, CU]).all()
    others = np.ones(shift.shape, dtype=bool)
    others[MX, CU] = False
    np.testing.assert_array_equal(dearer[:, others], value[:, others])


def test_the_start_keeps_each_countrys_total_and_favours_long_reserve_life() -> None:
    """At the start, with the shift on, Mexican copper (USGS reserve life ~8 x silver's) is
    worth more than on one cost curve and Mexican silver less, while each country's
    response-weighted total is what it is with the shift off."""
    on = MiningModel("baseline", rng=1, years=1, overrides={COST_KEY: 0.2})
    off = MiningModel("baseline", rng=1, years=1, overrides={COST_KEY: 0.0})
    rel_on, rel_off = _relative(on), _relative(off)
    np.testing.assert_array_equal(rel_off[rel_off > 0], 1.0)  # one curve: 1 everywhere valued
    assert rel_on[MAJOR, MX, CU] > 1.0 > rel_on[MAJOR, MX, AG]
    w, r = on.base_cell_weight, on.values["firms.npv_response"]
    for kind, power in ((MAJOR, r), (JUNIOR, 1.0)):
        totals = [(w * rel[kind] ** power).sum(1) for rel in (rel_on, rel_off)]
        np.testing.assert_allclose(totals[0], totals[1], rtol=1e-9)


def test_within_country_scale_keeps_the_power_mean() -> None:
    shifted = np.array([[[2.0, 0.5, 1.0]], [[2.0, 0.5, 1.0]]])
    flat = np.array([[[1.0, 1.0, 0.0]], [[1.0, 1.0, 0.0]]])  # the third cell is not valued
    weight = np.array([[0.25, 0.75, 0.5]])
    scale = within_country_scale(shifted, flat, weight, np.array([0.5, 1.0]))
    rel = shifted[..., :2] / flat[..., :2] / scale[..., None]
    np.testing.assert_allclose((weight[0, :2] * rel[0, 0] ** 0.5).sum(), 1.0)
    np.testing.assert_allclose((weight[0, :2] * rel[1, 0]).sum(), 1.0)
    geo = within_country_scale(shifted, flat, weight, np.array([0.0, 0.0]))
    np.testing.assert_allclose(geo, 2.0**0.25 * 0.5**0.75)


def _share_mx(mineral: str):
    def share(ts) -> float:
        """``mineral``'s share of Mexico's exploration over the run."""
        return value(ts, "exploration_usd", "MX", mineral) / value(ts, "exploration_usd", "MX")

    return share


def _total_mx(ts) -> float:
    return value(ts, "exploration_usd", "MX")


def test_a_cell_with_longer_reserve_life_attracts_more_exploration() -> None:
    """Paired seeds, three years: with the reserve-life elasticity at 0.2 rather than 0,
    Mexican copper (USGS reserve life 76 y) takes a larger share of Mexico's exploration and
    Mexican silver (5.9 y) a smaller one, each by at least 1% of its share (measured: copper
    about +25%); Mexico's total stays within 5%: exploration moves between minerals, not
    between countries."""
    on, off = {COST_KEY: 0.2}, {COST_KEY: 0.0}
    kw = {"years": 3}
    base = runs(json.dumps(off), **kw)

    def relative(metric) -> np.ndarray:
        return paired(metric, on, off, **kw) / np.array([metric(ts) for ts in base])

    cu, ag, total = (relative(f) for f in (_share_mx("copper"), _share_mx("silver"), _total_mx))
    (cu_m, cu_h), (ag_m, ag_h), (t_m, t_h) = ci95(cu), ci95(ag), ci95(total)
    assert cu_m - cu_h > 0.01, (cu_m, cu_h)
    assert ag_m + ag_h < -0.01, (ag_m, ag_h)
    assert abs(t_m) + t_h < 0.05, (t_m, t_h)  # copper's share moved by ~+25%

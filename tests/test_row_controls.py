"""The baseline holds China's 2023-2025 export controls in force (issue 24, item 9);
``no_row_controls`` is the counterfactual without them."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ci95, paired

from abm.model import MiningModel
from abm.params.data import load_minerals
from abm.params.scenario import load_scenario
from abm.params.schema import MINERALS

CONTROLLED = ("bismuth", "graphite", "rare_earths", "gallium", "germanium")


def test_baseline_has_the_controls_and_the_counterfactual_has_none():
    base = load_scenario("baseline").values
    none = load_scenario("no_row_controls").values
    for m in MINERALS:
        key = f"trade.row_export_restriction.{m}"
        assert none[key] == 0.0
        assert (base[key] > 0) == (m in CONTROLLED), m
    # the replay starts in 2010, before any of them
    hist = load_scenario("history_2010").values
    assert all(hist[f"trade.row_export_restriction.{m}"] == 0.0 for m in MINERALS)


def test_prices_of_2024_hold_the_controls_and_lifting_them_lowers_prices():
    """The 2024 prices already hold the controls in force (baseline's multiple is 1); without
    them the world price is lower by the restriction formula, (1 - r x top share)^(1/e)."""
    base = MiningModel("baseline", rng=1, years=1)
    none = MiningModel("no_row_controls", rng=1, years=1)
    share = load_minerals().row_top_share_frac
    e = base.values["market.demand_elasticity"]
    np.testing.assert_allclose(base.rest_of_world.price_multiple(), 1.0)
    for m in CONTROLLED:
        i = MINERALS.index(m)
        r = base.values[f"trade.row_export_restriction.{m}"]
        assert none.rest_of_world.price_multiple()[i] == pytest.approx(
            (1 - r * share[i]) ** (1 / e)
        )
        assert none.rest_of_world.price_multiple()[i] < 1.0


def _germanium_refined_t(ts) -> float:
    s = ts[(ts.indicator == "processing_feed_t") & (ts.country == "NA")]
    return float(s[(s.mineral == "germanium") & (s.step > 0)].value.mean())


@pytest.mark.slow
def test_the_controls_make_north_american_germanium_recovery_pay():
    """Under the controls germanium's price keeps the announced Clarksville recovery circuit
    worth building (value index above processing.announced_go_value_frac); without them its
    value is below it in almost every seed: more North American refined germanium over the
    decade with the controls than without (paired seeds)."""
    diff = paired(_germanium_refined_t, {}, {"trade.row_export_restriction.germanium": 0.0})
    mean, half = ci95(diff)
    assert mean - half > 0, (mean, half)
    assert np.isfinite(mean)

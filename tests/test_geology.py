"""Geology: a country with no known resource of a mineral discovers it rarely."""

from __future__ import annotations

import numpy as np

from abm import MiningModel
from abm.agents import decisions
from abm.calibration import known_resource
from abm.params.schema import COUNTRIES, MINERALS

MX, CA = COUNTRIES.index("MX"), COUNTRIES.index("CA")
NI = MINERALS.index("nickel")


def test_known_resources_follow_usgs_and_the_known_projects() -> None:
    model = MiningModel("baseline", rng=1, years=1)
    have = known_resource(model.minerals)
    assert not have[MX, NI] and not have[MX, MINERALS.index("rare_earths")]  # none listed
    assert have[CA, NI]  # reserves and output
    assert have[0, MINERALS.index("graphite")]  # no output or reserves, but Graphite One
    rare = model.values["exploration.no_resource_discovery_frac"]
    assert model.deposits.discovery_rate_frac[MX, NI] == rare < 1
    assert model.deposits.discovery_rate_frac[CA, NI] == 1.0


def test_a_country_with_no_known_resource_discovers_it_rarely() -> None:
    """The same spend finds Mexican nickel at the declared fraction of Canada's rate."""
    model = MiningModel("baseline", rng=3, years=1)
    v = model.values
    cost = model.cost_per_discovery_usd
    spend = np.zeros((1, len(COUNTRIES), len(MINERALS)))
    spend[0, MX, NI] = spend[0, CA, NI] = 2000 * cost  # 2,000 discoveries' worth each
    private = spend.sum(axis=0)
    found = decisions._discover(
        v,
        spend,
        private,
        np.zeros_like(private),
        cost,
        model.rng,
        model.deposits,
        0,
        np.full(len(COUNTRIES), 30.0),
    )
    rare = v["exploration.no_resource_discovery_frac"]
    ratio = found[MX, NI] / found[CA, NI]
    # Poisson counts near 2,000 and 200: the ratio is within 25% of the rate in any draw
    assert abs(ratio - rare) < 0.25 * rare, ratio

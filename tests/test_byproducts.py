"""By-products follow their host's output; recovery capacity is an investment a price spike
triggers; no pure by-product deposits are discovered."""

from __future__ import annotations

import json

import numpy as np
from conftest import ci95, paired, runs, value

from abm import MiningModel, byproducts
from abm.agents import decisions
from abm.params.schema import MINERALS
from abm.projects import Stage

ZN, GE, GA, BI, MO, PB, CU = (
    MINERALS.index(m)
    for m in ("zinc", "germanium", "gallium", "bismuth", "molybdenum", "lead", "copper")
)
US = 0
RESTRICTED = {"trade.row_export_restriction.bismuth": 0.8}


def test_hosts_are_the_usgs_hosts() -> None:
    model = MiningModel("baseline", rng=1, years=1)
    host = byproducts.host_index(model.minerals)
    assert host[GE] == ZN and host[GA] == ZN and host[BI] == PB and host[MO] == CU
    assert (host[[ZN, PB, CU]] == -1).all()
    # no exploration weight, hence no discoveries, of a by-product anywhere
    assert (model.base_cell_weight[:, [GE, GA, BI, MO]] == 0).all()


def test_zinc_output_moves_germanium_output() -> None:
    """A germanium circuit at US zinc: halving US zinc output halves its germanium."""
    model = MiningModel("baseline", rng=1, years=1)
    v, book, fa = model.values, model.projects, model.firm_arrays
    p = byproducts._add_circuit(v, book, US, GE, 0, 30.0, 1e8, model.minerals.price_usd_per_t[GE])
    book.stage[p] = Stage.PRODUCTION
    prices = model.market.prices

    def produce() -> np.ndarray:
        return decisions.produce(v, book, fa, model.fiscal, model.minerals, prices).production_t

    first = produce()
    assert first[US, GE] > 0
    zinc = (book.country == US) & (book.mineral == ZN) & (book.stage == Stage.PRODUCTION)
    book.capacity_t[zinc] *= 0.5
    second = produce()
    zinc_ratio = second[US, ZN] / first[US, ZN]
    assert np.isclose(zinc_ratio, 0.5, atol=0.02)  # (a mine may idle between the calls)
    assert np.isclose(second[US, GE] / first[US, GE], zinc_ratio)


def test_starting_byproducts_are_recovered_from_their_host() -> None:
    """Mexico's bismuth comes from its lead, US molybdenum beyond Climax and Henderson from
    its copper; the known primary mines (Climax, Henderson, NICO) are not host-scaled."""
    model = MiningModel("baseline", rng=1, years=1)
    book = model.projects
    prod = book.stage == Stage.PRODUCTION
    mx_bi = prod & (book.country == 1) & (book.mineral == BI)
    assert mx_bi.any() and book.host_scaled[mx_bi].all()
    us_mo = prod & (book.country == US) & (book.mineral == MO)
    primary = us_mo & ~book.host_scaled
    assert set(model.projects.known[primary]) == {
        i for i, r in _table().iterrows() if r.project_id in ("climax", "henderson")
    }
    assert book.capacity_t[us_mo & book.host_scaled].sum() > 0


def _table():
    from abm import known_assets

    return known_assets.known_table()


def _circuit_t(overrides: dict, seed: int, mineral: int = BI) -> float:
    """Capacity of recovery circuits of ``mineral`` built or being built after 5 years."""
    m = MiningModel("baseline", rng=seed, years=5, overrides=overrides)
    n0 = m.projects.n  # rows of the starting state
    while m.running:
        m.step()
    b = m.projects
    built = np.arange(b.n) >= n0
    new = built & b.host_scaled[: b.n] & (b.mineral[: b.n] == mineral)
    new &= b.stage_mask(Stage.CONSTRUCTION, Stage.PRODUCTION)[: b.n]
    return float(b.capacity_t[: b.n][new].sum())


def test_a_price_spike_triggers_recovery_capacity() -> None:
    """Rest-of-world bismuth withheld (80%) from the start: the price spikes past the
    trigger, and lead producers build bismuth recovery circuits at their mines in every seed
    (paired seeds; without the spike none are built)."""
    seeds = range(1, 7)
    diff = np.array([_circuit_t(RESTRICTED, s) - _circuit_t({}, s) for s in seeds])
    base = np.array([_circuit_t({}, s) for s in seeds])
    assert (diff > 0).all(), diff
    m, h = ci95(diff)
    assert m - h > 0
    assert (base == 0).all()


def _refined_germanium_t(ts) -> float:
    return value(ts, "processing_feed_t", "NA", "germanium", how="mean")


def test_germanium_and_gallium_come_from_refineries_not_mines() -> None:
    """Germanium withheld abroad (80%): no mine builds a germanium circuit (it is recovered
    from zinc refinery residues, USGS MCS 2025), so NA germanium mine output stays 0; the
    announced Clarksville recovery plant (30 t/yr) comes on in both runs, and what it recovers
    is bounded by the world rate times US zinc feed (about 2.7 t/yr), so the restriction
    cannot raise it: refined germanium is the same with and without, in every seed."""
    over = {"trade.row_export_restriction.germanium": 0.8}
    for ts in runs(json.dumps(over, sort_keys=True), years=5):
        assert value(ts, "production_t", "NA", "germanium", how="sum") == 0
        assert value(ts, "production_t", "NA", "gallium", how="sum") == 0
    diff = paired(_refined_germanium_t, over, years=5)
    base = np.array([_refined_germanium_t(ts) for ts in runs("{}", years=5)])
    assert (base > 0).all()  # Clarksville recovers germanium within the five years
    np.testing.assert_allclose(diff, 0.0, atol=1e-9 * base.max())
    model = MiningModel("baseline", rng=2, years=5, overrides=over)
    rate = byproducts.world_recovery_t_per_t(model.minerals, byproducts.host_index(model.minerals))
    while model.running:
        model.step()
        feed = model.market.clearing.feed
        assert (
            feed.processing_feed_t[:, GE] <= rate[GE] * feed.processing_feed_t[:, ZN] + 1e-9
        ).all()

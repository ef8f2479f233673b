"""Geology: a country with no known resource of a mineral discovers it rarely; deposit size
follows the country's known projects and unit cost its reserve life."""

from __future__ import annotations

import numpy as np
import pandas as pd
from conftest import SEEDS, ci95

from abm import MiningModel, deposits, known_assets
from abm.agents import decisions
from abm.calibration import known_resource
from abm.deposits import DepositFactory
from abm.params.schema import COUNTRIES, MINERALS
from abm.projects import ProjectBook, Stage

MX, CA = COUNTRIES.index("MX"), COUNTRIES.index("CA")
NI = MINERALS.index("nickel")
US = COUNTRIES.index("US")
CU, LI, AG = (MINERALS.index(x) for x in ("copper", "lithium", "silver"))
SIZE_KEY = "exploration.known_deposit_size_max_ratio"
COST_KEY = "projects.unit_cost_reserve_life_elasticity"


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


def _table(rows: list[tuple[str, str, str, str, bool, float]]) -> pd.DataFrame:
    cols = ["country", "mineral", "stage", "facility", "byproduct", "capacity_t_per_year"]
    return pd.DataFrame(rows, columns=cols)


def test_deposit_size_follows_the_median_of_two_or_more_known_projects_within_the_cap() -> None:
    """Synthetic table: a cell with 3 projects takes their median, one with a single project
    (or only producing mines, plants and by-product rows) keeps the output-based size, and the
    median is capped at ``max_ratio`` times that size."""
    table = _table(
        [
            ("US", "copper", "FEASIBILITY", "mine", False, 100.0),
            ("US", "copper", "PERMITTING", "mine", False, 300.0),
            ("US", "copper", "RESOURCE", "integrated", False, 200.0),
            ("US", "copper", "PRODUCTION", "mine", False, 9000.0),  # producing: not counted
            ("US", "lithium", "FEASIBILITY", "mine", False, 5000.0),  # only one
            ("US", "lithium", "APPROVED", "processing", False, 5000.0),  # a plant
            ("US", "lithium", "APPROVED", "mine", True, 5000.0),  # a by-product row
            ("MX", "copper", "FEASIBILITY", "mine", False, 1000.0),
            ("MX", "copper", "FEASIBILITY", "mine", False, 3000.0),  # median 2000 > 4 x 100
        ]
    )
    output_typical = np.full((len(COUNTRIES), len(MINERALS)), 100.0)
    size, uses = deposits.known_deposit_size_t(table, output_typical, 4.0)
    assert size[US, CU] == 200.0 and uses[US, CU]
    assert size[MX, CU] == 400.0 and uses[MX, CU]  # capped at 4 x 100
    assert size[US, LI] == 100.0 and not uses[US, LI]
    assert uses.sum() == 2 and (size[~uses] == 100.0).all()
    same, _ = deposits.known_deposit_size_t(table, output_typical, 1.0)
    assert (same == output_typical).all()  # ratio 1: today's output-based size


def test_model_deposit_sizes_per_cell_equal_the_rule() -> None:
    """With the rule on (ratio 4), each cell's typical deposit is the rule applied to the real
    table; the cells with >= 2 sourced non-producing projects (US and CA lithium, US and MX
    copper) move, every other cell keeps the output-based size of the model with it off."""
    on = MiningModel("baseline", rng=1, years=1, overrides={SIZE_KEY: 4.0})
    off = MiningModel("baseline", rng=1, years=1, overrides={SIZE_KEY: 1.0})
    want, uses = deposits.known_deposit_size_t(
        known_assets.known_table(), off.typical_capacity_t, 4.0
    )
    np.testing.assert_array_equal(on.typical_capacity_t, want)
    np.testing.assert_array_equal(on.typical_capacity_t[~uses], off.typical_capacity_t[~uses])
    moved = {(COUNTRIES[c], MINERALS[m]) for c, m in zip(*np.nonzero(uses), strict=True)}
    assert moved == {("US", "copper"), ("US", "lithium"), ("MX", "copper"), ("CA", "lithium")}
    assert (on.typical_capacity_t[uses] > off.typical_capacity_t[uses]).all()


def test_reserve_cost_shift_is_normalised_and_falls_with_reserve_life() -> None:
    life = np.array([[10.0, 40.0, np.nan]])
    weight = np.array([[0.5, 0.3, 0.2]])
    shift = deposits.reserve_cost_shift_frac(life, weight, 0.2)
    assert np.isclose(np.average(shift, weights=weight), 1.0, rtol=1e-12)
    assert shift[0, 1] < shift[0, 0]
    assert np.isclose(shift[0, 1] / shift[0, 0], 4.0**-0.2)
    assert (deposits.reserve_cost_shift_frac(life, weight, 0.0) == 1.0).all()


def test_factory_draws_cheaper_deposits_where_reserve_life_is_longer() -> None:
    """Paired seeds: the same draws in a 40-year and a 10-year reserve-life cell; the long-life
    cell's mean unit cost is lower by the declared elasticity's ratio (4^-0.2 = 0.758)."""
    model = MiningModel("baseline", rng=1, years=1)
    v = dict(model.values)
    shift = deposits.reserve_cost_shift_frac(np.array([[10.0, 40.0]]), np.array([[0.5, 0.5]]), 0.2)
    ratios, diffs = [], []
    for seed in SEEDS:
        means = []
        for m in (0, 1):
            rng = np.random.default_rng(seed)
            f = DepositFactory(ProjectBook(), v, model.minerals, rng, np.ones((1, 2)))
            f.unit_cost_shift_frac = shift
            means.append(f.unit_cost_frac(500, 0, m).mean())
        diffs.append(means[1] - means[0])
        ratios.append(means[1] / means[0])
    mean, hw = ci95(np.array(diffs))
    assert mean + hw < 0, (mean, hw)
    assert np.allclose(ratios, 4.0**-0.2)  # common random numbers: exactly the shift


def _cost_gap(model: MiningModel, long: tuple[int, int], short: tuple[int, int]) -> float:
    """Mean unit cost over base price of new (synthetic) deposits in ``long`` less ``short``."""
    b = model.projects
    price = model.minerals.price_usd_per_t[b.mineral]
    # not a starting mine (those are drawn against the netback, step 0, in production)
    new = (b.known == -1) & ((b.stage != int(Stage.PRODUCTION)) | (b.discovered_step != 0))
    frac = b.unit_cost_usd_per_t / price
    means = []
    for c, m in (long, short):
        sel = new & (b.country == c) & (b.mineral == m)
        means.append(frac[sel].mean())
    return means[0] - means[1]


def test_model_longer_reserve_life_cell_gets_cheaper_deposits() -> None:
    """Model level, paired seeds: with the elasticity on, new US copper deposits (reserve life
    ~43 y) are cheaper relative to Mexican silver ones (~6 y) than with one cost curve."""
    long, short = (US, CU), (MX, AG)
    diffs = []
    for seed in SEEDS[:6]:
        on = MiningModel("baseline", rng=seed, years=2, overrides={COST_KEY: 0.2})
        off = MiningModel("baseline", rng=seed, years=2, overrides={COST_KEY: 0.0})
        for mdl in (on, off):
            for _ in range(12):
                mdl.step()
        diffs.append(_cost_gap(on, long, short) - _cost_gap(off, long, short))
    mean, hw = ci95(np.array(diffs))
    assert mean + hw < 0, (mean, hw)


def test_the_start_and_first_year_do_not_depend_on_the_new_deposit_size_rule() -> None:
    """The starting pipeline keeps the output-based size, so the starting book and the
    first year's output and import dependency are the same to the bit with the rule on (4)
    and off (1): a deposit found in 2025 cannot produce in 2025."""
    on = MiningModel("baseline", rng=2, years=1, overrides={SIZE_KEY: 4.0})
    off = MiningModel("baseline", rng=2, years=1, overrides={SIZE_KEY: 1.0})
    assert (on.typical_capacity_t != off.typical_capacity_t).any()  # the rule is on
    b_on, b_off = on.projects, off.projects
    assert len(b_on) == len(b_off)
    np.testing.assert_array_equal(b_on.capacity_t, b_off.capacity_t)
    np.testing.assert_array_equal(b_on.capex_usd, b_off.capex_usd)
    for mdl in (on, off):
        for _ in range(12):
            mdl.step()
    np.testing.assert_array_equal(on.production_t, off.production_t)
    frames = [m.recorder.to_frame() for m in (on, off)]
    dep = [f[f.indicator == "import_dependency"].value.to_numpy() for f in frames]
    np.testing.assert_array_equal(dep[0], dep[1])


def _new_size_over_output_based(model: MiningModel, cells: np.ndarray, base: np.ndarray) -> float:
    """Mean capacity of the deposits discovered during the run in ``cells`` (C, M mask),
    each over its cell's output-based typical size ``base``."""
    b = model.projects
    new = (b.discovered_step > 0) & cells[b.country, b.mineral]
    return float((b.capacity_t[new] / base[b.country[new], b.mineral[new]]).mean())


def test_deposits_found_during_the_run_follow_the_known_projects() -> None:
    """Paired seeds, five years: deposits discovered in the four cells the rule moves (US and
    CA lithium, US and MX copper: known medians 1.4-4 x the output-based size) are larger with
    the rule on than off, where they average the output-based size (lognormal draw of mean 1)."""
    _, cells = deposits.known_deposit_size_t(
        known_assets.known_table(), np.ones((len(COUNTRIES), len(MINERALS))), 4.0
    )
    # the output-based size depends on 2024 output and the population scale, not the seed
    base = MiningModel("baseline", rng=1, years=1, overrides={SIZE_KEY: 1.0}).typical_capacity_t
    diffs, on_means = [], []
    for seed in SEEDS[:6]:
        sizes = []
        for ratio in (4.0, 1.0):
            mdl = MiningModel("baseline", rng=seed, years=5, overrides={SIZE_KEY: ratio})
            for _ in range(60):
                mdl.step()
            sizes.append(_new_size_over_output_based(mdl, cells, base))
        diffs.append(sizes[0] - sizes[1])
        on_means.append(sizes[0])
    mean, hw = ci95(np.array(diffs))
    assert mean - hw > 0, (mean, hw)
    assert 1.4 < np.mean(on_means) < 4.0, on_means  # between the smallest and largest shift

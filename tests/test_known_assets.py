"""The real asset base: known producers start as themselves, the known pipeline at its stage
and dates, government support by the declared rule, selection by the simulation's start."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SEEDS, runs

from abm import MiningModel, known_assets
from abm.params.schema import COUNTRIES, MINERALS
from abm.projects import DEVELOPMENT_STAGES as DEVELOPMENT
from abm.projects import Stage

TABLE = known_assets.known_table()


def _rows(model: MiningModel, project_id: str, mineral: str | None = None) -> np.ndarray:
    ids = TABLE.index[(TABLE.project_id == project_id)]
    if mineral:
        ids = ids[TABLE.loc[ids, "mineral"] == mineral]
    return np.flatnonzero(np.isin(model.projects.known, ids))


@pytest.fixture(scope="module")
def start() -> MiningModel:
    return MiningModel("baseline", rng=1, years=1)


@pytest.mark.parametrize(
    ("project_id", "mineral", "t"),
    [
        ("mountain_pass", "rare_earths", 45_000.0),  # 45,455 t scaled to USGS's 45,000 t
        ("red_dog", "zinc", 555_600.0),
        ("voisey_s_bay", "nickel", 45_000.0),
        ("fresnillo_plc_silver_operations", "silver", 1_751.13),
        ("penasquito", "silver", 864.677),
    ],
)
def test_known_producers_start_as_themselves(start, project_id, mineral, t) -> None:
    book = start.projects
    (p,) = _rows(start, project_id, mineral)
    assert book.stage[p] == Stage.PRODUCTION
    assert np.isclose(book.capacity_t[p], t, rtol=1e-6)
    life = start.values["calibration.known_mine_life_left_years"]
    assert book.life_left_years[p] == life


def test_synthetic_mines_fill_only_the_remainder(start) -> None:
    book = start.projects
    prod = book.stage == Stage.PRODUCTION
    for c, m in zip(*np.nonzero(start.minerals.production_t), strict=True):
        cell = prod & (book.country == c) & (book.mineral == m)
        total = book.capacity_t[cell].sum()
        assert np.isclose(total, start.minerals.production_t[c, m]), (COUNTRIES[c], MINERALS[m])
    us_ree = prod & (book.country == 0) & (book.mineral == MINERALS.index("rare_earths"))
    assert (book.known[us_ree] >= 0).all()  # Mountain Pass is all of US rare earths


def test_known_pipeline_holds_the_real_projects_at_their_stage(start) -> None:
    book = start.projects
    for project_id, stage in [
        ("thacker_pass", Stage.CONSTRUCTION),
        ("rhyolite_ridge", Stage.APPROVED),
        ("graphite_one", Stage.FEASIBILITY),
        ("tamarack_nickel_project", Stage.PERMITTING),
        ("nico", Stage.APPROVED),
        ("nouveau_monde_graphite_phase_2", Stage.FEASIBILITY),
    ]:
        (p,) = _rows(start, project_id)
        assert book.stage[p] == stage, project_id


def test_government_support_follows_the_declared_rule(start) -> None:
    book, v = start.projects, start.values
    (thacker,) = _rows(start, "thacker_pass")  # DOE loan $2.26bn on $2.93bn capex
    debt = min(2.26e9 / 2.93e9, 1 - v["firms.equity_frac_of_capex"])
    cut = debt * v["supply.support_loan_rate_cut_frac"]
    assert np.isclose(book.rate_reduction_frac[thacker], cut) and cut > 0
    assert book.capex_usd[thacker] == 2.93e9  # a loan does not lower capex
    (sw_ark,) = _rows(start, "south_west_arkansas")  # DOE grant $225M: capex less the grant
    assert book.rate_reduction_frac[sw_ark] == 0.0
    twin = MiningModel("baseline", rng=1, years=1, overrides={"simulation.start": "2012-01"})
    (sw_2012,) = _rows(twin, "south_west_arkansas")
    assert twin.projects.rate_reduction_frac[_rows(twin, "thacker_pass")[0]] == 0.0
    del sw_2012  # its capex is drawn (no sourced capex): compare the support term directly
    assert known_assets.support_terms(v, 225e6, "doe_grant", 1e9) == (0.0, 1e9 - 225e6)
    assert known_assets.support_terms(v, 2e9, "dod_award", 1e9) == (0.0, 0.5e9)


def test_canadian_support_in_cad_is_converted_and_applied(start) -> None:
    """Strange Lake's C$175M of federal loans (2025, at the 2024 Bank of Canada average
    1.3698) cut its discount rate by the debt share it finances; NMG phase 2's C$50M equity
    (Dec 2024) lowers its sourced $1.326bn capex by US$36.5M; a start before the table year
    applies neither."""
    book, v = start.projects, start.values
    (strange,) = _rows(start, "strange_lake")
    support = 175e6 / 1.3698
    debt = min(support / book.capex_usd[strange], 1 - v["firms.equity_frac_of_capex"])
    assert np.isclose(
        book.rate_reduction_frac[strange], debt * v["supply.support_loan_rate_cut_frac"]
    )
    assert book.rate_reduction_frac[strange] > 0
    (nmg,) = _rows(start, "nouveau_monde_graphite_phase_2")
    assert np.isclose(book.capex_usd[nmg], 1.326e9 - 50e6 / 1.3698)
    early = MiningModel("baseline", rng=1, years=1, overrides={"simulation.start": "2012-01"})
    (nmg_2012,) = _rows(early, "nouveau_monde_graphite_phase_2")
    assert early.projects.capex_usd[nmg_2012] == 1.326e9


def test_loan_support_raises_the_projects_npv(start) -> None:
    (p,) = _rows(start, "rhyolite_ridge")
    idx = np.array([p])
    with_loan = start.project_npv(idx)[0]
    start.projects.rate_reduction_frac[p] = 0.0
    without = start.project_npv(idx)[0]
    assert with_loan > without


def test_selection_follows_the_simulation_start_year() -> None:
    """A 2012 start: mines that started later (Eagle 2014, North American Lithium 2023, Keno
    Hill 2023) are not producing at the start; they are in the pipeline instead."""
    model = MiningModel("baseline", rng=2, years=1, overrides={"simulation.start": "2012-01"})
    book = model.projects
    for project_id in ("eagle_mine_humboldt_mill", "north_american_lithium", "keno_hill"):
        rows = _rows(model, project_id)
        assert len(rows) >= 1 and (book.stage[rows] < Stage.PRODUCTION).all(), project_id
    (eagle,) = _rows(model, "eagle_mine_humboldt_mill", "nickel")
    assert book.stage[eagle] == Stage.CONSTRUCTION  # due mid-2014: under construction
    assert np.isclose(book.timer[eagle], 30.0)  # produces from 2014-06
    for project_id in ("mountain_pass", "red_dog", "voisey_s_bay"):
        assert (book.stage[_rows(model, project_id)] == Stage.PRODUCTION).all()


def test_a_known_project_produces_at_its_announced_start_when_finance_allows() -> None:
    """Thacker Pass, under construction (financed, DOE loan), produces from June 2027 in every
    seed; Rhyolite Ridge, approved with its DOE loan, produces from June 2028 when its owner
    can fund the equity at once (the test gives it the cash)."""
    for seed in SEEDS:
        model = MiningModel("baseline", rng=seed, years=5)
        book, fa = model.projects, model.firm_arrays
        (thacker,) = _rows(model, "thacker_pass")
        (rhyolite,) = _rows(model, "rhyolite_ridge")
        fa.cash_usd[book.owner[rhyolite]] += book.capex_usd[rhyolite]
        npv = model.project_npv(np.array([rhyolite]))[0]
        for _ in range(model.n_steps):
            model.step()
        assert model.date == "2029-12"
        assert book.production_step[thacker] == 30, seed  # step 30 = 2027-06
        if npv > 0:
            assert book.production_step[rhyolite] == 42, seed  # 2028-06
        else:  # the owner holds a project worth less than nothing at today's prices
            assert book.production_step[rhyolite] in (-1, *range(43, 61)), seed


def _na_output_by_year(ts) -> dict[str, np.ndarray]:
    p = ts[(ts.indicator == "production_t") & (ts.country == "NA") & (ts.step > 0)]
    years = p.date.str[:4]
    return {
        m: p[p.mineral == m].groupby(years[p.mineral == m]).value.mean().to_numpy()
        for m in MINERALS
    }


def _pipeline_t(model: MiningModel) -> np.ndarray:
    """(M,) NA capacity of every project in development at the start (known and synthetic)."""
    book = model.projects
    dev = book.stage_mask(*DEVELOPMENT, Stage.CONSTRUCTION)
    return np.bincount(book.mineral[dev], weights=book.capacity_t[dev], minlength=len(MINERALS))


def test_every_mineral_keeps_a_plausible_band_through_a_no_policy_decade() -> None:
    """Every mineral NA produced in 2024, every year 2025-2034, every seed 1-8: annual output
    within [0.5 x 2024, 2 x 2024 + the seed's starting development pipeline].

    Lower bound: known producers have lives beyond the decade and only idle on a sustained
    price fall below cost (a no-policy decade has none beyond the noise), so output does not
    halve. Upper bound: with discovery to production ~15.7 years (S&P 2023), discoveries made
    in the run add little within a decade (at most the 2024 output again); the rest of any
    growth must come from projects already in development at the start. (First stated with
    the known pipeline only; one seed's US rare earths exceeded it through two synthetic
    starting-pipeline projects, which are part of the start state, so the bound counts them.)"""
    for seed, ts in zip(SEEDS, runs(), strict=True):
        model = MiningModel("baseline", rng=seed, years=1)
        base = model.minerals.production_t.sum(axis=0)
        pipe = _pipeline_t(model)
        out = _na_output_by_year(ts)
        for i, (m, q) in enumerate(zip(MINERALS, base, strict=True)):
            if q <= 0:
                continue
            lo, hi = 0.5 * q, 2 * q + pipe[i]
            assert len(out[m]) == 10
            assert (out[m] >= lo).all() and (out[m] <= hi).all(), (seed, m, out[m] / q)


def test_an_idle_known_mine_with_a_size_starts_on_care_and_maintenance(monkeypatch) -> None:
    """With a sourced size (hypothetical: 200,000 t/yr for St. Lawrence, which the sources do
    not give), an idle known mine starts idle: no step-0 output (Canada produced no fluorspar
    in 2024), counted on care and maintenance, its cost between the 2024 price and the
    restart threshold."""
    row = TABLE[TABLE.project_id == "st_lawrence_fluorspar_mine"].iloc[0]
    ca, fl = COUNTRIES.index("CA"), MINERALS.index("fluorspar")
    rec = {**row.to_dict(), "index": int(row.name), "c": ca, "m": fl, "t_per_year": 2e5}
    monkeypatch.setattr(known_assets, "idle_records", lambda year: {(ca, fl): (rec,)})
    model = MiningModel("baseline", rng=1, years=1)
    book = model.projects
    (p,) = _rows(model, "st_lawrence_fluorspar_mine")
    assert book.idle[p] and book.stage[p] == Stage.PRODUCTION and book.capacity_t[p] == 2e5
    assert model.production_t[ca, fl] == 0.0
    margin = model.values["projects.restart_margin_frac"]
    ratio = book.unit_cost_usd_per_t[p] / model.minerals.price_usd_per_t[fl]
    assert 1.0 <= ratio <= 1.0 + margin
    model.step()
    frame = model.recorder.to_frame()
    idle = frame[(frame.indicator == "mines_on_care_and_maintenance") & (frame.country == "CA")]
    assert idle[idle.step == 1].value.iloc[0] >= 1


def test_unknown_cells_keeps_synthetic_late_projects_out_of_known_cells() -> None:
    """calibration.synthetic_late_pipeline = "unknown_cells" (evaluated, not adopted:
    docs/validation.md "The starting pipeline's late stages"): a cell with a known project in
    development gets no synthetic permitting or construction project; with "all" some do."""

    def synthetic_late_in_known_cells(choice: str) -> int:
        over = {"calibration.synthetic_late_pipeline": choice}
        b = MiningModel("baseline", rng=3, years=1, overrides=over).projects
        dev = (b.known >= 0) & b.stage_mask(*DEVELOPMENT, Stage.CONSTRUCTION)
        known = set(zip(b.country[dev].tolist(), b.mineral[dev].tolist(), strict=True))
        late = (b.known < 0) & ~b.host_scaled & b.stage_mask(Stage.PERMITTING, Stage.CONSTRUCTION)
        cells = zip(b.country[late].tolist(), b.mineral[late].tolist(), strict=True)
        return sum(cell in known for cell in cells)

    assert synthetic_late_in_known_cells("unknown_cells") == 0
    assert synthetic_late_in_known_cells("all") > 0

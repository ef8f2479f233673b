"""A known mine's co-product rows (Red Dog lead and silver) idle and restart with the mine."""

from __future__ import annotations

import numpy as np

from abm import MiningModel, known_assets
from abm.agents.decisions import care_and_maintenance
from abm.params.schema import MINERALS

TABLE = known_assets.known_table()


def _red_dog(model: MiningModel) -> tuple[int, np.ndarray]:
    """Red Dog's zinc row and its lead and silver co-product rows in the book."""
    book = model.projects
    rows = np.flatnonzero(np.isin(book.known, TABLE.index[TABLE.project_id == "red_dog"]))
    by = TABLE.loc[book.known[rows], "byproduct"].to_numpy(bool)
    (zinc,) = rows[~by]
    return int(zinc), rows[by]


def test_co_product_rows_point_at_their_primary_row() -> None:
    model = MiningModel("baseline", rng=1, years=1)
    zinc, co = _red_dog(model)
    book = model.projects
    assert len(co) == 2 and (book.primary[co] == zinc).all()
    assert book.primary[zinc] == -1
    assert {MINERALS[m] for m in book.mineral[co]} == {"lead", "silver"}


def test_co_products_idle_and_restart_with_the_mine_not_on_their_own_margin() -> None:
    """Zinc losing money for the idling threshold takes lead and silver (profitable) with it;
    lead losing on its own does not idle it while zinc pays; a zinc restart (after the
    minimum time idle) restarts both."""
    model = MiningModel("baseline", rng=3, years=1)
    v, book, fa = model.values, model.projects, model.firm_arrays
    zinc, co = _red_dog(model)
    rows = np.concatenate([[zinc], co])
    zn, pb = MINERALS.index("zinc"), MINERALS.index("lead")
    cost = book.unit_cost_usd_per_t
    rich = np.full(len(MINERALS), 10 * cost[rows].max())  # every row covers its cost
    lead_loss = rich.copy()
    lead_loss[pb] = 0.5 * cost[rows][book.mineral[rows] == pb][0]
    after = int(v["projects.care_maintenance_after_months"])
    for _ in range(after + 2):
        assert care_and_maintenance(v, book, fa, rows, lead_loss, lead_loss).all()
    zinc_loss = rich.copy()
    zinc_loss[zn] = 0.5 * cost[zinc]
    for _ in range(after):
        running = care_and_maintenance(v, book, fa, rows, zinc_loss, zinc_loss)
    assert not running.any() and book.idle[rows].all()
    # idle at least the minimum time, then restart with zinc
    for _ in range(int(v["projects.care_maintenance_min_months"]) - 1):
        running = care_and_maintenance(v, book, fa, rows, rich, rich)
        assert not running.any() and book.idle[rows].all()
    running = care_and_maintenance(v, book, fa, rows, rich, rich)
    assert running.all() and not book.idle[rows].any()

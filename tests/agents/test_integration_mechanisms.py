"""Crisis fast track, joint ventures and the strategic-reserve floor: direction and size."""

from __future__ import annotations

import numpy as np
import pytest

from abm import MiningModel
from abm.params.schema import MINERALS
from abm.projects import Stage

GRAPHITE, COPPER = MINERALS.index("graphite"), MINERALS.index("copper")


def _queue(model: MiningModel, mineral: int, n: int, applied: int) -> np.ndarray:
    idx = model.new_projects(0, mineral, np.zeros(n, dtype=int), stage=Stage.PERMITTING)
    model.projects.applied_step[idx] = applied
    return idx


def _model(**over) -> MiningModel:
    model = MiningModel("baseline", rng=1, overrides=over)
    book = model.projects
    book.stage[book.stage == Stage.PERMITTING] = Stage.DROPPED
    return model


def test_fast_track_puts_critical_first_with_short_review() -> None:
    over = {
        "government.US.critical_fast_track": True,
        "government.US.permit_review_months": 54.0,
        "government.US.fast_track_review_months": 6.0,
        "government.US.permit_capacity_per_year": 24.0,
    }
    model = _model(**over)
    us = model.governments[0]
    old = _queue(model, COPPER, 3, applied=-100)  # older, not critical
    new = _queue(model, GRAPHITE, 3, applied=-7)  # younger, critical
    order = us.queue()
    assert list(order[:3]) == list(new) and list(order[3:]) == list(old)
    assert list(us.review_months(new)) == [6.0] * 3
    assert list(us.review_months(old)) == [54.0] * 3
    waits = us.expected_waits_months()
    assert waits[GRAPHITE] == 6.0  # 3 ahead at 2 a month: the review binds
    assert waits[COPPER] == 54.0
    us.decision_credit = 10.0
    us.process_permits(
        model.steps, model.rng
    )  # capacity 2 a month (+ credit): critical ones decided first
    decided = model.projects.stage[new] != Stage.PERMITTING
    assert decided.all() and (model.projects.stage[old] != Stage.PERMITTING).all()


def test_without_fast_track_order_is_by_age() -> None:
    model = _model()
    us = model.governments[0]
    old = _queue(model, COPPER, 2, applied=-100)
    new = _queue(model, GRAPHITE, 2, applied=-7)
    assert list(us.queue()) == [*old, *new]
    assert np.all(us.expected_waits_months() == us.expected_wait_months())


def test_joint_ventures_are_designated_up_to_target_and_lower_the_discount_rate() -> None:
    model = MiningModel("baseline", rng=3, overrides={"integration.joint_venture_projects": 4})
    chosen = model.designate_joint_ventures()
    book = model.projects
    assert len(chosen) == 4 and book.joint_venture.sum() == 4
    assert model.minerals.critical[book.mineral[chosen]].all()
    assert len(model.designate_joint_ventures()) == 0  # target reached
    npv_jv = model.project_npv(chosen)
    book.joint_venture[chosen] = False
    npv_plain = model.project_npv(chosen)
    assert np.all(npv_jv > npv_plain)  # 2 pp lower discount rate
    book.stage[chosen[0]] = Stage.DROPPED
    book.joint_venture[chosen] = True
    assert len(model.designate_joint_ventures()) == 1  # a dropped JV is replaced


def test_reserve_floor_raises_received_price_and_costs_the_government() -> None:
    over = {
        "trade.strategic_reserve_minerals": ["graphite"],
        "trade.strategic_reserve_floor_frac": 1.5,
    }
    floor = MiningModel("baseline", rng=4, overrides=over)
    plain = MiningModel("baseline", rng=4)
    for m in (floor, plain):
        m.step()
    base = floor.market.base_price[GRAPHITE]
    assert floor.market.received_price[GRAPHITE] == pytest.approx(1.5 * base)
    assert floor.market.expected_price[GRAPHITE] >= 1.5 * base
    assert plain.market.received_price[GRAPHITE] < 1.5 * base
    assert floor.market.floor_top_up_usd_per_t[GRAPHITE] > 0
    assert floor.market.floor_top_up_usd_per_t[COPPER] == 0
    assert floor.flows.government_revenue_usd.sum() < plain.flows.government_revenue_usd.sum()
    assert floor.flows.production.reserve_top_up_usd.sum() > 0

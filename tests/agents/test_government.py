"""The permitting office: capacity-limited FIFO queue with a minimum review time."""

from __future__ import annotations

import numpy as np

from abm.model import MiningModel
from abm.projects import Stage


def _fresh_queue(model: MiningModel, country: int, n: int) -> np.ndarray:
    book = model.projects
    book.stage[book.stage == Stage.PERMITTING] = Stage.DROPPED
    idx = model.new_projects(country, 4, np.zeros(n, dtype=int), stage=Stage.PERMITTING)
    book.applied_step[idx] = model.steps
    return idx


def test_decisions_wait_for_review_and_respect_capacity():
    model = MiningModel(
        "baseline",
        rng=1,
        overrides={
            "government.CA.permit_review_months": 6.0,
            "government.CA.permit_capacity_per_year": 12.0,
            "government.CA.permit_approval_frac": 1.0,
        },
    )
    gov = model.governments[2]
    idx = _fresh_queue(model, 2, 10)
    book = model.projects
    for _ in range(5):
        model.steps += 1
        gov.process_permits(model.steps, model.rng)
    assert np.all(book.stage[idx] == Stage.PERMITTING)  # under review: nothing decided
    decided = []
    for _ in range(6):
        model.steps += 1
        gov.process_permits(model.steps, model.rng)
        decided.append(int((book.stage[idx] == Stage.APPROVED).sum()))
    # one a month (capacity 12 a year), oldest first
    assert decided[-1] - decided[0] == 5
    assert max(np.diff(decided)) == 1


def test_expected_wait_grows_with_backlog_over_capacity():
    model = MiningModel(
        "baseline",
        rng=1,
        overrides={
            "government.US.permit_review_months": 12.0,
            "government.US.permit_capacity_per_year": 6.0,
        },
    )
    gov = model.governments[0]
    _fresh_queue(model, 0, 3)
    assert gov.expected_wait_months() == 12.0  # review binds
    _fresh_queue(model, 0, 30)
    assert gov.expected_wait_months() == 60.0  # 30 ahead at 0.5 a month


def test_adverse_change_raises_policy_uncertainty_more_than_favourable():
    model = MiningModel("baseline", rng=1)
    mx = model.governments[1]
    mx.policy_changed([("government.MX.royalty_rate", 0.085, 0.12)])
    adverse = mx.uncertainty_frac
    mx.uncertainty_frac = 0.0
    mx.policy_changed([("government.MX.royalty_rate", 0.085, 0.05)])
    favourable = mx.uncertainty_frac
    assert adverse == 0.01
    assert favourable == 0.01 * 0.25
    mx.uncertainty_frac = 0.0
    package = [
        ("government.MX.royalty_rate", 0.085, 0.12),
        ("government.MX.precious_metals_duty", 0.01, 0.02),
        ("government.MX.new_concessions", True, False),
        ("government.MX.concession_years", 30.0, 50.0),  # favourable, inside an adverse package
    ]
    mx.policy_changed(package)
    assert mx.uncertainty_frac == 0.01  # one premium per package, not per lever
    mx.uncertainty_frac = adverse
    for _ in range(24):
        mx.decay_uncertainty()
    assert mx.uncertainty_frac == np.float64(0.005) or abs(mx.uncertainty_frac - 0.005) < 1e-12

"""numpy scalars (what EMA Workbench, SALib and pandas rows deliver) are accepted wherever a
Python number or bool is: parameter values, years and seeds, with the same result."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import abm
from abm.params.scenario import ScenarioError, check_seed, validate_value


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("integration.joint_venture_projects", np.int64(0), 0),
        ("integration.joint_venture_projects", np.float64(3.0), 3),
        ("simulation.years", np.int32(2), 2),
        ("government.MX.royalty_rate", np.float32(0.125), 0.125),  # exact in float32
        ("government.MX.royalty_rate", np.int64(0), 0.0),
        ("government.US.critical_fast_track", np.bool_(True), True),
    ],
)
def test_numpy_scalars_are_the_numbers_they_hold(key, value, expected) -> None:
    got = validate_value(key, value, "x")
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(
    ("key", "value", "needle"),
    [
        ("integration.joint_venture_projects", np.float64(1.5), "whole number"),
        ("government.MX.royalty_rate", np.float32("inf"), "finite number"),
        ("government.MX.royalty_rate", np.bool_(True), "must be a number"),
        ("government.US.critical_fast_track", np.int64(1), "true or false"),
        ("simulation.years", np.int64(10**6), "outside its bounds"),
    ],
)
def test_numpy_scalars_are_checked_like_python_ones(key, value, needle) -> None:
    with pytest.raises(ScenarioError, match=needle):
        validate_value(key, value, "x")


def test_numpy_seeds() -> None:
    assert check_seed(np.int64(5), "seed") == 5 and type(check_seed(np.uint32(5), "s")) is int
    with pytest.raises(ScenarioError, match="whole number"):
        check_seed(np.int64(-1), "seed")
    with pytest.raises(ScenarioError, match="whole number"):
        check_seed(np.float64(5.0), "seed")


def test_a_run_with_numpy_seed_years_and_values_is_the_python_run() -> None:
    jv = "integration.joint_venture_projects"
    a = abm.run(seed=np.int64(5), years=np.int64(2), overrides={jv: np.int64(2)})
    b = abm.run(seed=5, years=2, overrides={jv: 2})
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    assert a.seed == 5 and type(a.seed) is int and a.summary == b.summary
    m = abm.MiningModel("baseline", years=1, rng=np.int64(5))
    n = abm.MiningModel("baseline", years=1, rng=5)
    assert m.rng.random() == n.rng.random()

"""The schedule rule (issue 28): every declared parameter set by a ``[[schedule]]`` entry
either changes the run from its date on, or is refused when the file loads with one line
naming the file and the key. Nothing is accepted and then ignored.

Each parameter is walked through a scenario file: a fixed one (``FIXED_IN_RUN``) must be
refused; any other is scheduled for 2025-03 in a set-up where its mechanism is switched on,
and the run (every recorded indicator and the firms' cash) must differ from the same run
without the change (same seed, so the only difference is the change).
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from abm.model import MiningModel
from abm.params.scenario import PolicyChange, ScenarioError, load_scenario
from abm.params.schema import FIXED_IN_RUN, PARAMS

# Every mechanism on, so that a scheduled lever has something to act on.
CONTEXT: dict[str, Any] = {
    "government.US.critical_fast_track": True,
    "government.CA.new_concessions": False,
    "government.US.state_reserved_minerals": ["lithium"],
    "government.CA.state_reserved_minerals": ["nickel"],
    "trade.strategic_reserve_minerals": ["gallium", "graphite"],
    "trade.strategic_reserve_floor_frac": 1.0,
    "trade.row_export_restriction.gallium": 0.5,
    "integration.joint_venture_projects": 5,
    "market.price_volatility_scale": 3.0,
}
# A favourable policy change after the walked one: the uncertainty premium's size, its
# favourable fraction and its half-life act only once a government changes a lever.
LATER = '[[schedule]]\ndate = "2025-09"\nset = { "government.MX.royalty_rate" = 0.05 }\n'
# Levers whose mechanism needs more than CONTEXT, or whose far bound does nothing in two
# years: (extra set-up, scheduled value, years). Measured: each differs, the default does not.
_IDLE_FAST = {
    "projects.care_maintenance_after_months": 1.0,
    "projects.care_maintenance_min_months": 1.0,
}
SPECIAL: dict[str, tuple[dict[str, Any], Any, int]] = {
    "trade.beneficiation_credit_frac": ({"trade.rules_of_origin": "geological_origin"}, 1.0, 2),
    "trade.status_quo_preference_capture_frac": ({"trade.row_tariff": 0.25}, 0.0, 2),
    "trade.strategic_reserve_minerals": ({}, [], 2),
    "integration.joint_venture_rate_reduction_frac": (
        {"integration.joint_venture_projects": 50},
        0.2,
        3,
    ),
    "supply.recovery_trigger_price_multiple": ({}, 1.0, 2),
    "supply.recovery_build_months": ({"supply.recovery_trigger_price_multiple": 1.0}, 1.0, 3),
    "firms.junior_sell_after_months": ({}, 1.0, 4),
    "firms.equity_frac_of_capex": ({}, 0.0, 4),
    "exploration.state_efficiency_frac": ({}, 0.0, 2),
    # idling and restarting within the run: mines idle after one loss month, stay one month
    "projects.restart_cost_frac_of_capex": (_IDLE_FAST, 1.0, 4),
    "projects.care_maintenance_min_months": (
        {"projects.care_maintenance_after_months": 1.0},
        120.0,
        4,
    ),
    "projects.restart_margin_frac": (_IDLE_FAST, 2.0, 4),
    "projects.restart_payback_months": (_IDLE_FAST, 1.0, 4),
    "projects.drop_after_months": ({}, 1.0, 2),
    "market.max_price_multiple": ({}, 1.0, 2),
    "market.max_scarcity_multiple": ({"trade.row_export_restriction.graphite": 0.9}, 1.0, 2),
    "permitting.max_carryover_months": ({}, 1.0, 2),
    "processing.base_margin_frac": ({"trade.rules_of_origin": "geological_origin"}, 1.0, 3),
    # with the go threshold at today's value, an announced plant a price draw has pushed below
    # it is dropped at once instead of waiting five years for prices to recover
    "processing.announced_patience_years": ({"processing.announced_go_value_frac": 1.0}, 0.0, 3),
}
# Valid values for the fixed string parameters that have no list of choices.
FIXED_STR = {
    "simulation.start": "2026-01",
    "simulation.calibration_reference": "mx_pre_reform",
    "market.price_path": "history",
}


def changed_value(key: str, current: Any) -> Any:
    """A valid value different from ``current``: the other truth value or choice, the far
    bound of a number, an emptied (or filled) list of minerals."""
    p = PARAMS[key]
    if key in FIXED_STR:
        return FIXED_STR[key]
    if p.kind == "bool":
        return not current
    if p.kind == "minerals":
        return [] if current else ["copper"]
    if p.kind == "str":
        assert p.choices, key
        return next(c for c in p.choices if c != current)
    assert p.bounds is not None, key
    lo, hi = p.bounds
    if isinstance(current, float) and math.isnan(current):
        return 0.2
    far = lo if current - lo >= hi - current else hi
    return int(far) if p.kind == "int" else float(far)


def scenario_file(folder: Path, key: str, value: Any, extra: dict[str, Any], years: int) -> Path:
    """A scenario file: the baseline, ``extra`` and ``years`` on top, ``key`` scheduled for
    2025-03 (no schedule when ``key`` is None), a later favourable change."""
    lines = ['inherits = "baseline"']
    body = {"simulation.years": years, **extra}
    lines += [f"{json.dumps(k)} = {json.dumps(v)}" for k, v in body.items()]
    if key is not None:
        lines += ["[[schedule]]", 'date = "2025-03"', f"set = {{ {json.dumps(key)} = "]
        lines[-1] += f"{json.dumps(value)} }}"
    path = folder / f"{'none' if key is None else key}.toml"
    path.write_text("\n".join(lines) + "\n" + LATER)
    return path


def fingerprint(path: Path) -> np.ndarray:
    """Everything a run records plus the firms' cash at the end (seed 3)."""
    model = MiningModel(load_scenario(path), rng=3)
    while model.running:
        model.step()
    return np.concatenate([*model.recorder.rows, model.firm_arrays.cash_usd])


@cache
def _reference(extra: str, years: int, folder: str) -> np.ndarray:
    return fingerprint(scenario_file(Path(folder), None, None, json.loads(extra), years))


def test_the_fixed_set_is_declared_parameters_and_not_empty() -> None:
    assert FIXED_IN_RUN and set(PARAMS) >= FIXED_IN_RUN
    assert set(SPECIAL) <= set(PARAMS) - FIXED_IN_RUN


@pytest.mark.parametrize("key", list(PARAMS))
def test_a_scheduled_parameter_acts_or_is_refused(key: str, tmp_path_factory) -> None:
    extra, value, years = SPECIAL.get(key, ({}, None, 2))
    extra = {**CONTEXT, **extra}
    if value is None:
        value = changed_value(key, load_scenario("baseline").with_overrides(CONTEXT)[key])
    folder = tmp_path_factory.mktemp("walk")
    path = scenario_file(folder, key, value, extra, years)
    if key in FIXED_IN_RUN:
        with pytest.raises(ScenarioError) as err:
            load_scenario(path)
        message = str(err.value)
        assert "\n" not in message
        assert str(path) in message and f"schedule[0]: {key}:" in message
        assert "cannot change during a run" in message
        return
    ref = _reference(json.dumps(extra, sort_keys=True), years, str(tmp_path_factory.mktemp("r")))
    assert not np.array_equal(fingerprint(path), ref, equal_nan=True), (key, value)


def test_a_change_built_in_code_follows_the_same_rule() -> None:
    PolicyChange("2026-01", {"government.MX.royalty_rate": 0.1})
    with pytest.raises(ScenarioError, match=r"schedule switch: market\.price_path: is fixed"):
        PolicyChange("2026-01", {"market.price_path": "history"}, "switch")

"""Agent-based model (Mesa) of mining investment, exploration and critical-mineral import
dependency across the United States, Mexico and Canada.

Python API::

    import abm
    scenario = abm.load_scenario("baseline")
    result = abm.run(scenario, seed=1, years=10, overrides={"government.MX.royalty_rate": 0.1})
    result.timeseries  # tidy DataFrame: step, date, country, mineral, indicator, value

``MiningModel``, ``run`` and ``RunResult`` load the model (Mesa, pandas, scipy) on first use,
so ``import abm`` and ``abm --help`` stay fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from abm.params.scenario import Scenario, ScenarioError, load_scenario

__all__ = ["MiningModel", "RunResult", "Scenario", "ScenarioError", "load_scenario", "run"]
__version__ = "0.1.0"

_LAZY = {"MiningModel": "abm.model", "RunResult": "abm.runner", "run": "abm.runner"}


def __getattr__(name: str) -> Any:
    """``abm.MiningModel``, ``abm.run``, ``abm.RunResult``: imported when first asked for."""
    if name not in _LAZY:
        raise AttributeError(f"module 'abm' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

"""Agent-based model (Mesa) of mining investment, exploration and critical-mineral import
dependency across the United States, Mexico and Canada.

Python API::

    import abm
    scenario = abm.load_scenario("baseline")
    result = abm.run(scenario, seed=1, years=10, overrides={"government.MX.royalty_rate": 0.1})
    result.timeseries  # tidy DataFrame: step, date, country, mineral, indicator, value
"""

from abm.model import MiningModel
from abm.params.scenario import Scenario, ScenarioError, load_scenario
from abm.runner import RunResult, run

__all__ = ["MiningModel", "RunResult", "Scenario", "ScenarioError", "load_scenario", "run"]
__version__ = "0.1.0"

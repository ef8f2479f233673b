"""Model-level reporters for Mesa's DataCollector.

Module-level functions (not lambdas or strings) so that a model with its DataCollector can
be pickled and run by ``mesa.batch_run`` under the "spawn" start method.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from abm.model import MiningModel


def investment_share_us(model: MiningModel) -> float:
    """US share of North American mining investment this month."""
    return float(model.recorder.last["investment_share"][0])


def investment_share_mx(model: MiningModel) -> float:
    """Mexico's share of North American mining investment this month."""
    return float(model.recorder.last["investment_share"][1])


def investment_share_ca(model: MiningModel) -> float:
    """Canada's share of North American mining investment this month."""
    return float(model.recorder.last["investment_share"][2])


def exploration_na_usd(model: MiningModel) -> float:
    """North American exploration spending (private and state) this month, USD."""
    return float(model.recorder.last["exploration_total"][-1])


def import_dependency_critical_na(model: MiningModel) -> float:
    """Mean North American import dependency over the critical minerals (0-1)."""
    crit = model.minerals.critical
    return float(np.mean(model.market.dependency_na[crit]))


def producing_mines_na(model: MiningModel) -> float:
    """Producing mines in North America."""
    return float(model.recorder.last["producing_mines"][-1])


def model_reporters() -> dict[str, Callable]:
    """The reporters the model registers with its DataCollector."""
    reporters: dict[str, Callable] = {
        "investment_share_US": investment_share_us,
        "investment_share_MX": investment_share_mx,
        "investment_share_CA": investment_share_ca,
        "exploration_NA_usd": exploration_na_usd,
        "import_dependency_critical_NA": import_dependency_critical_na,
        "producing_mines_NA": producing_mines_na,
    }
    return reporters

"""Every declared parameter is read by the model: none is declared, documented and inert.

Reads are traced through the model's parameter table (``abm.model.values_table``) and the
calibration reference's table while short runs of scenarios that switch on every mechanism
(fast track, strategic reserve, export restrictions, joint ventures, geological origin, a
state reservation) step through their policy dates.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

import abm.calibration
import abm.model
from abm.params.schema import PARAMS


class TracedValues(dict):
    """A dict that records every key read through ``[]`` or ``get``."""

    reads: ClassVar[set[str]] = set()

    def __getitem__(self, key: str) -> Any:
        TracedValues.reads.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        TracedValues.reads.add(key)
        return super().get(key, default)


SCENARIOS = {
    "baseline": {},
    "crisis_fast_track": {},
    "full_integration_2026": {},
    "mx_pre_reform": {},
    "baseline ": {
        "trade.row_tariff": 0.1,
        # a bismuth price spike: lead producers build recovery circuits (supply.recovery_*)
        "trade.row_export_restriction.bismuth": 0.8,
        "government.US.state_reserved_minerals": ["lithium"],
        "government.US.new_concessions": False,
        "government.CA.new_concessions": False,
    },
}


def test_every_parameter_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    TracedValues.reads = set()
    monkeypatch.setattr(abm.model, "values_table", TracedValues)
    real_reference = abm.calibration.reference_values
    monkeypatch.setattr(
        abm.calibration, "reference_values", lambda name: TracedValues(real_reference(name))
    )
    for name, overrides in SCENARIOS.items():
        model = abm.model.MiningModel(name.strip(), rng=1, years=4, overrides=overrides)
        while model.running:
            model.step()
    unread = sorted(set(PARAMS) - TracedValues.reads)
    assert not unread, f"declared but never read by the model: {unread}"

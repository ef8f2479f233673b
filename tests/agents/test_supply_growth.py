"""scripts/supply_growth.py: the split of output by source adds up, the references are IEA's
base case or the known pipeline, the diagnostic drops only late synthetic projects."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from conftest import load_script

from abm import MiningModel, known_assets
from abm.deposits import DepositFactory
from abm.params.schema import MINERALS
from abm.projects import Stage

PRIMARY = ("zinc", "copper", "lithium", "nickel")  # never by-product recovery circuits


@cache
def _script():
    return load_script("supply_growth")


@cache
def _trace():
    return _script().trace((1, False))


def test_the_split_by_source_adds_up_to_the_output() -> None:
    """Running capacity by source (no recovery circuits) is the output of primary minerals,
    and at most the output elsewhere; no by-source value is negative."""
    tr = _trace()
    m = [MINERALS.index(x) for x in PRIMARY]
    for y in (2030, 2034):
        split = tr[f"by_source_{y}"]
        assert (split >= 0).all()
        total = split.sum(axis=0)
        np.testing.assert_allclose(total[:, m], tr[str(y)][:, m], rtol=1e-9)
        assert (total <= tr[str(y)] * (1 + 1e-9) + 1e-9).all()
    assert tr["2024"].sum() > 0


def test_references_are_iea_growth_or_2024_plus_the_announced_pipeline() -> None:
    mod = _script()
    frame = mod.table([_trace()]).set_index(["country", "mineral"])
    iea = pd.read_csv(mod.IEA)
    ni = iea[
        (iea.quantity == "IEA_supply_base_case_mining")
        & (iea.mineral == "Nickel")
        & (iea.country_or_region == "CA")
    ].set_index("year")["value"]
    row = frame.loc[("CA", "nickel")]
    assert row["reference"] == "IEA growth"
    assert np.isclose(row["ref 2030"], row["2024"] * ni[2030] / ni[2023])
    v2034 = ni[2030] + 0.8 * (ni[2035] - ni[2030])
    assert np.isclose(row["ref 2034"], row["2024"] * v2034 / ni[2023])
    pipe = known_assets.pipeline_at_start(known_assets.known_table(), 2025)
    li = pipe[(pipe.country == "US") & (pipe.mineral == "lithium") & (pipe.start_year <= 2030)]
    row = frame.loc[("US", "lithium")]
    assert row["reference"] == "2024 + announced"
    assert np.isclose(row["ref 2030"], row["2024"] + li.t_per_year.fillna(0).sum() / 1e3)
    assert li.t_per_year.sum() > 0
    assert frame.loc[("CA", "graphite"), "reference"] == "IEA level"


def test_the_diagnostic_drops_late_synthetic_projects_only(monkeypatch) -> None:
    def late(model: MiningModel) -> tuple[int, int]:
        book = model.projects
        synthetic = book.known < 0
        late = book.stage_mask(Stage.PERMITTING, Stage.CONSTRUCTION)
        return int((late & synthetic).sum()), int((late & ~synthetic).sum())

    before = MiningModel("baseline", rng=1, years=1)
    monkeypatch.setattr(
        DepositFactory, "discover", _script().late_dropping(DepositFactory.discover)
    )
    after = MiningModel("baseline", rng=1, years=1)
    assert late(before)[0] > 0 and late(after)[0] == 0
    assert late(after)[1] == late(before)[1] > 0  # known projects kept
    assert after.projects.n == before.projects.n  # same draws
    np.testing.assert_array_equal(after.production_t, before.production_t)

"""Cross-border joint ventures: the trilateral programme designates critical-mineral projects.

The seed's phased integration (2-3 pilots in 2025-26, 5-7 joint ventures in 2026-28) is a
count, ``integration.joint_venture_projects``. Each month, while fewer designated projects
are alive (not dropped or closed), the programme designates the most valuable critical-mineral
projects still in development; a designated project goes first in its country's permit queue
(:meth:`Government.queue`) and is valued at a lower discount rate (risk sharing,
:func:`decisions.project_npv`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm.agents import decisions
from abm.projects import DEVELOPMENT_STAGES, Stage

if TYPE_CHECKING:
    from abm.model import MiningModel


def designate_joint_ventures(model: MiningModel) -> np.ndarray:
    """Designate joint ventures up to the target; returns the newly designated projects."""
    target = round(model.values["integration.joint_venture_projects"] * model.scale)
    book = model.projects
    alive = book.joint_venture & ~np.isin(book.stage, (Stage.DROPPED, Stage.CLOSED))
    need = target - int(alive.sum())
    if need <= 0:
        return np.empty(0, dtype=int)
    cand = book.in_stage(*DEVELOPMENT_STAGES)
    cand = cand[model.minerals.critical[book.mineral[cand]].astype(bool)]
    cand = cand[~book.joint_venture[cand] & ~decisions.reserved_private(model, cand)]
    if len(cand) == 0:
        return cand
    npv = decisions.project_npv(model, cand)
    chosen = cand[np.argsort(-npv, kind="stable")[:need]]
    book.joint_venture[chosen] = True
    return chosen

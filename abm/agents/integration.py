"""Cross-border joint ventures: the trilateral programme designates critical-mineral projects.

The seed's phased integration (2-3 pilots in 2025-26, 5-7 joint ventures in 2026-28) is a
count, ``integration.joint_venture_projects``. Each month, while fewer designated projects
are alive (not dropped or closed), the programme designates the most valuable critical-mineral
projects still in development; a designated project goes first in its country's permit queue
(:meth:`Government.queue`) and is valued at a lower discount rate (risk sharing,
:func:`decisions.project_npv`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from abm.projects import DEVELOPMENT_STAGES, ProjectBook, Stage


def designate_joint_ventures(
    target: int,
    book: ProjectBook,
    critical: np.ndarray,
    blocked: Callable[[np.ndarray], np.ndarray],
    npv: Callable[[np.ndarray], np.ndarray],
) -> np.ndarray:
    """Designate joint ventures up to ``target`` alive; returns the newly designated rows.

    ``blocked(idx)`` marks projects that may not be designated (private projects of a
    reserved mineral); ``npv(idx)`` values candidates for their owners.
    """
    alive = book.joint_venture & ~book.stage_mask(Stage.DROPPED, Stage.CLOSED)
    need = target - int(alive.sum())
    if need <= 0:
        return np.empty(0, dtype=int)
    cand = book.in_stage(*DEVELOPMENT_STAGES)
    cand = cand[critical[book.mineral[cand]]]
    cand = cand[~book.joint_venture[cand] & ~blocked(cand)]
    if len(cand) == 0:
        return cand
    chosen = cand[np.argsort(-npv(cand), kind="stable")[:need]]
    book.joint_venture[chosen] = True
    return chosen

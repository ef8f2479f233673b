"""The real North American asset base in the starting state (``params/known_projects.csv``).

Producing mines start as themselves (Mountain Pass, Red Dog, Voisey's Bay, Penasquito ...);
synthetic mines (:mod:`abm.calibration`) only fill what is left of national output. Projects
in development enter the pipeline at their stage and announced dates (Thacker Pass, Rhyolite
Ridge, Graphite One, NICO ...), with government support applied by one declared rule:

* **loans** (kinds naming a loan, debt or repayable contribution: DOE LPO, DoD, federal or
  provincial loans) lower the project's discount rate by ``supply.support_loan_rate_cut_frac``
  times the share of capex they finance (at most the debt share, 1 -
  ``firms.equity_frac_of_capex``): public lenders lend near the Treasury rate;
* **grants, awards, tax credits and equity** (every other kind with an amount) lower the
  owner's capex by their amount, at most ``GRANT_MAX_FRAC_OF_CAPEX`` of it.

USD amounts apply as sourced; CAD amounts (``gov_support_cad``) are converted award by award at
the Bank of Canada annual average of the award year
(:data:`abm.params.known_projects.CAD_AWARDS`) and added. Support applies only when the
simulation starts in or after the table's year (``TABLE_YEAR``): the awards listed were made
2017-2026 and did not exist for an earlier start.

The stages in the table are those of 2025. A run starting earlier (a history scenario) places
every known project that had not started producing by then at the stage its announced start
implies (construction, permitting, feasibility or resource, counting back the model's stage
times), and one without an announced start at the resource stage.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from abm.params.known_projects import cad_support_usd, load_known_projects
from abm.params.schema import COUNTRIES, MINERALS, country_key
from abm.projects import ProjectBook, Stage

# The year of the table's stages (column stage_2025_source).
TABLE_YEAR = 2025
# ASSUMPTION (range 1-12): an announced start year means production from its sixth month.
KNOWN_START_MONTH = 6
# ASSUMPTION (range 0.3-0.8): a grant or award never pays for more than half of a mine.
GRANT_MAX_FRAC_OF_CAPEX = 0.5
# Substrings of gov_support_kind that mark a loan (the rest are grants, awards or equity).
LOAN_KINDS = ("loan", "debt", "repayable")


@cache
def _table() -> pd.DataFrame:
    return load_known_projects()


def known_table() -> pd.DataFrame:
    """The checked known-project table (cached per process: treat as read-only)."""
    return _table()


def _t_per_year(rows: pd.DataFrame) -> pd.Series:
    """Output where an actual year is given, else capacity (NaN: a gap in the sources)."""
    return rows["output_t_per_year"].fillna(rows["capacity_t_per_year"])


def _index(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    c = rows["country"].map(COUNTRIES.index).to_numpy(int)
    m = rows["mineral"].map(MINERALS.index).to_numpy(int)
    return c, m


def producing_at_start(table: pd.DataFrame, start_year: int) -> pd.DataFrame:
    """Known mines producing when the run starts: PRODUCTION in 2025, not idle, not a plant,
    a sourced output or capacity, and started before ``start_year`` (no start year: old).
    Columns ``c``, ``m``, ``t_per_year`` added."""
    mine = table["facility"] != "processing"
    on = (table["stage"] == "PRODUCTION") & ~table["idle_2025"] & mine
    started = table["start_year"].isna() | (table["start_year"] < start_year)
    rows = table[on & started & _t_per_year(table).notna()].copy()
    rows["t_per_year"] = _t_per_year(rows)
    rows["c"], rows["m"] = _index(rows)
    return rows


def _records_by_cell(rows: pd.DataFrame) -> dict[tuple[int, int], tuple[dict, ...]]:
    out: dict[tuple[int, int], list[dict]] = {}
    for rec in rows.reset_index().to_dict("records"):
        out.setdefault((rec["c"], rec["m"]), []).append(rec)
    return {k: tuple(v) for k, v in out.items()}


def idle_at_start(table: pd.DataFrame, start_year: int) -> pd.DataFrame:
    """Known primary mines on care and maintenance in 2025 with a sourced output or capacity
    (their size when running), for a start in or after ``TABLE_YEAR``. Endako, Nechalacho and
    St. Lawrence have none in the sources, so the table has none today. Columns ``c``, ``m``,
    ``t_per_year`` added."""
    mine = (table["facility"] != "processing") & ~table["byproduct"]
    idle = (table["stage"] == "PRODUCTION") & table["idle_2025"] & mine
    rows = table[idle & _t_per_year(table).notna()].copy()
    if start_year < TABLE_YEAR:
        rows = rows.iloc[:0]
    rows["t_per_year"] = _t_per_year(rows)
    rows["c"], rows["m"] = _index(rows)
    return rows


@cache
def idle_records(start_year: int) -> dict[tuple[int, int], tuple[dict, ...]]:
    """:func:`idle_at_start` of the cached table as plain records by (country, mineral)."""
    return _records_by_cell(idle_at_start(known_table(), start_year))


def pipeline_at_start(
    table: pd.DataFrame, start_year: int, recovered: tuple[str, ...] | list[str] = ()
) -> pd.DataFrame:
    """Known projects in development at the start: primary rows, and by-product rows of the
    ``recovered`` minerals (recovery circuits: Clarksville germanium and gallium; plants
    excluded unless recovering one of those); for a start before ``TABLE_YEAR`` also the
    2025 producers that had not started yet. Columns ``c``, ``m`` added; ``t_per_year`` NaN
    where the sources give no quantity."""
    circuit = table["byproduct"] & table["mineral"].isin(list(recovered))
    primary = (~table["byproduct"] & (table["facility"] != "processing")) | circuit
    developing = table["stage"] != "PRODUCTION"
    if start_year < TABLE_YEAR:
        later = (table["stage"] == "PRODUCTION") & (table["start_year"] >= start_year)
        developing = developing | (later & ~table["idle_2025"])
    rows = table[primary & developing].copy()
    rows["t_per_year"] = _t_per_year(rows)
    rows["c"], rows["m"] = _index(rows)
    return rows


@cache
def producing_records(start_year: int) -> dict[tuple[int, int], tuple[dict, ...]]:
    """:func:`producing_at_start` of the cached table as plain records by (country,
    mineral), table row in ``index`` (built once per start year: models are built often)."""
    rows = producing_at_start(known_table(), start_year).reset_index()
    out: dict[tuple[int, int], list[dict]] = {}
    for rec in rows.to_dict("records"):
        out.setdefault((rec["c"], rec["m"]), []).append(rec)
    return {k: tuple(v) for k, v in out.items()}


@cache
def pipeline_records(start_year: int, recovered: tuple[str, ...]) -> tuple[dict, ...]:
    """:func:`pipeline_at_start` of the cached table as plain records (table row in
    ``index``), each with ``gap_t``: the median sourced capacity of its mineral's rows."""
    rows = pipeline_at_start(known_table(), start_year, recovered).reset_index()
    sized = rows[rows["t_per_year"] > 0]
    gap_t = sized.groupby("m")["t_per_year"].median().to_dict()
    recs = rows.to_dict("records")
    for rec in recs:
        rec["gap_t"] = gap_t.get(rec["m"], math.inf)
    return tuple(recs)


@cache
def known_cells() -> tuple[np.ndarray, np.ndarray]:
    """(country, mineral) indices of every mine or project row (any stage, not plants)."""
    table = known_table()
    rows = table[table["facility"] != "processing"]
    return _index(rows)


def months_to_start(start_year: float, year0: int, month0: int) -> float:
    """Steps until the first month of production in an announced start year (the run's first
    month is step 1; NaN if no start year)."""
    if math.isnan(start_year):
        return math.nan
    return 12.0 * (start_year - year0) + (KNOWN_START_MONTH - month0) + 1.0


def left_in_stage(
    stage: Stage, months: float, build: float, permit: float, feasibility: float
) -> float:
    """Months a project in ``stage``, due to produce in ``months``, has left in that stage
    (counting back construction, the permit review and feasibility; NaN if no date)."""
    before = {
        Stage.CONSTRUCTION: 0.0,
        Stage.APPROVED: 0.0,
        Stage.PERMITTING: build,
        Stage.FEASIBILITY: build + permit,
        Stage.RESOURCE: build + permit + feasibility,
    }[stage]
    return months - before


def staged_by_start(
    months: float, build: float, permit: float, feasibility: float
) -> tuple[Stage, float]:
    """The stage a project due to produce in ``months`` is in, and the months it has left
    there (counting back construction, the permit review and feasibility)."""
    if math.isnan(months):
        return Stage.RESOURCE, math.nan
    for stage, dur in (
        (Stage.CONSTRUCTION, build),
        (Stage.PERMITTING, permit),
        (Stage.FEASIBILITY, feasibility),
    ):
        if months <= dur:
            return stage, max(months, 1.0)
        months -= dur
    return Stage.RESOURCE, months


def support_terms(
    values: dict[str, Any], support_usd: float, kinds: str, capex_usd: float
) -> tuple[float, float]:
    """(discount-rate cut, capex after grants) for a project's USD government support."""
    if not support_usd > 0 or not capex_usd > 0:
        return 0.0, capex_usd
    if any(k in kinds for k in LOAN_KINDS):
        debt_share = min(support_usd / capex_usd, 1.0 - values["firms.equity_frac_of_capex"])
        return debt_share * values["supply.support_loan_rate_cut_frac"], capex_usd
    return 0.0, capex_usd - min(support_usd, GRANT_MAX_FRAC_OF_CAPEX * capex_usd)


def support_usd(row: dict | pd.Series) -> float:
    """A known row's government support in USD: its USD awards plus its CAD awards converted
    (:func:`abm.params.known_projects.cad_support_usd`; 0 where there are none)."""
    usd = row["gov_support_usd"]
    usd = usd if usd > 0 else 0.0
    if row["gov_support_cad"] > 0:
        usd += cad_support_usd(str(row["project_id"]))
    return usd


def apply_sourced(
    values: dict[str, Any],
    book: ProjectBook,
    idx: int,
    row: pd.Series,
    start_year: int,
) -> None:
    """Write a known row's sourced capex and government support into project ``idx``."""
    if row["capex_usd"] > 0:
        book.capex_usd[idx] = row["capex_usd"]
    book.known[idx] = int(row["index"])
    if start_year >= TABLE_YEAR:
        kinds = str(row["gov_support_kind"])
        cut, capex = support_terms(values, support_usd(row), kinds, book.capex_usd[idx])
        book.rate_reduction_frac[idx] = cut
        book.capex_usd[idx] = capex


def permit_review_months(reference: dict[str, Any], c: int) -> float:
    """The calibration reference's permit review time in country ``c``."""
    return reference[country_key(COUNTRIES[c], "permit_review_months")]


def link_co_products(book: ProjectBook, table: pd.DataFrame | None = None) -> None:
    """Point each co-product row of a known mine (a by-product row: Red Dog lead and silver,
    Penasquito zinc and gold ...) at its primary row in ``book`` (same project, not a
    by-product), so that it idles and restarts with the mine."""
    table = known_table() if table is None else table
    rows = np.flatnonzero(book.known >= 0)
    ids = table.loc[book.known[rows], "project_id"].to_numpy()
    by = table.loc[book.known[rows], "byproduct"].to_numpy(bool)
    primary = {pid: r for pid, r, b in zip(ids, rows, by, strict=True) if not b}
    for pid, r, b in zip(ids, rows, by, strict=True):
        if b and pid in primary:
            book.primary[r] = primary[pid]


def started(book: ProjectBook, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Known projects that started producing during the run: project_id, name, country,
    mineral, first month of production (step)."""
    table = known_table() if table is None else table
    idx = np.flatnonzero((book.known >= 0) & (book.production_step > 0))
    rows = table.loc[book.known[idx], ["project_id", "name", "country", "mineral"]]
    return rows.assign(production_step=book.production_step[idx]).reset_index(drop=True)


@cache
def _integrated_rows() -> np.ndarray:
    """(rows of the table,) True where a known project is an integrated mine-and-plant."""
    flags = (known_table()["facility"] == "integrated").to_numpy(bool)
    flags.flags.writeable = False
    return flags


def commissioned_integrated_t(book: ProjectBook) -> np.ndarray:
    """(C, M) plant capacity of known integrated mines commissioned during the run and running
    (their on-site plant: Thacker Pass's carbonate plant). Integrated mines producing at the
    start are not counted: their plants are rows of params/processing_plants.csv."""
    out = np.zeros((len(COUNTRIES), len(MINERALS)))
    rows = np.flatnonzero((book.known >= 0) & (book.production_step > 0) & ~book.idle)
    rows = rows[book.stage[rows] == Stage.PRODUCTION]
    rows = rows[_integrated_rows()[book.known[rows]]]
    np.add.at(out, (book.country[rows], book.mineral[rows]), book.capacity_t[rows])
    return out

"""The real North American asset base: ``params/known_projects.csv``.

One row per known project (mine, integrated mine-and-plant, or processing plant) and model
mineral; a project with sourced by-product quantities has one row per by-product
(``byproduct = true``, ``host_mineral`` = the mineral it is recovered with). Quantities are
t of contained mineral per year on the ``params/minerals.toml`` basis: ``capacity_t_per_year``
(design, target or life-of-mine average, see ``capacity_basis``) and ``output_t_per_year``
(an actual year's output, ``output_year``). Every conversion is in ``conversion``; how the
table was built is in ``params/README-calibration-tables.md``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from abm.params.schema import COUNTRIES, MINERALS
from abm.params.tables import PARAMS_DIR, boolean, choice, fail, first_seen, number, read_rows

KNOWN_PROJECTS_CSV = PARAMS_DIR / "known_projects.csv"
# Stage names of abm.projects.Stage (tests check they still exist there).
STAGES = ("RESOURCE", "FEASIBILITY", "PERMITTING", "APPROVED", "CONSTRUCTION", "PRODUCTION")
FACILITIES = ("mine", "integrated", "processing")
CAPACITY_BASES = (
    "",
    "design",
    "target",
    "actual",
    "life_average",
    "partial",
    "usgs_residual",
    "gap",
)
REQUIRED = (
    "project_id",
    "name",
    "country",
    "mineral",
    "byproduct",
    "host_mineral",
    "facility",
    "stage",
    "idle_2025",
    "capacity_t_per_year",
    "capacity_basis",
    "output_t_per_year",
    "output_year",
    "conversion",
    "capex_usd",
    "capex_year",
    "start_year",
    "permit_status",
    "gov_support_usd",
    "gov_support_cad",
    "gov_support_kind",
    "source",
)
NUMERIC = (
    "capacity_t_per_year",
    "output_t_per_year",
    "capex_usd",
    "gov_support_usd",
    "gov_support_cad",
)
YEARS = ("output_year", "capex_year", "start_year")

# Bank of Canada, "Annual Exchange Rates": annual average of the daily USD/CAD rates, CAD per
# USD (bankofcanada.ca/rates/exchange/annual-average-exchange-rates/; no copy is stored under
# ../shared, so check these eight values against the table when it is next updated).
BOC_CAD_PER_USD = {
    2017: 1.2986,
    2018: 1.2957,
    2019: 1.3269,
    2020: 1.3415,
    2021: 1.2535,
    2022: 1.3013,
    2023: 1.3497,
    2024: 1.3698,
}
# The CAD awards summed in each row's gov_support_cad, with their award year, read from the
# row's gov_support_text: (CAD, year). Awards after the last full year above (2025-2026) and
# undated ones convert at the nearest listed year (the model's money is 2024 USD). Each
# project's amounts sum to its gov_support_cad (tests/params/test_known_projects.py).
CAD_AWARDS: dict[str, tuple[tuple[float, int], ...]] = {
    # Investissement Quebec equity: C$130M (2018), C$250M more authorised (2023)
    "nemaska_lithium": ((130e6, 2018), (250e6, 2023)),
    # Canada Growth Fund + Investissement Quebec C$50M equity (Dec 2024)
    "nouveau_monde_graphite_phase_2": ((50e6, 2024),),
    # NRCan via CED-Quebec C$6.225M repayable contribution (Aug 2025)
    "lac_des_iles_graphite_mine": ((6.225e6, 2025),),
    # Saskatchewan C$71M + Canada C$30M "since 2020": dated 2020
    "src_rare_earth_processing_facility": ((71e6, 2020), (30e6, 2020)),
    # EDC C$110M bridge loan + CIB up to C$55M (June 2025); NRCan up to C$10M (2025)
    "strange_lake": ((110e6, 2025), (55e6, 2025), (10e6, 2025)),
    # ~C$17M from US DoD, NRCan, Alberta Innovates (Dec 2023, May 2024): dated 2024;
    # NRCan C$714,500 (2024)
    "nico": ((17e6, 2024), (714_500.0, 2024)),
    # Quebec C$7M (Dec 2024); NRCan GPI up to C$18.95M (conditional, Mar 2026)
    "vaudreuil_gallium_recovery": ((7e6, 2024), (18.95e6, 2026)),
    # NL repayable loan C$17M (2017); NL up to C$3.25M (2022); federal C$5M "earlier": 2017
    "st_lawrence_fluorspar_mine": ((17e6, 2017), (3.25e6, 2022), (5e6, 2017)),
}


# Capex given only in CAD in the table's notes (its README: "CAD-only figures stay empty and
# are written into notes"), with the year of the estimate; converted at that year's rate and
# written into capex_usd / capex_year of every row of the project, as the table does for USD
# capex. Ranges take the upper bound, as the table does. Left out: Tanco (C$176M
# concentrator, an operating mine with no size, not placed), Avalon's refinery ("$1 billion",
# currency not stated), Shaakichiuwaanaan and NICO (no capex in the sources).
CAD_CAPEX: dict[str, tuple[float, int]] = {
    # "Cost estimated C$1.5B in 2023, reportedly ~C$2B since": the later figure, dated 2024
    "nemaska_lithium": (2.0e9, 2024),
    # "~$2B (Northern Miner) and C$1.6B (Globe & Mail)", both CAD, BFS under way (2025)
    "strange_lake": (2.0e9, 2025),
    # "Pre-production capex C$653M (CAD, 2022)" (PEA)
    "pine_point": (653e6, 2022),
}


def cad_per_usd(year: int) -> float:
    """Bank of Canada annual average for ``year``, the nearest listed year outside the table."""
    years = sorted(BOC_CAD_PER_USD)
    return BOC_CAD_PER_USD[min(max(int(year), years[0]), years[-1])]


def cad_support_usd(project_id: str) -> float:
    """A project's CAD government support in USD, each award at its year's annual average."""
    return sum(cad / cad_per_usd(year) for cad, year in CAD_AWARDS.get(project_id, ()))


def load_known_projects(path: Path | str | None = None) -> pd.DataFrame:
    """Read and check the known-project table; numbers as floats (NaN = not sourced)."""
    path = Path(path) if path else KNOWN_PROJECTS_CSV
    rows = read_rows(path, REQUIRED)
    recs = []
    seen: dict[tuple[str, str, bool], int] = {}
    for row, r in rows:
        choice(path, row, "country", r["country"], COUNTRIES)
        choice(path, row, "mineral", r["mineral"], MINERALS)
        choice(path, row, "stage", r["stage"], STAGES)
        choice(path, row, "facility", r["facility"], FACILITIES)
        choice(path, row, "capacity_basis", r["capacity_basis"], CAPACITY_BASES)
        rec: dict = dict(r)
        rec["byproduct"] = boolean(path, row, "byproduct", r["byproduct"])
        rec["idle_2025"] = boolean(path, row, "idle_2025", r["idle_2025"])
        for col in NUMERIC:
            rec[col] = number(path, row, col, r[col], optional=True, minimum=0)
        for col in YEARS:
            rec[col] = number(path, row, col, r[col], optional=True, minimum=1800, maximum=2050)
        if rec["byproduct"] and not r["host_mineral"]:
            raise fail(path, row, "byproduct = true needs a host_mineral")
        no_figure = math.isnan(rec["capacity_t_per_year"]) and math.isnan(rec["output_t_per_year"])
        if no_figure and r["capacity_basis"] != "gap":
            raise fail(path, row, "no capacity or output: capacity_basis must say 'gap'")
        if not math.isnan(rec["output_t_per_year"]) and math.isnan(rec["output_year"]):
            raise fail(path, row, "output_t_per_year needs its output_year")
        if not r["source"]:
            raise fail(path, row, "source: empty (every row cites its source)")
        key = (r["project_id"], r["mineral"], rec["byproduct"])
        first_seen(path, row, seen, key, f"project/mineral {key[:2]}")
        if math.isnan(rec["capex_usd"]) and r["project_id"] in CAD_CAPEX:
            cad, year = CAD_CAPEX[r["project_id"]]
            rec["capex_usd"], rec["capex_year"] = cad / cad_per_usd(year), float(year)
        rec["row"] = row
        recs.append(rec)
    return pd.DataFrame(recs)


def producing_mines(projects: pd.DataFrame) -> pd.DataFrame:
    """Known mines producing in 2025 (stage PRODUCTION, not idle, not a processing plant)."""
    keep = (
        (projects["stage"] == "PRODUCTION")
        & ~projects["idle_2025"]
        & (projects["facility"] != "processing")
    )
    return projects[keep]


def producing_output_t(projects: pd.DataFrame) -> np.ndarray:
    """(C, M) t/yr of the known producing mines: actual output where given, else capacity."""
    mines = producing_mines(projects)
    t = mines["output_t_per_year"].fillna(mines["capacity_t_per_year"]).fillna(0.0)
    out = np.zeros((len(COUNTRIES), len(MINERALS)))
    for c, m, v in zip(mines["country"], mines["mineral"], t, strict=True):
        out[COUNTRIES.index(c), MINERALS.index(m)] += v
    return out


def synthetic_remainder_t(projects: pd.DataFrame, production_t: np.ndarray) -> np.ndarray:
    """(C, M) 2024 output left for synthetic mines: national output minus known producers, >= 0."""
    return np.maximum(np.asarray(production_t, dtype=float) - producing_output_t(projects), 0.0)

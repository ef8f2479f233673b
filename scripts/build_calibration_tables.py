# ruff: noqa: E501  -- the project table below keeps one source-cited spec per line
"""Build the shipped calibration tables under params/ from ../shared/calibration (read-only).

Run from the repository root:  .venv/bin/python scripts/build_calibration_tables.py [SHARED_DIR]

Writes (and only writes) these files; every rule applied is described in
params/README-calibration-tables.md and, per row, in the tables' own columns:
  params/known_projects.csv
  params/demand_outlook.csv
  params/history/prices_monthly.csv
  params/history/exploration_observed.csv
  params/history/policy_timeline.csv
The shipped CSVs are committed, so the project never needs ../shared at run time.
"""

from __future__ import annotations

import csv
import math
import sys
import tomllib
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from abm.params.demand import REQUIRED as DEMAND_COLUMNS  # noqa: E402
from abm.params.schema import MINERALS, PARAMS  # noqa: E402

SHARED = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent.parent / "shared" / "calibration"
if not SHARED.exists():  # worktrees live in /work/wt/<x>; the shared folder is /work/shared
    SHARED = Path("/work/shared/calibration")
KP = SHARED / "known_projects" / "known_projects.csv"
HIST = SHARED / "history"
PF = SHARED / "public_figures.csv"
PRIMER = SHARED.parent / "domain-primer.md"

# ---- unit conversions (each stated once) -----------------------------------------------------
LB_PER_T = 2204.62262  # lb per metric t
OZT_PER_T = 32150.7466  # troy oz per metric t
LI_PER_LCE = 2 * 6.941 / 73.89  # t Li per t Li2CO3 = 0.18787 (minerals.toml uses 1/5.3227)
LI_PER_LIOH_H2O = 6.941 / 41.96  # t Li per t LiOH.H2O (battery-grade hydroxide is the monohydrate)
LI_PER_LI2O = 2 * 6.941 / 29.88  # t Li per t Li2O = 0.46459 (spodumene grades are % Li2O)


def sc(grade_pct: float) -> float:
    """t Li per t spodumene concentrate of the given % Li2O grade."""
    return grade_pct / 100 * LI_PER_LI2O


# ---- 1. known projects -----------------------------------------------------------------------
STAGE_MAP = {  # source stage_2025 -> abm.projects.Stage name (rule; exceptions in PROJECTS below)
    "producing": "PRODUCTION",
    "construction": "CONSTRUCTION",
    "permitted": "APPROVED",
    "permitting": "PERMITTING",
    "feasibility": "FEASIBILITY",
    "PEA": "RESOURCE",  # a PEA is a scoping study on a resource, before feasibility
    "care-and-maintenance": "PRODUCTION",  # built mines, idle: stage PRODUCTION with idle_2025 = true
}
COUNTRY = {"US": "US", "Canada": "CA", "Mexico": "MX"}
MINERAL = {"rare earths": "rare_earths"}
DROPPED_MINERALS = {"cobalt"}  # not among the model's 14 minerals (NICO kept: its bismuth is)


def R(
    mineral,
    cap=None,
    basis="",
    conv="",
    out=None,
    out_year="",
    out_note="",
    by=False,
    host="",
    stage=None,
):
    """One output row spec: capacity/output in t of contained mineral per year."""
    return dict(
        mineral=mineral,
        capacity_t_per_year=cap,
        capacity_basis=basis,
        conversion="; ".join(x for x in (conv, out_note) if x),
        output_t_per_year=out,
        output_year=out_year,
        byproduct=by,
        host_mineral=host,
        stage_override=stage,
    )


G = "gap"  # capacity_basis for a figure neither the row nor the USGS files give
# name prefix in known_projects.csv -> (facility, [row specs], support (usd, cad, kind))
# facility: mine (extracts ore) | integrated (mine + own processing plant) | processing (plant only)
PROJECTS: dict[str, tuple[str, list[dict], tuple[float | None, float | None, str]]] = {
    "Thacker Pass": (
        "integrated",
        [R("lithium", 40000 * LI_PER_LCE, "design", "40,000 t/yr Li2CO3 x 0.18787 t Li/t")],
        (2.26e9, None, "doe_lpo_loan;us_equity_stake"),
    ),
    "Rhyolite Ridge": (
        "integrated",
        [R("lithium", 22000 * LI_PER_LCE, "design", "22,000 t/yr Li2CO3 x 0.18787")],
        (996e6, None, "doe_lpo_loan"),
    ),
    "Silver Peak": (
        "mine",
        [
            R(
                "lithium",
                10000 * LI_PER_LCE,
                "target",
                "10,000 t/yr LCE (analyst target) x 0.18787",
                5000 * LI_PER_LCE,
                "2021",
                "output: ~5,000 t/yr LCE before the doubling x 0.18787",
            )
        ],
        (None, None, ""),
    ),
    "Kings Mountain": (
        "mine",
        [
            R(
                "lithium",
                50000 * LI_PER_LCE,
                "design",
                "50,000 t/yr LCE of conversion feed x 0.18787",
            )
        ],
        (90e6, None, "dod_dpa_award"),
    ),
    "Carolina Lithium": (
        "integrated",
        [
            R(
                "lithium",
                30000 * LI_PER_LIOH_H2O,
                "design",
                "30,000 t/yr LiOH (ASSUMPTION: monohydrate) x 0.16542",
            )
        ],
        (None, None, ""),
    ),
    "South West Arkansas": (
        "integrated",
        [R("lithium", 45000 * LI_PER_LCE, "design", "45,000 t/yr Li2CO3 (two phases) x 0.18787")],
        (225e6, None, "doe_grant"),
    ),
    "Tesla Lithium Refinery": (
        "processing",
        [R("lithium", None, G, "capacity only in GWh/yr of hydroxide; no tonnage sourced")],
        (None, None, ""),
    ),
    "Nemaska Lithium": (
        "integrated",
        [
            R(
                "lithium",
                32000 * LI_PER_LIOH_H2O,
                "design",
                "32,000 t/yr LiOH (monohydrate) x 0.16542 (Becancour plant)",
            )
        ],
        (200e6, 380e6, "provincial_equity"),
    ),
    "Rose lithium": (
        "mine",
        [
            R(
                "lithium",
                157706 * sc(5.56) + 46059 * sc(6.16),
                "life_average",
                "157,706 t SC5.56 x 0.02583 + 46,059 t SC6.16 x 0.02862 t Li/t",
            )
        ],
        (None, None, ""),
    ),
    "James Bay (Galaxy)": (
        "mine",
        [
            R(
                "lithium",
                311000 * sc(5.6),
                "design",
                "311,000 t/yr SC5.6 x 0.02602 t Li/t (source also says ~40,000 t LCE = 7,515 t Li)",
            )
        ],
        (None, None, ""),
    ),
    "North American Lithium": (
        "mine",
        [
            R(
                "lithium",
                226000 * sc(6.0),
                "target",
                "226,000 t/yr SC6 x 0.02788 t Li/t",
                4 * 40439 * sc(6.0),
                "2024",
                "output: record quarter to Mar 2024, 40,439 dmt SC6, x4 (ASSUMPTION: the figure is a quarter) x 0.02788",
            )
        ],
        (None, None, ""),
    ),
    "Tanco": (
        "mine",
        [
            R(
                "lithium",
                None,
                G,
                "only 3,000 t/d ore (planned concentrator); no grade or recovery sourced",
            )
        ],
        (None, None, ""),
    ),
    "Shaakichiuwaanaan": (
        "mine",
        [
            R(
                "lithium",
                800000 * sc(5.5),
                "design",
                "800,000 t/yr SC5.5 (PEA yrs 4-18) x 0.02555 t Li/t",
            )
        ],
        (None, None, ""),
    ),
    "Avalon Thunder Bay": (
        "integrated",
        [R("lithium", None, G, "capacity not stated in sources read; none in USGS files")],
        (None, None, ""),
    ),
    "Frontier Lithium": (
        "integrated",
        [
            R(
                "lithium",
                20000 * LI_PER_LIOH_H2O,
                "design",
                "20,000 t/yr 'lithium salts' (ASSUMPTION: LiOH monohydrate) x 0.16542",
            )
        ],
        (None, None, "federal_and_provincial_conditional"),
    ),
    "Sonora Lithium": (
        "mine",
        [
            R(
                "lithium",
                35000 * LI_PER_LCE,
                "design",
                "35,000 t/yr (Bacanora design: Li2CO3) x 0.18787",
                stage="FEASIBILITY",
            )
        ],
        (None, None, ""),
    ),
    "Nouveau Monde Graphite": (
        "integrated",
        [
            R(
                "graphite",
                105882,
                "design",
                "mine 105,882 t/yr graphite concentrate (model basis: natural graphite concentrate, 1:1); plant 44,100 t/yr anode material",
            )
        ],
        (None, 50e6, "federal_and_provincial_equity"),
    ),
    "Graphite One": (
        "integrated",
        [R("graphite", 175000, "design", "mine 175,000 t/yr graphite concentrate (1:1)")],
        (37.5e6, None, "dod_dpa_award"),
    ),
    "Syrah Vidalia": (
        "processing",
        [R("graphite", 11250, "design", "11,250 t/yr active anode material (product t)")],
        (102.1e6, None, "doe_lpo_loan"),
    ),
    "Coosa Graphite": (
        "processing",
        [R("graphite", 7500, "design", "7,500 t/yr refined graphite (product t)")],
        (None, None, ""),
    ),
    "NOVONIX": (
        "processing",
        [R("graphite", 31500, "design", "31,500 t/yr synthetic graphite (not mined; product t)")],
        (754.8e6 + 100e6 + 103e6, None, "doe_lpo_loan_conditional;doe_grant;tax_credit_48c"),
    ),
    "Lac des": (
        "mine",
        [
            R(
                "graphite",
                15000,
                "design",
                "15,000 t/yr graphite concentrate (1:1)",
                12000,
                "2024",
                "output: ~12,000 t concentrate supplied in 2024",
            )
        ],
        (None, 6.225e6, "federal_repayable"),
    ),
    "Mountain Pass": (
        "mine",
        [
            R(
                "rare_earths",
                20000,
                "design",
                "20,000 t/yr TREO separation line",
                45455,
                "2024",
                "output: 45,455 t REO in concentrate (2024 actual)",
            )
        ],
        (9.6e6 + 35e6 + 400e6 + 150e6, None, "dod_dpa_award;dod_equity;dod_loan;price_floor"),
    ),
    "Independence magnet": (
        "processing",
        [
            R(
                "rare_earths",
                None,
                G,
                "1,000 t/yr NdFeB magnets: product t, RE content not sourced, not converted",
            )
        ],
        (58.5e6, None, "tax_credit_48c;dod_offtake"),
    ),
    "SRC Rare Earth": (
        "processing",
        [
            R(
                "rare_earths",
                400 * 1.1664,
                "design",
                "400 t/yr NdPr metal x 1.1664 t oxide/t metal (Nd2O3 336.48 / 2 Nd 288.48) = REO equivalent",
            )
        ],
        (None, 101e6, "provincial_and_federal_grant"),
    ),
    "White Mesa": (
        "processing",
        [R("rare_earths", 1000, "design", "1,000 t/yr separated NdPr oxide (REO basis 1:1)")],
        (None, None, ""),
    ),
    "Nechalacho": (
        "mine",
        [
            R(
                "rare_earths",
                None,
                G,
                "capacity not sourced; none in USGS files (Canada REE output not reported)",
            )
        ],
        (None, None, ""),
    ),
    "Lynas USA": (
        "processing",
        [R("rare_earths", 1250, "design", "1,250 t/yr NdPr (oxide; REO 1:1), LREE circuit only")],
        (258e6 + 30e6, None, "dod_award"),
    ),
    "Ucore": (
        "processing",
        [R("rare_earths", 2000, "design", "2,000 t/yr TREO separated oxides (initial)")],
        (22.4e6 + 15e6, None, "dod_award;state_incentive"),
    ),
    "Round Top": (
        "integrated",
        [R("rare_earths", None, G, "capacity not sourced")],
        (7e6, None, "local_incentive"),
    ),
    "Strange Lake": (
        "integrated",
        [R("rare_earths", 15000, "design", "15,000 t/yr REO")],
        (None, 175e6, "federal_loan_and_infrastructure"),
    ),
    "Tamarack": (
        "integrated",
        [R("nickel", None, G, "8.2 Mst ore over 7-10 yr life, no grade sourced")],
        (114.8e6 + 20.6e6, None, "doe_grant;dod_award"),
    ),
    "Eagle mine": (
        "mine",
        [
            R(
                "nickel",
                23000,
                "design",
                "23,000 t/yr Ni in concentrate (first 3 yrs guidance)",
                8000,
                "2024",
                "output: USGS US nickel mine production 2024 (8,000 t; minerals.toml) - Eagle is the only US primary nickel mine",
            ),
            R(
                "copper",
                20000,
                "design",
                "~20,000 t/yr Cu (design)",
                20000 * 8000 / 23000,
                "2024",
                "output: design Cu x (8,000/23,000), the nickel output ratio (derived)",
                by=True,
                host="nickel",
            ),
        ],
        (None, None, ""),
    ),
    "Voisey": (
        "mine",
        [
            R("nickel", 45000, "design", "45,000 t/yr Ni in concentrate"),
            R("copper", 20000, "design", "20 kt/yr Cu in concentrate", by=True, host="nickel"),
        ],
        (None, None, ""),
    ),
    "Crawford": (
        "mine",
        [R("nickel", 38000, "life_average", "38,000 t/yr Ni (41-yr average)")],
        (None, None, "federal_debt_negotiating"),
    ),
    "Raglan": (
        "mine",
        [
            R(
                "nickel",
                40000,
                "actual",
                "40,000 t/yr Ni in concentrate (>40 kt each of past five years)",
                40000,
                "2023",
            )
        ],
        (None, None, ""),
    ),
    "Sudbury Integrated Nickel": (
        "integrated",
        [R("nickel", None, G, "95,000 t/yr Ni+Cu+Co in matte, not split by metal")],
        (None, None, ""),
    ),
    "Sudbury operations (Copper Cliff": (
        "mine",
        [
            R(
                "nickel",
                10000,
                "partial",
                "+10,000 t/yr Ni from South Mine phase 1 only (total Sudbury not captured)",
            )
        ],
        (None, None, ""),
    ),
    "Thompson operations": (
        "mine",
        [
            R(
                "nickel",
                None,
                G,
                "no design figure",
                4 * 3100,
                "2024",
                "output: 3,100 t Ni in Q3 2024 x 4 (annualised)",
            )
        ],
        (None, None, ""),
    ),
    "NICO": (
        "integrated",
        [
            R("bismuth", 1700, "design", "1,700 t/yr Bi (2020 plan); co-product with cobalt"),
            R(
                "gold",
                47000 / OZT_PER_T,
                "design",
                "47,000 oz/yr Au / 32,150.75 oz/t",
                by=True,
                host="bismuth",
            ),
            R("copper", 300, "design", "300 t/yr Cu", by=True, host="bismuth"),
        ],
        (None, 17.7145e6, "dod_award;federal_grant;provincial_grant"),
    ),
    "Fort Saskatchewan": (
        "processing",
        [
            R(
                "nickel",
                None,
                "",
                "",
                33108,
                "2019",
                "output: 33,108 t finished Ni (2019, 100% basis) from Cuban feed",
            )
        ],
        (None, None, ""),
    ),
    "Vaudreuil gallium": (
        "processing",
        [
            R(
                "gallium",
                3.5,
                "design",
                "3.5 t/yr Ga demonstration plant (commercial up to 40 t/yr)",
                by=True,
                host="alumina (not modelled)",
            )
        ],
        (None, 25.95e6, "provincial_grant;federal_grant_conditional"),
    ),
    "Clarksville zinc smelter": (
        "processing",
        [
            R("zinc", None, G, "zinc smelter capacity not stated"),
            R(
                "germanium",
                30,
                "design",
                "30 t/yr Ge, proposed recovery plant",
                by=True,
                host="zinc",
                stage="FEASIBILITY",
            ),
            R(
                "gallium",
                40,
                "design",
                "40 t/yr Ga, proposed recovery plant",
                by=True,
                host="zinc",
                stage="FEASIBILITY",
            ),
        ],
        (None, None, ""),
    ),
    "Korea Zinc": (
        "processing",
        [
            R("zinc", 300000, "design", "300 kt/yr Zn of 540 kt/yr finished products"),
            R("lead", 200000, "design", "200 kt/yr Pb", by=True, host="zinc"),
        ],
        (
            None,
            None,
            "dod_equity (40.1% of JV; $2.15bn from DoD and investors, DoD share not split)",
        ),
    ),
    "Trail Operations": (
        "processing",
        [
            R("zinc", 295000, "design", "295,000 t/yr refined Zn"),
            R("lead", 90000, "design", "~90,000 t/yr refined Pb", by=True, host="zinc"),
            R(
                "germanium",
                None,
                G,
                "largest NA Ge producer; tonnage not sourced; USGS withholds",
                by=True,
                host="zinc",
            ),
        ],
        (None, None, ""),
    ),
    "Red Dog": (
        "mine",
        [
            R(
                "zinc",
                None,
                "",
                "",
                555600,
                "2024",
                "output: 555,600 t Zn in concentrate (2024 actual)",
            ),
            R(
                "lead",
                None,
                "",
                "",
                93500,
                "2023",
                "output: 93,500 t Pb (2023 actual)",
                by=True,
                host="zinc",
            ),
            R(
                "silver",
                None,
                "",
                "",
                6.5e6 / OZT_PER_T,
                "2023",
                "output: ~6.5 Moz Ag (2023) / 32,150.75",
                by=True,
                host="zinc",
            ),
            R(
                "germanium",
                None,
                G,
                "Ge recovered at Trail; tonnage not sourced",
                by=True,
                host="zinc",
            ),
        ],
        (None, None, ""),
    ),
    "Las Cuevas": (
        "mine",
        [
            R(
                "fluorspar",
                None,
                G,
                "only 6,000 t/d ore at 73-95% CaF2; product tonnage not found (ore x grade x 350 d = 1.5-2.0 Mt, above Mexico's 1.2 Mt 2024 output, so not usable)",
            )
        ],
        (None, None, ""),
    ),
    "St. Lawrence": (
        "mine",
        [R("fluorspar", None, G, "capacity not sourced; US/CA fluorspar output 0 in USGS 2024")],
        (None, 25.25e6, "provincial_loan;federal_grant"),
    ),
    "Met-Mex": (
        "processing",
        [
            R(
                "silver",
                None,
                "",
                "",
                70.6e6 / OZT_PER_T,
                "2020",
                "output: 70.6 Moz refined Ag (2020) / 32,150.75",
            ),
            R(
                "zinc",
                None,
                "",
                "",
                260900,
                "2020",
                "output: 260.9 kt refined Zn (2020)",
                by=True,
                host="silver",
            ),
            R(
                "lead",
                180000,
                "design",
                "180,000 t/yr lead bullion (smelter)",
                111500,
                "2020",
                "output: 111.5 kt refined Pb (2020)",
                by=True,
                host="silver",
            ),
            R(
                "bismuth",
                None,
                G,
                "world's largest metallic Bi producer; tonnage not found",
                by=True,
                host="lead",
            ),
        ],
        (None, None, ""),
    ),
    "Hermosa": (
        "mine",
        [
            R("zinc", 132000, "design", "132 kt/yr Zn"),
            R("lead", 163000, "design", "163 kt/yr Pb", by=True, host="zinc"),
            R(
                "silver",
                8.4e6 / OZT_PER_T,
                "design",
                "8.4 Moz/yr Ag / 32,150.75",
                by=True,
                host="zinc",
            ),
        ],
        (None, None, ""),
    ),
    "Greens Creek": (
        "mine",
        [
            R(
                "silver",
                None,
                "",
                "",
                9.7e6 / OZT_PER_T,
                "2023",
                "output: 9.7 Moz Ag (2023) / 32,150.75",
            ),
            R(
                "gold",
                None,
                "",
                "",
                60896 / OZT_PER_T,
                "2023",
                "output: 60,896 oz Au (2023)",
                by=True,
                host="silver",
            ),
        ],
        (None, None, ""),
    ),
    "Lucky Friday": (
        "mine",
        [
            R(
                "silver",
                None,
                "",
                "",
                3.1e6 / OZT_PER_T,
                "2023",
                "output: 3.1 Moz Ag (2023, fire-affected) / 32,150.75",
            )
        ],
        (None, None, ""),
    ),
    "Keno Hill": (
        "mine",
        [
            R(
                "silver",
                None,
                "",
                "",
                2.1e6 * 12 / 9 / OZT_PER_T,
                "2024",
                "output: 2.1 Moz Ag Jan-Sep 2024 x 12/9 (annualised) / 32,150.75",
            )
        ],
        (None, None, ""),
    ),
    "Pe\u00f1asquito": (
        "mine",
        [
            R(
                "silver",
                None,
                "",
                "",
                27.8e6 / OZT_PER_T,
                "2020",
                "output: 27.8 Moz Ag (2020; notes) / 32,150.75",
            ),
            R(
                "zinc",
                None,
                "",
                "",
                258000,
                "2024",
                "output: 258 kt Zn (2024)",
                by=True,
                host="silver",
            ),
            R(
                "gold",
                None,
                "",
                "",
                299000 / OZT_PER_T,
                "2024",
                "output: 299 koz Au (2024)",
                by=True,
                host="silver",
            ),
        ],
        (None, None, ""),
    ),
    "Fresnillo plc": (
        "mine",
        [
            R(
                "silver",
                None,
                "",
                "",
                56.3e6 / OZT_PER_T,
                "2024",
                "output: 56.3 Moz attributable Ag (2024 group) / 32,150.75",
            )
        ],
        (None, None, ""),
    ),
    "Pine Point": (
        "mine",
        [
            R("zinc", 149000, "life_average", "149,000 t/yr Zn (329 Mlb, 12-yr PEA average)"),
            R("lead", 64000, "life_average", "64,000 t/yr Pb (141 Mlb)", by=True, host="zinc"),
        ],
        (None, None, ""),
    ),
    "Southeast Missouri": (
        "mine",
        [
            R(
                "lead",
                None,
                "usgs_residual",
                "",
                300000 - 93500,
                "2024",
                "output: USGS US lead mine production 2024 (300,000 t) minus Red Dog lead (93,500 t, 2023): residual; an upper bound (Idaho's Greens Creek/Lucky Friday lead not subtracted)",
            )
        ],
        (None, None, ""),
    ),
    "Resolution Copper": (
        "mine",
        [
            R(
                "copper",
                None,
                G,
                "only 40 Blb over mine life (= 18.1 Mt Cu); mine life and annual rate not sourced",
            )
        ],
        (None, None, ""),
    ),
    "Morenci": (
        "mine",
        [
            R(
                "copper",
                900e6 / LB_PER_T,
                "design",
                "900 Mlb/yr EW tankhouse / 2,204.62 lb/t (EW only)",
                707e6 / LB_PER_T,
                "2020",
                "output: 707 Mlb Cu (2020, E&MJ; ~700 Mlb in 2024 per a weak source)",
            ),
            R(
                "molybdenum",
                None,
                "",
                "",
                3e6 / LB_PER_T,
                "2024",
                "output: ~3 Mlb Mo (2024; weak secondary source) / 2,204.62",
                by=True,
                host="copper",
            ),
        ],
        (None, None, ""),
    ),
    "Kennecott": (
        "integrated",
        [
            R(
                "copper",
                None,
                "",
                "",
                173000,
                "2024",
                "output: 2024 refined Cu target; CONFLICT 173 kt vs 200 kt in two versions of one interview: the lower is kept (rule: conservative for the coverage check)",
            )
        ],
        (None, None, ""),
    ),
    "Pebble": (
        "mine",
        [R("copper", None, G, "vetoed (EPA 404(c), 2023); no capacity captured")],
        (None, None, ""),
    ),
    "Copper World": (
        "mine",
        [R("copper", 85000, "life_average", "85,000 t/yr Cu (20-yr average)")],
        (None, None, ""),
    ),
    "Florence Copper": (
        "mine",
        [R("copper", 85e6 / LB_PER_T, "design", "85 Mlb/yr cathode / 2,204.62")],
        (None, None, ""),
    ),
    "Twin Metals": (
        "mine",
        [R("copper", None, G, "leases cancelled 2023; no capacity captured")],
        (None, None, ""),
    ),
    "Buenavista del Cobre": (
        "integrated",
        [
            R("copper", 512000, "design", "512,000 t/yr Cu after the 2016 expansion"),
            R(
                "zinc",
                100000,
                "design",
                "Buenavista Zinc concentrator 100 kt/yr Zn",
                by=True,
                host="copper",
            ),
        ],
        (None, None, ""),
    ),
    "El Arco": (
        "mine",
        [
            R("copper", 190000, "design", "~190,000 t/yr Cu"),
            R(
                "gold",
                105000 / OZT_PER_T,
                "design",
                "105,000 oz/yr Au / 32,150.75",
                by=True,
                host="copper",
            ),
        ],
        (None, None, ""),
    ),
    "Pilares": (
        "mine",
        [R("copper", 35000, "design", "35,000 t/yr Cu in concentrate")],
        (None, None, ""),
    ),
    "La Caridad": (
        "integrated",
        [
            R(
                "copper",
                None,
                G,
                "not captured (SCC group 963,200 t incl. Peru; USGS gives national totals only)",
            ),
            R(
                "molybdenum",
                None,
                G,
                "main Mexican Mo by-product source; tonnage not captured",
                by=True,
                host="copper",
            ),
        ],
        (None, None, ""),
    ),
    "Highland Valley": (
        "mine",
        [
            R(
                "copper",
                132000,
                "life_average",
                "132,000 t/yr Cu (2026-2046 average of the life extension); the existing mine produces throughout",
                stage="PRODUCTION",
            )
        ],
        (None, None, ""),
    ),
    "KSM": (
        "mine",
        [
            R("copper", None, G, "copper rate not captured (7.3 Blb Cu reserves)"),
            R(
                "gold",
                1.0e6 / OZT_PER_T,
                "design",
                ">1.0 Moz/yr Au (2022 PFS) / 32,150.75",
                by=True,
                host="copper",
            ),
        ],
        (None, None, ""),
    ),
    "Horne": (
        "processing",
        [R("copper", None, G, "smelter/refinery capacity not captured")],
        (None, None, ""),
    ),
    "Climax": (
        "mine",
        [
            R(
                "molybdenum",
                30e6 / LB_PER_T,
                "design",
                "30 Mlb/yr potential / 2,204.62",
                20e6 / LB_PER_T,
                "2017",
                "output: base rate 20 Mlb/yr (2017 output)",
            )
        ],
        (None, None, ""),
    ),
    "Henderson": (
        "mine",
        [
            R(
                "molybdenum",
                40e6 / LB_PER_T,
                "design",
                "40 Mlb/yr capability / 2,204.62",
                12e6 / LB_PER_T,
                "2017",
                "output: ~10-12 Mlb/yr 2016-17 (upper shown)",
            )
        ],
        (None, None, ""),
    ),
    "Thompson Creek": (
        "mine",
        [R("molybdenum", 13e6 / LB_PER_T, "design", "13 Mlb/yr after ramp-up / 2,204.62")],
        (None, None, ""),
    ),
    "Langeloth": (
        "processing",
        [
            R(
                "molybdenum",
                40e6 / LB_PER_T,
                "design",
                "40 Mlb/yr conversion capacity (running ~30%)",
            )
        ],
        (None, None, ""),
    ),
    "Endako": (
        "mine",
        [R("molybdenum", None, G, "care and maintenance since 2015; no capacity captured")],
        (None, None, ""),
    ),
}


def _spec_for(name: str):
    hits = [k for k in PROJECTS if name.startswith(k) or k in name]
    if len(hits) != 1:
        raise SystemExit(f"known_projects: {name!r} matches {hits}")
    return PROJECTS[hits[0]]


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    keep = "".join(c.lower() if c.isalnum() else "_" for c in ascii_name.split("(")[0])
    return "_".join(p for p in keep.split("_") if p)[:40]


def build_known_projects() -> tuple[pd.DataFrame, list[str]]:
    rows, dropped = [], []
    with KP.open(encoding="utf-8") as fh:
        src = list(csv.DictReader(fh))
    for i, s in enumerate(src, start=2):  # CSV line numbers (header = line 1)
        name = s["name"]
        primary = MINERAL.get(s["mineral"], s["mineral"])
        if primary in DROPPED_MINERALS and "NICO" not in name:
            dropped.append(f"line {i} {name}: primary mineral {primary} is not modelled")
            continue
        facility, specs, (sup_usd, sup_cad, sup_kind) = _spec_for(name)
        stage_src = s["stage_2025"]
        for sp in specs:
            if sp["mineral"] not in MINERALS:
                raise SystemExit(f"{name}: {sp['mineral']} not a model mineral")
            stage = sp["stage_override"] or STAGE_MAP[stage_src]
            rows.append(
                {
                    "project_id": _slug(name),
                    "name": name,
                    "operator": s["operator"],
                    "country": COUNTRY[s["country"]],
                    "region": s["region"],
                    "mineral": sp["mineral"],
                    "byproduct": sp["byproduct"],
                    "host_mineral": sp["host_mineral"],
                    "facility": facility,
                    "stage_2025_source": stage_src,
                    "stage": stage,
                    "idle_2025": stage_src == "care-and-maintenance" and stage == "PRODUCTION",
                    "capacity_t_per_year": _r(sp["capacity_t_per_year"]),
                    "capacity_basis": sp["capacity_basis"]
                    or ("" if sp["capacity_t_per_year"] is None else "design"),
                    "output_t_per_year": _r(sp["output_t_per_year"]),
                    "output_year": sp["output_year"],
                    "conversion": sp["conversion"],
                    "capacity_as_given": f"{s['capacity']} {s['capacity_unit']}".strip(),
                    "capex_usd": s["capex_usd"],
                    "capex_year": s["capex_year"],
                    # a proposed addition to a producing plant does not inherit the plant's start
                    "start_year": ""
                    if stage_src == "producing" and stage != "PRODUCTION"
                    else s["start_year"],
                    "permit_status": s["permit_status"],
                    "gov_support_usd": _r(sup_usd),
                    "gov_support_cad": _r(sup_cad),
                    "gov_support_kind": sup_kind,
                    "gov_support_text": s["government_support"],
                    "byproducts_named": s["byproducts"],
                    "source": "known_projects.csv line "
                    + str(i)
                    + " (../shared/calibration/known_projects; notes.md); "
                    + s["source"],
                    "notes": s["notes"],
                    "stage_rule": (
                        f"override of {stage_src!r}"
                        if sp["stage_override"]
                        else f"{stage_src} -> {stage}"
                    ),
                }
            )
    df = pd.DataFrame(rows)
    used = {k for k in PROJECTS if any(k in n for n in df["name"])}
    assert used == set(PROJECTS), set(PROJECTS) - used
    return df, dropped


def _r(x):
    return "" if x is None else float(f"{x:.6g}")


# ---- 3. prices ---------------------------------------------------------------------------------
WB_MINERALS = {
    "copper": 1.0,
    "zinc": 1.0,
    "lead": 1.0,
    "nickel": 1.0,
    "gold": OZT_PER_T,
    "silver": OZT_PER_T,
}
MONTHS = pd.period_range("2005-01", "2024-12", freq="M").strftime("%Y-%m")
USGS_DS = "../shared/calibration/history/prices_usgs_mcs_ds140.csv"
MCS25 = "data/usgs_mcs2025/salient_commodity/mcs2025-{f}_salient.csv"
MCS26_NOTE = "USGS MCS2026 data release (doi:10.5066/P1WKQ63T) via " + USGS_DS


def _usgs(q: str, mineral: str, years=None) -> dict[int, float]:
    d = pd.read_csv(HIST / "prices_usgs_mcs_ds140.csv")
    d = d[(d.quantity == q) & (d.mineral == mineral)]
    out = {int(y): float(v) for y, v in zip(d.year, d.value, strict=True) if str(y).isdigit()}
    return {y: v for y, v in out.items() if years is None or y in years}


def _mcs25(f: str, col: str) -> dict[int, float]:
    d = pd.read_csv(ROOT / MCS25.format(f=f), encoding="latin1")
    return {int(y): float(v) for y, v in zip(d.Year, d[col], strict=True)}


def usgs_annual() -> dict[str, dict[int, tuple[float, str, str]]]:
    """Annual anchors per USGS mineral: year -> (USD/t, source, filled) on the minerals.toml basis."""
    y21 = range(2021, 2025)
    a: dict[str, dict[int, tuple[float, str, str]]] = {}

    def put(m, series: dict[int, float], factor: float, source: str, filled: str = "annual_held"):
        for y, v in series.items():  # anchors before 2005 only serve the interpolation
            a.setdefault(m, {})[y] = (v * factor, source, filled)

    old = "older MCS edition (secondary text mirror) via " + USGS_DS
    # molybdenum: USD/kg Mo content (MCS2025 salient Price_dkg)
    put(
        "molybdenum",
        _usgs("price_molybdic_oxide_average_value", "molybdenum"),
        1000,
        old + ": molybdic oxide, USD/kg Mo x 1,000",
    )
    put(
        "molybdenum",
        {2020: _mcs25("molyb", "Price_dkg")[2020]},
        1000,
        MCS25.format(f="molyb") + " Price_dkg x 1,000",
    )
    put(
        "molybdenum",
        _usgs("price_usgs_mcs", "molybdenum", y21),
        1000,
        MCS26_NOTE + ": USD/kg x 1,000",
    )
    # lithium: battery-grade Li2CO3 USD/t -> USD/t Li (x 5.3227 as minerals.toml)
    li = 1 / LI_PER_LCE
    put(
        "lithium",
        _usgs("price_battery_grade_lithium_carbonate_annual_avg", "lithium carbonate"),
        li,
        old + ": Li2CO3 USD/t x 5.3227 t Li2CO3/t Li",
    )
    lib = {y: v for y, v in _mcs25("lithium", "Price_dt").items()}
    put(
        "lithium",
        lib,
        li,
        MCS25.format(f="lithium")
        + " Price_dt (Li2CO3) x 5.3227; MCS2025 kept for 2020-2024 because MCS2026 switched price source (Benchmark 'real'; conflicts.csv)",
    )
    # germanium metal USD/kg
    put(
        "germanium",
        _usgs("price_germanium_metal_annual_avg", "germanium"),
        1000,
        old + ": Ge metal USD/kg x 1,000",
    )
    put(
        "germanium",
        {2020: _mcs25("germa", "Price_Metal_dkg")[2020]},
        1000,
        MCS25.format(f="germa") + " Price_Metal_dkg x 1,000",
    )
    put(
        "germanium",
        _usgs("price_usgs_mcs_Germanium metal", "germanium", y21),
        1000,
        MCS26_NOTE + ": Ge metal USD/kg x 1,000",
    )
    # graphite flake USD/t
    put(
        "graphite",
        _usgs("price_import_unit_value_flake", "graphite (natural, flake)"),
        1,
        old + ": flake import unit value USD/t",
    )
    put(
        "graphite",
        {2020: _mcs25("graph", "Price_Flake_dt")[2020]},
        1,
        MCS25.format(f="graph") + " Price_Flake_dt",
    )
    put(
        "graphite",
        _usgs("price_usgs_mcs_Flake", "graphite (natural)", y21),
        1,
        MCS26_NOTE + ": flake USD/t",
    )
    # fluorspar acid grade USD/t
    put(
        "fluorspar",
        {2020: _mcs25("fluor", "Price_Acid_dt")[2020]},
        1,
        MCS25.format(f="fluor") + " Price_Acid_dt",
    )
    put(
        "fluorspar",
        _usgs("price_usgs_mcs_Acid grade", "fluorspar", y21),
        1,
        MCS26_NOTE + ": acid grade USD/t",
    )
    put(
        "fluorspar",
        {1996: 141.0, 2012: 545.0},
        1,
        "USGS MCS/MYB as quoted by Chemical Industry Data blog (2013), 2012-Q1 acid grade (secondary; endpoints only: 1996 141, 2012-Q1 545 USD/t) via "
        + USGS_DS,
        "anchor_secondary",
    )
    # bismuth USD/lb
    put(
        "bismuth",
        {2006: 4.63},
        LB_PER_T,
        "CRB Commodity Yearbook citing USGS (secondary) via " + USGS_DS + ": USD/lb x 2,204.62",
        "anchor_secondary",
    )
    put(
        "bismuth",
        {2007: 14.0, 2009: 7.0, 2012: 10.0},
        LB_PER_T,
        "Strategic Metal Investments range note (secondary, approximate: ~14 peak 2007, ~7 after the GFC, ~10 in 2010-14) via "
        + USGS_DS
        + ": USD/lb x 2,204.62",
        "anchor_secondary_approx",
    )
    put(
        "bismuth",
        {2015: (10.9 + 4.56) / 2},
        LB_PER_T,
        "USGS MCS text (secondary copy): Jan 2015 10.90, Dec 2015 4.56 USD/lb; mean of the two x 2,204.62",
        "anchor_secondary_approx",
    )
    put(
        "bismuth",
        {2020: _mcs25("bismu", "Price_Average_dlb")[2020]},
        LB_PER_T,
        MCS25.format(f="bismu") + " Price_Average_dlb x 2,204.62",
    )
    put(
        "bismuth",
        _usgs("price_usgs_mcs", "bismuth", y21),
        LB_PER_T,
        MCS26_NOTE + ": USD/lb x 2,204.62",
    )
    # gallium USD/kg high-purity (minerals.toml basis); MCS2026 series is a different definition
    ga = _mcs25("galli", "Price_High-purity_dkg")
    put(
        "gallium",
        ga,
        1000,
        MCS25.format(f="galli")
        + " Price_High-purity_dkg x 1,000 (MCS2026 'average unit value of imports' is another series; not used)",
    )
    put(
        "gallium",
        _usgs("price_gallium_yearend_7N", "gallium (99.99999%)", range(2006, 2011)),
        1000,
        "USGS MCS2011 gallium (secondary mirror) year-end 7N price via "
        + USGS_DS
        + " x 1,000; a DIFFERENT series (year-end, 7N), used as the nearest anchor",
        "anchor_other_series",
    )
    put(
        "gallium",
        {2011: 688.0, 2012: 275.0},
        1000,
        "R.I. Gibson blog citing USGS (secondary): 2011 average 688 USD/kg; ~275 USD/kg Oct 2012 via "
        + USGS_DS,
        "anchor_secondary_approx",
    )
    put(
        "gallium",
        {2013: 280.0},
        1000,
        "same blog: ~280 USD/kg Jan 2013 (secondary)",
        "anchor_secondary_approx",
    )
    # rare earths: DS140 unit value (USD/t REO, nominal) 2005-2020; 2021-2024 scaled by Nd2O3
    put(
        "rare_earths",
        _usgs("unit_value_apparent_consumption_nominal", "rare earths (REO equivalent)"),
        1,
        "USGS DS140 rare earths (2020), unit value of apparent consumption, USD/t REO nominal, via "
        + USGS_DS,
    )
    nd = _mcs25("rareee", "Price_Nd2O3_dkg")
    base = a["rare_earths"][2020][0]
    for y in y21:
        a["rare_earths"][y] = (
            base * nd[y] / nd[2020],
            f"DS140 2020 unit value ({base:.0f} USD/t REO) x Nd2O3 price index {nd[y]:g}/{nd[2020]:g} ({MCS25.format(f='rareee')} Price_Nd2O3_dkg)",
            "scaled_related_series",
        )
    return a


def build_prices() -> pd.DataFrame:
    wb = pd.read_csv(HIST / "prices_worldbank_pinksheet_monthly_2005_2024.csv")
    out = []
    for m, f in WB_MINERALS.items():
        d = wb[wb.mineral == m].set_index("year")
        unit = d.unit.iloc[0]
        conv = " x 32,150.7466 troy oz/t" if f != 1.0 else ""
        for mo in MONTHS:
            out.append(
                (
                    m,
                    mo,
                    d.loc[mo, "value"] * f,
                    f"World Bank Pink Sheet monthly ({d.notes.iloc[0].split(';')[0]}), {unit}{conv}; via ../shared/calibration/history/prices_worldbank_pinksheet_monthly_2005_2024.csv",
                    "none",
                )
            )
    for m, anchors in usgs_annual().items():
        years = sorted(anchors)
        for y in range(2005, 2025):
            if y in anchors:
                v, s, filled = anchors[y]
            elif y < years[0]:
                v, s0, _ = anchors[years[0]]
                s, filled = (
                    f"held at the nearest USGS year {years[0]} ({s0})",
                    f"held_nearest_{years[0]}",
                )
            else:
                lo = max(k for k in years if k < y)
                hi = min(k for k in years if k > y)
                w = (y - lo) / (hi - lo)
                v = math.exp((1 - w) * math.log(anchors[lo][0]) + w * math.log(anchors[hi][0]))
                s, filled = (
                    f"log-linear interpolation between {lo} and {hi} annual values",
                    f"interp_loglinear_{lo}_{hi}",
                )
            for mo in range(1, 13):
                out.append((m, f"{y}-{mo:02d}", v, s, filled))
    df = pd.DataFrame(out, columns=["mineral", "month", "price_usd_per_t", "source", "filled"])
    df["price_usd_per_t"] = df.price_usd_per_t.map(lambda x: float(f"{x:.6g}"))
    df["mineral"] = pd.Categorical(df.mineral, MINERALS)
    return df.sort_values(["mineral", "month"]).reset_index(drop=True)


# ---- 2. demand outlook -------------------------------------------------------------------------
IEA_TOTAL = {
    "copper": "Copper",
    "lithium": "Lithium",
    "nickel": "Nickel",
    "graphite": "Graphite (all grades: natural and synthetic)",
    "rare_earths": "Magnet rare earth elements",
}
IEA_CLEAN_ONLY = {
    "zinc": "Zinc",
    "silver": "Silver",
    "molybdenum": "Molybdenum",
    "gallium": "Gallium",
    "germanium": "Germanium",
    "lead": "Lead",
}
SCEN = {"steps": "STEPS", "aps": "APS", "nze": "NZE"}
YEARS = range(2024, 2036)
IEA_SRC = 'IEA Critical Minerals Data Explorer May 2024 (GCMO 2024, CC BY 4.0) via ../shared/calibration/history/demand_outlook_iea.csv, sheet "{sheet}"'


def _iea():
    d = pd.read_csv(HIST / "demand_outlook_iea.csv")
    return d[
        d.notes.str.contains(
            "Global Critical Minerals Outlook 2024|clean energy technologies only", regex=True
        )
        & (d.country_or_region == "world")
    ]


def _iea_series(d, mineral, q, scen) -> dict[int, float]:
    x = d[(d.mineral == mineral) & (d.quantity.isin([f"{q}__{scen}", f"{q}__historical"]))]
    return {int(y): float(v) for y, v in zip(x.year, x.value, strict=True)}


def _cagr_path(points: dict[int, float]) -> dict[int, float]:
    """Annual growth for YEARS: constant compound growth between consecutive outlook years."""
    ys = sorted(points)
    g = {}
    for y in YEARS:
        lo = max(k for k in ys if k < y)
        hi = min(k for k in ys if k >= y)
        g[y] = (points[hi] / points[lo]) ** (1 / (hi - lo)) - 1
    return g


def build_demand(minerals_toml: dict) -> pd.DataFrame:
    d = _iea()
    rows = []
    for m, name in IEA_TOTAL.items():
        for s, S in SCEN.items():
            tot = _iea_series(d, name, "IEA_demand_total_demand", S)
            cl = _iea_series(d, name, "IEA_demand_total_clean_technologies", S)
            g = _cagr_path(tot)
            share = _interp_share(cl, tot)
            for y in YEARS:
                rows.append(
                    (
                        m,
                        s,
                        y,
                        g[y],
                        share[y],
                        "iea_total_demand",
                        IEA_SRC.format(sheet="1 Total demand for key minerals")
                        + f", {name}, total demand {S}; growth = CAGR between outlook years 2023, 2030, 2035",
                    )
                )
    other = _other_growth()
    world_prod = {m: float(minerals_toml[m]["world_production_t"]) for m in MINERALS}
    for m, name in IEA_CLEAN_ONLY.items():
        for s, S in SCEN.items():
            cl = {
                y: v * 1000 for y, v in _iea_series(d, name, "IEA_cleantech_demand", S).items()
            }  # kt -> t
            g_other, src_other, total0, total_src = other[m]
            total0 = total0 if total0 else world_prod[m]
            other0 = total0 - cl[2023]
            path = {
                y: other0 * (1 + g_other) ** (y - 2023) + _interp_level(cl, y)
                for y in range(2023, 2036)
            }
            for y in YEARS:
                rows.append(
                    (
                        m,
                        s,
                        y,
                        path[y] / path[y - 1] - 1,
                        _interp_level(cl, y) / path[y],
                        "iea_cleantech_plus_other",
                        IEA_SRC.format(sheet="3.2 Cleantech demand by mineral")
                        + f", {name} {S} clean-tech demand (interpolated linearly between 2023, 2030, 2035) + non-clean-tech demand growing at {g_other:.4f}/yr ({src_other}); 2023 total {total0:,.0f} t ({total_src})",
                    )
                )
    for m in ("gold", "fluorspar", "bismuth"):
        g_other, src_other, _, _ = other[m]
        for s in SCEN:
            for y in YEARS:
                rows.append((m, s, y, g_other, "", "other_source_or_assumption", src_other))
    for m in MINERALS:  # "trend" = today's behaviour, for comparison
        g = float(minerals_toml[m]["demand_growth_frac_per_year"])
        for y in YEARS:
            rows.append(
                (
                    m,
                    "trend",
                    y,
                    g,
                    "",
                    "trend_minerals_toml",
                    "params/minerals.toml demand_growth_frac_per_year ("
                    + minerals_toml[m]["demand_growth_source"]
                    + ")",
                )
            )
    df = pd.DataFrame(rows, columns=list(DEMAND_COLUMNS))
    df["world_growth_frac_per_year"] = df.world_growth_frac_per_year.map(
        lambda x: round(float(x), 5)
    )
    df["cleantech_share_frac"] = df.cleantech_share_frac.map(
        lambda x: "" if x == "" else round(float(x), 4)
    )
    df["mineral"] = pd.Categorical(df.mineral, MINERALS)
    return df.sort_values(["mineral", "scenario", "year"]).reset_index(drop=True)


def _interp_level(pts: dict[int, float], y: int) -> float:
    ys = sorted(pts)
    return float(np.interp(y, ys, [pts[k] for k in ys]))


def _interp_share(cl, tot):
    return {y: _interp_level(cl, y) / _interp_level(tot, y) for y in YEARS}


def _other_growth():
    """(non-clean-tech growth, its source, 2023 total demand t or None, its source) per mineral."""
    oth = "../shared/calibration/history/demand_outlook_other.csv"
    zn = ((13.96 / 13.96 * 1.018) * 1.011 * 1.013) ** (
        1 / 3
    ) - 1  # 2024 +1.8%, 2025 +1.1%, 2026 +1.3%
    pb = (1.019 * 1.018 * 1.011) ** (1 / 3) - 1  # 2024 +1.9%, 2025 +1.8%, 2026 +1.1%
    silver_2023_t = 1195.0e6 / OZT_PER_T
    return {
        "zinc": (
            zn,
            f"ILZSG refined zinc demand forecasts 2024 +1.8% (Apr 2024), 2025 +1.1% (Oct 2025), 2026 +1.3% (Apr 2026, latest vintage kept over Oct 2025's +1.0%): geometric mean {zn:.4f}/yr, held to 2035 (ASSUMPTION beyond 2026), {oth}",
            13.96e6 / 1.018,
            f"ILZSG 2024 refined zinc demand 13.96 Mt / 1.018 ({oth})",
        ),
        "lead": (
            pb,
            f"ILZSG refined lead demand 2024 +1.9% (Apr 2024), 2025 +1.8% (Oct 2025), 2026 +1.1% (Apr 2026): geometric mean {pb:.4f}/yr, held to 2035 (ASSUMPTION beyond 2026), {oth}",
            13.42e6 / 1.019,
            f"ILZSG 2024 refined lead demand 13.42 Mt / 1.019 ({oth})",
        ),
        "silver": (
            0.0,
            f"ASSUMPTION 0.0/yr, range [-0.02, 0.04]: Silver Institute total demand fell 1,278.9 (2022) -> 1,195.0 (2023) -> 1,160 Moz (2024) while industrial demand rose +4% in 2024; Oxford Economics: industrial end-user output +46% 2023-2033 (3.9%/yr, fabricator output, not silver tonnage) ({oth})",
            silver_2023_t,
            f"Silver Institute WSS 2024: 2023 total demand 1,195.0 Moz / 32,150.75 ({oth})",
        ),
        "molybdenum": (
            0.0,
            "ASSUMPTION 0.0/yr for non-clean-tech demand, range [-0.02, 0.03]: no outlook in the material (USGS US apparent consumption 2020-2024 fell; minerals.toml trend -0.02)",
            None,
            "USGS world mine production 2024 from params/minerals.toml world_production_t (proxy for 2023 demand; ASSUMPTION)",
        ),
        "gallium": (
            0.0,
            "ASSUMPTION 0.0/yr for non-clean-tech demand, range [-0.02, 0.08]: only old/qualitative outlooks in the material (Roskill 2002-2008: 8-10%/yr)",
            None,
            "USGS world production 2024 (params/minerals.toml world_production_t, proxy; ASSUMPTION)",
        ),
        "germanium": (
            0.0,
            "ASSUMPTION 0.0/yr for non-clean-tech demand, range [-0.02, 0.04]: no outlook in the material",
            None,
            "USGS world production 2024 (params/minerals.toml world_production_t, proxy; ASSUMPTION)",
        ),
        "gold": (
            0.0,
            "ASSUMPTION 0.0/yr, range [-0.02, 0.02]: no demand outlook for gold in the material (IEA does not cover it)",
            None,
            "",
        ),
        "fluorspar": (
            0.042,
            f"Reports and Data fluorspar market VALUE CAGR 4.2%/yr 2024-2034 (low quality; value, not tonnage) used as tonnage growth: ASSUMPTION, range [0.0, 0.06]; Li-ion acidspar demand >20%/yr (Project Blue, one sector) ({oth})",
            None,
            "",
        ),
        "bismuth": (
            0.0,
            "ASSUMPTION 0.0/yr, range [-0.02, 0.03]: no demand outlook for bismuth in the material",
            None,
            "",
        ),
    }


# ---- 4. history: exploration and policy --------------------------------------------------------
def build_exploration() -> pd.DataFrame:
    pf = "../shared/calibration/public_figures.csv"
    eb = "../shared/calibration/history/exploration_budgets.csv"
    pr = "../shared/domain-primer.md"
    world = {
        2010: 12.1e9,
        2011: 18.2e9,
        2012: 21.5e9,
        2013: 15.2e9,
        2014: 11.4e9,
        2015: 9.2e9,
        2016: 7.2e9,
        2017: 8.5e9,
        2018: 10.1e9,
        2019: 9.8e9,
        2020: 8.3e9,
        2021: 11.2e9,
        2022: 13.1e9,
        2023: 12.8e9,
        2024: 12.5e9,
    }
    W = f"{pf} nonferrous_exploration_budget_total (S&P/MEG)"
    rows = []

    def add(y, c, v, src, basis, rule):
        rows.append((y, c, float(f"{v:.6g}"), src, basis, rule))

    SP = "sp_nonferrous_budget_usd"
    add(
        2010,
        "CA",
        2032e6,
        f"{pf} exploration_budget_by_destination CA 2010 (NRCan from MEG CES, excl. uranium)",
        SP,
        "observed; CONFLICT with MEG incl. uranium US$2.2bn ({eb}): rule 'definition excl. uranium' keeps 2,032",
    )
    add(2010, "US", 829e6, f"{pf} exploration_budget_by_destination US 2010", SP, "observed")
    add(2010, "MX", 630e6, f"{pf} exploration_budget_by_destination MX 2010", SP, "observed")
    add(
        2011,
        "MX",
        0.06 * world[2011],
        f"{pf} exploration_budget_by_destination MX 2011 (~US$1,000M, 6% of global) x {W} 2011 US$18.2bn",
        SP,
        "derived: share x world total",
    )
    add(
        2013,
        "CA",
        0.13 * world[2013],
        f"{pf} exploration_budget_share_of_global CA 2013 'just over 13%' x {W} 2013 US$15.2bn",
        SP,
        "derived: share (lower bound) x world total",
    )
    add(
        2013,
        "MX",
        0.06 * world[2013],
        f"{pf} exploration_budget_share_of_global MX 2013 6% x {W} 2013",
        SP,
        "derived: share x world total",
    )
    add(
        2016,
        "CA",
        0.14 * world[2016],
        f"{pf} exploration_budget_share_of_global CA 2016 14% x {W} 2016 US$7.2bn",
        SP,
        "derived: share x world total",
    )
    add(2019, "CA", 1300e6, f"{eb} exploration_budget_by_destination CA 2019 (S&P)", SP, "observed")
    add(2019, "US", 945e6, f"{eb} exploration_budget_by_destination US 2019 (S&P)", SP, "observed")
    add(
        2021,
        "CA",
        2090e6,
        f"{pf} exploration_budget_by_destination CA 2021 (S&P 'Canada mining by the numbers')",
        SP,
        "observed",
    )
    add(
        2023,
        "CA",
        0.192 * world[2023],
        f"{pf} exploration_budget_share_of_global CA 2023 19.2% (Cochilco, S&P data) x {W} 2023 US$12.8bn",
        SP,
        "derived: share x world total",
    )
    add(
        2023,
        "US",
        0.127 * world[2023],
        f"{pf} exploration_budget_share_of_global US 2023 12.7% x {W} 2023",
        SP,
        "derived: share x world total",
    )
    add(
        2023,
        "MX",
        0.186 * 3.38e9,
        f"{pf} exploration_budget_share_of_LatAm MX 2023 18.6% x Latin America US$3.38bn",
        SP,
        "derived: share x regional total",
    )
    for y in (2010, 2023):
        v = sum(r[2] for r in rows if r[0] == y and r[4] == SP)
        add(
            y,
            "NA",
            v,
            "sum of the US, MX and CA rows of this table for the year (same basis)",
            SP,
            "derived: sum (all three countries on one basis)",
        )
    for y in sorted(world):
        add(y, "WORLD", world[y], W + f" {y}", SP, "observed")
    CM = "camimex_exploration_investment_usd"
    cam = {
        2012: (
            1160e6,
            "observed; primer gives $1,165M (rule: public_figures.csv, the cited source, is kept)",
        ),
        2014: (856e6, "observed"),
        2016: (401e6, "observed (primer; not in public_figures.csv)"),
        2017: (612e6, "observed"),
        2018: (383e6, "observed"),
        2019: (536e6, "observed"),
        2020: (338e6, "observed"),
        2023: (452.9e6, "observed"),
        2024: (
            437.7e6,
            "observed; Camimex reports -11.5% but its own dollars give -3.4% (rule: levels kept, the reported % ignored)",
        ),
    }
    for y, (v, rule) in cam.items():
        src = (
            f"{pr} Exploration money (Camimex)"
            if y == 2016
            else f"{pf} exploration_investment (Camimex) MX {y}"
        )
        add(y, "MX", v, src, CM, rule)
    NR = "nrcan_exploration_deposit_appraisal_cad"
    nr = {
        2010: (2771.9, "observed (NRCan table via PDAC 2012)"),
        2011: (
            4200.0,
            "CONFLICT prelim 3,927.8 vs revised 4.2bn: rule 'latest revision' keeps 4,200",
        ),
        2012: (
            3900.0,
            "CONFLICT intentions 4,208.5 vs preliminary 3,900: rule 'latest revision' keeps 3,900",
        ),
        2013: (3300.0, "spending intentions (only figure)"),
        2015: (1842.4, "observed"),
        2016: (1628.8, "observed (final; bulletin's 1.6bn rounded)"),
        2017: (2185.5, "observed"),
        2018: (2485.2, "observed"),
        2019: (
            2286.5,
            "CONFLICT prelim 2,087.3 vs final 2,286.5: rule 'latest revision' keeps final",
        ),
        2020: (
            2200.0,
            "CONFLICT intentions 2,132.8 vs prelim 2.2bn (NRCan via public_figures.csv): rule 'latest revision' keeps 2,200",
        ),
        2021: (
            3800.0,
            "CONFLICT 3.6bn (+66%, MAC) vs 3.8bn (+72%, NRCan June 2023 bulletin): rule 'latest revision' keeps 3,800",
        ),
        2022: (4100.0, "observed (NRCan June 2023 bulletin)"),
    }
    for y, (v, rule) in nr.items():
        rows.append(
            (
                y,
                "CA",
                "",
                f"NRCan exploration + deposit appraisal, all minerals, CAD {v:,.1f}M nominal ({eb} / {pf}); NOT converted to USD (no stored exchange rate, as params/countries.toml)",
                NR,
                rule + f"; exploration_cad = {v * 1e6:.6g}",
            )
        )
    df = pd.DataFrame(
        rows, columns=["year", "country", "exploration_usd", "source", "basis", "rule"]
    )
    df["exploration_cad"] = [
        float(r.split("exploration_cad = ")[1]) if "exploration_cad = " in r else ""
        for r in df.rule
    ]
    df["rule"] = [r.split("; exploration_cad = ")[0] for r in df.rule]
    return df.sort_values(["basis", "country", "year"]).reset_index(drop=True)


def build_policy() -> pd.DataFrame:
    tl = "../shared/calibration/history/mexico_policy_timeline.csv"
    pf = "../shared/calibration/public_figures.csv"
    pr = "../shared/domain-primer.md"
    P = [  # date, country, parameter (or ''), value, event, source, note
        (
            "2010-01",
            "MX",
            "government.MX.royalty_rate",
            0.0,
            "no special mining duty before 2014",
            f"{tl} (duty created by the 2014 LFD reform)",
            "start value for a 2010 replay",
        ),
        (
            "2010-01",
            "MX",
            "government.MX.precious_metals_duty",
            0.0,
            "no extraordinary duty before 2014",
            tl,
            "start value",
        ),
        (
            "2010-01",
            "MX",
            "government.MX.exploration_deduction_years",
            1.0,
            "exploration expensed at once before 2014",
            f"{pr} 'Since 2014 exploration costs are deducted over 10 years instead of at once'",
            "start value",
        ),
        (
            "2010-01",
            "MX",
            "government.MX.new_concessions",
            True,
            "concessions granted (2005 single-concession regime)",
            f"{tl} mining_law_amendment_single_concession_regime 2005-04-28",
            "start value",
        ),
        (
            "2010-01",
            "MX",
            "government.MX.concession_years",
            50.0,
            "50-year concession term (2006-2023)",
            f"{tl} 2005-04-28; params/scenarios/mx_pre_reform.toml",
            "start value",
        ),
        (
            "2010-01",
            "MX",
            "government.MX.state_reserved_minerals",
            "[]",
            "no state-reserved minerals",
            tl,
            "start value",
        ),
        (
            "2014-01",
            "MX",
            "government.MX.royalty_rate",
            0.075,
            "special mining duty 7.5% (LFD Art.268)",
            f"{tl} special_mining_duty_rate 2014-01-01",
            "approved by Congress 2013-10-31",
        ),
        (
            "2014-01",
            "MX",
            "government.MX.precious_metals_duty",
            0.005,
            "extraordinary duty 0.5% on Au/Ag/Pt revenue (LFD Art.270)",
            f"{tl} extraordinary_mining_duty_rate 2014-01-01",
            "",
        ),
        (
            "2014-01",
            "MX",
            "government.MX.exploration_deduction_years",
            10.0,
            "exploration deducted over 10 years",
            f"{pr} Fiscal regimes",
            "",
        ),
        (
            "2014-01",
            "MX",
            "",
            "50 / 100 % of max hectare duty",
            "additional duty on inactive concessions (LFD Art.269)",
            f"{tl} 2014-01-01",
            "NO PARAMETER: inactive-concession duty",
        ),
        (
            "2014-01",
            "MX",
            "",
            "event",
            "Fondo Minero created (duties shared with mining states/municipalities)",
            tl,
            "NO PARAMETER: revenue distribution",
        ),
        (
            "2019-01",
            "MX",
            "",
            "event",
            "Fondo Minero centralised (states no longer receive directly)",
            f"{tl} (Paquete Economico 2019; month not given, January assumed)",
            "NO PARAMETER: revenue distribution",
        ),
        (
            "2019-08",
            "MX",
            "government.MX.new_concessions",
            False,
            "AMLO: no new mining concessions (12 Aug 2019; reaffirmed 26 Nov 2021)",
            f"{tl} AMLO_announces_no_new_mining_concessions 2019-08-12",
            "held_ground_access_frac applies from here (baseline 0.75, ASSUMPTION)",
        ),
        (
            "2022-04",
            "MX",
            "government.MX.state_reserved_minerals",
            '["lithium"]',
            "lithium reserved to the State (Mining Law Art.5 bis, DOF 20 Apr 2022)",
            f"{tl} 2022-04-20",
            "",
        ),
        (
            "2022-08",
            "MX",
            "",
            "event",
            "LitioMx created (DOF 23 Aug 2022)",
            f"{tl} 2022-08-23",
            "NO PARAMETER for the agency's creation; its budget is government.MX.state_exploration_budget_usd (no sourced amount)",
        ),
        (
            "2023-02",
            "MX",
            "",
            "234,855 ha",
            "lithium reserve zone Li-MX1 (Sonora)",
            f"{tl} 2023-02-18",
            "NO PARAMETER: area reservation",
        ),
        (
            "2023-05",
            "MX",
            "government.MX.concession_years",
            30.0,
            "2023 reform: 30-year concessions (in force 9 May 2023)",
            f"{tl} concession_term 2023-05-09",
            "CONFLICT max duration 55 vs 80 yr (conflicts.csv): the parameter is the initial term, 30, in both",
        ),
        (
            "2023-05",
            "MX",
            "",
            "event",
            "concessions by public tender only; no concessions without water availability",
            f"{tl} 2023-05-09",
            "NO PARAMETER (new_concessions already false since 2019-08)",
        ),
        (
            "2023-05",
            "MX",
            "",
            "7 % of consideration (Reforma) / 5 % of profit (Opportimes)",
            "community benefit share",
            f"{tl} 2023-05-09; conflicts.csv",
            "NO PARAMETER; CONFLICT on rate and base, unresolved",
        ),
        (
            "2023-05",
            "MX",
            "",
            "30 years",
            "water concession maximum duration",
            f"{tl} 2023-05-09",
            "NO PARAMETER",
        ),
        (
            "2025-01",
            "MX",
            "government.MX.royalty_rate",
            0.085,
            "special mining duty 8.5% (LFD 2025)",
            f"{tl} special_mining_duty_rate 2025-01-01",
            "Chamber 2024-11-26, Senate late Nov 2024",
        ),
        (
            "2025-01",
            "MX",
            "government.MX.precious_metals_duty",
            0.01,
            "extraordinary duty 1.0%",
            f"{tl} extraordinary_mining_duty_rate 2025-01-01",
            "",
        ),
        (
            "2025-06",
            "MX",
            "",
            "event",
            "Sheinbaum: no new concessions; existing reviewed",
            f"{tl} 2025-06-23",
            "no parameter change: new_concessions already false",
        ),
        (
            "2010-01",
            "CA",
            "government.CA.exploration_credit_frac",
            0.15,
            "federal METC 15% of flow-through exploration (2000-2027)",
            f"{pf} mineral_exploration_tax_credit_METC",
            "in force throughout 2010-2025",
        ),
        (
            "2010-01",
            "CA",
            "government.CA.critical_exploration_credit_frac",
            0.0,
            "no CMETC before 2022",
            f"{pf} critical_mineral_exploration_tax_credit_CMETC (2022-2027)",
            "the model applies the larger of the two credits (abm/economics.py), so critical minerals still get the METC 15%",
        ),
        (
            "2022-04",
            "CA",
            "government.CA.critical_exploration_credit_frac",
            0.30,
            "CMETC 30% of flow-through critical-mineral exploration",
            f"{pf} critical_mineral_exploration_tax_credit_CMETC 2022-2027",
            "month ASSUMPTION: announced in Budget 2022 (7 Apr 2022); the material gives only the year",
        ),
        (
            "2010-01",
            "US",
            "government.US.production_credit_frac",
            0.0,
            "no production credit before the IRA",
            f"{pf} 45X_advanced_manufacturing_credit_critical_minerals (2023-)",
            "start value",
        ),
        (
            "2023-01",
            "US",
            "government.US.production_credit_frac",
            0.10,
            "45X credit, 10% of critical-mineral production cost (IRA s.13502)",
            f"{pf} 45X_advanced_manufacturing_credit_critical_minerals 2023-",
            "",
        ),
        (
            "2010-01",
            "US",
            "government.US.corporate_tax_rate",
            0.35,
            "federal corporate tax 35% before TCJA",
            f"{pf} corporate_income_tax_rate_federal note 'TCJA cut top rate from 35% to 21%'",
            "federal only, as baseline's 0.21",
        ),
        (
            "2018-01",
            "US",
            "government.US.corporate_tax_rate",
            0.21,
            "TCJA: federal corporate tax 21%",
            f"{pf} corporate_income_tax_rate_federal 2018-present",
            "",
        ),
        (
            "2010-01",
            "US",
            "",
            "5-7 years (2009) / 7-10 years (2013-2024)",
            "US permitting duration of a major mine",
            f"{pf} permitting_duration_major_mine",
            "NO DATED CHANGE: permit_review_months stays at baseline; the material gives durations, not a dated reform",
        ),
    ]
    rows = []
    for date, c, key, val, event, src, note in P:
        if key and key not in PARAMS:
            raise SystemExit(f"policy_timeline: {key} is not a declared parameter")
        rows.append(
            {
                "date": date,
                "country": c,
                "parameter": key,
                "value": val if not isinstance(val, bool) else str(val).lower(),
                "has_parameter": bool(key),
                "parameter_status": "mapped"
                if key
                else (
                    "no_change"
                    if note.lower().startswith(("no parameter change", "no dated change"))
                    else "no_parameter_yet"
                ),
                "event": event,
                "source": src,
                "note": note,
            }
        )
    return (
        pd.DataFrame(rows)
        .sort_values(["date", "country", "parameter"], kind="stable")
        .reset_index(drop=True)
    )


def main() -> None:
    with (ROOT / "params" / "minerals.toml").open("rb") as fh:
        mt = tomllib.load(fh)
    (ROOT / "params" / "history").mkdir(exist_ok=True)
    kp, dropped = build_known_projects()
    kp.to_csv(ROOT / "params" / "known_projects.csv", index=False)
    print(f"known_projects.csv: {len(kp)} rows from {kp.name.nunique()} projects; dropped:")
    for d in dropped:
        print("  ", d)
    dm = build_demand(mt)
    dm.to_csv(ROOT / "params" / "demand_outlook.csv", index=False)
    print(f"demand_outlook.csv: {len(dm)} rows")
    pr = build_prices()
    pr.to_csv(ROOT / "params" / "history" / "prices_monthly.csv", index=False)
    print(f"prices_monthly.csv: {len(pr)} rows; filled: {pr.filled.value_counts().to_dict()}")
    ex = build_exploration()
    ex.to_csv(ROOT / "params" / "history" / "exploration_observed.csv", index=False)
    print(f"exploration_observed.csv: {len(ex)} rows")
    po = build_policy()
    po.to_csv(ROOT / "params" / "history" / "policy_timeline.csv", index=False)
    print(f"policy_timeline.csv: {len(po)} rows")


if __name__ == "__main__":
    main()

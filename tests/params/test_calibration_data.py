"""Checks of the calibration data in ``params/minerals.toml`` and ``params/countries.toml``.

Structure (keys, sources, ranges) and cross-checks of the numbers against the USGS Mineral
Commodity Summaries 2025 files shipped in ``data/usgs_mcs2025/``, so that a typo in a TOML file
fails a test.
"""

from __future__ import annotations

import csv
import itertools
import math
import re
import statistics
import tomllib
from functools import cache
from pathlib import Path

import pytest

from abm.params.schema import COUNTRIES, COUNTRY_NAMES, MINERALS  # the one declaration

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "usgs_mcs2025"
SALIENT = DATA / "salient_commodity"
TRENDS = DATA / "industry_trends"
MINERALS_TOML = ROOT / "params" / "minerals.toml"
COUNTRIES_TOML = ROOT / "params" / "countries.toml"

REQUIRED_KEYS = (
    "label",
    "basis",
    "critical",
    "critical_source",
    "precious",
    "price_usd_per_t",
    "price_source",
    "price_note",
    "price_volatility_frac_per_year",
    "production_t",
    "world_production_t",
    "top_row_supplier",
    "top_row_supplier_share_frac",
    "reserves_t",
    "world_reserves_t",
    "consumption_t",
    "consumption_note",
    "us_net_import_reliance_frac",
    "na_import_dependency_frac",
    "na_import_dependency_note",
    "demand_growth_frac_per_year",
    "shipped_t_per_t",
    "byproduct_of",
)
# Unit suffixes stripped from a key to find its ``<stem>_source`` key (longest first).
UNIT_SUFFIXES = (
    "_frac_per_year",
    "_usd_per_t",
    "_t_per_t",
    "_years",
    "_frac",
    "_usd",
    "_mxn",
    "_cad",
    "_t",
)

OZT_PER_T = 32150.7466
LB_PER_T = 2204.62262
LI2CO3_PER_LI = 73.89 / (2 * 6.941)
MX_MVA_RATIO = 175 / 1870
CA_MVA_RATIO = 148 / 1870

# mineral -> (salient file code, 2024 price column, factor to USD per t of the basis)
PRICE_SERIES = {
    "silver": ("silve", "Price_Bullion_dtoz", OZT_PER_T),
    "gold": ("gold", "Price_dtoz", OZT_PER_T),
    "zinc": ("zinc", "Price_LME_ctslb", LB_PER_T / 100),
    "lead": ("lead", "Price_LME_ctslb", LB_PER_T / 100),
    "copper": ("coppe", "Price_COMEX_ctslb", LB_PER_T / 100),
    "fluorspar": ("fluor", "Price_Acid_dt", 1.0),
    "bismuth": ("bismu", "Price_Average_dlb", LB_PER_T),
    "molybdenum": ("molyb", "Price_dkg", 1000.0),
    "lithium": ("lithium", "Price_dt", LI2CO3_PER_LI),
    "graphite": ("graph", "Price_Flake_dt", 1.0),
    "rare_earths": ("rareee", "Price_Nd2O3_dkg", None),  # value of concentrate, see test
    "nickel": ("nicke", "Price_dt", 1.0),
    "gallium": ("galli", "Price_High-purity_dkg", 1000.0),
    "germanium": ("germa", "Price_Metal_dkg", 1000.0),
}

# mineral -> (salient file code, consumption column, year, factor to tonnes)
US_CONSUMPTION = {
    "silver": ("silve", "Consump_t", "2024", 1.0),
    "gold": ("gold", "Consump_t", "2024", 1.0),
    "zinc": ("zinc", "Consump_Refined_kt", "2024", 1000.0),
    "lead": ("lead", "Consump_North_American_kt", "2024", 1000.0),
    "copper": ("coppe", "Consump_Apparent_kt", "2024", 1000.0),
    "fluorspar": ("fluor", "Consump_Apprnt_kt", "2024", 1000.0),
    "bismuth": ("bismu", "Consump_Apprnt_t", "2024", 1.0),
    "molybdenum": ("molyb", "Consump_Apparent_t", "2024", 1.0),
    "graphite": ("graph", "Consump_t", "2024", 1.0),
    "rare_earths": ("rareee", "Consump_Compounds-Metals_t", "2024", 1.0),
    "nickel": ("nicke", "Consump_Apparent_Total_t", "2024", 1.0),
    "gallium": ("galli", "Consump_kg", "2024", 0.001),
    "germanium": ("germa", "Consump_g", "2021", 0.001),  # labelled g, holds kg
}

# mineral -> (salient file code, 2024 net import reliance column)
US_NIR = {
    "silver": ("silve", "NIR_pct"),
    "gold": ("gold", "NIR_pct"),
    "zinc": ("zinc", "NIR_Refined_pct"),
    "lead": ("lead", "NIR_Metal_pct"),
    "copper": ("coppe", "NIR_pct"),
    "fluorspar": ("fluor", "NIR_pct"),
    "bismuth": ("bismu", "NIR_Consump_pct"),
    "molybdenum": ("molyb", "NIR_pct"),
    "lithium": ("lithium", "NIR_pct"),
    "graphite": ("graph", "NIR_pct"),
    "rare_earths": ("rareee", "NIR_Compounds-Metals_t"),
    "nickel": ("nicke", "NIR_ct"),
    "gallium": ("galli", "NIR_pct"),
    "germanium": ("germa", "NIR_ct"),
}

# mineral -> (World_Data COMMODITY, TYPE prefix, factor to tonnes for production,
#             factor to tonnes for reserves)
WORLD = {
    "silver": ("Silver", "Mine production", 1.0, 1.0),
    "gold": ("Gold", "mine production", 1.0, 1.0),
    "zinc": ("Zinc", "Mine production", 1000.0, 1000.0),
    "lead": ("Lead", "Mine production", 1000.0, 1000.0),
    "copper": ("Copper", "Mine production", 1000.0, 1000.0),
    "fluorspar": ("Fluorspar", "Mine production", 1000.0, 1000.0),
    "bismuth": ("Bismuth", "Refinery production", 1.0, 1.0),
    "molybdenum": ("Molybdenum", "Mine production", 1.0, 1000.0),
    "lithium": ("Lithium", "Mine production", 1.0, 1.0),
    "graphite": ("Graphite", "Mine production", 1.0, 1.0),
    "rare_earths": ("Rare earths", "Mine production", 1.0, 1.0),
    "nickel": ("Nickel", "Mine production", 1.0, 1.0),
    "gallium": ("Gallium", "Primary production", 0.001, 1.0),
}
# Country values taken from MCS2025_World_Data.csv (others come from NRCan, the seed, etc.)
WORLD_PRODUCTION_CHECKS = [
    ("silver", "US"),
    ("silver", "MX"),
    ("silver", "CA"),
    ("gold", "US"),
    ("gold", "MX"),
    ("gold", "CA"),
    ("zinc", "US"),
    ("zinc", "MX"),
    ("lead", "US"),
    ("lead", "MX"),
    ("copper", "US"),
    ("copper", "MX"),
    ("copper", "CA"),
    ("fluorspar", "MX"),
    ("molybdenum", "US"),
    ("molybdenum", "MX"),
    ("molybdenum", "CA"),
    ("lithium", "CA"),
    ("graphite", "MX"),
    ("graphite", "CA"),
    ("rare_earths", "US"),
    ("nickel", "US"),
    ("nickel", "CA"),
]
WORLD_RESERVE_CHECKS = [
    ("silver", "US"),
    ("silver", "MX"),
    ("silver", "CA"),
    ("gold", "US"),
    ("gold", "MX"),
    ("gold", "CA"),
    ("zinc", "US"),
    ("zinc", "MX"),
    ("lead", "US"),
    ("lead", "MX"),
    ("copper", "US"),
    ("copper", "MX"),
    ("copper", "CA"),
    ("fluorspar", "MX"),
    ("molybdenum", "US"),
    ("molybdenum", "MX"),
    ("molybdenum", "CA"),
    ("lithium", "US"),
    ("lithium", "CA"),
    ("graphite", "MX"),
    ("graphite", "CA"),
    ("rare_earths", "US"),
    ("rare_earths", "CA"),
    ("nickel", "US"),
    ("nickel", "CA"),
]
# Minerals whose top_row_supplier_share_frac is the mine/refinery share in MCS2025_World_Data
# (graphite, rare earths and germanium use processing shares from other sources).
WORLD_SHARE_MINERALS = (
    "silver",
    "gold",
    "zinc",
    "lead",
    "copper",
    "fluorspar",
    "bismuth",
    "molybdenum",
    "lithium",
    "nickel",
    "gallium",
)
FIG12_NAMES = {
    "silver": "Silver",
    "gold": "Gold",
    "zinc": "Zinc",
    "lead": "Lead",
    "copper": "Copper",
    "fluorspar": "Fluorspar",
    "bismuth": "Bismuth",
    "molybdenum": "Molybdenum",
    "graphite": "Graphite (natural)",
    "rare_earths": "Rare earths",
    "nickel": "Nickel",
    "gallium": "Gallium",
}
# Name of each mineral in MCS2025_T4 (the 2022 critical minerals list); rare earths are listed
# element by element, so neodymium stands for them.
T4_NAMES = {m: m.capitalize() for m in MINERALS} | {"rare_earths": "Neodymium"}
SEED_DEPENDENCY = {"rare_earths": 0.87, "lithium": 0.73, "graphite": 0.91}


# ----------------------------------------------------------------------------- helpers
@cache
def minerals() -> dict:
    with MINERALS_TOML.open("rb") as f:
        return tomllib.load(f)


@cache
def countries() -> dict:
    with COUNTRIES_TOML.open("rb") as f:
        return tomllib.load(f)


def clean(text: str) -> str:
    """Undo the encoding debris in the USGS CSVs (BOMs, mojibake non-breaking spaces)."""
    for junk in ("\ufeff", "ï»¿"):
        text = text.replace(junk, "")
    return text.replace("Â\xa0", " ").replace("\xa0", " ").strip()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [{clean(k): clean(v or "") for k, v in row.items()} for row in csv.DictReader(f)]


@cache
def salient(code: str) -> dict[str, dict[str, str]]:
    """Rows of a salient file keyed by year."""
    return {r["Year"]: r for r in read_csv(SALIENT / f"mcs2025-{code}_salient.csv")}


@cache
def world_rows() -> list[dict[str, str]]:
    return read_csv(DATA / "MCS2025_World_Data.csv")


def number(text: str) -> float:
    """A USGS cell as a number: '1,900' -> 1900, '>90000000' -> 90000000."""
    return float(re.sub(r"[,\s<>]", "", text))


def nir_frac(text: str) -> float:
    """USGS net import reliance cell -> fraction (project convention: E -> 0, '>50' -> 0.5)."""
    if text == "E":
        return 0.0
    return number(text) / 100


def world(mineral: str, country: str, column: str) -> float:
    commodity, type_prefix, prod_factor, res_factor = WORLD[mineral]
    factor = res_factor if column == "RESERVES_2024" else prod_factor
    hits = [
        r
        for r in world_rows()
        if r["COMMODITY"] == commodity
        and r["COUNTRY"] == country
        and r["TYPE"].lower().startswith(type_prefix.lower())
    ]
    assert len(hits) == 1, f"{commodity}/{country}/{type_prefix}: {len(hits)} rows"
    return number(hits[0][column]) * factor


def numeric(value) -> bool:
    if isinstance(value, bool | int | float):
        return True
    return isinstance(value, dict) and all(isinstance(v, int | float) for v in value.values())


def source_key(key: str) -> str:
    for suffix in UNIT_SUFFIXES:
        if key.endswith(suffix):
            return key[: -len(suffix)] + "_source"
    return key + "_source"


def approx(expected: float, rel: float = 1e-3, abs_: float = 1e-9):
    return pytest.approx(expected, rel=rel, abs=abs_)


# --------------------------------------------------------------------------- structure
def test_minerals_toml_has_exactly_the_14_minerals():
    assert set(minerals()) == set(MINERALS)


@pytest.mark.parametrize("mineral", MINERALS)
def test_every_mineral_has_every_key(mineral):
    entry = minerals()[mineral]
    missing = [k for k in REQUIRED_KEYS if k not in entry]
    assert not missing, f"[{mineral}] missing {missing}"
    for key in ("production_t", "reserves_t", "consumption_t"):
        assert set(entry[key]) == set(COUNTRIES), f"[{mineral}] {key}"
    for key in ("label", "basis", "top_row_supplier", "byproduct_of"):
        assert isinstance(entry[key], str)
    assert entry["label"].strip() and entry["basis"].strip()
    assert isinstance(entry["critical"], bool) and isinstance(entry["precious"], bool)


@pytest.mark.parametrize("path", [MINERALS_TOML, COUNTRIES_TOML], ids=lambda p: p.name)
def test_every_number_has_a_non_empty_source(path):
    with path.open("rb") as f:
        doc = tomllib.load(f)
    problems = []
    for table_name, table in doc.items():
        for key, value in table.items():
            if key.endswith(("_year", "_source", "_note")) or not numeric(value):
                continue
            src = table.get(source_key(key))
            if not (isinstance(src, str) and len(src.strip()) >= 10):
                problems.append(f"[{table_name}] {key}: no {source_key(key)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", [MINERALS_TOML, COUNTRIES_TOML], ids=lambda p: p.name)
def test_fractions_lie_in_unit_interval(path):
    with path.open("rb") as f:
        doc = tomllib.load(f)
    bad = [
        f"[{t}] {k} = {v}"
        for t, table in doc.items()
        for k, v in table.items()
        if k.endswith("_frac") and not (isinstance(v, int | float) and 0.0 <= v <= 1.0)
    ]
    assert not bad, bad


@pytest.mark.parametrize("mineral", MINERALS)
def test_values_are_in_plausible_ranges(mineral):
    e = minerals()[mineral]
    for key in ("production_t", "reserves_t", "consumption_t"):
        assert all(v >= 0 for v in e[key].values()), f"[{mineral}] {key}"
    assert e["consumption_t"]["US"] > 0
    assert e["price_usd_per_t"] > 0
    assert 0.10 <= e["price_volatility_frac_per_year"] <= 2.0
    assert -0.02 <= e["demand_growth_frac_per_year"] <= 0.15
    assert e["shipped_t_per_t"] >= 1.0
    assert e["world_production_t"] > 0
    assert e["world_production_t"] >= sum(e["production_t"].values())
    assert e["world_reserves_t"] >= sum(e["reserves_t"].values())
    assert 0.0 < e["top_row_supplier_share_frac"] <= 1.0
    assert e["top_row_supplier"] not in {"United States", "Mexico", "Canada", *COUNTRIES}


def test_precious_flags_are_gold_and_silver_only():
    assert {m for m in MINERALS if minerals()[m]["precious"]} == {"gold", "silver"}


def test_critical_flags_match_usgs_2022_list():
    listed = {
        r["Critical Mineral"] for r in read_csv(TRENDS / "MCS2025_T4_Critical_Minerals_End_Use.csv")
    }
    for m in MINERALS:
        assert minerals()[m]["critical"] == (T4_NAMES[m] in listed), m


def test_byproduct_hosts_for_minor_metals():
    assert minerals()["gallium"]["byproduct_of"] == "alumina/zinc"
    assert minerals()["germanium"]["byproduct_of"] == "zinc"
    assert minerals()["bismuth"]["byproduct_of"] == "lead"


# ------------------------------------------------------------------- shipped USGS files
def test_every_cited_usgs_file_is_shipped_and_every_shipped_file_is_cited():
    text = MINERALS_TOML.read_text(encoding="utf-8")
    cited = set(re.findall(r"data/usgs_mcs2025/[\w/.\-]+?\.csv", text))
    shipped = {p.relative_to(ROOT).as_posix() for p in DATA.rglob("*.csv")}
    assert cited, "no USGS file cited"
    assert cited <= shipped, f"cited but not shipped: {sorted(cited - shipped)}"
    assert shipped <= cited, f"shipped but not cited: {sorted(shipped - cited)}"


def test_data_readme_names_source_and_every_file():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert "10.5066/P13XCP3R" in readme
    assert "public domain" in readme.lower()
    for p in DATA.rglob("*.csv"):
        assert p.relative_to(DATA).as_posix() in readme, p.name


# ----------------------------------------------------------- cross-checks against USGS
def test_headline_values():
    m = minerals()
    assert m["silver"]["production_t"]["MX"] == 6300  # USGS and the seed agree
    assert m["silver"]["consumption_t"]["US"] == 6400
    assert m["silver"]["us_net_import_reliance_frac"] == approx(0.64)
    assert m["rare_earths"]["world_production_t"] == 390_000
    assert m["fluorspar"]["production_t"]["MX"] == 1_200_000


@pytest.mark.parametrize(("mineral", "country"), WORLD_PRODUCTION_CHECKS)
def test_production_matches_world_data(mineral, country):
    expected = world(mineral, COUNTRY_NAMES[country], "PROD_EST_ 2024")
    assert minerals()[mineral]["production_t"][country] == approx(expected)


@pytest.mark.parametrize(("mineral", "country"), WORLD_RESERVE_CHECKS)
def test_reserves_match_world_data(mineral, country):
    expected = world(mineral, COUNTRY_NAMES[country], "RESERVES_2024")
    assert minerals()[mineral]["reserves_t"][country] == approx(expected)


@pytest.mark.parametrize("mineral", list(WORLD))
def test_world_production_and_reserves_match_world_data(mineral):
    e = minerals()[mineral]
    total = "World total (rounded)"
    assert e["world_production_t"] == approx(world(mineral, total, "PROD_EST_ 2024"))
    reserves = [
        r for r in world_rows() if r["COMMODITY"] == WORLD[mineral][0] and r["COUNTRY"] == total
    ]
    cell = reserves[0]["RESERVES_2024"]
    expected = world(mineral, total, "RESERVES_2024") if cell else 0.0
    assert e["world_reserves_t"] == approx(expected)


@pytest.mark.parametrize("mineral", WORLD_SHARE_MINERALS)
def test_top_row_supplier_share_matches_world_data(mineral):
    e = minerals()[mineral]
    leader = world(mineral, e["top_row_supplier"], "PROD_EST_ 2024")
    total = world(mineral, "World total (rounded)", "PROD_EST_ 2024")
    assert e["top_row_supplier_share_frac"] == approx(leader / total, rel=0, abs_=0.001)
    # and it really is the largest producer outside the US, Mexico and Canada
    commodity, type_prefix, *_ = WORLD[mineral]
    others = [
        number(r["PROD_EST_ 2024"])
        for r in world_rows()
        if r["COMMODITY"] == commodity
        and r["TYPE"].lower().startswith(type_prefix.lower())
        and r["PROD_EST_ 2024"]
        and r["COUNTRY"]
        not in {"World total (rounded)", "Other Countries", *COUNTRY_NAMES.values()}
    ]
    assert leader / WORLD[mineral][2] == max(others)


@pytest.mark.parametrize("mineral", list(US_CONSUMPTION))
def test_us_consumption_matches_salient(mineral):
    code, column, year, factor = US_CONSUMPTION[mineral]
    expected = number(salient(code)[year][column]) * factor
    assert minerals()[mineral]["consumption_t"]["US"] == approx(expected)


def test_us_lithium_consumption_is_production_plus_net_imports():
    e = minerals()["lithium"]
    row = salient("lithium")["2024"]
    assert row["Consump_t"] == "W"  # withheld, hence derived
    expected = e["production_t"]["US"] + number(row["Imports_t"]) - number(row["Exports_t"])
    assert e["consumption_t"]["US"] == approx(expected)


@pytest.mark.parametrize("mineral", MINERALS)
def test_mexico_and_canada_consumption_follow_manufacturing_ratio(mineral):
    c = minerals()[mineral]["consumption_t"]
    assert c["MX"] == approx(c["US"] * MX_MVA_RATIO, rel=0.01, abs_=0.06)
    assert c["CA"] == approx(c["US"] * CA_MVA_RATIO, rel=0.01, abs_=0.06)


@pytest.mark.parametrize("mineral", MINERALS)
def test_us_net_import_reliance_matches_salient(mineral):
    code, column = US_NIR[mineral]
    expected = nir_frac(salient(code)["2024"][column])
    assert minerals()[mineral]["us_net_import_reliance_frac"] == approx(expected)


def test_net_import_reliance_agrees_with_fig2():
    fig2 = read_csv(TRENDS / "MCS2025_Fig2_Net_Import_Reliance.csv")
    by_name = {r["Commodity"].split(",")[0].strip().lower(): r for r in fig2}
    names = {"rare_earths": "rare earths", "graphite": "graphite (natural)"}
    checked = 0
    for m in MINERALS:
        row = by_name.get(names.get(m, m))
        if row is None:  # gold and molybdenum (net exporters) are not in Fig2
            continue
        expected = nir_frac(row["Net_Import_Reliance_pct_2024"])
        assert minerals()[m]["us_net_import_reliance_frac"] == approx(expected), m
        checked += 1
    assert checked == 12


@pytest.mark.parametrize("mineral", MINERALS)
def test_price_matches_salient(mineral):
    code, column, factor = PRICE_SERIES[mineral]
    e = minerals()[mineral]
    if factor is None:  # rare earths: value of 2024 US concentrate output / tonnage
        assert number(salient(code)["2024"]["USprod_Concentrate_t"]) == 45_000
        assert e["price_usd_per_t"] == approx(260e6 / 45_000)
        return
    expected = number(salient(code)["2024"][column]) * factor
    assert e["price_usd_per_t"] == approx(expected, rel=2e-4)


@pytest.mark.parametrize("mineral", MINERALS)
def test_price_volatility_recomputed_from_salient(mineral):
    code, column, _ = PRICE_SERIES[mineral]
    prices = [number(salient(code)[str(y)][column]) for y in range(2020, 2025)]
    changes = [math.log(b / a) for a, b in itertools.pairwise(prices)]
    expected = max(statistics.stdev(changes), 0.10)
    assert minerals()[mineral]["price_volatility_frac_per_year"] == approx(
        expected, rel=0, abs_=0.001
    )


@pytest.mark.parametrize("mineral", list(FIG12_NAMES))
def test_demand_growth_recomputed_from_fig12(mineral):
    rows = read_csv(TRENDS / "MCS2025_Fig12_Pch_Consump_2020_2024.csv")
    row = next(r for r in rows if r["Mineral_Commodity"] == FIG12_NAMES[mineral])
    pct = number(row["Pch_Critical_Minerals_2020_2024"] or row["Pch_Other_Minerals_2020_2024"])
    expected = min(max((1 + pct / 100) ** 0.25 - 1, -0.02), 0.15)
    assert minerals()[mineral]["demand_growth_frac_per_year"] == approx(expected, rel=0, abs_=1e-4)


# ------------------------------------------------------------ import dependency (NA)
@pytest.mark.parametrize("mineral", list(SEED_DEPENDENCY))
def test_seed_dependencies(mineral):
    assert minerals()[mineral]["na_import_dependency_frac"] == SEED_DEPENDENCY[mineral]


@pytest.mark.parametrize("mineral", [m for m in MINERALS if m not in SEED_DEPENDENCY])
def test_derived_dependency_follows_documented_formula(mineral):
    e = minerals()[mineral]
    non_usmca = 1.0 - e.get("us_imports_from_usmca_share_frac", 0.0)
    cons, prod = e["consumption_t"], e["production_t"]
    ext = e["us_net_import_reliance_frac"] * cons["US"] * non_usmca
    ext += sum(max(0.0, cons[c] - prod[c]) * non_usmca for c in ("MX", "CA"))
    expected = ext / sum(cons.values())
    assert e["na_import_dependency_frac"] == approx(expected, rel=0, abs_=0.0015)


def test_usmca_import_shares_follow_fig2_ranking():
    """s = geometric rank weights (ratio 0.5) x 90% coverage, summed over Mexico and Canada."""
    fig2 = read_csv(TRENDS / "MCS2025_Fig2_Net_Import_Reliance.csv")
    by_name = {r["Commodity"].split(",")[0].strip().lower(): r for r in fig2}
    names = {"graphite": "graphite (natural)"}
    for m in MINERALS:
        e = minerals()[m]
        if "us_imports_from_usmca_share_frac" not in e or m == "rare_earths":
            continue
        sources = [
            s.strip() for s in by_name[names.get(m, m)]["Major_Import_Sources_2020_2023"].split(",")
        ]
        weights = [0.5**k for k in range(len(sources))]
        share = sum(
            0.9 * w / sum(weights)
            for w, s in zip(weights, sources, strict=True)
            if s in ("Mexico", "Canada")
        )
        assert e["us_imports_from_usmca_share_frac"] == approx(share, rel=0, abs_=0.001), m


# ------------------------------------------------------------------------- countries
def test_countries_toml_has_the_three_countries():
    assert set(countries()) == {"global", *COUNTRIES}
    for c in COUNTRIES:
        for key in ("exploration_budget_usd", "direct_mining_jobs", "fraser_iai_rank_2023"):
            assert key in countries()[c], f"[{c}] {key}"


def test_country_headline_values():
    mx = countries()["MX"]
    assert mx["exploration_budget_usd"] == 437_700_000
    assert mx["total_mining_investment_usd"] == 5_063_000_000
    assert mx["direct_mining_jobs"] == 416_000
    assert (mx["fraser_iai_rank_2023"], mx["fraser_iai_rank_2024"]) == (74, 49)
    assert mx["mia_statutory_business_days"] == 60
    assert mx["mia_avg_resolution_days"] == 199
    assert countries()["US"]["discovery_to_production_years"] == 29
    assert countries()["CA"]["discovery_to_production_years"] == 27
    assert countries()["global"]["discovery_to_production_years"] == 15.7


@pytest.mark.parametrize("country", ["US", "CA"])
def test_exploration_budget_is_share_of_2023_world_budget(country):
    c, g = countries()[country], countries()["global"]
    assert c["exploration_budget_year"] == 2023
    expected = c["exploration_share_2023_frac"] * g["world_exploration_budget_2023_usd"]
    assert c["exploration_budget_usd"] == approx(expected)


@pytest.mark.parametrize("country", COUNTRIES)
def test_country_ranges(country):
    c, g = countries()[country], countries()["global"]
    assert 1 <= c["fraser_iai_rank_2023"] <= g["fraser_jurisdictions_2023"]
    assert 1 <= c["fraser_iai_rank_2024"] <= g["fraser_jurisdictions_2024"]
    assert 0 < c["permitting_years_low"] <= c["permitting_years_high"] <= 15
    assert c["direct_mining_jobs"] > 0


def test_us_jobs_in_the_14_minerals_sum_salient_employment():
    columns = {
        "silve": ["Employment_num"],
        "gold": ["Employment_num"],
        "zinc": ["Employment_Mine_Mill_num", "Employment_Smelter_num"],
        "coppe": ["Employment_num"],
        "fluor": ["Employment_Mine_num"],
        "rareee": ["Employment_"],
        "lithium": ["Employment_num"],
    }
    total = sum(
        number(salient(code)["2024"][col]) for code, cols in columns.items() for col in cols
    )
    assert countries()["US"]["direct_mining_jobs_14_minerals"] == total

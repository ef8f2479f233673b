"""The real North American midstream: ``params/processing_plants.csv`` and
``params/secondary_supply.csv``.

One row per processing plant and model mineral (a plant refining two minerals has two rows):
smelters and refineries, lithium chemical plants, graphite anode plants, rare-earth separation,
by-product recovery circuits, roasters and precious-metal refineries. A plant's capacity is
``capacity_value`` in ``capacity_unit`` as its source states it, converted to t a year on the
``params/minerals.toml`` basis by ``content_t_per_unit``. Every row cites its source; how the
table was built, and what could not be sourced, is in ``params/README-processing-plants.md``.

The market's starting processing capacity is the operating rows (:func:`operating_capacity_t`);
construction and announced rows enter the plant pipeline (:func:`pipeline_rows`). Secondary
supply (recycled scrap) is its own flow, per country and mineral (:func:`load_secondary`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from abm.params.scenario import load_scenario
from abm.params.schema import COUNTRIES, MINERALS
from abm.params.tables import PARAMS_DIR, choice, fail, first_seen, number, read_rows

PLANTS_CSV = PARAMS_DIR / "processing_plants.csv"
SECONDARY_CSV = PARAMS_DIR / "secondary_supply.csv"
PLANT_STAGES = ("operating", "idle", "construction", "announced")
FEEDS = ("own_mine", "domestic", "partner", "imported", "mixed", "secondary")
# Chains are counted once, at the plant that takes mine output (smelter, SX-EW, concentrate-to-
# chemical plant): a refinery of a listed smelter's anodes, a magnet plant on separated oxide or
# an HF plant consuming acid-grade fluorspar is "downstream"; a plant whose product is refined
# outside North America (Glencore Sudbury matte, Nikkelverk) is "intermediate_exported". Only
# first-stage plants are capacity.
CAPACITY_ROLES = ("first_stage", "downstream", "intermediate_exported")
PLANT_COLUMNS = (
    "plant_id",
    "plant",
    "owner",
    "country",
    "mineral",
    "product",
    "stage",
    "capacity_value",
    "capacity_unit",
    "content_t_per_unit",
    "capacity_role",
    "feed",
    "start_year",
    "source",
)
# Hosts of by-product recovery that are not model minerals (their feed is held at 2024).
NON_MODEL_HOSTS = ("alumina",)
SECONDARY_COLUMNS = ("mineral", "country", "secondary_t_per_year", "year", "source")


@dataclass(frozen=True)
class Plant:
    """One checked row of the plant table (capacity in t a year of the model's basis)."""

    row: int
    plant_id: str
    country: str
    mineral: str
    stage: str
    capacity_t_per_year: float  # NaN: capacity not sourced (the plant is not placed)
    output_t_per_year: float  # a sourced recent year's output (NaN: none)
    start_year: float  # NaN: not stated
    feed: str
    counted: bool = True  # capacity_role first_stage (see CAPACITY_ROLES)
    host_mineral: str = ""  # a by-product's host stream: a model mineral, alumina, or ""
    recovery_frac: float = float("nan")  # t of by-product per t of host feed (NaN: not given)

    @property
    def cell(self) -> tuple[int, int]:
        """(country index, mineral index)."""
        return COUNTRIES.index(self.country), MINERALS.index(self.mineral)


def load_plants(path: Path | str | None = None) -> tuple[Plant, ...]:
    """Read and check the plant table; a bad cell raises one line naming file, row, column."""
    path = Path(path) if path else PLANTS_CSV
    return _load_plants(path)


@cache
def _load_plants(path: Path) -> tuple[Plant, ...]:
    out = []
    seen: dict[tuple[str, str], int] = {}
    for row, r in read_rows(path, PLANT_COLUMNS):
        choice(path, row, "country", r["country"], COUNTRIES)
        choice(path, row, "mineral", r["mineral"], MINERALS)
        choice(path, row, "stage", r["stage"], PLANT_STAGES)
        choice(path, row, "feed", r["feed"], FEEDS)
        choice(path, row, "capacity_role", r["capacity_role"], CAPACITY_ROLES)
        if not r["plant_id"]:
            raise fail(path, row, "plant_id: empty")
        if not r["source"]:
            raise fail(path, row, "source: empty (every row cites its source)")
        value = number(path, row, "capacity_value", r["capacity_value"], optional=True, minimum=0)
        factor = number(
            path, row, "content_t_per_unit", r["content_t_per_unit"], optional=True, minimum=0
        )
        if not math.isnan(value):
            if not r["capacity_unit"]:
                raise fail(path, row, "capacity_unit: empty (a capacity needs its unit)")
            if math.isnan(factor):
                raise fail(
                    path,
                    row,
                    f"content_t_per_unit: empty (unit {r['capacity_unit']!r} has no conversion "
                    "to t of content)",
                )
        start = number(
            path, row, "start_year", r["start_year"], optional=True, minimum=1800, maximum=2060
        )
        output = number(
            path, row, "output_value", r.get("output_value", ""), optional=True, minimum=0
        )
        if math.isnan(value) and not math.isnan(output):  # nameplate not published
            value = output  # the sourced output is the capacity (README-processing-plants.md)
            if math.isnan(factor):
                raise fail(path, row, "content_t_per_unit: empty (output_value needs it)")
        host = r.get("host_mineral", "")
        if host:
            choice(path, row, "host_mineral", host, (*MINERALS, *NON_MODEL_HOSTS))
        recovery = number(
            path, row, "recovery_frac", r.get("recovery_frac", ""), optional=True, minimum=0
        )
        key = (r["plant_id"], r["mineral"])
        first_seen(path, row, seen, key, f"plant/mineral {key}")
        out.append(
            Plant(
                row=row,
                plant_id=r["plant_id"],
                country=r["country"],
                mineral=r["mineral"],
                stage=r["stage"],
                capacity_t_per_year=value * factor,
                output_t_per_year=min(output, value) * factor,
                start_year=start,
                feed=r["feed"],
                counted=r["capacity_role"] == "first_stage",
                host_mineral=host,
                recovery_frac=recovery,
            )
        )
    return tuple(out)


def operating_capacity_t(plants: tuple[Plant, ...]) -> np.ndarray:
    """(C, M) t/yr of the operating first-stage plants with a sourced capacity (the starting
    midstream)."""
    out = np.zeros((len(COUNTRIES), len(MINERALS)))
    for p in plants:
        if _placed(p, "operating"):
            out[p.cell] += p.capacity_t_per_year
    out.flags.writeable = False
    return out


def operating_sourced_t(plants: tuple[Plant, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(C, M) nameplate and sourced recent output of the operating plants whose output the
    table gives (Vidalia's anode plant and Mountain Pass's separation run far below
    nameplate); the other plants run at nameplate x ``processing.utilisation_frac``."""
    cap = np.zeros((len(COUNTRIES), len(MINERALS)))
    out = np.zeros_like(cap)
    for p in plants:
        if _placed(p, "operating") and not math.isnan(p.output_t_per_year):
            cap[p.cell] += p.capacity_t_per_year
            out[p.cell] += p.output_t_per_year
    return cap, out


def pipeline_rows(plants: tuple[Plant, ...]) -> tuple[Plant, ...]:
    """First-stage plants under construction or announced, with a sourced capacity."""
    return tuple(p for p in plants if _placed(p, "construction", "announced"))


def _placed(p: Plant, *stages: str) -> bool:
    """A counted plant of one of ``stages`` with a sourced capacity."""
    return p.stage in stages and p.counted and p.capacity_t_per_year > 0


def load_secondary(path: Path | str | None = None) -> np.ndarray:
    """(C, M) secondary (recycled) supply, t/yr; a blank figure (none sourced) is 0."""
    path = Path(path) if path else SECONDARY_CSV
    return _load_secondary(path)


@cache
def _load_secondary(path: Path) -> np.ndarray:
    out = np.zeros((len(COUNTRIES), len(MINERALS)))
    seen: dict[tuple[str, str], int] = {}
    for row, r in read_rows(path, SECONDARY_COLUMNS):
        choice(path, row, "country", r["country"], COUNTRIES)
        choice(path, row, "mineral", r["mineral"], MINERALS)
        value = number(
            path, row, "secondary_t_per_year", r["secondary_t_per_year"], optional=True, minimum=0
        )
        if not math.isnan(value) and not r["source"]:
            raise fail(path, row, "source: empty (a figure cites its source)")
        key = (r["country"], r["mineral"])
        first_seen(path, row, seen, key, f"country/mineral {key}")
        if not math.isnan(value):
            out[COUNTRIES.index(r["country"]), MINERALS.index(r["mineral"])] = value
    out.flags.writeable = False
    return out


def capacity_table() -> str:
    """Markdown table of the loaded midstream by mineral and country (t/yr, model basis):
    operating first-stage nameplate, throughput at the baseline's utilisation, construction +
    announced, recycled supply (``python -m abm.params.plants`` prints it; the plant README
    quotes it)."""
    plants = load_plants()
    u = load_scenario("baseline").values["processing.utilisation_frac"]
    k = operating_capacity_t(plants)
    cap, out = operating_sourced_t(plants)
    thr = out + np.maximum(k - cap, 0.0) * u
    pipe = np.zeros_like(k)
    for p in pipeline_rows(plants):
        pipe[p.cell] += p.capacity_t_per_year
    sec = load_secondary()
    lines = [
        "| mineral | country | operating nameplate | throughput | construction + announced "
        "| secondary |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for m, name in enumerate(MINERALS):
        for c, cc in enumerate(COUNTRIES):
            cells = (k[c, m], thr[c, m], pipe[c, m], sec[c, m])
            lines.append(f"| {name} | {cc} | " + " | ".join(f"{x:,.0f}" for x in cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(capacity_table())

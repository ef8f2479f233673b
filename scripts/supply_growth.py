"""Where the baseline's mine output growth comes from, by country and mineral (docs/validation.md
"Supply growth against the announced pipeline").

Run from the repository root::

    .venv/bin/python scripts/supply_growth.py [--seeds 8] [--without-late-synthetic-pipeline]

For each country and mineral it prints, as a markdown table (kt/yr, mean of seeds 1..N, 10-year
baseline): the 2024 output, the model's 2030 and 2034 output, the 2034 output split by where it
comes from (mines producing at the start, known projects of params/known_projects.csv started
in the run, synthetic projects of the starting pipeline, deposits discovered in the run, with
their number), and a reference: IEA's base case (operating plus announced projects weighted by
probability; ``IEA_supply_base_case_*`` rows of the shared demand_outlook_iea.csv, 2034 read
between 2030 and 2035) as growth applied to the model's 2024 output where IEA lists the country
(for graphite IEA's battery-grade supply in kt, which is not mine output), else the 2024 output
plus the known projects with an announced start by that year and a sourced size; last, the 2024
output plus every sized known project in development, dated or not. The split by
source counts running mines at capacity, without by-product recovery circuits.

``--without-late-synthetic-pipeline`` is a diagnostic: the starting pipeline gets no synthetic
projects in permitting or construction (the known table is then the whole late pipeline).
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from abm import known_assets  # noqa: E402
from abm.deposits import DepositFactory  # noqa: E402
from abm.model import MiningModel  # noqa: E402
from abm.params.schema import COUNTRIES, MINERALS  # noqa: E402
from abm.projects import Stage  # noqa: E402

IEA = Path("/work/shared/calibration/history/demand_outlook_iea.csv")
if not IEA.exists():  # a clone beside the shared folder
    IEA = ROOT.parent / "shared" / "calibration" / "history" / "demand_outlook_iea.csv"
YEARS = (2030, 2034)
SOURCES = ("start", "known", "synthetic_pipeline", "discovered")
# IEA mineral names and the model's (IEA's magnet rare earths are Pr+Nd+Tb+Dy, graphite is
# battery grade: only their growth is compared).
IEA_MINERALS = {
    "Copper": "copper",
    "Nickel": "nickel",
    "Graphite": "graphite",
    "Magnet rare earth elements": "rare_earths",
}


def _source(book, n0: int) -> np.ndarray:
    """Each row's source (index into SOURCES); rows below ``n0`` existed at the start."""
    start = book.production_step <= 0
    known = book.known >= 0
    pipeline = np.arange(book.n) < n0
    return np.where(start, 0, np.where(known, 1, np.where(pipeline, 2, 3)))


def trace(job: tuple[int, bool]) -> dict[str, np.ndarray]:
    """One baseline run: output (C, M) in 2024 and each of YEARS; YEARS' running capacity by
    source (S, C, M) and the number of discovered mines running (C, M); annual means."""
    seed, without_late = job
    if without_late:  # a worker process of its own: the patch stays in it
        DepositFactory.discover = late_dropping(DepositFactory.discover)
    model = MiningModel("baseline", rng=seed, years=YEARS[-1] - 2024)
    book = model.projects
    n0 = book.n
    shape = (len(COUNTRIES), len(MINERALS))
    out = {"2024": model.production_t.copy()}
    for y in YEARS:
        out[str(y)] = np.zeros(shape)
        out[f"by_source_{y}"] = np.zeros((len(SOURCES), *shape))
        out[f"n_discovered_{y}"] = np.zeros(shape)
    while model.running:
        model.step()
        year = model.start_year + (model.steps - 1) // 12
        if year not in YEARS:
            continue
        out[str(year)] += model.production_t / 12
        on = (book.stage == Stage.PRODUCTION) & ~book.idle & ~book.host_scaled
        src = _source(book, n0)
        for s in range(len(SOURCES)):
            sel = on & (src == s)
            np.add.at(
                out[f"by_source_{year}"][s],
                (book.country[sel], book.mineral[sel]),
                book.capacity_t[sel] / 12,
            )
        sel = on & (src == 3)
        np.add.at(out[f"n_discovered_{year}"], (book.country[sel], book.mineral[sel]), 1 / 12)
    return out


def late_dropping(discover):
    """Diagnostic: ``DepositFactory.discover`` that drops at once the synthetic
    starting-pipeline projects it draws in permitting or construction (known projects are
    placed by ``DepositFactory.add``, not ``discover``; the draws, and so the random stream,
    are unchanged)."""

    def dropping(self, c, m, owners, step, concession_years, stage=Stage.RESOURCE):
        idx = discover(self, c, m, owners, step, concession_years, stage)
        if stage in (Stage.PERMITTING, Stage.CONSTRUCTION):
            self.book.stage[idx] = Stage.DROPPED
        return idx

    return dropping


def iea_base_case() -> dict[tuple[str, str], dict[int, float]]:
    """IEA base case by (country, mineral): output in 2030 and 2034 relative to 2023, or for
    graphite (battery-grade supply, not mine output) the level in t."""
    d = pd.read_csv(IEA)
    d = d[d.quantity.str.startswith("IEA_supply_base_case") & ~d.quantity.str.endswith("refining")]
    d = d[d.country_or_region.isin(COUNTRIES) & d.mineral.isin(list(IEA_MINERALS))]
    out = {}
    for (c, m), g in d.groupby(["country_or_region", "mineral"]):
        v = g.set_index("year").value
        v2034 = v[2030] + 0.8 * (v[2035] - v[2030])
        level = IEA_MINERALS[m] == "graphite"
        base = 1e-3 if level else v[2023]  # kt -> t for a level
        out[(c, IEA_MINERALS[m])] = {2030: v[2030] / base, 2034: v2034 / base, "level": level}
    return out


def pipeline_capacity_t(year: float) -> np.ndarray:
    """Known projects in development with an announced start by ``year`` (inf: any, also
    none announced) and a sourced size (C, M), t/yr: what the known pipeline adds to 2024
    output."""
    table = known_assets.known_table()
    out = np.zeros((len(COUNTRIES), len(MINERALS)))
    pipe = known_assets.pipeline_at_start(table, 2025)
    dated = pipe.start_year <= year if np.isfinite(year) else True
    pipe = pipe[dated & (pipe.t_per_year > 0)]
    np.add.at(out, (pipe.c, pipe.m), pipe.t_per_year)
    return out


def table(traces: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    """The comparison (kt/yr), one row per country and mineral with output."""
    mean = {k: np.mean([t[k] for t in traces], axis=0) for k in traces[0]}
    iea = iea_base_case()
    announced = {y: pipeline_capacity_t(y) for y in YEARS}
    whole = pipeline_capacity_t(np.inf)
    rows = []
    for c, country in enumerate(COUNTRIES):
        for m, mineral in enumerate(MINERALS):
            t0 = mean["2024"][c, m]
            if t0 <= 0 and mean["2034"][c, m] <= 0:
                continue
            row = {"country": country, "mineral": mineral, "2024": t0}
            for y in YEARS:
                row[str(y)] = mean[str(y)][c, m]
            for s, name in enumerate(SOURCES):
                row[f"2034 {name}"] = mean["by_source_2034"][s, c, m]
            row["2034 n discovered"] = mean["n_discovered_2034"][c, m]
            ref = iea.get((country, mineral))
            if ref is None:
                row["reference"] = "2024 + announced"
            else:
                row["reference"] = "IEA level" if ref["level"] else "IEA growth"
            for y in YEARS:
                if ref is None:
                    row[f"ref {y}"] = t0 + announced[y][c, m]
                else:
                    row[f"ref {y}"] = ref[y] if ref["level"] else t0 * ref[y]
            row["2024 + known pipeline"] = t0 + whole[c, m]
            rows.append(row)
    frame = pd.DataFrame(rows)
    kt = [c for c in frame.columns if c not in ("country", "mineral", "reference")]
    kt.remove("2034 n discovered")
    frame[kt] = frame[kt] / 1e3
    return frame


def main(argv: list[str] | None = None) -> pd.DataFrame:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--without-late-synthetic-pipeline", action="store_true")
    args = ap.parse_args(argv)
    jobs = [(s, args.without_late_synthetic_pipeline) for s in range(1, args.seeds + 1)]
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as ex:
        frame = table(list(ex.map(trace, jobs)))
    print(markdown(frame))
    return frame


def markdown(frame: pd.DataFrame) -> str:
    """A markdown table, numbers to one decimal."""
    cells = [[f"{v:.1f}" if isinstance(v, float) else str(v) for v in r] for r in frame.values]
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in cells])


if __name__ == "__main__":
    main()

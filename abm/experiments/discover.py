"""``abm discover``: scenario discovery (PRIM) on a sweep's or an uncertain compare's results,
or on an EMA Workbench ``save_results`` archive (``.tar.gz``; EMA's ``__`` names read as the
dotted names they stand for, in columns and in ``--outcome``).

Which combinations of inputs (levers and uncertainties; in a compare, also the scenario) lead
to runs of interest, say ``import_reduction_frac.2030 < 0.25`` (the seed's Phase 3 target
missed)? PRIM (Friedman & Fisher 1999; Bryant & Lempert 2010), as implemented by the EMA
Workbench (``ema_workbench.analysis.prim``), peels the input space into a sequence of boxes
that trade *coverage* (share of the runs of interest inside the box) against *density* (share
of the box's runs that are of interest). Outputs, in ``--out``:

- ``trajectory.csv``: the peeling trajectory (coverage, density, mass, restricted dimensions,
  each box's restrictions as text); ``boxes.json`` every box's limits;
- ``box.csv``: the chosen box's restrictions with their quasi-p-values (one-sided binomial
  tests of each restriction, Bryant & Lempert 2010);
- ``tradeoff.png|svg``: coverage against density along the trajectory, chosen box marked;
- ``report.md``: the question, the data, the trade-off table and the chosen box, in words
  computed from these numbers; ``discover.json``: what was asked and found.

The inputs are the result columns that are declared parameters (:data:`abm.params.schema.PARAMS`);
a compare's ``scenario`` column joins them when it varies. Categorical inputs are handled by
PRIM's categorical peel; the box table is built from ``box.box_lims`` and ``box.p_values``
rather than ``box.inspect()``, which raises TypeError on categorical inputs with pandas 3
(EMA Workbench 3.0.0).
"""

from __future__ import annotations

import argparse
import difflib
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abm import atomic
from abm.cli import add_command
from abm.ema import dotted_name, results_table
from abm.params.scenario import ScenarioError, looks_like_path
from abm.params.schema import PARAMS

RESULT_FILES = ("results.parquet", "outcomes.csv")  # abm sweep, abm compare
RESULT_SUFFIXES = (".parquet", ".csv", ".tar.gz")  # .tar.gz: EMA's save_results
NON_INPUTS = {"run_id", "point", "replication", "seed", "error"}
DEFAULT_MIN_COVERAGE = 0.5
DEFAULT_PEEL_ALPHA = 0.05
DEFAULT_MASS_MIN = 0.05
SIGNIFICANT_QP = 0.05  # a restriction with a larger quasi-p-value could be noise
# EMA's PRIM drops a column named "scenario" (its own scenario ids), so a compare's scenario
# column goes in under another name and comes out as "scenario" again.
SCENARIO_INPUT = "policy_scenario"


@dataclass
class Question:
    """What to discover: runs where ``outcome`` is below (or above) ``threshold``."""

    outcome: str
    threshold: float
    below: bool

    def __post_init__(self) -> None:
        self.outcome = dotted_name(self.outcome)  # EMA's name for it works too

    @property
    def text(self) -> str:
        """``outcome < threshold`` or ``outcome > threshold``."""
        return f"{self.outcome} {'<' if self.below else '>'} {self.threshold:g}"

    def of_interest(self, y: np.ndarray) -> np.ndarray:
        """Which values of the outcome are cases of interest."""
        return y < self.threshold if self.below else y > self.threshold


@dataclass
class Data:
    """Results ready for PRIM: inputs ``x`` and the outcome ``y`` (rows without it dropped)."""

    source: Path
    x: pd.DataFrame
    y: np.ndarray
    dropped: int


# ------------------------------------------------------------------ reading and checking
def find_results(target: str | Path) -> Path:
    """A results file, a folder holding one, or an experiment name (``outputs/<name>/``)."""
    from abm.runner import OUTPUTS

    p = Path(target)
    if p.is_file():
        if not p.name.endswith(RESULT_SUFFIXES):
            raise ScenarioError(f"{p}: not a results file (.parquet, .csv or EMA's .tar.gz)")
        return p
    if p.exists() and not p.is_dir():
        raise ScenarioError(f"{p}: not a results file or folder")
    if not p.is_dir() and (looks_like_path(target) or p.suffix in (".parquet", ".csv")):
        raise ScenarioError(f"{p}: no such results file or folder")
    folders = [p] if p.is_dir() else [OUTPUTS / p.stem]
    for folder in folders:
        for name in RESULT_FILES:
            if (folder / name).is_file():
                return folder / name
    where = folders[0]
    raise ScenarioError(
        f"{target}: no results in {where} ({' or '.join(RESULT_FILES)}); "
        f"run `abm sweep {p.stem}` or `abm compare {p.stem}` first"
    )


def read_results(path: Path) -> pd.DataFrame:
    """The results table (Parquet, CSV or an EMA archive), EMA's ``__`` names made dotted."""
    try:
        if path.name.endswith(".tar.gz"):
            table = results_table(path)
        else:
            table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except ScenarioError:
        raise
    except Exception as exc:  # a corrupt or foreign file: one line, not a traceback
        raise ScenarioError(f"{path}: cannot read results: {exc}") from None
    return table.rename(columns=dotted_name)


def input_columns(table: pd.DataFrame) -> list[str]:
    """Declared parameters among the columns, then ``scenario`` if it varies; constants out."""
    names = [c for c in table.columns if c in PARAMS and table[c].nunique(dropna=True) > 1]
    if names and "scenario" in table.columns and table["scenario"].nunique() > 1:
        names.append("scenario")
    return names


def prepare(path: Path, q: Question) -> Data:
    """Check the results against the question; every problem is one ScenarioError line."""
    table = read_results(path)
    if "error" in table.columns:  # a sweep's failed runs have no outcomes
        table = table[table["error"].fillna("") == ""]
    inputs = input_columns(table)
    if not inputs:
        raise ScenarioError(
            f"{path}: no inputs to discover over (no column is a varying declared parameter); "
            "use a sweep's results or a compare with [uncertainties]"
        )
    if q.outcome not in table.columns:
        skip = NON_INPUTS | {"scenario"}
        known = [c for c in table.columns if c not in skip and c not in PARAMS]
        close = difflib.get_close_matches(q.outcome, known, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (e.g. {', '.join(known[:4])})"
        raise ScenarioError(f"--outcome: {q.outcome!r} is not in {path}{hint}")
    y = pd.to_numeric(table[q.outcome], errors="coerce").to_numpy(dtype=float)
    keep = ~np.isnan(y)
    if not keep.any():
        raise ScenarioError(f"--outcome: {q.outcome} has no values in {path}")
    y = y[keep]
    hits = q.of_interest(y)
    lo, hi = float(y.min()), float(y.max())
    if not hits.any():
        raise ScenarioError(
            f"--threshold: no run meets {q.text} in {path} (values range {lo:.4g} to {hi:.4g})"
        )
    if hits.all():
        raise ScenarioError(
            f"--threshold: every run meets {q.text} in {path} (values range {lo:.4g} to "
            f"{hi:.4g}); nothing to tell apart"
        )
    x = table.loc[keep, inputs].reset_index(drop=True).rename(columns={"scenario": SCENARIO_INPUT})
    for c in x.columns:  # categorical inputs as strings: PRIM's categorical peel
        if not pd.api.types.is_numeric_dtype(x[c]) or pd.api.types.is_bool_dtype(x[c]):
            x[c] = x[c].astype(str).astype(object)
        elif pd.api.types.is_integer_dtype(x[c]):
            x[c] = x[c].astype(np.int64)
        else:
            x[c] = x[c].astype(np.float64)
    return Data(path, x, hits, int((~keep).sum()))


# ------------------------------------------------------------------ PRIM
def run_prim(
    data: Data, peel_alpha: float = DEFAULT_PEEL_ALPHA, mass_min: float = DEFAULT_MASS_MIN
):
    """One PRIM box (EMA Workbench), its full peeling and pasting trajectory."""
    from abm.ema import workbench

    prim = workbench("analysis.prim")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas deprecations inside ema_workbench 3.0.0
        p = prim.Prim(data.x, data.y.astype(int), peel_alpha=peel_alpha, mass_min=mass_min)
        return p.find_box()


def _label(name: str) -> str:
    return "scenario" if name == SCENARIO_INPUT else name


def _is_categorical(value: Any) -> bool:
    return isinstance(value, set | frozenset)


def restrictions(box, i: int) -> pd.DataFrame:
    """Box ``i``'s restricted inputs: limits, the full range and quasi-p-values.

    Built from ``box.box_lims`` and ``box.p_values`` (``box.inspect`` fails on categorical
    inputs with pandas 3). A quasi-p-value of NaN means that side is not restricted.
    """
    lims, init = box.box_lims[i], box.box_lims[0]
    qp = box.p_values[i]
    rows = []
    for name in lims.columns:
        lo, hi = lims[name].iloc[0], lims[name].iloc[1]
        full_lo, full_hi = init[name].iloc[0], init[name].iloc[1]
        if _is_categorical(lo):
            if set(lo) == set(full_lo):
                continue
            kept = sorted(map(str, lo))
            p = qp.get(name, [-1.0, -1.0])
            rows.append(
                {
                    "input": _label(name),
                    "kind": "categorical",
                    "min": np.nan,
                    "max": np.nan,
                    "values": ", ".join(kept),
                    "full_range": ", ".join(sorted(map(str, full_lo))),
                    "qp_lo": _qp(p[0]),
                    "qp_hi": _qp(p[1]),
                }
            )
            continue
        if lo == full_lo and hi == full_hi:
            continue
        p = qp.get(name, [-1.0, -1.0])
        rows.append(
            {
                "input": name,
                "kind": "numeric",
                "min": float(lo),
                "max": float(hi),
                "values": "",
                "full_range": f"{float(full_lo):.6g} to {float(full_hi):.6g}",
                "qp_lo": _qp(p[0]) if lo != full_lo else np.nan,
                "qp_hi": _qp(p[1]) if hi != full_hi else np.nan,
            }
        )
    cols = ["input", "kind", "min", "max", "values", "full_range", "qp_lo", "qp_hi"]
    return pd.DataFrame(rows, columns=cols)


def _qp(v: float) -> float:
    v = float(v)
    return np.nan if v < 0 else v


def describe(r: pd.Series) -> str:
    """One restriction as text: ``name in [lo, hi]`` or ``name in {a, b}``."""
    if r.kind == "categorical":
        return f"{r.input} in {{{r['values']}}}"
    return f"{r.input} in [{r['min']:.4g}, {r['max']:.4g}]"


def trajectory(box) -> pd.DataFrame:
    """The peeling trajectory with each box's restrictions as text."""
    t = box.peeling_trajectory.copy()
    t["restrictions"] = [
        "; ".join(describe(r) for _, r in restrictions(box, i).iterrows()) or "(none)"
        for i in range(len(t))
    ]
    cols = ["id", "n", "k", "coverage", "density", "mass", "res_dim", "restrictions"]
    return t[[c for c in cols if c in t.columns]]


def choose(traj: pd.DataFrame, min_coverage: float) -> int:
    """The densest box with at least ``min_coverage`` (ties: fewest restrictions, then the
    larger coverage); the first box if none reaches it."""
    ok = traj[traj.coverage >= min_coverage]
    if ok.empty:
        return 0
    best = ok.sort_values(["density", "res_dim", "coverage"], ascending=[False, True, False])
    return int(best.index[0])


# ------------------------------------------------------------------ outputs
def tradeoff_figure(traj: pd.DataFrame, chosen: int, q: Question):
    """Coverage against density along the trajectory, coloured by restricted dimensions."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.8))
    ax = fig.subplots()
    sc = ax.scatter(traj.coverage, traj.density, c=traj.res_dim, cmap="viridis", s=22, zorder=2)
    ax.plot(traj.coverage, traj.density, color="grey", lw=0.6, zorder=1)
    c = traj.loc[chosen]
    ax.scatter(
        [c.coverage], [c.density], s=160, facecolors="none", edgecolors="red", lw=1.8, zorder=3
    )
    ax.annotate(
        f"box {chosen}",
        (c.coverage, c.density),
        xytext=(8, -12),
        textcoords="offset points",
        color="red",
    )
    ax.set_xlabel("coverage (share of the runs of interest inside the box)")
    ax.set_ylabel("density (share of the box's runs that are of interest)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    fig.colorbar(sc, ax=ax, label="restricted inputs")
    ax.set_title(f"PRIM peeling trajectory: {q.text}", fontsize=10)
    fig.tight_layout()
    return fig


def _tradeoff_rows(traj: pd.DataFrame, chosen: int) -> list[str]:
    """The first box, every box where the number of restrictions changes, the chosen and last."""
    keep = {0, chosen, len(traj) - 1}
    keep |= {int(i) for i in traj.index[traj.res_dim.diff().fillna(0) != 0]}
    lines = [
        "| box | runs | coverage | density | restricted | restrictions |",
        "|---|---|---|---|---|---|",
    ]
    for i in sorted(keep):
        r = traj.loc[i]
        mark = " **(chosen)**" if i == chosen else ""
        lines.append(
            f"| {i}{mark} | {int(r.n)} | {r.coverage:.2f} | {r.density:.2f} | {int(r.res_dim)} "
            f"| {r.restrictions} |"
        )
    return lines


def report_text(data: Data, q: Question, traj: pd.DataFrame, chosen: int, box: pd.DataFrame):
    """``report.md``: every sentence computed from the trajectory and the box."""
    n, hits = len(data.y), int(data.y.sum())
    c = traj.loc[chosen]
    base = hits / n
    lines = [
        f"# Scenario discovery: {q.text}",
        "",
        f"- Results: `{data.source}`, {n} runs"
        + (f" ({data.dropped} without a value of the outcome left out)" if data.dropped else "")
        + f"; inputs: {', '.join(f'`{_label(c)}`' for c in data.x.columns)}.",
        f"- Runs of interest ({q.text}): {hits} of {n} ({base:.0%}).",
        "- PRIM (EMA Workbench `analysis.prim`): each step peels off a slice of the input space, "
        "raising density at the cost of coverage; the chosen box is the densest with the "
        "required coverage.",
        "",
        "## The chosen box",
        "",
        f"Box {chosen} holds {int(c.n)} runs ({c.mass:.0%} of all), of which {c.density:.0%} "
        f"meet {q.text} (against {base:.0%} overall); it covers {c.coverage:.0%} of the "
        f"{hits} runs of interest.",
        "",
    ]
    if box.empty:
        lines += ["No input is restricted: PRIM found no region more dense than the whole.", ""]
    else:
        lines += [
            "| input | restriction | sampled range | quasi-p (lower) | quasi-p (upper) |",
            "|---|---|---|---|---|",
        ]
        for _, r in box.iterrows():
            lines.append(
                f"| `{r.input}` | {describe(r).split(' in ', 1)[1]} | {r.full_range} | "
                f"{_fmt_p(r.qp_lo)} | {_fmt_p(r.qp_hi)} |"
            )
        weak = [
            r.input
            for _, r in box.iterrows()
            if np.nanmin([r.qp_lo, r.qp_hi, np.inf]) > SIGNIFICANT_QP
        ]
        lines.append("")
        if weak:
            lines.append(
                f"Restrictions with a quasi-p-value above {SIGNIFICANT_QP} (could be noise; "
                f"consider dropping): {', '.join(f'`{w}`' for w in weak)}."
            )
        else:
            lines.append(
                f"Every restriction has a quasi-p-value at or below {SIGNIFICANT_QP} on its "
                "restricted side(s)."
            )
        lines.append("")
    lines += [
        "## Trade-off along the peeling trajectory",
        "",
        "![trade-off](tradeoff.png)",
        "",
        *_tradeoff_rows(traj, chosen),
        "",
        "The full trajectory is `trajectory.csv`; every box's limits are in `boxes.json`.",
        "",
    ]
    return "\n".join(lines)


def _fmt_p(p: float) -> str:
    return "" if np.isnan(p) else f"{p:.2g}"


def _boxes_json(box) -> list[dict[str, Any]]:
    out = []
    for i, lims in enumerate(box.box_lims):
        entry: dict[str, Any] = {}
        for name in lims.columns:
            lo, hi = lims[name].iloc[0], lims[name].iloc[1]
            if _is_categorical(lo):
                entry[_label(name)] = sorted(map(str, lo))
            else:
                entry[_label(name)] = [float(lo), float(hi)]
        out.append({"id": i, "limits": entry})
    return out


def default_out(source: Path, q: Question) -> Path:
    """``<results folder>/discover-<outcome>-<below|above>-<threshold>/``."""
    side = "below" if q.below else "above"
    return source.parent / f"{atomic.DISCOVER_PREFIX}{q.outcome}-{side}-{q.threshold:g}"


def check_out(out: Path) -> None:
    """Refuse a folder with files that a previous ``abm discover`` did not write."""
    if out.exists() and not out.is_dir():
        what = "a file" if out.is_file() else "not a folder (a device, pipe or socket)"
        raise ScenarioError(f"--out {out}: is {what}; results go into a folder")
    if out.exists() and any(out.iterdir()) and not (out / atomic.DISCOVER_FILE).exists():
        raise ScenarioError(f"--out: {out} exists and holds other files; choose another folder")


@dataclass
class Discovery:
    """What :func:`discover` found and wrote."""

    data: Data
    question: Question
    trajectory: pd.DataFrame
    chosen: int
    box: pd.DataFrame
    out: Path


def discover(
    target: str | Path,
    q: Question,
    out: Path | None = None,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    box_id: int | None = None,
    peel_alpha: float = DEFAULT_PEEL_ALPHA,
    mass_min: float = DEFAULT_MASS_MIN,
) -> Discovery:
    """Check, run PRIM, write the outputs (nothing is written if a check fails)."""
    if not 0 < min_coverage <= 1:
        raise ScenarioError(f"--min-coverage: must be in (0, 1], got {min_coverage}")
    if not 0 < peel_alpha < 0.5:
        raise ScenarioError(f"--peel-alpha: must be in (0, 0.5), got {peel_alpha}")
    if not 0 < mass_min < 1:
        raise ScenarioError(f"--mass-min: must be in (0, 1), got {mass_min}")
    if out:
        check_out(Path(out))  # a bad --out is refused before the results are read
    source = find_results(target)
    data = prepare(source, q)
    out = Path(out) if out else default_out(source, q)
    check_out(out)
    prim_box = run_prim(data, peel_alpha, mass_min)
    traj = trajectory(prim_box)
    if box_id is not None and not 0 <= box_id < len(traj):
        raise ScenarioError(f"--box: must be between 0 and {len(traj) - 1}, got {box_id}")
    chosen = choose(traj, min_coverage) if box_id is None else box_id
    box = restrictions(prim_box, chosen)
    out.mkdir(parents=True, exist_ok=True)
    atomic.write_file(out / "trajectory.csv", lambda p: traj.to_csv(p, index=False))
    atomic.write_file(out / "box.csv", lambda p: box.to_csv(p, index=False))
    atomic.write_text(out / "boxes.json", json.dumps(_boxes_json(prim_box), indent=1) + "\n")
    fig = tradeoff_figure(traj, chosen, q)
    for ext in ("png", "svg"):
        atomic.write_file(out / f"tradeoff.{ext}", lambda p, e=ext: fig.savefig(p, format=e))
    atomic.write_text(out / "report.md", report_text(data, q, traj, chosen, box) + "\n")
    c = traj.loc[chosen]
    meta = {
        "discover": q.text,
        "results": str(source),
        "runs": len(data.y),
        "runs_of_interest": int(data.y.sum()),
        "inputs": [_label(c) for c in data.x.columns],
        "min_coverage": min_coverage,
        "peel_alpha": peel_alpha,
        "mass_min": mass_min,
        "chosen_box": chosen,
        "coverage": float(c.coverage),
        "density": float(c.density),
        "restrictions": [describe(r) for _, r in box.iterrows()],
    }
    atomic.write_text(out / atomic.DISCOVER_FILE, json.dumps(meta, indent=2) + "\n")
    return Discovery(data, q, traj, chosen, box, out)


# ------------------------------------------------------------------ command line
def main(args: argparse.Namespace) -> int:
    """``abm discover``: bad input raises ScenarioError (one line, exit 2, nothing written)."""
    q = Question(args.outcome, args.threshold, args.below)
    d = discover(
        args.results,
        q,
        out=Path(args.out) if args.out else None,
        min_coverage=args.min_coverage,
        box_id=args.box,
        peel_alpha=args.peel_alpha,
        mass_min=args.mass_min,
    )
    c = d.trajectory.loc[d.chosen]
    print(
        f"{q.text}: {int(d.data.y.sum())} of {len(d.data.y)} runs; box {d.chosen}: "
        f"coverage {c.coverage:.2f}, density {c.density:.2f}"
    )
    for _, r in d.box.iterrows():
        p = np.nanmin([r.qp_lo, r.qp_hi, np.inf])
        print(f"  {describe(r)}  (quasi-p {p:.2g})")
    print(f"wrote {d.out}/report.md, trajectory.csv, box.csv, boxes.json, tradeoff.png|svg")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``abm discover``."""
    p = add_command(sub, "discover")
    p.add_argument(
        "results",
        help="an experiment name (its outputs/<name>/ folder), a results folder, a "
        "results.parquet (sweep) / outcomes.csv (compare), or EMA's save_results .tar.gz",
    )
    p.add_argument(
        "--outcome",
        required=True,
        help="outcome, e.g. import_reduction_frac.2030 (or its EMA name, with __)",
    )
    p.add_argument("--threshold", type=float, required=True, help="threshold on the outcome")
    p.add_argument(
        "--below", action="store_true", help="runs of interest are below it (default: above)"
    )
    p.add_argument(
        "--min-coverage",
        type=float,
        default=DEFAULT_MIN_COVERAGE,
        help=f"pick the densest box with at least this coverage (default {DEFAULT_MIN_COVERAGE})",
    )
    p.add_argument("--box", type=int, default=None, help="pick this box of the trajectory")
    p.add_argument(
        "--peel-alpha", type=float, default=DEFAULT_PEEL_ALPHA, help="share peeled per step"
    )
    p.add_argument("--mass-min", type=float, default=DEFAULT_MASS_MIN, help="smallest box mass")
    p.add_argument("--out", default=None, help="output folder (default: beside the results)")
    p.set_defaults(func=main)


add_parser = register  # the name the lead's brief uses

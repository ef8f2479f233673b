"""Benchmark: seconds per simulated decade and microseconds per project-month.

Times the default baseline run (10 years) and a 10x population, as ``make bench`` does::

    python benchmarks/bench_run.py [--repeat 3]
    python benchmarks/bench_run.py --against 4e5ab28 [--repeat 5] [--scales 1]

``--against COMMIT`` times this working tree and ``COMMIT`` (checked out into a temporary
git worktree) side by side: each repetition runs both, alternating which goes first, each
in a fresh process, on the same seeds. Shared machines are noisy (the same commit has timed
0.22 s and 0.6-0.8 s a decade on different days), so only the ratio of the two, measured
in one interleaved run, is a figure to quote.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

# Run in a fresh interpreter with PYTHONPATH set to the tree under test (both this commit's
# and an earlier commit's model expose MiningModel, step(), running and projects.stage).
_CHILD = """
import json, sys, time
import numpy as np
import abm
from abm.model import MiningModel
scale, seed = float(sys.argv[1]), int(sys.argv[2])
t0, c0 = time.perf_counter(), time.process_time()
model = MiningModel("baseline", rng=seed, overrides={"simulation.population_scale": scale})
live_months = 0
while model.running:
    model.step()
    live_months += int(((model.projects.stage != 6) & (model.projects.stage != 7)).sum())
print(json.dumps({"seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0,
                  "project_months": live_months,
                  "abm": abm.__file__}))
"""


def time_tree(tree: Path, scale: float, seed: int) -> dict:
    """One timed decade of the model in ``tree`` (a fresh process)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(scale), str(seed)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if not Path(result["abm"]).resolve().is_relative_to(tree.resolve()):
        raise RuntimeError(f"imported {result['abm']}, not the tree {tree}")
    return result


def standalone(repeat: int, scales: list[float]) -> None:
    """Best-of-``repeat`` timings of this tree."""
    print(f"{'population':>12}{'firms':>8}{'s/decade':>10}{'projects':>10}{'us/project-month':>18}")
    for scale in scales:
        runs = [time_tree(ROOT, scale, seed=r + 1) for r in range(repeat)]
        best = min(runs, key=lambda r: r["seconds"])
        pm = best["project_months"]
        print(
            f"{scale:>11.0f}x{round(300 * scale):>8}{best['seconds']:>10.3f}{pm / 120:>10.0f}"
            f"{best['seconds'] / pm * 1e6:>18.2f}"
        )


def against(commit: str, repeat: int, scales: list[float]) -> None:
    """Interleaved timings of this tree and ``commit``; prints the ratio of medians."""
    with tempfile.TemporaryDirectory(prefix="abm-bench-") as tmp:
        other = Path(tmp) / "tree"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(other), commit],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            for scale in scales:
                runs: dict[str, list[dict]] = {"this": [], commit: []}
                for r in range(repeat):
                    order = [("this", ROOT), (commit, other)]
                    for name, tree in order if r % 2 == 0 else order[::-1]:
                        runs[name].append(time_tree(tree, scale, seed=r + 1))
                for key, label in (("seconds", "wall"), ("cpu_seconds", "CPU")):
                    this = [x[key] for x in runs["this"]]
                    then = [x[key] for x in runs[commit]]
                    ratios = ", ".join(f"{b / a:.2f}" for a, b in zip(this, then, strict=True))
                    a, b = float(np.median(this)), float(np.median(then))
                    print(
                        f"population {scale:g}x, {repeat} interleaved decades each, {label} time: "
                        f"this tree median {a:.3f} s, {commit} {b:.3f} s; speed-up {b / a:.2f}x"
                        f" (per-repetition ratios {ratios})"
                    )
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(other)], cwd=ROOT, check=False
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--against", metavar="COMMIT", help="time this tree against COMMIT")
    args = parser.parse_args()
    t0 = time.perf_counter()
    if args.against:
        against(args.against, args.repeat, args.scales)
    else:
        standalone(args.repeat, args.scales)
    print(f"({time.perf_counter() - t0:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()

"""``abm validate``: run the validation checks, print the table, write it with plots.

Exit code 0 when every check passes, 1 when one fails, 2 on bad input (ScenarioError).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from abm import atomic
from abm.cli import add_command, add_force, add_quiet
from abm.experiments.experiment_file import MAX_REPLICATIONS
from abm.experiments.sweep import MAX_WORKERS
from abm.params.scenario import ScenarioError
from abm.validation.checks import select
from abm.validation.runner import DEFAULT_REPLICATIONS, validate

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "outputs" / "validation"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``validate`` subcommand."""
    p = add_command(
        subparsers,
        "validate",
        description="Run the validation checks (docs/validation.md) over paired replications.",
    )
    p.add_argument(
        "--replications",
        type=int,
        default=DEFAULT_REPLICATIONS,
        help=f"seeds per set-up (default {DEFAULT_REPLICATIONS})",
    )
    p.add_argument(
        "--workers", type=int, default=2, help="local processes (1 = in this process; default 2)"
    )
    p.add_argument(
        "--out",
        default=None,
        help=f"output folder: new, empty, or an earlier validation result (default {DEFAULT_OUT})",
    )
    add_force(p)
    p.add_argument(
        "--only",
        action="append",
        metavar="CHECK_OR_GROUP",
        help="run only these checks or groups (repeatable)",
    )
    add_quiet(p)
    p.set_defaults(func=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    """Run the checks; print and write the table and plots; 0 if all pass, else 1."""
    try:
        checks = select(args.only)
    except KeyError as exc:
        raise ScenarioError(f"--only: unknown check or group {exc.args[0]}") from None
    if not 2 <= args.replications <= MAX_REPLICATIONS:
        raise ScenarioError(
            f"--replications: must be in [2, {MAX_REPLICATIONS}], got {args.replications}"
        )
    if not 1 <= args.workers <= MAX_WORKERS:
        raise ScenarioError(f"--workers: must be in [1, {MAX_WORKERS}], got {args.workers}")
    out = Path(args.out) if args.out is not None else DEFAULT_OUT
    with atomic.claim(out, "validate", force=args.force):
        return _validate(args, checks, out)


def _validate(args: argparse.Namespace, checks: list, out: Path) -> int:
    from abm.validation import plots, report

    start = time.perf_counter()
    results, data = validate(checks, args.replications, args.workers, not args.quiet)
    seconds = time.perf_counter() - start
    failed = [r.check.name for r in results if not r.passed]
    summary = (
        f"{len(results) - len(failed)} of {len(results)} checks pass "
        f"({args.replications} replications, {args.workers} worker(s), {seconds:.1f} s)"
    )
    text = report.text_table(results)
    print(text)
    print(f"\n{summary}" + (f"; failed: {', '.join(failed)}" if failed else ""))
    files: dict[str, bytes | str] = {
        "validation.csv": report.table(results).to_csv(index=False),
        "validation.md": f"# Validation\n\n{summary}\n\n{report.markdown_table(results)}",
        "validation.txt": f"{text}\n\n{summary}\n",
    }
    files.update(plots.figures(results, data))
    report.write_atomic(out, files)
    print(f"wrote {out}/ ({', '.join(sorted(files))})")
    return 1 if failed else 0

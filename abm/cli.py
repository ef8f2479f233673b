"""The ``abm`` command line.

``abm run`` lives here; every other subcommand lives beside the code it drives, in a module
listed in :data:`COMMAND_MODULES` that defines ``register(subparsers)``. A subcommand signals
bad input by raising :class:`ScenarioError` (one line on stderr, exit 2, nothing written).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from abm.params.scenario import ScenarioError, available_scenarios, parse_override

EXIT_BAD_INPUT = 2

# Modules that add a subcommand with ``register(subparsers)``, in help order.
COMMAND_MODULES: tuple[str, ...] = (
    "abm.experiments.compare",
    "abm.viz.cli",
    "abm.experiments.sweep",
    "abm.experiments.sensitivity",
    "abm.validation.cli",
)


def _run(args: argparse.Namespace) -> int:
    from abm.runner import default_out_dir, format_summary, run, write_outputs

    overrides = dict(parse_override(s) for s in args.set or [])
    result = run(args.scenario, seed=args.seed, years=args.years, overrides=overrides)
    out = Path(args.out) if args.out else default_out_dir(result.scenario.name, args.seed)
    write_outputs(result, out)
    print(format_summary(result.summary, result.scenario.name, args.seed))
    print(f"\nwrote {out}/timeseries.parquet, summary.json, scenario.toml")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``abm``."""
    from abm.runner import DEFAULT_SEED

    parser = argparse.ArgumentParser(
        prog="abm",
        description="Agent-based model of mining investment in the US, Mexico and Canada.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="run one scenario and write its timeseries and summary")
    p.add_argument(
        "scenario",
        nargs="?",
        default="baseline",
        help=f"name under params/scenarios/ ({', '.join(available_scenarios())}) "
        "or a path to a TOML file (default: baseline)",
    )
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    p.add_argument("--years", type=int, default=None, help="simulated years (default 10)")
    p.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override a parameter, e.g. government.MX.royalty_rate=0.1 "
        "(VALUE is a TOML value; repeatable)",
    )
    p.add_argument("--out", default=None, help="output folder (default outputs/runs/...)")
    p.set_defaults(func=_run)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``abm`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if getattr(args, "years", None) is not None and args.years < 1:
            raise ScenarioError(f"--years: must be at least 1, got {args.years}")
        return args.func(args)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

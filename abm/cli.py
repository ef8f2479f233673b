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
    "abm.experiments.discover",
    "abm.validation.cli",
)


def _run(args: argparse.Namespace) -> int:
    from abm.runner import default_out_dir, run, write_outputs

    overrides = dict(parse_override(s) for s in args.set or [])
    result = run(args.scenario, seed=args.seed, years=args.years, overrides=overrides)
    out = Path(args.out) if args.out else default_out_dir(result.scenario.name, args.seed)
    write_outputs(result, out)
    print(format_summary(result.summary, result.scenario.name, args.seed))
    print(f"\nwrote {out}/timeseries.parquet, summary.json, scenario.toml")
    return 0


def format_summary(summary: dict, scenario: str, seed: int) -> str:
    """A short text table of the headline outcomes."""
    first, last = summary["first_year"], summary["last_year"]
    lines = [f"scenario {scenario}, seed {seed}, {first}-{last}", ""]
    head = f"{'':32}{'US':>12}{'MX':>12}{'CA':>12}{'NA':>12}"
    lines.append(head)
    rows = [
        (f"investment share {first}", "investment_share_first_year", "{:.1%}"),
        (f"investment share {last}", "investment_share_last_year", "{:.1%}"),
        (f"investment {first} (USD bn)", "investment_usd_first_year", "bn"),
        (f"investment {last} (USD bn)", "investment_usd_last_year", "bn"),
        (f"exploration {first} (USD bn)", "exploration_usd_first_year", "bn"),
        (f"exploration {last} (USD bn)", "exploration_usd_last_year", "bn"),
        ("exploration change", "exploration_change_frac", "{:+.1%}"),
        ("producing mines at end", "producing_mines_end", "{:.0f}"),
        ("gov. revenue, total (USD bn)", "government_revenue_usd_total", "bn"),
        ("direct mining jobs at end", "mining_jobs_end", "{:,.0f}"),
    ]
    for label, key, fmt in rows:
        cells = []
        for c in ("US", "MX", "CA", "NA"):
            val = summary["countries"][c].get(key)
            if val is None:
                cells.append(f"{'':>12}")
            elif fmt == "bn":
                cells.append(f"{val / 1e9:>12.2f}")
            else:
                cells.append(f"{fmt.format(val):>12}")
        lines.append(f"{label:32}" + "".join(cells))
    dep = summary["import_dependency_NA"]
    lines += ["", f"{'NA import dependency':24}{'start':>8}{'2030':>8}{'end':>8}"]
    for m in dep["start"]:
        vals = [dep.get(k, {}).get(m) for k in ("start", "2030", "end")]
        cells = "".join(f"{v:>8.0%}" if v is not None else f"{'':>8}" for v in vals)
        lines.append(f"  {m:22}{cells}")
    return "\n".join(lines)


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

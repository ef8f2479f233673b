"""The ``abm`` command line.

``abm run`` lives here; every other subcommand lives beside the code it drives, in a module
listed in :data:`COMMANDS` that defines ``register(subparsers)`` (adding its parser with
:func:`add_command`). Only the module of the command asked for is imported, so ``abm --help``
and ``abm run --help`` load no model, pandas, scipy or matplotlib. A subcommand signals bad
input by raising :class:`ScenarioError` (one line on stderr, exit 2, nothing written).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from abm.params.scenario import (
    DEFAULT_SEED,
    ScenarioError,
    available_scenarios,
    check_seed,
    check_size,
    load_scenario,
    parse_override,
    validate_value,
)

EXIT_BAD_INPUT = 2

# Every subcommand but ``run``, in help order: its name, the module that adds it with
# ``register(subparsers)``, and its line in ``abm --help``.
COMMANDS: dict[str, tuple[str, str]] = {
    "compare": (
        "abm.experiments.compare",
        "compare scenarios over replications (paired seeds), with intervals, plots, report",
    ),
    "ui": ("abm.viz.cli", "serve the browser dashboard (Mesa SolaraViz) on 127.0.0.1"),
    "sweep": (
        "abm.experiments.sweep",
        "run an experiment's design (grid / Latin hypercube / Sobol x replications)",
    ),
    "sensitivity": (
        "abm.experiments.sensitivity",
        "Morris screening and Sobol indices of an experiment's outcomes",
    ),
    "discover": (
        "abm.experiments.discover",
        "scenario discovery (PRIM): which inputs lead to an outcome above/below a threshold",
    ),
    "validate": (
        "abm.validation.cli",
        "check the model against sourced facts (table, CSV, markdown, plots)",
    ),
    "hindcast": (
        "abm.experiments.hindcast",
        "replay 2010-2024 with observed prices and policy dates; fit against history",
    ),
}
COMMAND_MODULES: tuple[str, ...] = tuple(module for module, _ in COMMANDS.values())  # listed


def add_command(sub: argparse._SubParsersAction, name: str, **kw) -> argparse.ArgumentParser:
    """The parser of subcommand ``name``, with its help line from :data:`COMMANDS`."""
    return sub.add_parser(name, help=COMMANDS[name][1], **kw)


def _run(args: argparse.Namespace) -> int:
    from abm import atomic
    from abm.runner import default_out_dir, format_summary, run, write_outputs

    overrides = dict(parse_override(s) for s in args.set or [])
    if args.years is not None:
        overrides["simulation.years"] = validate_value("simulation.years", args.years, "--years")
    spec = load_scenario(args.scenario, overrides=overrides)  # checked as it will run
    seed = args.seed
    if seed is None:
        seed = DEFAULT_SEED if spec.recorded_seed is None else spec.recorded_seed
        if spec.recorded_seed is not None:
            print(f"note: seed {seed} as recorded in {args.scenario} (--seed to change it)")
    seconds = check_size(spec.values, f"{args.scenario}")
    out = Path(args.out) if args.out is not None else default_out_dir(spec.name, seed)
    with atomic.claim(out, "run", force=args.force) as claim:
        if seconds > 60:
            print(f"a large run: about {seconds / 60:.0f} min (estimate) before it writes {out}")
        result = run(spec, seed=seed)
        write_outputs(result, claim.out)
    print(format_summary(result.summary, result.scenario.name, seed))
    print(f"\nwrote {out}/timeseries.parquet, summary.json, scenario.toml")
    return 0


def add_force(p: argparse.ArgumentParser) -> None:
    """``--force``: replace an earlier result (of any command) in ``--out``; never other files."""
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an earlier result of this tool in --out (never a folder it did not write)",
    )


def add_workers(p: argparse.ArgumentParser) -> None:
    """``--workers``: local processes of a resumable experiment (default: one per core)."""
    p.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="local worker processes (default: one per core)",
    )


def add_quiet(p: argparse.ArgumentParser) -> None:
    """``--quiet``: no progress bar."""
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def seed_arg(text: str) -> int:
    """``--seed``: a whole number in [0, 2**63-1]."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    try:
        return check_seed(value, "--seed")
    except ScenarioError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--seed: ")) from None


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr and exit 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``error: PROG: MESSAGE`` (no usage block) and exit with status 2."""
        self.exit(EXIT_BAD_INPUT, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser for ``abm`` with the arguments of the subcommand ``argv`` asks for
    (its module imported); the other subcommands are listed, their modules not imported."""
    argv = sys.argv[1:] if argv is None else argv
    asked = next((a for a in argv if not a.startswith("-")), None)
    parser = OneLineParser(
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
    p.add_argument(
        "--seed",
        type=seed_arg,
        default=None,
        help=f"random seed (default {DEFAULT_SEED}, or the seed a written scenario.toml records)",
    )
    p.add_argument("--years", type=int, default=None, help="simulated years (default 10)")
    p.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override a parameter, e.g. government.MX.royalty_rate=0.1 "
        "(VALUE is a TOML value; repeatable)",
    )
    p.add_argument(
        "--out",
        default=None,
        help="output folder: new, empty, or an earlier result (default outputs/runs/...)",
    )
    add_force(p)
    p.set_defaults(func=_run)
    for name, (module, text) in COMMANDS.items():
        if name == asked:
            importlib.import_module(module).register(sub)
        else:  # not asked for: its line in `abm --help` only
            sub.add_parser(name, help=text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``abm`` console script."""
    parser = build_parser(argv)
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

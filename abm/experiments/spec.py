"""Comparison experiment files (``experiments/*.toml``): which scenarios, how many replications.

::

    description = "What the experiment asks"
    scenarios = ["baseline", "mx_pre_reform"]   # names under params/scenarios/ or paths
    reference = "baseline"                      # differences are taken against it (paired)
    replications = 10                           # seeds derived from master_seed (recorded)
    master_seed = 20250101
    years = 10
    outcomes = ["investment_share.*", "import_dependency.*.2030"]  # fnmatch patterns
    claim = "integration"                       # optional: adds the claim section to the report

Every problem raises :class:`ScenarioError` naming the file and the key, before anything is run
or written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import numpy as np

from abm.outcomes import outcome_specs
from abm.params.scenario import (
    Scenario,
    ScenarioError,
    load_scenario,
    parse_month,
    read_toml,
    reject_unknown_keys,
)
from abm.params.schema import PARAMS

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EXPERIMENT_DIR = PROJECT_ROOT / "experiments"
KEYS = {
    "description",
    "scenarios",
    "reference",
    "replications",
    "master_seed",
    "seeds",
    "years",
    "outcomes",
    "claim",
    "uncertainties",  # parsed by abm.experiments.uncertain
}
CLAIMS = ("integration",)
DEFAULT_OUTCOMES = [
    "investment_share.*",
    "investment_usd.NA",
    "exploration_usd.*",
    "producing_mines_end.*",
    "government_revenue_usd.*",
    "import_dependency.critical_mean.*",
]


@dataclass
class CompareSpec:
    """A parsed comparison experiment."""

    name: str
    path: Path
    scenarios: list[Scenario]
    reference: str
    seeds: list[int]
    years: int
    outcomes: list[str]
    description: str = ""
    claim: str | None = None
    master_seed: int | None = None
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def first_year(self) -> int:
        """First simulated calendar year."""
        return parse_month(self.scenarios[0].values["simulation.start"], self.name)[0]

    @property
    def last_year(self) -> int:
        """Last simulated calendar year."""
        return self.first_year + self.years - 1


def derive_seeds(master_seed: int, n: int) -> list[int]:
    """``n`` independent run seeds from one master seed (numpy SeedSequence)."""
    states = np.random.SeedSequence(master_seed).generate_state(n, dtype=np.uint32)
    return [int(s) for s in states]


def resolve_experiment(name_or_path: str | Path) -> Path:
    """A path as given, or ``experiments/<name>.toml``."""
    p = Path(name_or_path)
    if p.suffix == ".toml" or p.exists():
        if not p.exists():
            raise ScenarioError(f"{p}: experiment file not found")
        return p
    cand = EXPERIMENT_DIR / f"{name_or_path}.toml"
    if not cand.exists():
        known = ", ".join(sorted(q.stem for q in EXPERIMENT_DIR.glob("*.toml")))
        raise ScenarioError(f"{name_or_path}: no such experiment (known: {known})")
    return cand


def _int(raw: dict[str, Any], key: str, where: str, default: int, lo: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise ScenarioError(f"{where}: {key}: must be a whole number >= {lo}, got {value!r}")
    return value


def _outcomes(raw: dict[str, Any], where: str, first: int, last: int) -> list[str]:
    patterns = raw.get("outcomes", DEFAULT_OUTCOMES)
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise ScenarioError(f"{where}: outcomes: must be a list of names or patterns")
    names = [s.name for s in outcome_specs(first, last)]
    chosen: list[str] = []
    for pat in patterns:
        hits = [n for n in names if fnmatch(n, pat)]
        if not hits:
            raise ScenarioError(
                f"{where}: outcomes: {pat!r} matches no outcome (e.g. {', '.join(names[:4])})"
            )
        chosen += [h for h in hits if h not in chosen]
    return chosen


def load_compare(name_or_path: str | Path, replications: int | None = None) -> CompareSpec:
    """Read and check a comparison experiment; ``replications`` overrides the file's."""
    path = resolve_experiment(name_or_path)
    where = str(path)
    raw = read_toml(path)
    reject_unknown_keys(raw, KEYS, where)
    names = raw.get("scenarios")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise ScenarioError(f"{where}: scenarios: must be a non-empty list of scenario names")
    if len(set(names)) != len(names):
        raise ScenarioError(f"{where}: scenarios: listed twice: {names}")
    reference = raw.get("reference", names[0])
    if reference not in names:
        raise ScenarioError(f"{where}: reference: {reference!r} is not among the scenarios")
    scenarios = []
    for n in names:
        try:
            scenarios.append(load_scenario(n))
        except ScenarioError as e:
            raise ScenarioError(f"{where}: scenarios: {e}") from None
    years = _int(raw, "years", where, 10, 1)
    if years > PARAMS["simulation.years"].bounds[1]:
        raise ScenarioError(f"{where}: years: at most {PARAMS['simulation.years'].bounds[1]:g}")
    master = _int(raw, "master_seed", where, 20250101, 0)
    if "seeds" in raw:
        seeds = raw["seeds"]
        if not isinstance(seeds, list) or not all(isinstance(s, int) for s in seeds):
            raise ScenarioError(f"{where}: seeds: must be a list of whole numbers")
        if replications is not None:
            seeds = seeds[:replications]
    else:
        n = replications if replications is not None else _int(raw, "replications", where, 10, 2)
        seeds = derive_seeds(master, n)
    if len(seeds) < 2:
        raise ScenarioError(f"{where}: replications: at least 2 are needed for an interval")
    claim = raw.get("claim")
    if claim is not None and claim not in CLAIMS:
        raise ScenarioError(f"{where}: claim: {claim!r} is not one of {', '.join(CLAIMS)}")
    description = raw.get("description", "")
    first = parse_month(scenarios[0].values["simulation.start"], where)[0]
    return CompareSpec(
        name=path.stem,
        path=path,
        scenarios=scenarios,
        reference=reference,
        seeds=seeds,
        years=years,
        outcomes=_outcomes(raw, where, first, first + years - 1),
        description=str(description),
        claim=claim,
        master_seed=None if "seeds" in raw else master,
    )

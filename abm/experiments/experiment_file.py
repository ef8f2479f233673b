"""Experiment files, one loader for all three kinds: compare, sweep and sensitivity.

An experiment file (TOML, see ``docs/sweeps.md``) is read by :func:`load_experiment` with an
explicit ``kind`` -- the command that runs it (``abm compare``, ``abm sweep``,
``abm sensitivity``). Every kind shares one seed scheme and one set of keys::

    description = "What the experiment asks"
    seed = 20250101          # master seed: replication seeds, design samples and bootstrap
    replications = 10        # seeds derived from the master seed (recorded), or
    # seeds = [1, 2, 3]      # ... listed explicitly (non-negative, distinct)
    years = 10               # default: the (reference) scenario's simulation.years
    outcomes = ["investment_share.*"]  # names or fnmatch patterns (abm.outcomes)
    [uncertainties]          # ranges, sampled per design point (sweep) or per replication
    "market.price_volatility_scale" = { min = 0.5, max = 1.5 }

A compare file adds ``scenarios = [...]``, ``reference`` and ``claim``; a sweep or
sensitivity file adds ``scenario``, ``[levers]``, ``[design]`` and ``[sensitivity]``.
Parameters go by their public dotted names and are checked against
:data:`abm.params.schema.PARAMS`. Every problem raises :class:`ScenarioError` naming the file
and the key, before anything is run or written. :mod:`abm.experiments.design` turns a
validated :class:`Experiment` into runs.
"""

from __future__ import annotations

import difflib
import hashlib
import math
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import numpy as np

from abm.outcomes import OutcomeSpec, outcome_specs
from abm.params.scenario import (
    DEFAULT_SEED,
    MAX_SEED,
    Scenario,
    ScenarioError,
    check_seed,
    flatten,
    load_scenario,
    looks_like_path,
    parse_month,
    read_toml,
    reject_unknown_keys,
    relative_to,
    validate_value,
)
from abm.params.schema import PARAMS

EXPERIMENT_DIR = Path(__file__).resolve().parents[2] / "experiments"
KINDS = ("compare", "sweep", "sensitivity")
COMMON_KEYS = {
    "description",
    "years",
    "seed",
    "seeds",
    "replications",
    "outcomes",
    "uncertainties",
}
SWEEP_KEYS = COMMON_KEYS | {"scenario", "levers", "design", "sensitivity"}
KEYS = {
    "compare": COMMON_KEYS | {"scenarios", "reference", "claim"},
    "sweep": SWEEP_KEYS,
    "sensitivity": SWEEP_KEYS,
}
# Spellings of the old compare dialect: refused with the new name (one line, exit 2).
RENAMED = {"master_seed": "seed"}
CLAIMS = ("integration",)
SAMPLERS = ("lhs", "sobol")  # for [design]; abm sensitivity adds "morris"
# Replications: compare needs two for a paired interval; a sweep may run one per point.
MIN_REPLICATIONS = {"compare": 2, "sweep": 1, "sensitivity": 1}
DEFAULT_REPLICATIONS = {"compare": 10, "sweep": 1, "sensitivity": 1}
MAX_REPLICATIONS = 10_000
# What compare reports when the file names no outcomes (a sweep records every outcome).
DEFAULT_COMPARE_OUTCOMES = (
    "investment_share.*",
    "investment_usd.NA",
    "exploration_usd.*",
    "producing_mines_end.*",
    "government_revenue_usd.*",
    "import_dependency.critical_mean.*",
    "import_dependency.critical_value_weighted.*",
)
# How replication seeds come from the master seed (recorded in every manifest).
SEED_SCHEME = (
    "numpy SeedSequence(seed, spawn_key=(1,)).generate_state(uint32) >> 1, first distinct "
    "values in order (prefix-stable)"
)
# One generator per purpose, each seeded from the master seed with its own spawn key.
PURPOSES = {"replications": 1, "design": 2, "bootstrap": 3}


def generator(master_seed: int, purpose: str) -> np.random.Generator:
    """The generator for one purpose (replications, design or bootstrap) of a master seed."""
    seq = np.random.SeedSequence(master_seed, spawn_key=(PURPOSES[purpose],))
    return np.random.default_rng(seq)


def replication_seeds(master_seed: int, n: int) -> list[int]:
    """``n`` distinct run seeds from the master seed: the one seed scheme of every command.

    Prefix-stable: the first ``k`` seeds of ``n`` are the seeds of ``k`` replications, so
    raising ``replications`` (or ``--replications``) keeps every run already made.
    """
    seq = np.random.SeedSequence(master_seed, spawn_key=(PURPOSES["replications"],))
    m = 2 * n
    while True:
        words = seq.generate_state(m, dtype=np.uint32) >> 1  # 31-bit: any int column holds it
        unique = list(dict.fromkeys(int(w) for w in words))
        if len(unique) >= n:
            return unique[:n]
        m *= 2


@dataclass(frozen=True)
class Factor:
    """A sampled input: a parameter (or any named input) and its range."""

    name: str
    lo: float
    hi: float
    kind: str = "float"


@dataclass(frozen=True)
class SensitivitySettings:
    """Sizes and settings of ``abm sensitivity`` (the ``[sensitivity]`` table)."""

    morris_trajectories: int = 10
    morris_levels: int = 4
    sobol_samples: int = 64
    second_order: bool = False
    bootstrap: int = 200
    confidence: float = 0.95


@dataclass
class Experiment:
    """A validated experiment file of one kind.

    ``scenarios`` holds the compared scenarios (compare) or the one swept scenario;
    ``seeds`` are the replication seeds every scenario or design point runs with (common
    random numbers), derived from ``seed`` unless the file lists them (``seeds_listed``).
    ``years`` is None when the horizon comes from the scenario or a lever.
    """

    name: str
    path: Path
    sha256: str
    kind: str
    scenarios: list[Scenario]
    seed: int
    seeds: list[int]
    years: int | None
    outcomes: tuple[str, ...]
    seeds_listed: bool = False
    reference: str = ""
    claim: str | None = None
    levers: dict[str, list[Any]] = field(default_factory=dict)
    uncertainties: tuple[Factor, ...] = ()
    sampler: str | None = None
    samples: int = 0
    sensitivity: SensitivitySettings = field(default_factory=SensitivitySettings)
    description: str = ""

    @property
    def scenario(self) -> Scenario:
        """The swept scenario (sweep, sensitivity) or the first compared one."""
        return self.scenarios[0]

    @property
    def replications(self) -> int:
        """Number of replication seeds."""
        return len(self.seeds)

    @property
    def master_seed(self) -> int | None:
        """The master seed the replication seeds come from (None when listed)."""
        return None if self.seeds_listed else self.seed

    @property
    def horizon_years(self) -> int:
        """Simulated years (the file's, else the first scenario's)."""
        return int(self.years or self.scenario["simulation.years"])

    @property
    def first_year(self) -> int:
        """First simulated calendar year."""
        return parse_month(self.scenario["simulation.start"], self.name, "simulation.start")[0]

    @property
    def last_year(self) -> int:
        """Last simulated calendar year."""
        return self.first_year + self.horizon_years - 1


def resolve_experiment(name_or_path: str | Path) -> Path:
    """A name under experiments/ or a path to a TOML file."""
    p = Path(name_or_path)
    if looks_like_path(name_or_path):  # a name is never hidden by a folder of that name
        if p.is_file():
            return p
        if p.exists():
            raise ScenarioError(f"{p}: is not a file (give an experiment TOML file)")
        raise ScenarioError(f"{p}: experiment file not found")
    if not str(name_or_path).strip():
        raise ScenarioError("experiment: an empty name (give a name or a TOML file)")
    candidate = EXPERIMENT_DIR / f"{name_or_path}.toml"
    if not candidate.is_file():
        known = ", ".join(sorted(q.stem for q in EXPERIMENT_DIR.glob("*.toml"))) or "none"
        raise ScenarioError(f"{name_or_path}: no such experiment (known: {known})")
    return candidate


def _int(raw: dict, key: str, where: str, default: int, lo: int, hi: int = MAX_SEED) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ScenarioError(
            f"{where}: {key}: must be a whole number in [{lo}, {hi}], got {value!r}"
        )
    return value


def _check_keys(raw: dict, kind: str, where: str) -> None:
    for old, new in RENAMED.items():
        if old in raw:
            raise ScenarioError(f"{where}: {old}: renamed to {new!r} (one seed key for all kinds)")
    extra = sorted(set(raw) - KEYS[kind])
    for key in extra:
        owners = [k for k in KINDS if key in KEYS[k]]
        if owners:
            hint = " (a list)" if key == "scenarios" else ""
            raise ScenarioError(
                f"{where}: {key}: is a key of {'/'.join(owners)} files{hint}, "
                f"not of abm {kind} (read as a {kind} file)"
            )
    reject_unknown_keys(raw, KEYS[kind], where)


def _load_one(ref: Any, path: Path, where: str, years: tuple[int, str] | None) -> Scenario:
    """One scenario of the file; ``years`` (value, origin) applies before its checks (a price
    CSV must cover the months the experiment runs)."""
    if not isinstance(ref, str) or not ref:
        raise ScenarioError(f"{where}: must be a scenario name or path, got {ref!r}")
    over = {"simulation.years": years[0]} if years else None
    try:
        return load_scenario(
            relative_to(ref, path.parent), overrides=over, origin=years[1] if years else "--set"
        )
    except ScenarioError as exc:
        raise ScenarioError(f"{where}: {exc}") from None


def _scenarios(
    raw: dict, kind: str, path: Path, where: str, years: tuple[int, str] | None = None
) -> list[Scenario]:
    if kind != "compare":
        return [_load_one(raw.get("scenario", "baseline"), path, f"{where}: scenario", years)]
    names = raw.get("scenarios")
    if not isinstance(names, list) or not names:
        raise ScenarioError(f"{where}: scenarios: must be a non-empty list of scenario names")
    scenarios = [_load_one(n, path, f"{where}: scenarios", years) for n in names]
    seen: dict[str, Any] = {}
    for n, scen in zip(names, scenarios, strict=True):
        if scen.name in seen:
            raise ScenarioError(
                f"{where}: scenarios: {seen[scen.name]!r} and {n!r} are both named "
                f"{scen.name!r} (listed twice, or two files of the same name)"
            )
        seen[scen.name] = n
    return scenarios


def _seeds(raw: dict, kind: str, where: str, replications: int | None) -> tuple[int, list[int]]:
    """The master seed and the replication seeds (derived, or listed and checked)."""
    master = check_seed(raw.get("seed", DEFAULT_SEED), f"{where}: seed")
    lo = MIN_REPLICATIONS[kind]
    if "seeds" in raw:
        listed = raw["seeds"]
        if not isinstance(listed, list) or not listed:
            raise ScenarioError(f"{where}: seeds: must be a non-empty list of whole numbers")
        seeds = [check_seed(s, f"{where}: seeds") for s in listed]
        dup = sorted({s for s in seeds if seeds.count(s) > 1})
        if dup:
            raise ScenarioError(
                f"{where}: seeds: {dup[0]} is listed twice (replications must differ)"
            )
        if "replications" in raw and raw["replications"] != len(seeds):
            raise ScenarioError(
                f"{where}: replications: {raw['replications']!r} but {len(seeds)} seeds are "
                "listed (give one or the other)"
            )
        if replications is not None:
            if replications > len(seeds):
                raise ScenarioError(
                    f"--replications: {replications} but {where} lists {len(seeds)} seeds"
                )
            seeds = seeds[:replications]
        if len(seeds) < lo:
            raise ScenarioError(f"{where}: seeds: at least {lo} are needed for an interval")
        return master, seeds
    if replications is None:
        n = _int(raw, "replications", where, DEFAULT_REPLICATIONS[kind], lo, MAX_REPLICATIONS)
    else:
        n = replications
        if isinstance(n, bool) or not lo <= n <= MAX_REPLICATIONS:
            raise ScenarioError(f"--replications: must be in [{lo}, {MAX_REPLICATIONS}], got {n}")
    return master, replication_seeds(master, n)


def _years(raw: dict, where: str, years: int | None) -> int | None:
    if years is not None:
        return validate_value("simulation.years", years, "--years")
    if "years" in raw:
        return validate_value("simulation.years", raw["years"], f"{where}: years")
    return None


def _levers(raw: Any, where: str) -> dict[str, list[Any]]:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: levers: must be a table of parameter = [values]")
    out: dict[str, list[Any]] = {}
    for key, values in flatten(raw).items():
        if not isinstance(values, list) or not values:
            raise ScenarioError(f"{where}: levers: {key}: must be a non-empty list of values")
        out[key] = [validate_value(key, v, f"{where}: levers") for v in values]
        if len({repr(v) for v in out[key]}) != len(out[key]):
            raise ScenarioError(f"{where}: levers: {key}: values repeat")
    return out


def _flatten_ranges(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in table.items():
        if isinstance(v, dict) and not ({"min", "max"} & set(v)):
            out.update(_flatten_ranges(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def parse_uncertainties(raw: Any, where: str) -> tuple[Factor, ...]:
    """The ``[uncertainties]`` table (``"dotted.name" = { min = .., max = .. }``) as factors."""
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: uncertainties: must be a table of parameter = {{min, max}}")
    factors = []
    for key, rng in _flatten_ranges(raw).items():
        loc = f"{where}: uncertainties"
        if key not in PARAMS:
            validate_value(key, None, loc)  # raises: unknown parameter, with a suggestion
        param = PARAMS[key]
        if param.kind not in ("float", "int"):
            raise ScenarioError(
                f"{loc}: {key}: only numbers can have a range (list it in [levers])"
            )
        if not isinstance(rng, dict) or set(rng) != {"min", "max"}:
            raise ScenarioError(f"{loc}: {key}: must be {{ min = ..., max = ... }}")
        lo = validate_value(key, rng["min"], f"{loc}: min")
        hi = validate_value(key, rng["max"], f"{loc}: max")
        if not lo < hi:
            raise ScenarioError(f"{loc}: {key}: min must be below max, got {lo!r} >= {hi!r}")
        factors.append(Factor(key, float(lo), float(hi), param.kind))
    return tuple(factors)


_uncertainties = parse_uncertainties  # the name the sweep code used


def _design(raw: Any, where: str, has_ranges: bool) -> tuple[str | None, int]:
    if raw is None:  # abm sweep then needs levers only; abm sensitivity has its own sizes
        return None, 0
    if not isinstance(raw, dict) or set(raw) - {"sampler", "samples"}:
        raise ScenarioError(f"{where}: design: must be a table with sampler and samples")
    sampler = raw.get("sampler")
    if sampler not in SAMPLERS:
        raise ScenarioError(
            f"{where}: design: sampler: must be one of {', '.join(SAMPLERS)}, got {sampler!r}"
        )
    if not has_ranges:
        raise ScenarioError(f"{where}: design: sampler needs ranges in [uncertainties]")
    if "samples" not in raw:
        raise ScenarioError(f"{where}: design: samples: missing (number of sampled points)")
    samples = _int(raw, "samples", f"{where}: design", 0, 1, 100_000)
    if sampler == "sobol":
        _power_of_2(samples, f"{where}: design: samples")
    return sampler, samples


def _power_of_2(n: int, where: str) -> None:
    """Saltelli's Sobol scheme keeps its balance properties only at powers of 2 (SALib warns)."""
    if n & (n - 1):
        lower = 2 ** int(math.log2(n))
        raise ScenarioError(
            f"{where}: must be a power of 2 for a Sobol sequence, got {n}; try {lower} or "
            f"{2 * lower}"
        )


def _sensitivity(raw: Any, where: str) -> SensitivitySettings:
    loc = f"{where}: sensitivity"
    if raw is None:
        return SensitivitySettings()
    known = SensitivitySettings.__dataclass_fields__
    if not isinstance(raw, dict):
        raise ScenarioError(f"{loc}: must be a table of {', '.join(sorted(known))}")
    reject_unknown_keys(raw, known, loc)
    d = SensitivitySettings()
    conf = raw.get("confidence", d.confidence)
    if isinstance(conf, bool) or not isinstance(conf, float) or not 0.5 <= conf < 1:
        raise ScenarioError(f"{loc}: confidence: must be a fraction in [0.5, 1), got {conf!r}")
    second = raw.get("second_order", d.second_order)
    if not isinstance(second, bool):
        raise ScenarioError(f"{loc}: second_order: must be true or false")
    sobol_n = _int(raw, "sobol_samples", loc, d.sobol_samples, 2, 2**20)
    _power_of_2(sobol_n, f"{loc}: sobol_samples")
    return SensitivitySettings(
        _int(raw, "morris_trajectories", loc, d.morris_trajectories, 2, 10_000),
        _int(raw, "morris_levels", loc, d.morris_levels, 2, 100),
        sobol_n,
        second,
        _int(raw, "bootstrap", loc, d.bootstrap, 10, 100_000),
        conf,
    )


def _specs(scenario: Scenario, years: int | None) -> list[OutcomeSpec]:
    first, _ = parse_month(scenario["simulation.start"], scenario.name, "simulation.start")
    return outcome_specs(first, first + int(years or scenario["simulation.years"]) - 1)


def outcome_units(exp: Experiment) -> dict[str, str]:
    """Unit of each of the experiment's outcomes."""
    return {s.name: s.unit for s in _specs(exp.scenario, exp.years)}


def _outcomes(
    raw: Any, kind: str, where: str, scenario: Scenario, years: int | None
) -> tuple[str, ...]:
    """Outcome names or fnmatch patterns, expanded in the order given."""
    known = [s.name for s in _specs(scenario, years)]
    if raw is None:
        if kind != "compare":
            return tuple(known)
        raw = list(DEFAULT_COMPARE_OUTCOMES)
    if not isinstance(raw, list) or not raw or not all(isinstance(o, str) for o in raw):
        raise ScenarioError(
            f"{where}: outcomes: must be a non-empty list of outcome names or patterns"
        )
    chosen: list[str] = []
    for pat in raw:
        hits = [n for n in known if fnmatch(n, pat)]
        if not hits:
            close = difflib.get_close_matches(pat, known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"e.g. {', '.join(known[:3])}"
            raise ScenarioError(f"{where}: outcomes: {pat!r} matches no outcome ({hint})")
        chosen += [h for h in hits if h not in chosen]
    return tuple(chosen)


# What fixes the years an experiment's outcomes are named by: never a lever or a range.
HORIZON_KEYS = ("simulation.years", "simulation.start")


def _check_sets(exp: Experiment, raw: dict, where: str, cli_years: bool) -> None:
    """Refuse inputs the file sets twice: a lever or range on what ``years`` also fixes."""
    varied = [*exp.levers, *(f.name for f in exp.uncertainties)]
    both = sorted({k for k in exp.levers} & {f.name for f in exp.uncertainties})
    if both:
        raise ScenarioError(f"{where}: {both[0]}: is in both [levers] and [uncertainties]")
    if "simulation.years" in varied and (cli_years or "years" in raw):
        origin = "--years" if cli_years else f"{where}: years"
        raise ScenarioError(
            f"{origin}: fixes the horizon that simulation.years varies in the file; "
            "drop one of them"
        )
    for key in HORIZON_KEYS:
        if key in varied:
            table = "levers" if key in exp.levers else "uncertainties"
            raise ScenarioError(
                f"{where}: {table}: {key}: cannot vary within an experiment: its outcomes are "
                "named by year (e.g. import_dependency.zinc.2030), so every run shares one "
                "horizon; set years = N (or --years) and the scenario's simulation.start"
            )


def load_experiment(
    name_or_path: str | Path,
    kind: str = "sweep",
    years: int | None = None,
    replications: int | None = None,
) -> Experiment:
    """Read and validate an experiment file as ``kind`` (compare, sweep or sensitivity).

    ``years`` and ``replications`` override the file's (the ``--years``/``--replications``
    options).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    path = resolve_experiment(name_or_path).resolve()
    where = str(path)
    raw = read_toml(path)
    _check_keys(raw, kind, where)
    cli_years = years is not None
    years = _years(raw, where, years)
    origin = "--years" if cli_years else f"{where}: years"
    scenarios = _scenarios(raw, kind, path, where, None if years is None else (years, origin))
    if kind == "compare" and years is None:
        years = int(scenarios[0]["simulation.years"])
    master, seeds = _seeds(raw, kind, where, replications)
    reference = scenarios[0].name
    claim = None
    if kind == "compare":
        reference = raw.get("reference", reference)
        if reference not in [s.name for s in scenarios]:
            raise ScenarioError(f"{where}: reference: {reference!r} is not among the scenarios")
        claim = raw.get("claim")
        if claim is not None and claim not in CLAIMS:
            raise ScenarioError(f"{where}: claim: {claim!r} is not one of {', '.join(CLAIMS)}")
    levers = _levers(raw.get("levers", {}), where)
    if kind == "compare":  # compare also takes categorical uncertainties ({ values = [..] })
        from abm.experiments import uncertain

        factors = uncertain.parse(raw.get("uncertainties", {}), where)
    else:
        factors = parse_uncertainties(raw.get("uncertainties", {}), where)
    sampler, samples = _design(raw.get("design"), where, bool(factors))
    desc = raw.get("description", "")
    if not isinstance(desc, str):
        raise ScenarioError(f"{where}: description: must be a string")
    exp = Experiment(
        name=path.stem,
        path=path,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        kind=kind,
        scenarios=scenarios,
        seed=master,
        seeds=seeds,
        years=years,
        outcomes=_outcomes(raw.get("outcomes"), kind, where, scenarios[0], years),
        seeds_listed="seeds" in raw,
        reference=reference,
        claim=claim,
        levers=levers,
        uncertainties=factors,
        sampler=sampler,
        samples=samples,
        sensitivity=_sensitivity(raw.get("sensitivity"), where),
        description=desc,
    )
    _check_sets(exp, raw, where, cli_years)
    return exp

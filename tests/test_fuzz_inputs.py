# ruff: noqa: E501  (the case table reads best one case a line)
"""Bad and hostile inputs to every command (issue 17): each is refused before any work with
exit 2 and one line on stderr naming the file or option and the key, no traceback, nothing
written and the user's files untouched. Most fail before a model is built; none runs one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import abm.model
from abm.cli import main

REPO = Path(__file__).resolve().parents[1]
BASELINE = REPO / "params" / "scenarios" / "baseline.toml"
BINARY = bytes(range(256)) * 4  # not UTF-8: a picture or an archive given by mistake

COMPARE = 'scenarios = ["baseline", "mx_pre_reform"]\nyears = 1\nreplications = 2\n'
SWEEP = 'scenario = "baseline"\nyears = 1\n[levers]\n"government.MX.royalty_rate" = [0.08, 0.1]\n'
SENS = (
    'scenario = "baseline"\nyears = 1\n[uncertainties]\n'
    '"market.price_volatility_scale" = { min = 0.5, max = 1.5 }\n'
)
EARLY = (
    'inherits = "baseline"\n[[schedule]]\ndate = "2020-01"\nlabel = "old news"\n'
    'set = { "government.MX.royalty_rate" = 0.1 }\n'
)


def scheduled(key: str, value: str) -> str:
    """A scenario file whose one [[schedule]] entry sets ``key`` (issue 28: fixed keys)."""
    return f'inherits = "baseline"\n[[schedule]]\ndate = "2026-01"\nset = {{ "{key}" = {value} }}\n'


# (id, files to create under the test folder, argv, strings the one error line must hold)
CASES: list[tuple[str, dict[str, str | bytes], list[str], tuple[str, ...]]] = [
    # --- abm run: --out ---------------------------------------------------------------
    ("run-out-user-folder", {}, ["run", "--years", "1", "--out", "{d}/mine"], ("mine", "did not write")),
    ("run-out-user-folder-force", {}, ["run", "--out", "{d}/mine", "--force"], ("mine", "did not write")),
    ("run-out-file", {}, ["run", "--out", "{d}/file.txt"], ("file.txt", "is a file")),
    ("run-out-device", {}, ["run", "--out", "/dev/null"], ("/dev/null", "not a folder")),
    ("run-out-root", {}, ["run", "--out", "/"], ("--out /", "root")),
    ("run-out-repo", {}, ["run", "--out", str(REPO)], ("--out", "project folder")),
    ("run-out-under-file", {}, ["run", "--out", "{d}/file.txt/sub"], ("file.txt", "cannot hold")),
    ("run-out-long-name", {}, ["run", "--out", "{d}/" + "x" * 300], ("--out", "longer than")),
    ("run-out-unwritable", {}, ["run", "--out", "/proc/abm-fuzz/run"], ("--out /proc/abm-fuzz",)),
    ("run-out-empty", {}, ["run", "--out", ""], ("--out", "current folder")),
    # --- abm run: seeds, years, --set ------------------------------------------------
    ("run-seed-negative", {}, ["run", "--seed", "-1", "--out", "{d}/o"], ("--seed", "-1")),
    ("run-seed-word", {}, ["run", "--seed", "abc", "--out", "{d}/o"], ("--seed",)),
    ("run-seed-huge", {}, ["run", "--seed", "9" * 30, "--out", "{d}/o"], ("--seed",)),
    ("run-years-zero", {}, ["run", "--years", "0", "--out", "{d}/o"], ("--years",)),
    ("run-years-too-many", {}, ["run", "--years", "51", "--out", "{d}/o"], ("--years", "simulation.years")),
    ("set-inf", {}, ["run", "--set", "integration.joint_venture_projects=inf", "--out", "{d}/o"], ("--set", "integration.joint_venture_projects", "finite")),
    ("set-nan", {}, ["run", "--set", "government.MX.royalty_rate=nan", "--out", "{d}/o"], ("--set", "government.MX.royalty_rate")),
    ("set-overflow", {}, ["run", "--set", "firms.n_juniors=1e400", "--out", "{d}/o"], ("--set", "firms.n_juniors")),
    ("set-bool-number", {}, ["run", "--set", "firms.n_juniors=true", "--out", "{d}/o"], ("--set", "firms.n_juniors")),
    ("set-no-equals", {}, ["run", "--set", "firms.n_juniors", "--out", "{d}/o"], ("--set", "KEY=VALUE")),
    ("set-unknown", {}, ["run", "--set", "firms.n_junior=3", "--out", "{d}/o"], ("--set", "firms.n_junior")),
    ("set-start-after-schedule", {}, ["run", "phased_integration", "--set", "simulation.start=2027-01", "--out", "{d}/o"], ("--set", "schedule", "2025-07")),
    ("run-too-large", {}, ["run", "--set", "simulation.population_scale=100", "--set", "firms.n_juniors=100000", "--out", "{d}/o"], ("simulation.population_scale", "ceiling")),
    ("scenario-binary", {"bin.toml": BINARY}, ["run", "{d}/bin.toml", "--out", "{d}/o"], ("bin.toml", "not a text")),
    ("scenario-schedule-before-start", {"early.toml": EARLY}, ["run", "{d}/early.toml", "--out", "{d}/o"], ("early.toml", "schedule", "2020-01")),
    ("scenario-seed-bool", {"s.toml": 'inherits = "baseline"\nseed = true\n'}, ["run", "{d}/s.toml", "--out", "{d}/o"], ("s.toml", "seed")),
    ("scenario-missing", {}, ["run", "{d}/nowhere.toml", "--out", "{d}/o"], ("nowhere.toml",)),
    ("scenario-folder", {}, ["run", "{d}/mine", "--out", "{d}/o"], ("mine",)),
    # --- abm compare ------------------------------------------------------------------
    ("compare-dup-seeds", {"c.toml": COMPARE.replace("replications = 2", "seeds = [1, 1]")}, ["compare", "{d}/c.toml", "--out", "{d}/o"], ("c.toml", "seeds", "twice")),
    ("compare-bool-seeds", {"c.toml": COMPARE.replace("replications = 2", "seeds = [true, false]")}, ["compare", "{d}/c.toml", "--out", "{d}/o"], ("c.toml", "seeds", "True")),
    ("compare-negative-seeds", {"c.toml": COMPARE.replace("replications = 2", "seeds = [-1, -2]")}, ["compare", "{d}/c.toml", "--out", "{d}/o"], ("c.toml", "seeds", "-1")),
    ("compare-float-seed", {"c.toml": COMPARE + "seed = 1.5\n"}, ["compare", "{d}/c.toml", "--out", "{d}/o"], ("c.toml", "seed")),
    ("compare-empty-outcomes", {"c.toml": COMPARE + "outcomes = []\n"}, ["compare", "{d}/c.toml", "--out", "{d}/o"], ("c.toml", "outcomes")),
    ("compare-same-scenario-two-spellings", {"c.toml": f'scenarios = ["baseline", "{BASELINE}"]\nyears = 1\n'}, ["compare", "{d}/c.toml", "--out", "{d}/o"], ("c.toml", "scenarios", "both named 'baseline'")),
    ("compare-two-files-same-name", {"a/x.toml": 'inherits = "baseline"\n', "b/x.toml": 'inherits = "baseline"\n', "c.toml": 'scenarios = ["a/x.toml", "b/x.toml"]\nyears = 1\n'}, ["compare", "{d}/c.toml", "--out", "{d}/o"], ("c.toml", "scenarios", "'x'")),
    ("compare-old-master-seed", {"c.toml": COMPARE + "master_seed = 7\n"}, ["compare", "{d}/c.toml", "--out", "{d}/o"], ("c.toml", "master_seed", "seed")),
    ("compare-binary", {"c.toml": BINARY}, ["compare", "{d}/c.toml", "--out", "{d}/o"], ("c.toml", "not a text")),
    ("compare-levers", {"c.toml": COMPARE + '[levers]\n"government.MX.royalty_rate" = [0.1]\n'}, ["compare", "{d}/c.toml", "--out", "{d}/o"], ("c.toml", "levers", "sweep")),
    ("compare-one-replication", {"c.toml": COMPARE.replace("replications = 2", "replications = 1")}, ["compare", "{d}/c.toml", "--out", "{d}/o"], ("c.toml", "replications")),
    ("compare-cli-replications", {"c.toml": COMPARE}, ["compare", "{d}/c.toml", "--replications", "1", "--out", "{d}/o"], ("--replications",)),
    ("compare-workers-zero", {"c.toml": COMPARE}, ["compare", "{d}/c.toml", "--workers", "0", "--out", "{d}/o"], ("--workers",)),
    ("compare-years-inf", {"c.toml": COMPARE.replace("years = 1", "years = inf")}, ["compare", "{d}/c.toml", "--out", "{d}/o"], ("c.toml", "years")),
    ("compare-bad-range", {"c.toml": COMPARE + '[uncertainties]\n"investors.risk_aversion" = { min = 9.0, max = 2.0 }\n'}, ["compare", "{d}/c.toml", "--out", "{d}/o"], ("c.toml", "uncertainties", "investors.risk_aversion")),
    ("compare-reference-missing", {"c.toml": COMPARE + 'reference = "atlantis"\n'}, ["compare", "{d}/c.toml", "--out", "{d}/o"], ("c.toml", "reference")),
    ("compare-out-user-folder", {"c.toml": COMPARE}, ["compare", "{d}/c.toml", "--out", "{d}/mine"], ("mine", "did not write")),
    ("compare-sweep-file", {"s.toml": SWEEP}, ["compare", "{d}/s.toml", "--out", "{d}/o"], ("s.toml", "levers")),
    # --- abm sweep / sensitivity --------------------------------------------------------
    ("sweep-lever-vs-years", {"s.toml": SWEEP + '"simulation.years" = [1, 2]\n'}, ["sweep", "{d}/s.toml", "--out", "{d}/o"], ("s.toml", "years", "simulation.years")),
    ("sweep-lever-vs-cli-years", {"s.toml": SWEEP.replace("years = 1\n", "") + '"simulation.years" = [1, 2]\n'}, ["sweep", "{d}/s.toml", "--years", "2", "--out", "{d}/o"], ("--years", "simulation.years")),
    ("sweep-lever-inf", {"s.toml": SWEEP.replace("[0.08, 0.1]", "[0.08, inf]")}, ["sweep", "{d}/s.toml", "--out", "{d}/o"], ("s.toml", "government.MX.royalty_rate")),
    ("sweep-negative-seed", {"s.toml": SWEEP + "seed = -5\n"}, ["sweep", "{d}/s.toml", "--out", "{d}/o"], ("s.toml", "seed")),
    ("sweep-binary", {"s.toml": BINARY}, ["sweep", "{d}/s.toml", "--out", "{d}/o"], ("s.toml", "not a text")),
    ("sweep-compare-file", {"c.toml": COMPARE}, ["sweep", "{d}/c.toml", "--out", "{d}/o"], ("c.toml", "scenarios")),
    ("sweep-scheduler-garbage", {"s.toml": SWEEP}, ["sweep", "{d}/s.toml", "--scheduler", "notanaddress", "--out", "{d}/o"], ("--scheduler notanaddress",)),
    ("sweep-scheduler-port", {"s.toml": SWEEP}, ["sweep", "{d}/s.toml", "--scheduler", "tcp://127.0.0.1:99999", "--out", "{d}/o"], ("--scheduler", "port")),
    ("sweep-resume-and-force", {"s.toml": SWEEP}, ["sweep", "{d}/s.toml", "--resume", "--force", "--out", "{d}/o"], ("--resume", "--force")),
    ("sweep-out-file", {"s.toml": SWEEP}, ["sweep", "{d}/s.toml", "--out", "{d}/file.txt"], ("file.txt", "is a file")),
    ("sensitivity-sobol-not-power-of-2", {"s.toml": SENS + "[sensitivity]\nsobol_samples = 3\n"}, ["sensitivity", "{d}/s.toml", "--out", "{d}/o"], ("s.toml", "sobol_samples", "power of 2")),
    ("sweep-sobol-design-not-power-of-2", {"s.toml": SENS + '[design]\nsampler = "sobol"\nsamples = 50\n'}, ["sweep", "{d}/s.toml", "--out", "{d}/o"], ("s.toml", "design: samples", "power of 2")),
    ("sensitivity-no-ranges", {"s.toml": SWEEP}, ["sensitivity", "{d}/s.toml", "--out", "{d}/o"], ("s.toml", "levers")),
    ("sensitivity-out-user-folder", {"s.toml": SENS}, ["sensitivity", "{d}/s.toml", "--method", "morris", "--out", "{d}/mine"], ("mine", "did not write")),
    # --- issue 28: nothing accepted and then ignored --------------------------------------
    ("schedule-demand-scenario", {"s.toml": scheduled("market.demand_scenario", '"aps"')}, ["run", "{d}/s.toml", "--out", "{d}/o"], ("s.toml", "schedule[0]: market.demand_scenario", "cannot change during a run")),
    ("schedule-demand-growth", {"s.toml": scheduled("market.demand_growth_frac_per_year.nickel", "0.2")}, ["run", "{d}/s.toml", "--out", "{d}/o"], ("s.toml", "market.demand_growth_frac_per_year.nickel", "cannot change during a run")),
    ("schedule-price-path", {"s.toml": scheduled("market.price_path", '"history"')}, ["run", "{d}/s.toml", "--out", "{d}/o"], ("s.toml", "market.price_path", "cannot change during a run")),
    ("schedule-population-scale", {"s.toml": scheduled("simulation.population_scale", "2.0")}, ["run", "{d}/s.toml", "--out", "{d}/o"], ("s.toml", "simulation.population_scale", "cannot change during a run")),
    ("schedule-fixed-in-compare", {"s.toml": scheduled("simulation.years", "3"), "c.toml": 'scenarios = ["baseline", "s.toml"]\nyears = 1\n'}, ["compare", "{d}/c.toml", "--out", "{d}/o"], ("c.toml", "s.toml", "simulation.years", "cannot change during a run")),
    ("hindcast-set-years", {}, ["hindcast", "--set", "simulation.years=2", "--out", "{d}/o"], ("--set simulation.years", "years = 15", "hindcast.toml")),
    ("sweep-lever-years-no-years-key", {"s.toml": SWEEP.replace("years = 1\n", "") + '"simulation.years" = [1, 2]\n'}, ["sweep", "{d}/s.toml", "--out", "{d}/o"], ("s.toml", "levers: simulation.years", "cannot vary", "--years")),
    ("sweep-lever-start", {"s.toml": SWEEP + '"simulation.start" = ["2025-01", "2026-01"]\n'}, ["sweep", "{d}/s.toml", "--out", "{d}/o"], ("s.toml", "levers: simulation.start", "cannot vary")),
    ("compare-years-range-no-years-key", {"c.toml": COMPARE.replace("years = 1\n", "") + '[uncertainties]\n"simulation.years" = { min = 1, max = 3 }\n'}, ["compare", "{d}/c.toml", "--out", "{d}/o"], ("c.toml", "uncertainties: simulation.years", "cannot vary")),
    ("discover-out-file", {}, ["discover", "{d}/nosuch", "--outcome", "x", "--threshold", "1", "--out", "{d}/file.txt"], ("--out", "file.txt", "is a file")),
    ("discover-out-device", {}, ["discover", "{d}/nosuch", "--outcome", "x", "--threshold", "1", "--out", "/dev/null"], ("--out /dev/null", "not a folder")),
    ("discover-missing-path", {}, ["discover", "{d}/o/nosuch", "--outcome", "x", "--threshold", "1"], ("{d}/o/nosuch", "no such results file or folder")),
    ("inherits-unknown", {"s.toml": 'inherits = "nosuchscenario"\n'}, ["run", "{d}/s.toml", "--out", "{d}/o"], ("s.toml", "inherits", "nosuchscenario", "known: baseline")),
    ("inherits-missing-file", {"s.toml": 'inherits = "sub/nowhere.toml"\n'}, ["run", "{d}/s.toml", "--out", "{d}/o"], ("s.toml", "inherits", "{d}/sub/nowhere.toml", "not found")),
    ("run-empty-scenario-name", {}, ["run", "", "--out", "{d}/o"], ("scenario", "empty name", "known: baseline")),
    ("set-upper-case-mineral", {}, ["run", "--set", "market.demand_growth_frac_per_year.NICKEL=0.1", "--out", "{d}/o"], ("--set", "NICKEL", "did you mean 'market.demand_growth_frac_per_year.nickel'")),
    ("set-bare-path-missing", {}, ["run", "--set", "market.price_path={d}/nowhere.csv", "--out", "{d}/o"], ("--set", "market.price_path", "{d}/nowhere.csv", "existing CSV")),
    ("set-not-toml-hint", {}, ["run", "--set", "trade.rules_of_origin=a b", "--out", "{d}/o"], ("--set trade.rules_of_origin", "not a TOML value", "quote a string")),
    # --- abm validate -----------------------------------------------------------------
    ("validate-out-user-folder", {}, ["validate", "--only", "effective_tax", "--out", "{d}/mine"], ("mine", "did not write")),
    ("validate-replications", {}, ["validate", "--replications", "1", "--out", "{d}/o"], ("--replications",)),
    ("validate-unknown-check", {}, ["validate", "--only", "nosuch", "--out", "{d}/o"], ("--only", "nosuch")),
]  # fmt: skip


def snapshot(root: Path) -> dict[str, tuple[bool, int, int, bytes]]:
    """Every entry under ``root``: kind, size, mtime and (for files) content."""
    out = {}
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            p = Path(dirpath, name)
            st = p.lstat()
            body = p.read_bytes() if p.is_file() else b""
            out[str(p.relative_to(root))] = (p.is_dir(), st.st_size, st.st_mtime_ns, body)
    return out


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 40 and len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(
    ("files", "argv", "needles"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_exit_2_one_line_nothing_written(tmp_path, capsys, monkeypatch, files, argv, needles) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)

    def no_model(*_a, **_k):
        raise AssertionError("a model was built: the input was not refused up front")

    monkeypatch.setattr(abm.model.MiningModel, "__init__", no_model)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "keep.txt").write_text("keep\n")
    (tmp_path / "file.txt").write_text("a user's notes\n")
    for name, body in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body) if isinstance(body, bytes) else path.write_text(body)
    before = snapshot(tmp_path)
    args = [a.replace("{d}", str(tmp_path)) for a in argv]
    try:
        code = main(args)
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2, captured
    assert len(lines) == 1, lines
    assert "Traceback" not in captured.err
    for needle in needles:
        assert needle.replace("{d}", str(tmp_path)) in lines[0], (needle, lines[0])
    assert snapshot(tmp_path) == before  # nothing written, nothing changed or removed
    assert not Path("/proc/abm-fuzz").exists()

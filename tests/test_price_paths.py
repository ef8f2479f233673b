"""market.price_path: the stochastic path is today's, the history path follows the shipped
prices (rebased to minerals.toml), a CSV path is taken as given, and a bad CSV is refused
with one line (file, row, problem), exit 2, nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import abm
import abm.model
from abm.cli import main
from abm.params.data import load_minerals
from abm.params.price_path import load_history_prices
from abm.params.schema import MINERALS
from abm.price_paths import PricePath, history_rebase_frac

HISTORY = {"market.price_path": "history"}


def _world(ts, mineral: str) -> np.ndarray:
    rows = ts[(ts.indicator == "price_usd_per_t") & (ts.country == "ROW")]
    rows = rows[rows.mineral == mineral].sort_values("step")
    return rows.value.to_numpy()


def test_stochastic_path_is_the_old_recurrence() -> None:
    """The path moved out of Market.update_prices draws and updates exactly as before."""
    data = load_minerals()
    v = abm.MiningModel("baseline", rng=1, years=1).values
    path = PricePath(data.price_usd_per_t, np.random.default_rng(5))
    rng = np.random.default_rng(5)
    old = np.zeros(len(MINERALS))
    for step in range(1, 25):
        kappa = v["market.price_mean_reversion_frac_per_year"] / 12.0
        vol = np.minimum(data.volatility_frac_per_year, v["market.volatility_cap_frac_per_year"])
        sigma = vol * v["market.price_volatility_scale"] / np.sqrt(12)
        old = old * (1.0 - kappa) + sigma * rng.standard_normal(len(old))
        new = path.advance(v, step, data.volatility_frac_per_year)
        assert np.array_equal(new, old)


def test_history_run_follows_the_rebased_history() -> None:
    """Every month of a 2010 run carries the observed price times the 2024 basis ratio."""
    r = abm.run(
        "baseline",
        seed=3,
        years=2,
        overrides={**HISTORY, "simulation.start": "2010-01"},
    )
    hist = load_history_prices("2009-12", "2011-12")
    ratio = history_rebase_frac()
    for m in ("copper", "gold", "lead", "lithium"):
        want = hist[m].to_numpy() * ratio[m]  # step 0 = 2009-12
        np.testing.assert_allclose(_world(r.timeseries, m), want, rtol=1e-9)
    assert ratio["lead"] == pytest.approx(1 / (1 - 0.147), rel=0.01)  # the stated basis gap
    # the 2011 copper peak and the 2010 level are the observed ones, not a random walk
    cu = _world(r.timeseries, "copper")
    assert cu[1:13].mean() < cu[13:25].mean()


def test_history_is_the_same_for_every_seed_and_policy() -> None:
    a = abm.run("baseline", seed=1, years=1, overrides={**HISTORY, "simulation.start": "2014-01"})
    b = abm.run(
        "baseline",
        seed=2,
        years=1,
        overrides={
            **HISTORY,
            "simulation.start": "2014-01",
            "government.MX.royalty_rate": 0.0,
        },
    )
    assert np.array_equal(_world(a.timeseries, "zinc"), _world(b.timeseries, "zinc"))


def test_after_2024_the_path_continues_from_the_last_observed_level() -> None:
    """A run starting 2024-07 follows history to 2024-12, then reverts toward the table's
    price from December's level (not from the table's price): without shocks the
    continuation is exactly the mean-reversion recurrence."""
    calm = {**HISTORY, "market.price_volatility_scale": 0.0}
    r = abm.run("baseline", seed=4, years=2, overrides={**calm, "simulation.start": "2024-07"})
    base = load_minerals().price_usd_per_t[MINERALS.index("nickel")]
    ni = _world(r.timeseries, "nickel")
    dec = load_history_prices("2024-12", "2024-12")["nickel"].iloc[0]
    dec *= history_rebase_frac()["nickel"]
    assert ni[6] == pytest.approx(dec, rel=1e-9)  # step 6 = 2024-12
    kappa = r.scenario.values["market.price_mean_reversion_frac_per_year"] / 12
    dev = np.log(dec / base) * (1 - kappa) ** np.arange(1, 19)
    np.testing.assert_allclose(ni[7:], base * np.exp(dev), rtol=1e-9)
    assert abs(np.log(dec / base)) > 0.05  # December was far enough from the mean to tell
    # a baseline-dated run (2025-01) with the history path starts from December 2024
    s = abm.run("baseline", seed=4, years=1, overrides=calm)
    assert _world(s.timeseries, "nickel")[0] == pytest.approx(dec, rel=1e-9)


def _csv(tmp_path: Path, months: list[str], edit=None) -> Path:
    rows = ["mineral,month,price_usd_per_t,source"]
    for m, p in zip(MINERALS, load_minerals().price_usd_per_t, strict=True):
        for i, mo in enumerate(months):
            rows.append(f"{m},{mo},{p * (1 + 0.1 * i)},test")
    if edit:
        rows = edit(rows)
    path = tmp_path / "prices.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


MONTHS_2025 = [f"2025-{k:02d}" for k in range(1, 13)]


def test_csv_path_is_taken_as_given(tmp_path: Path) -> None:
    path = _csv(tmp_path, MONTHS_2025)
    r = abm.run("baseline", seed=1, years=1, overrides={"market.price_path": str(path)})
    cu = _world(r.timeseries, "copper")
    p0 = load_minerals().price_usd_per_t[MINERALS.index("copper")]
    # restriction multiple is 1 in the baseline; step 0 takes the first month
    np.testing.assert_allclose(cu, p0 * (1 + 0.1 * np.r_[0, np.arange(12)]), rtol=1e-9)


def _drop_gold(rows):
    return [r for r in rows if not r.startswith("gold,")]


def _unknown(rows):
    return [*rows, "cobalt,2025-01,30000,test"]


def _gap(rows):
    return [r for r in rows if not r.startswith("zinc,2025-05")]


def _negative(rows):
    bad = "copper,2025-03,"
    return [r.replace(bad, bad + "-") if r.startswith(bad) else r for r in rows]


def _word(rows):
    return ["lead,2025-02,cheap,test" if r.startswith("lead,2025-02") else r for r in rows]


def _outside(rows):
    return [*rows, "copper,2026-01,9000,test"]


BAD = [
    ("missing-mineral", _drop_gold, ("missing mineral gold",)),
    ("unknown-mineral", _unknown, ("row 170", "unknown mineral 'cobalt'")),
    ("month-gap", _gap, ("month gap", "zinc", "2025-05")),
    ("negative", _negative, ("row 52", "not positive")),
    ("non-numeric", _word, ("row 39", "price_usd_per_t")),
    ("outside-run", _outside, ("row 170", "2026-01", "outside")),
]


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(Path(d, f).relative_to(root)): Path(d, f).read_bytes()
        for d, _, fs in os.walk(root)
        for f in fs
    }


@pytest.mark.parametrize(("edit", "needles"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_price_csv_one_line_exit_2_nothing_written(
    tmp_path, capsys, monkeypatch, edit, needles
) -> None:
    monkeypatch.chdir(tmp_path)

    def no_model(*_a, **_k):
        raise AssertionError("a model was built for bad input")

    monkeypatch.setattr(abm.model.MiningModel, "__init__", no_model)
    path = _csv(tmp_path, MONTHS_2025, edit)
    before = _snapshot(tmp_path)
    code = main(["run", "--years", "1", "--set", f'market.price_path="{path}"', "--out", "o"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "prices.csv" in err
    for needle in needles:
        assert needle in err, err
    assert _snapshot(tmp_path) == before


def test_csv_shorter_than_the_run_is_a_gap(tmp_path, capsys) -> None:
    path = _csv(tmp_path, MONTHS_2025)
    code = main(["run", "--years", "2", "--set", f'market.price_path="{path}"', "--out", "o"])
    err = capsys.readouterr().err
    assert code == 2 and "month gap" in err and "2026-01" in err


def test_not_a_file_nor_a_choice(tmp_path, capsys) -> None:
    code = main(["run", "--set", "market.price_path=histroy", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "market.price_path" in err and "histroy" in err
    assert not (tmp_path / "o").exists()

"""Fast tests of the dashboard's pieces, no browser: levers from the schema, side-by-side
stepping, CSV export, figures, the session model factory and the ``abm ui`` command line."""

from __future__ import annotations

import io

import mesa
import numpy as np
import pandas as pd
import pytest

import abm.cli
from abm.params.scenario import ScenarioError, load_scenario
from abm.params.schema import COUNTRIES, LEVERS, PARAMS
from abm.viz import app, cli
from abm.viz.levers import (
    EXPORT_PREFIX,
    UiSettings,
    build_levers,
    changed_levers,
    export_restriction_lever,
    nice_step,
    pending_changes,
)
from abm.viz.plots import pipeline_figure, timeseries_figure
from abm.viz.runs import (
    DashboardModel,
    csv_filename,
    key_numbers,
    recorded,
    timeseries_csv,
    timeseries_frame,
)

MX_ROYALTY = "government.MX.royalty_rate"


@pytest.fixture(scope="module")
def baseline_values() -> dict:
    return load_scenario("baseline").values


def test_levers_generated_from_schema(baseline_values) -> None:
    specs = {s.key: s for s in build_levers(baseline_values)}
    assert set(specs) == {k for k in LEVERS if not k.startswith(EXPORT_PREFIX)}
    for key, spec in specs.items():
        param = PARAMS[key]
        assert spec.default == baseline_values[key]
        assert spec.unit == param.unit and spec.kind == param.kind
        if param.bounds is not None:
            lo, hi = param.bounds
            assert spec.min == lo and lo <= spec.default <= spec.max <= hi, key
    royalty = specs[MX_ROYALTY]
    assert (royalty.min, royalty.max) == PARAMS[MX_ROYALTY].bounds
    assert royalty.label(0.4) == "Royalty rate: 40.0% of operating profit (EBITDA-like)"
    # An open-ended bound (1000 decisions a year) is narrowed to 20x the largest value.
    cap = specs["government.MX.permit_capacity_per_year"]
    largest = max(baseline_values[f"government.{c}.permit_capacity_per_year"] for c in COUNTRIES)
    assert largest * 20 <= cap.max < PARAMS[cap.key].bounds[1]
    assert specs["trade.rules_of_origin"].choices == PARAMS["trade.rules_of_origin"].choices
    ga = export_restriction_lever("gallium", baseline_values)
    assert ga.key == EXPORT_PREFIX + "gallium" and (ga.min, ga.max) == (0.0, 1.0)
    assert nice_step(1.0) == pytest.approx(0.001) and nice_step(240) == 1.0


def test_changed_and_pending_levers(baseline_values) -> None:
    same = {MX_ROYALTY: baseline_values[MX_ROYALTY] + 1e-12}  # slider round-off
    assert changed_levers(same, baseline_values) == {}
    wanted = changed_levers({MX_ROYALTY: 0.4}, baseline_values)
    assert wanted == {MX_ROYALTY: 0.4}
    assert pending_changes(wanted, {}, baseline_values) == ["Mexico: Royalty rate 8.5% → 40.0%"]
    assert pending_changes(wanted, wanted, baseline_values) == []
    with pytest.raises(ScenarioError, match="outside its bounds"):
        changed_levers({MX_ROYALTY: 1.5}, baseline_values)


def _share_mx(model) -> np.ndarray:
    return recorded(model).get("investment_share", "MX")


def test_side_by_side_steps_together_with_common_seed() -> None:
    same = DashboardModel(UiSettings(), seed=3)
    for _ in range(6):
        same.step()
    assert same.date == same.baseline.date == "2025-06"
    assert same.policy.steps == same.baseline.steps == 6
    # Same scenario, same seed: the two runs are identical, so any gap is the policy's effect.
    np.testing.assert_array_equal(recorded(same.policy).values, recorded(same.baseline).values)

    policy = DashboardModel(UiSettings(levers={MX_ROYALTY: 0.4}), seed="3")
    for _ in range(6):
        policy.step()
    assert policy.overrides == {MX_ROYALTY: 0.4} and policy.policy.values[MX_ROYALTY] == 0.4
    assert policy.baseline.values[MX_ROYALTY] == load_scenario("baseline").values[MX_ROYALTY]
    np.testing.assert_array_equal(_share_mx(policy.baseline), _share_mx(same.baseline))
    numbers, base = key_numbers(policy.policy), key_numbers(policy.baseline)
    assert numbers["investment_share"]["MX"] < base["investment_share"]["MX"]
    assert numbers["exploration_usd"]["MX"] < base["exploration_usd"]["MX"]


def test_model_options_and_bad_seed() -> None:
    alone = DashboardModel(UiSettings(), seed="not a number", compare=False)
    assert alone.baseline is None and list(alone.runs) == ["scenario"]
    assert alone.seed == 20250101 and "not a whole number" in alone.notes[0]
    bad = DashboardModel(UiSettings(levers={MX_ROYALTY: 7.0}))
    assert bad.overrides == {} and "outside its bounds" in bad.notes[0]
    holder = type("Holder", (), {"value": UiSettings(levers={MX_ROYALTY: 0.2})})()
    assert DashboardModel(holder).overrides == {MX_ROYALTY: 0.2}  # a solara.Reactive-like


def test_csv_export_holds_both_runs() -> None:
    model = DashboardModel(UiSettings(levers={MX_ROYALTY: 0.2}), seed=5)
    for _ in range(3):
        model.step()
    ts = pd.read_csv(io.StringIO(timeseries_csv(model)))
    frame = timeseries_frame(model)
    assert len(ts) == len(frame) == 2 * len(model.policy.recorder.to_frame())
    assert list(ts.columns[:3]) == ["run", "scenario", "seed"]
    assert set(ts.run) == {"scenario", "baseline"}
    assert set(ts.scenario) == {"baseline + levers", "baseline"}
    assert sorted(ts.step.unique()) == [0, 1, 2, 3] and ts.date.max() == "2025-03"
    assert csv_filename(model) == "baseline-seed5-2025-03.csv"


def test_figures_draw_both_runs() -> None:
    model = DashboardModel(UiSettings(), seed=1)
    for _ in range(2):
        model.step()
    fig = timeseries_figure(model, "gallium")
    axes = [ax for ax in fig.axes if ax.get_title(loc="left")]
    assert len(axes) == 6
    styles = {line.get_linestyle() for line in axes[0].get_lines()}
    assert styles == {"-", "--"}  # scenario solid, baseline dashed
    pipe = pipeline_figure(model)
    assert "2025-02" in pipe.axes[0].get_title(loc="left")
    assert len(pipe.axes[0].collections[0].get_offsets()) > 100  # one point per live project


def test_app_makes_models_per_session_only() -> None:
    assert not [v for v in vars(app).values() if isinstance(v, mesa.Model)]
    settings = app.initial_settings()
    assert settings.scenario == "baseline" and settings.levers == {}
    params = app.model_params(settings)
    assert params["settings"] is settings  # fixed: Mesa passes it to the model on Reset
    assert {params["seed"]["type"], params["compare"]["type"]} == {"InputText", "Checkbox"}


def test_cli_help_and_bad_scenario(capsys, monkeypatch) -> None:
    assert "abm.viz.cli" in abm.cli.COMMAND_MODULES
    # Only this package's command: other command modules are not under test here.
    monkeypatch.setattr(abm.cli, "COMMAND_MODULES", ("abm.viz.cli",))
    with pytest.raises(SystemExit) as exc:
        abm.cli.main(["ui", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--port" in out and "--host" in out and "127.0.0.1" in out

    assert abm.cli.main(["ui", "no_such_scenario"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: unknown scenario 'no_such_scenario'")


def test_cli_server_settings(tmp_path) -> None:
    env = cli.server_env(tmp_path, "baseline")
    assert env["SOLARA_ASSETS_PROXY_CACHE_DIR"] == str(tmp_path)
    assert env["SOLARA_ASSETS_PROXY"] == "true" and env["ABM_UI_SCENARIO"] == "baseline"
    assert env["SOLARA_ASSETS_CDN"].startswith("http://127.0.0.1:")
    cmd = cli.solara_command("127.0.0.1", 8765)
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1" and "--production" in cmd
    assert cli.is_loopback("127.0.0.1") and cli.is_loopback("localhost")
    assert not cli.is_loopback("0.0.0.0")

"""Fast tests of the dashboard's pieces, no browser: levers from the schema, side-by-side
stepping, CSV export, figures, the session model factory and the ``abm ui`` command line."""

from __future__ import annotations

import io
import os
import signal
import sys
import threading
import time

import mesa
import numpy as np
import pandas as pd
import pytest

import abm.cli
from abm.params.scenario import ScenarioError, load_scenario
from abm.params.schema import COUNTRIES, LEVERS, PARAMS
from abm.timeseries import trailing_sum
from abm.viz import app, cli
from abm.viz.levers import (
    EXPORT_PREFIX,
    UiSettings,
    build_levers,
    changed_levers,
    describe_schedule,
    export_restriction_lever,
    lever_spec,
    nice_step,
    pending_changes,
    scheduled_values,
)
from abm.viz.plots import (
    PANELS,
    exploration_bn_per_year,
    month_ms,
    pipeline_spec,
    pipeline_update,
    policy_marks,
    share_pct,
    timeseries_spec,
    timeseries_update,
)
from abm.viz.runs import (
    DashboardModel,
    csv_filename,
    key_numbers,
    months_covered,
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


def _series(update: dict, panel: str, key: str) -> list:
    ts = update["data"]["ts"]
    i = next(i for i, m in enumerate(ts["series"]) if m["p"] == panel and m["k"] == key)
    return ts["values"][i]


def test_first_frame_plots_the_calibrated_start() -> None:
    model = DashboardModel(UiSettings(), seed=1)
    u = timeseries_update(model, "gallium")
    ts = u["data"]["ts"]
    assert u["date"] == "2024-12" and len(ts["x"]) == 1 and ts["months"] == [0]
    for panel in ("permit", "mines"):  # stocks: the calibrated start is drawn
        assert all(_series(u, panel, f"{r}:{c}")[0] > 0 for r in model.runs for c in COUNTRIES)
    assert _series(u, "price", "scenario:gallium") == [100.0]
    assert _series(u, "explo", "scenario:US") == [None]  # flows: none yet, and said so
    assert "flows start" in u["signals"]["s_explo"]
    assert u["signals"]["xnow"] == ts["x"][0] == u["signals"]["x0"]


def test_trailing_windows_match_abm_timeseries_and_say_their_months() -> None:
    model = DashboardModel(UiSettings(), seed=2, compare=False)
    ts = None
    for step in range(1, 16):
        model.step()
        if step not in (1, 6, 12, 15):
            continue
        ts = model.policy.recorder.to_frame()
        rec = recorded(model.policy)
        explo, covered = trailing_sum(ts, "exploration_usd", step)
        inv, _ = trailing_sum(ts, "investment_usd", step)
        assert months_covered(rec.steps)[-1] == covered == min(step, 12)
        numbers = key_numbers(model.policy)
        assert numbers["window"].months == covered
        for c in COUNTRIES:
            assert numbers["exploration_usd"][c] == pytest.approx(explo[c], rel=1e-12)
            share = inv[c] / sum(inv[k] for k in COUNTRIES)
            assert numbers["investment_share"][c] == pytest.approx(share, rel=1e-12)
            # the plot: the same window; exploration annualised while the year is incomplete
            assert share_pct(rec, c)[-1] == pytest.approx(100 * share, rel=1e-12)
            annual = explo[c] / 1e9 * 12 / covered
            assert exploration_bn_per_year(rec, c)[-1] == pytest.approx(annual, rel=1e-12)
        subtitle = timeseries_update(model, "gallium")["signals"]["s_share"]
        if step < 12:
            assert subtitle == f"first {step} month{'s' * (step > 1)} (2025-01 to {model.date})"
            assert numbers["window"].label().endswith(f"({step} month{'s' * (step > 1)})")
        else:
            assert subtitle.startswith("last 12 months") and numbers["window"].label() == (
                "last 12 months"
            )


def test_time_axis_grows_with_the_run() -> None:
    model = DashboardModel(UiSettings(), seed=1, compare=False)
    start = timeseries_update(model, "gallium")["signals"]
    for _ in range(3):
        model.step()
    early = timeseries_update(model, "gallium")["signals"]
    assert early["x0"] == start["x0"] and early["x1"] == month_ms(2025 * 12 + 11)  # one year
    for _ in range(15):
        model.step()
    late = timeseries_update(model, "gallium")["signals"]
    assert late["x1"] == late["xnow"] == month_ms(2026 * 12 + 5)  # 2026-06: the current month
    assert late["x1"] < month_ms(2034 * 12 + 11)  # not the whole horizon


def test_policy_changes_marked_on_every_panel_and_listed() -> None:
    model = DashboardModel(UiSettings(scenario="crisis_fast_track"), seed=1)
    marks = policy_marks(model)
    assert [(m["date"], m["run"]) for m in marks] == [
        ("2026-01", "crisis_fast_track"),
        ("2026-07", "crisis_fast_track"),
    ]
    assert marks[0]["label"].startswith("Export restrictions on gallium")
    spec = timeseries_spec(model, "gallium")
    panels = [p for row in spec["vconcat"] for p in row["hconcat"]]
    assert len(panels) == len(PANELS) == 6
    for panel in panels:  # a rule and a label from the policy data on every panel
        kinds = {
            layer["mark"]["type"] for layer in panel["layer"] if layer["data"]["name"] == "policy"
        }
        assert kinds == {"rule", "text"}
    assert timeseries_update(model, "gallium")["data"]["policy"]["rows"] == marks
    assert policy_marks(DashboardModel(UiSettings(), seed=1)) == []  # baseline: none

    scenario = load_scenario("crisis_fast_track")
    listed = describe_schedule(scenario.schedule, scenario.values)
    assert [c.date for c in listed] == ["2026-01", "2026-07"]
    # baseline holds China's gallium licensing (5.5%, params/scenarios/baseline.toml)
    assert "Trade: ROW export restriction, gallium 5.5% → 80.0%" in listed[0].lines
    assert "Mexico: Critical exploration credit 0.0% → 30.0%" in listed[1].lines
    # "value now" is the value in force before the date, with the user's levers
    moved = describe_schedule(
        scenario.schedule, {**scenario.values, EXPORT_PREFIX + "gallium": 0.5}
    )
    assert "Trade: ROW export restriction, gallium 50.0% → 80.0%" in moved[0].lines
    ga = lever_spec(EXPORT_PREFIX + "gallium", scenario.values)
    assert scheduled_values(scenario.schedule, ga.key, ga) == ["80.0% from 2026-01"]


def test_pipeline_map_data() -> None:
    model = DashboardModel(UiSettings(levers={MX_ROYALTY: 0.4}), seed=1)
    for _ in range(2):
        model.step()
    u = pipeline_update(model)
    points = u["data"]["map"]["columns"]
    assert len(points["px"]) > 100 and len(set(map(len, points.values()))) == 1
    assert set(points["kind"]) == {"critical mineral", "other mineral"}
    assert all(-0.5 <= x <= 5.5 for x in points["px"]) and all(
        -0.5 <= y <= 2.5 for y in points["py"]
    )
    counts = u["data"]["counts"]["rows"]
    assert len(counts) == 3 * 6
    assert "2025-02" in u["signals"]["t_map"] and "baseline" in u["signals"]["t_map"]
    assert pipeline_spec(model)["usermeta"] == {"renderer": "canvas"}


def test_side_by_side_update_carries_both_runs_solid_and_dashed() -> None:
    model = DashboardModel(UiSettings(), seed=1)
    model.step()
    u = timeseries_update(model, "gallium")
    runs = {m["run"] for m in u["data"]["ts"]["series"]}
    assert runs == {"baseline", "baseline, same seed"}
    dash = timeseries_spec(model, "gallium")["vconcat"][0]["hconcat"][0]["layer"][0]
    assert dash["encoding"]["strokeDash"]["scale"]["range"] == [[1, 0], [6, 3]]
    # no NaN in the message (JSON has none): missing values are None
    values = u["data"]["ts"]["values"]
    assert all(v is None or v == v for row in values for v in row)
    assert (
        u["data"]["ts"]["key"]
        != timeseries_update(DashboardModel(), "gallium")["data"]["ts"]["key"]
    )


def test_app_makes_models_per_session_only() -> None:
    assert not [v for v in vars(app).values() if isinstance(v, mesa.Model)]
    settings = app.initial_settings()
    assert settings.scenario == "baseline" and settings.levers == {}
    assert settings.focus_mineral == "gallium"  # baseline's own controls are not a focus
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


def test_supervise_forwards_sigterm_and_kills_a_server_that_ignores_it() -> None:
    """A child that ignores SIGTERM is killed after the grace period; supervise returns only
    when it is gone, with 128 + SIGTERM."""
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    t0 = time.monotonic()
    try:
        rc = cli.supervise([sys.executable, "-c", code], dict(os.environ), grace_s=1.0)
    finally:
        timer.cancel()
    elapsed = time.monotonic() - t0
    assert rc == 128 + signal.SIGTERM
    assert 1.9 < elapsed < 15, elapsed  # 1 s before the signal + 1 s grace, then killed
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # handlers restored


def test_supervise_returns_the_server_exit_code() -> None:
    assert cli.supervise([sys.executable, "-c", "raise SystemExit(3)"], dict(os.environ)) == 3


def test_cli_server_settings(tmp_path) -> None:
    env = cli.server_env(tmp_path, "baseline")
    assert env["SOLARA_ASSETS_PROXY_CACHE_DIR"] == str(tmp_path)
    assert env["SOLARA_ASSETS_PROXY"] == "true" and env["ABM_UI_SCENARIO"] == "baseline"
    assert env["SOLARA_ASSETS_CDN"].startswith("http://127.0.0.1:")
    cmd = cli.solara_command("127.0.0.1", 8765)
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1" and "--production" in cmd
    assert cli.is_loopback("127.0.0.1") and cli.is_loopback("localhost")
    assert not cli.is_loopback("0.0.0.0")


def test_a_session_focuses_on_a_mineral_the_scenario_restricts_differently(monkeypatch) -> None:
    monkeypatch.setenv("ABM_UI_SCENARIO", "no_row_controls")  # lifts bismuth first (schema order)
    assert app.initial_settings().focus_mineral == "bismuth"
    monkeypatch.setenv("ABM_UI_SCENARIO", "crisis_fast_track")  # restricts only from 2026
    assert app.initial_settings().focus_mineral == "gallium"

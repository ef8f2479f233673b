"""Scenario loading: inheritance, schedules, overrides, and one clear error per bad input."""

from __future__ import annotations

import math
import tomllib

import pytest

from abm.params.scenario import (
    ScenarioError,
    load_scenario,
    parse_override,
    to_toml,
)
from abm.params.schema import LEVERS, PARAMS


def write(tmp_path, text, name="s.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_baseline_defines_every_declared_parameter_within_bounds():
    sc = load_scenario("baseline")
    assert set(sc.values) == set(PARAMS)
    assert sc["government.MX.royalty_rate"] == 0.085
    assert sc["government.MX.precious_metals_duty"] == 0.01
    assert sc["government.MX.state_reserved_minerals"] == ["lithium"]
    assert sc["government.MX.new_concessions"] is False


def test_every_parameter_declares_unit_and_doc_and_levers_exist():
    for p in PARAMS.values():
        assert p.unit and p.doc, p.key
        if p.kind in ("float", "int"):
            assert p.bounds is not None, p.key
    for name in ("corporate_tax_rate", "royalty_rate", "permit_review_months"):
        assert f"government.MX.{name}" in LEVERS
    assert "trade.row_export_restriction.gallium" in LEVERS


def test_inheritance_overrides_and_keeps_the_rest(tmp_path):
    p = write(tmp_path, 'inherits = "baseline"\n[government.MX]\nroyalty_rate = 0.075\n')
    sc = load_scenario(p)
    base = load_scenario("baseline")
    assert sc["government.MX.royalty_rate"] == 0.075
    changed = {k for k in PARAMS if not same_value(sc[k], base[k])}
    assert changed == {"government.MX.royalty_rate"}


def test_chained_inheritance_and_schedule_sorted(tmp_path):
    write(
        tmp_path,
        'inherits = "baseline"\n[[schedule]]\ndate = "2028-01"\n'
        'set = { "government.US.royalty_rate" = 0.05 }\n',
        "a.toml",
    )
    p = write(
        tmp_path,
        'inherits = "a.toml"\n[[schedule]]\ndate = "2026-07"\nlabel = "review"\n'
        '[schedule.set.trade]\nrules_of_origin = "geological_origin"\n',
        "b.toml",
    )
    sc = load_scenario(p)
    assert [c.date for c in sc.schedule] == ["2026-07", "2028-01"]
    assert sc.schedule[0].values == {"trade.rules_of_origin": "geological_origin"}
    assert sc.schedule[0].label == "review"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (
            'inherits = "baseline"\n[government.MX]\nroyalty_rat = 0.1\n',
            "government.MX.royalty_rat",
        ),
        ('inherits = "baseline"\n[government.MX]\nroyalty_rate = 1.5\n', "outside its bounds"),
        (
            'inherits = "baseline"\n[government.US]\npermit_review_months = -3\n',
            "government.US.permit_review_months",
        ),
        ('inherits = "baseline"\n[government.MX]\nroyalty_rate = "high"\n', "must be a number"),
        (
            'inherits = "baseline"\n[government.MX]\nstate_reserved_minerals = ["unobtainium"]\n',
            "unobtainium",
        ),
        ('inherits = "baseline"\n[trade]\nrules_of_origin = "free"\n', "status_quo"),
        ('inherits = "baseline"\n[government.MX\nroyalty_rate = 0.1\n', "malformed TOML"),
        ('inherits = "nosuch"\n', "unknown scenario 'nosuch'"),
        ("[government.MX]\nroyalty_rate = 0.1\n", "missing"),
        (
            'inherits = "baseline"\n[[schedule]]\ndate = "2026-13"\n'
            'set = {"trade.row_tariff" = 0.1}\n',
            "2026-13",
        ),
        (
            'inherits = "baseline"\n[[schedule]]\ndate = "2026-01"\nset = {"trade.tarif" = 0.1}\n',
            "trade.tarif",
        ),
        (
            'inherits = "baseline"\n[[schedule]]\ndate = "2026-01"\nwhen = 1\nnote = 2\n'
            'set = {"trade.row_tariff" = 0.1}\n',
            "schedule[0]: unknown keys 'note', 'when' (known: date, label, set)",
        ),
    ],
)
def test_bad_input_names_key_and_file(tmp_path, text, needle):
    p = write(tmp_path, text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(p)
    msg = str(err.value)
    assert needle in msg
    assert "nosuch" in needle or str(p) in msg or "s.toml" in msg


def test_unknown_scenario_name_lists_known():
    with pytest.raises(ScenarioError, match=r"known: .*baseline"):
        load_scenario("no_such_scenario")


def test_inheritance_cycle_is_reported(tmp_path):
    write(tmp_path, 'inherits = "b.toml"\n', "a.toml")
    write(tmp_path, 'inherits = "a.toml"\n', "b.toml")
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(tmp_path / "a.toml")


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("government.MX.royalty_rate=0.1", "government.MX.royalty_rate", 0.1),
        ("government.MX.new_concessions=true", "government.MX.new_concessions", True),
        (
            'government.MX.state_reserved_minerals=["lithium"]',
            "government.MX.state_reserved_minerals",
            ["lithium"],
        ),
        ('trade.rules_of_origin="geological_origin"', "trade.rules_of_origin", "geological_origin"),
        ("trade.rules_of_origin=geological_origin", "trade.rules_of_origin", "geological_origin"),
    ],
)
def test_parse_override_reads_toml_values_and_bare_words(text, key, value):
    assert parse_override(text) == (key, value)


def test_parse_override_rejects_bad_values():
    with pytest.raises(ScenarioError, match=r"government\.MX\.royalty_rate"):
        parse_override("government.MX.royalty_rate=2")
    with pytest.raises(ScenarioError, match="KEY=VALUE"):
        parse_override("government.MX.royalty_rate")


def test_resolved_toml_round_trips(tmp_path):
    sc = load_scenario("baseline").with_overrides({"trade.row_tariff": 0.25})
    text = to_toml(sc, {"seed": 7})
    raw = tomllib.loads(text)
    assert raw["government"]["MX"]["royalty_rate"] == 0.085
    assert raw["trade"]["row_tariff"] == 0.25
    assert raw["seed"] == 7
    p = write(tmp_path, text.replace('name = "baseline"\n', "").replace("seed = 7\n", ""))
    back = load_scenario(p).values
    assert back.keys() == sc.values.keys()
    assert all(same_value(back[k], sc.values[k]) for k in back)
    nan_keys = [k for k, v in back.items() if isinstance(v, float) and math.isnan(v)]
    assert nan_keys  # the per-mineral demand overrides: nan = from the outlook


def test_mesa_experimental_scenario_runs_the_same_model() -> None:
    from abm import MiningModel
    from abm.params.scenario import to_mesa

    wrapped = to_mesa("mx_pre_reform", 5)
    a, b = MiningModel(wrapped), MiningModel("mx_pre_reform", rng=5)
    for _ in range(6):
        a.step()
        b.step()
    assert a.scenario is wrapped and wrapped.model is a
    assert a.values["government.MX.royalty_rate"] == 0.075
    fa, fb = a.recorder.to_frame(), b.recorder.to_frame()
    assert fa.equals(fb)


def same_value(a, b) -> bool:
    """Equal, with nan equal to nan (a nan parameter means 'not set')."""
    both_nan = isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)
    return both_nan or a == b

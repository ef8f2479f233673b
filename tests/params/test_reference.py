"""docs/parameters.md is generated from the declarations and must be current."""

from abm.params.reference import DOC, render
from abm.params.schema import PARAMS


def test_parameter_reference_is_current():
    assert DOC.read_text() == render(), "run: python -m abm.params.reference"


def test_every_baseline_value_has_a_source_comment():
    text = render()
    for key in PARAMS:
        row = next(line for line in text.splitlines() if line.startswith(f"| `{key}`"))
        assert row.split("|")[-2].strip(), f"{key} has no source comment"

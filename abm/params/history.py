"""Observed history for a 2010-2024 replay: exploration budgets and dated policy changes.

``params/history/exploration_observed.csv``: one row per year, country and basis (the
series are not like-for-like, so each row says which: S&P/MEG non-ferrous budgets by
destination in USD, Camimex exploration investment in USD for Mexico, NRCan exploration and
deposit appraisal in CAD for Canada, not converted).
``params/history/policy_timeline.csv``: dated changes 2010-2025, mapped to the model's
parameter names where one exists (``has_parameter``), with the value the parameter takes
from that month. Rules and sources: ``params/README-calibration-tables.md``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from abm.params.schema import PARAMS
from abm.params.tables import PARAMS_DIR, boolean, choice, fail, month, number, read_rows

EXPLORATION_CSV = PARAMS_DIR / "history" / "exploration_observed.csv"
POLICY_CSV = PARAMS_DIR / "history" / "policy_timeline.csv"
EXPLORATION_COUNTRIES = ("US", "MX", "CA", "NA", "WORLD")
BASES = (
    "sp_nonferrous_budget_usd",
    "camimex_exploration_investment_usd",
    "nrcan_exploration_deposit_appraisal_cad",
)
FIRST_YEAR, LAST_YEAR = 2010, 2024
POLICY_COUNTRIES = ("US", "MX", "CA")
POLICY_FIRST, POLICY_LAST = "2010-01", "2025-12"
# mapped: the change sets `parameter`; no_parameter_yet: the model has no parameter for it;
# no_change: an event that leaves the mapped parameters as they are (e.g. a reaffirmation).
PARAMETER_STATUS = ("mapped", "no_parameter_yet", "no_change")


def load_exploration_observed(path: Path | str | None = None) -> pd.DataFrame:
    """Observed exploration per year, country and basis (USD, or CAD for the NRCan basis)."""
    path = Path(path) if path else EXPLORATION_CSV
    req = ("year", "country", "exploration_usd", "source", "basis", "rule", "exploration_cad")
    recs, seen = [], {}
    for row, r in read_rows(path, req):
        year = number(path, row, "year", r["year"], minimum=FIRST_YEAR, maximum=LAST_YEAR)
        choice(path, row, "country", r["country"], EXPLORATION_COUNTRIES)
        choice(path, row, "basis", r["basis"], BASES)
        usd = number(path, row, "exploration_usd", r["exploration_usd"], optional=True, minimum=0)
        cad = number(path, row, "exploration_cad", r["exploration_cad"], optional=True, minimum=0)
        if math.isnan(usd) and math.isnan(cad):
            raise fail(path, row, "neither exploration_usd nor exploration_cad is given")
        if r["basis"].endswith("_usd") and math.isnan(usd):
            raise fail(path, row, f"basis {r['basis']} needs exploration_usd")
        if not r["source"]:
            raise fail(path, row, "source: empty (every row cites its source)")
        key = (int(year), r["country"], r["basis"])
        if key in seen:
            raise fail(
                path, row, f"duplicate {key} (first on row {seen[key]}); resolve by the rule"
            )
        seen[key] = row
        recs.append({**r, "year": int(year), "exploration_usd": usd, "exploration_cad": cad})
    return pd.DataFrame(recs)


def _value(path: Path, row: int, key: str, text: str) -> Any:
    param = PARAMS[key]
    try:
        raw: Any = json.loads(text) if param.kind in ("minerals", "bool") else float(text)
        return param.check(raw)
    except (ValueError, json.JSONDecodeError) as exc:
        raise fail(path, row, f"value {text!r} for {key}: {exc}") from None


def load_policy_timeline(path: Path | str | None = None) -> pd.DataFrame:
    """Dated policy changes; ``value`` is checked against the parameter's declaration."""
    path = Path(path) if path else POLICY_CSV
    req = (
        "date",
        "country",
        "parameter",
        "value",
        "has_parameter",
        "parameter_status",
        "event",
        "source",
        "note",
    )
    recs = []
    for row, r in read_rows(path, req):
        date = month(path, row, "date", r["date"])
        if not POLICY_FIRST <= date <= POLICY_LAST:
            raise fail(path, row, f"date {date} outside {POLICY_FIRST}..{POLICY_LAST}")
        choice(path, row, "country", r["country"], POLICY_COUNTRIES)
        has = boolean(path, row, "has_parameter", r["has_parameter"])
        key = r["parameter"]
        if has != bool(key):
            raise fail(path, row, "has_parameter must be true exactly when parameter is given")
        status = choice(path, row, "parameter_status", r["parameter_status"], PARAMETER_STATUS)
        if (status == "mapped") != has:
            raise fail(path, row, "parameter_status 'mapped' must go with has_parameter = true")
        value: Any = r["value"]
        if key:
            if key not in PARAMS:
                raise fail(path, row, f"parameter {key!r} is not declared in abm/params/schema.py")
            if not key.startswith(f"government.{r['country']}."):
                raise fail(path, row, f"parameter {key} does not belong to country {r['country']}")
            value = _value(path, row, key, r["value"])
        if not r["source"]:
            raise fail(path, row, "source: empty (every row cites its source)")
        recs.append({**r, "has_parameter": has, "value": value, "row": row})
    return pd.DataFrame(recs)


def policy_schedule(
    timeline: pd.DataFrame, first_month: str = POLICY_FIRST
) -> list[dict[str, Any]]:
    """Parameter changes as scenario ``[[schedule]]`` entries (date, label, set), by date.

    Changes dated at or before ``first_month`` are merged into one entry at ``first_month``
    (the starting values of a run beginning then).
    """
    mapped = timeline[timeline.has_parameter]
    by_date: dict[str, dict[str, Any]] = {}
    labels: dict[str, list[str]] = {}
    for date, key, value, event in zip(
        mapped.date, mapped.parameter, mapped.value, mapped.event, strict=True
    ):
        d = max(date, first_month)
        by_date.setdefault(d, {})[key] = value
        labels.setdefault(d, []).append(event)
    return [{"date": d, "label": "; ".join(labels[d]), "set": by_date[d]} for d in sorted(by_date)]

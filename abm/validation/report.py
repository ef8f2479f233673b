"""The validation table (terminal text, CSV, markdown) and plots, written atomically."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from abm import atomic
from abm.validation.checks import Result

COLUMNS = (
    "check",
    "group",
    "source",
    "target",
    "target_lo",
    "target_hi",
    "model_mean",
    "ci_lo",
    "ci_hi",
    "n",
    "result",
    "fitted",
    "note",
    "why_tolerance",
)


def fmt(x: float, unit: str) -> str:
    """A value in its unit: frac as %, pp as points, years, plain otherwise."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if unit == "frac":
        return f"{x:.1%}"
    if unit == "pp":
        return f"{100 * x:+.1f} pp"
    if unit == "years":
        return f"{x:.1f} y"
    return f"{x:.3g}"


def table(results: Sequence[Result]) -> pd.DataFrame:
    """One row per check with every column of :data:`COLUMNS`."""
    rows = []
    for r in results:
        c, v = r.check, r.value
        rows.append(
            {
                "check": c.name,
                "group": c.group,
                "source": c.source,
                "target": c.target,
                "target_lo": c.lo,
                "target_hi": c.hi,
                "model_mean": v.mean,
                "ci_lo": v.lo,
                "ci_hi": v.hi,
                "n": v.n,
                "result": "PASS" if r.passed else "FAIL",
                "fitted": c.fitted,
                "note": r.note,
                "why_tolerance": c.why,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _cells(r: Result) -> tuple[str, str, str, str]:
    c, v = r.check, r.value
    target = f"{fmt(c.lo, c.unit)} .. {fmt(c.hi, c.unit)}"
    ci = "exact" if v.n == 1 else f"{fmt(v.lo, c.unit)} .. {fmt(v.hi, c.unit)}"
    return target, fmt(v.mean, c.unit), ci, "PASS" if r.passed else "FAIL"


def text_table(results: Sequence[Result]) -> str:
    """Fixed-width table for the terminal, then each check's source and note."""
    head = f"{'check':34}{'target':24}{'model':>11}  {'95% CI':24}{'n':>4}  result"
    lines = [head, "-" * len(head)]
    for r in results:
        target, mean, ci, res = _cells(r)
        lines.append(f"{r.check.name:34}{target:24}{mean:>11}  {ci:24}{r.value.n:>4}  {res}")
    lines.append("")
    for r in results:
        fitted = " [fitted target]" if r.check.fitted else ""
        lines.append(f"{r.check.name}{fitted}: {r.check.target}")
        lines.append(f"    source: {r.check.source}")
        if r.note:
            lines.append(f"    model: {r.note}")
    return "\n".join(lines)


def markdown_table(results: Sequence[Result]) -> str:
    """The table as GitHub markdown (fact, source, target, model with CI, result)."""
    out = [
        "| check | fact (target) | source | target range | model mean | 95% CI | n | result |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        target, mean, ci, res = _cells(r)
        fitted = " (fitted)" if r.check.fitted else ""
        cells = [
            f"`{r.check.name}`{fitted}",
            r.check.target,
            r.check.source,
            target,
            mean,
            ci,
            str(r.value.n),
            f"**{res}**",
        ]
        out.append("| " + " | ".join(s.replace("|", "/") for s in cells) + " |")
    notes = [f"- `{r.check.name}`: {r.note}" for r in results if r.note]
    return "\n".join([*out, "", "Model notes:", "", *notes]) + "\n"


def write_atomic(out_dir: Path, files: dict[str, bytes | str]) -> Path:
    """Write ``files`` into a temporary folder beside ``out_dir``, then rename it into place."""
    out_dir = Path(out_dir)
    with atomic.folder(out_dir) as tmp:
        for name, content in files.items():
            path = tmp / name
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)
    return out_dir

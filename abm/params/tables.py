"""Reading calibration CSV tables row by row, with one-line errors (file, row, problem).

Every loader of a table under ``params/`` (known projects, demand outlooks, price paths,
history) reads through here so that a bad cell is reported the same way everywhere:
``<file>: row <line>: <problem>`` as a :class:`ScenarioError`, where ``<line>`` is the line
number in the file (the header is line 1).
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

from abm.params.scenario import ScenarioError

PARAMS_DIR = Path(__file__).resolve().parents[2] / "params"
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def fail(path: Path | str, row: int | None, problem: str) -> ScenarioError:
    """The one error format of the calibration tables."""
    where = f"{path}: row {row}" if row is not None else f"{path}"
    return ScenarioError(f"{where}: {problem}")


def read_rows(path: Path | str, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV as (line number, {column: text}), after checking the header."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            missing = [c for c in required if c not in header]
            if missing:
                raise fail(path, 1, f"missing column(s) {', '.join(missing)}")
            rows = []
            for rec in reader:
                if None in rec:  # more cells than header columns
                    raise fail(path, reader.line_num, "more cells than header columns")
                rows.append((reader.line_num, {k: (v or "").strip() for k, v in rec.items()}))
    except OSError as exc:
        raise fail(path, None, f"cannot read: {exc.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise fail(path, None, f"not a readable UTF-8 CSV file: {exc}") from None
    if not rows:
        raise fail(path, None, "no data rows")
    return rows


def number(
    path: Path,
    row: int,
    col: str,
    text: str,
    *,
    optional: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    """A finite number in [minimum, maximum]; NaN for an empty optional cell."""
    if text == "":
        if optional:
            return math.nan
        raise fail(path, row, f"{col}: empty (a number is required)")
    try:
        value = float(text)
    except ValueError:
        raise fail(path, row, f"{col}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise fail(path, row, f"{col}: {text!r} is not a finite number")
    if minimum is not None and value < minimum:
        raise fail(path, row, f"{col}: {value:g} is below {minimum:g}")
    if maximum is not None and value > maximum:
        raise fail(path, row, f"{col}: {value:g} is above {maximum:g}")
    return value


def first_seen(path: Path, row: int, seen: dict, key: object, label: str) -> None:
    """Refuse a row whose key an earlier row of the table had (``label`` names the key in the
    message); otherwise remember the row in ``seen``."""
    if key in seen:
        raise fail(path, row, f"duplicate {label} (first on row {seen[key]})")
    seen[key] = row


def boolean(path: Path, row: int, col: str, text: str) -> bool:
    """``True``/``False`` (any case) or ``true``/``false``."""
    low = text.lower()
    if low not in ("true", "false"):
        raise fail(path, row, f"{col}: {text!r} is not true or false")
    return low == "true"


def choice(path: Path, row: int, col: str, text: str, allowed: tuple[str, ...] | set[str]) -> str:
    """``text`` if it is one of ``allowed``."""
    if text not in allowed:
        raise fail(path, row, f"{col}: unknown {col} {text!r}; known: {', '.join(sorted(allowed))}")
    return text


def month(path: Path, row: int, col: str, text: str) -> str:
    """A ``YYYY-MM`` month."""
    if not MONTH_RE.match(text):
        raise fail(path, row, f"{col}: {text!r} is not a month YYYY-MM")
    return text


def month_index(text: str) -> int:
    """Months since year 0 of a ``YYYY-MM`` string (for ranges and gaps)."""
    y, m = text.split("-")
    return int(y) * 12 + int(m) - 1


def month_name(index: int) -> str:
    """Inverse of :func:`month_index`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"

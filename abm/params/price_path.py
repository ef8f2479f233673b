"""Monthly price paths as input (``market.price_path`` = "history" or a CSV path).

A price-path CSV has the columns ``mineral, month, price_usd_per_t`` (and optionally
``source``, ``filled``): one row per mineral and month, USD per t on the basis of
``params/minerals.toml`` (content basis). ``params/history/prices_monthly.csv`` is the
shipped history 2005-01..2024-12 for all 14 minerals; how it was built (World Bank Pink
Sheet monthly for copper, zinc, lead, nickel, gold and silver; USGS annual series held
within each year for the others; gap rules) is in ``params/README-calibration-tables.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from abm.params.schema import MINERALS
from abm.params.tables import PARAMS_DIR, fail, month, month_index, month_name, number, read_rows

HISTORY_PRICES_CSV = PARAMS_DIR / "history" / "prices_monthly.csv"
REQUIRED = ("mineral", "month", "price_usd_per_t")


def load_price_path(
    path: Path | str,
    minerals: Sequence[str] = MINERALS,
    first_month: str = "2005-01",
    last_month: str = "2024-12",
    *,
    trim: bool = False,
) -> pd.DataFrame:
    """Validated monthly prices: index = months ``first_month..last_month``, columns = ``minerals``.

    Raises ScenarioError (one line: file, row, problem) for a missing column, an unknown
    mineral, a malformed month, a negative, zero or non-numeric price, a duplicate row,
    a month outside ``first_month..last_month`` (unless ``trim``: such rows are then
    dropped, as when a run uses part of the shipped history), a requested mineral with no
    rows, or a month gap. Minerals of the model that were not requested are ignored.
    """
    path = Path(path)
    lo, hi = month_index(first_month), month_index(last_month)
    if hi < lo:
        raise fail(path, None, f"requested range {first_month}..{last_month} is empty")
    unknown_req = [m for m in minerals if m not in MINERALS]
    if unknown_req:
        raise fail(path, None, f"requested unknown mineral(s) {', '.join(unknown_req)}")
    wanted = set(minerals)
    seen: dict[str, dict[int, tuple[int, float]]] = {m: {} for m in minerals}
    for row, rec in read_rows(path, REQUIRED):
        mineral = rec["mineral"]
        if mineral not in MINERALS:
            raise fail(path, row, f"unknown mineral {mineral!r}; known: {', '.join(MINERALS)}")
        mo = month(path, row, "month", rec["month"])
        price = number(path, row, "price_usd_per_t", rec["price_usd_per_t"])
        if price <= 0:
            raise fail(path, row, f"price_usd_per_t: {price:g} is not positive (USD per t)")
        k = month_index(mo)
        if not lo <= k <= hi:
            if trim:
                continue
            raise fail(
                path, row, f"month {mo} is outside the requested range {first_month}..{last_month}"
            )
        if mineral not in wanted:
            continue
        if k in seen[mineral]:
            raise fail(path, row, f"duplicate {mineral} {mo} (first on row {seen[mineral][k][0]})")
        seen[mineral][k] = (row, price)
    out = np.empty((hi - lo + 1, len(minerals)))
    for j, mineral in enumerate(minerals):
        got = seen[mineral]
        if not got:
            raise fail(
                path, None, f"missing mineral {mineral}: no prices in {first_month}..{last_month}"
            )
        for k in range(lo, hi + 1):
            if k not in got:
                after = [got[x][0] for x in sorted(got) if x > k]
                at = after[0] if after else max(r for r, _ in got.values())
                raise fail(path, at, f"month gap: {mineral} has no price for {month_name(k)}")
            out[k - lo, j] = got[k][1]
    months = [month_name(k) for k in range(lo, hi + 1)]
    return pd.DataFrame(out, index=pd.Index(months, name="month"), columns=list(minerals))


def load_history_prices(
    first_month: str = "2005-01", last_month: str = "2024-12", minerals: Sequence[str] = MINERALS
) -> pd.DataFrame:
    """The shipped history (``params/history/prices_monthly.csv``) for part of 2005-2024."""
    return load_price_path(HISTORY_PRICES_CSV, minerals, first_month, last_month, trim=True)


def annual_mean_usd_per_t(prices: pd.DataFrame) -> pd.DataFrame:
    """Calendar-year means of a monthly price frame (index = year)."""
    years = prices.index.str[:4].astype(int)
    return prices.groupby(years).mean()

"""Model state to the tidy timeseries: ``step, date, country, mineral, indicator, value``.

Each record computes every indicator once as arrays; a fixed layout (built on the first
record) flattens them, so a run stores one float vector per month and the tidy frame is
built once at the end. Flows (``*_usd``, ``discoveries``) are per month; at step 0 (the
calibrated starting state, dated the month before the start) flows are NaN.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from abm.params.schema import COUNTRIES, MINERALS
from abm.projects import Stage
from abm.timeseries import month_label

if TYPE_CHECKING:
    from abm.model import MiningModel

REGIONS = (*COUNTRIES, "NA")
ALL = "all"

INDICATORS: dict[str, str] = {
    "investment_usd": "mining investment this month (exploration, studies, construction, "
    "sustaining and processing capex), USD",
    "investment_share": "share of North American mining investment this month (0-1)",
    "exploration_usd": "exploration spending this month, private and state, USD",
    "exploration_private_usd": "private exploration spending this month, USD",
    "exploration_state_usd": "state-agency exploration spending this month, USD",
    "price_usd_per_t": "price: NA = delivered North American price, ROW = world price, USD/t",
    "discoveries": "economic discoveries this month",
    "projects_in_permitting": "projects waiting for a permit decision",
    "mean_permit_wait_months": "mean wait of permit decisions in the last 12 months "
    "(expected wait when none were decided), months",
    "producing_mines": "mines in production and running (not on care and maintenance)",
    "mines_on_care_and_maintenance": "producing mines idled by sustained operating losses",
    "production_t": "mine production, annualised rate, t of content",
    "import_dependency": "refined stage: share of consumption imported from outside USMCA (0-1)",
    "import_dependency_mined": "ore stage: net import reliance, max(0, consumption - mine output "
    "- secondary supply) / consumption (0-1)",
    "government_revenue_usd": "taxes, royalties and duties from mines less exploration "
    "credits this month, USD",
    "mining_jobs": "direct mining jobs",
    "processing_capacity_t": "processing capacity in operation (nameplate), t of content per year",
    "processing_throughput_t": "what the plants in operation could treat this month (sourced "
    "output, else nameplate x utilisation), t of content per year",
    "processing_feed_t": "ore and concentrate treated in the country's plants (= refined "
    "output), annualised, t of content",
    "concentrate_imports_t": "concentrate imported from outside USMCA for regional plants, "
    "annualised, t of content",
    "concentrate_exports_t": "mine output exported as concentrate outside USMCA (no regional "
    "plant treats it), annualised, t of content",
    "secondary_supply_t": "secondary (recycled) supply, annualised, t of content",
    "refined_exports_t": "refined output exported outside USMCA, annualised, t of content",
    "demand_t": "demand wanted at the delivered price, annualised rate, t of content",
    "consumption_t": "consumption supplied (demand less rationing), annualised, t of content",
    "unmet_demand_t": "demand wanted but not supplied (rationed), annualised, t of content",
    "imports_t": "imports from outside USMCA, annualised rate, t of content",
    "policy_uncertainty_frac": "policy-uncertainty premium on the discount rate, frac/yr",
}


def _with_total(by_country: np.ndarray) -> np.ndarray:
    """Append the North American total as the last row."""
    return np.concatenate([by_country, by_country.sum(axis=0, keepdims=True)])


def _with_all(by_mineral: np.ndarray) -> np.ndarray:
    """Append the over-minerals total as the last column."""
    return np.concatenate([by_mineral, by_mineral.sum(axis=1, keepdims=True)], axis=1)


def compute_indicators(model: MiningModel) -> dict[str, tuple[tuple, tuple, np.ndarray]]:
    """All indicators now: name -> (countries, minerals, array[countries, minerals]).

    Flows come from the month's :class:`abm.flows.MonthFlows` record (accounting happens
    where the money moves); stocks from the project book, the market and the governments.
    """
    book = model.projects
    flows = model.flows
    n_c = len(COUNTRIES)
    first = model.steps == 0
    nan = np.nan if first else 1.0
    state = flows.exploration.state_usd
    private = flows.exploration.private_usd
    explo = private + state

    invest = flows.investment_usd
    invest_na = _with_total(invest[:, None])
    share = invest / invest.sum() if invest.sum() > 0 else np.full(n_c, np.nan)
    revenue = flows.government_revenue_usd
    intensity = np.array([g.lever("jobs_per_musd_revenue") for g in model.governments])
    if first:  # no month produced yet: value the starting output at base prices
        jobs = intensity * (model.production_t * model.minerals.price_usd_per_t).sum(1) / 1e6
    else:
        jobs = intensity * flows.production.revenue_usd.sum(1) * 12 / 1e6

    idle = flows.production.idle_mines
    prod = book.stage == Stage.PRODUCTION
    mines = np.bincount(book.country[prod], minlength=n_c).astype(float) - idle
    permitting = np.bincount(book.country[book.stage == Stage.PERMITTING], minlength=n_c)
    clearing = flows.clearing
    dep = np.concatenate([clearing.dependency_by_country, clearing.dependency_na[None]])
    dep_mined = np.concatenate(
        [clearing.dependency_mined_by_country, clearing.dependency_mined_na[None]]
    )
    prices = np.stack([model.market.na_price, model.market.world_price])
    discoveries = flows.exploration.discoveries

    col = (ALL,)
    mins_all = (*MINERALS, ALL)
    return {
        "investment_usd": (REGIONS, col, invest_na * nan),
        "investment_share": (COUNTRIES, col, share[:, None] * nan),
        "exploration_usd": (REGIONS, mins_all, _with_total(_with_all(explo)) * nan),
        "exploration_private_usd": (REGIONS, col, _with_total(private.sum(1)[:, None]) * nan),
        "exploration_state_usd": (REGIONS, col, _with_total(state.sum(1)[:, None]) * nan),
        "price_usd_per_t": (("NA", "ROW"), MINERALS, prices),
        "discoveries": (REGIONS, mins_all, _with_total(_with_all(discoveries)) * nan),
        "projects_in_permitting": (REGIONS, col, _with_total(permitting[:, None].astype(float))),
        "mean_permit_wait_months": (
            COUNTRIES,
            col,
            np.array([[g.mean_recent_wait_months()] for g in model.governments]),
        ),
        "producing_mines": (REGIONS, col, _with_total(mines[:, None])),
        "mines_on_care_and_maintenance": (REGIONS, col, _with_total(idle[:, None])),
        "production_t": (REGIONS, MINERALS, _with_total(flows.production.production_t)),
        "import_dependency": (REGIONS, MINERALS, dep),
        "import_dependency_mined": (REGIONS, MINERALS, dep_mined),
        "government_revenue_usd": (REGIONS, col, _with_total(revenue[:, None]) * nan),
        "mining_jobs": (REGIONS, col, _with_total(jobs[:, None])),
        "processing_capacity_t": (REGIONS, MINERALS, _with_total(clearing.processing_capacity_t)),
        "processing_throughput_t": (REGIONS, MINERALS, _with_total(clearing.throughput_t)),
        "processing_feed_t": (REGIONS, MINERALS, _with_total(clearing.feed.processing_feed_t)),
        "concentrate_imports_t": (
            REGIONS,
            MINERALS,
            _with_total(clearing.feed.concentrate_imports_t),
        ),
        "concentrate_exports_t": (
            REGIONS,
            MINERALS,
            _with_total(clearing.feed.concentrate_exports_t),
        ),
        "secondary_supply_t": (REGIONS, MINERALS, _with_total(clearing.secondary_supply_t)),
        "refined_exports_t": (REGIONS, MINERALS, _with_total(clearing.refined.exports_t)),
        "demand_t": (REGIONS, MINERALS, _with_total(clearing.demand_t)),
        "consumption_t": (REGIONS, MINERALS, _with_total(clearing.consumption_t)),
        "unmet_demand_t": (REGIONS, MINERALS, _with_total(clearing.unmet_demand_t)),
        "imports_t": (REGIONS, MINERALS, _with_total(clearing.imports_by_country_t)),
        "policy_uncertainty_frac": (
            COUNTRIES,
            col,
            np.array([[g.uncertainty_frac] for g in model.governments]),
        ),
    }


class Recorder:
    """Keeps one flat vector of indicator values per recorded month."""

    def __init__(self, model: MiningModel) -> None:
        self.model = model
        self.steps: list[int] = []
        self.rows: list[np.ndarray] = []
        self.layout: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.last: dict[str, np.ndarray] = {}

    def record(self) -> None:
        """Compute and store every indicator for the current month."""
        ind = compute_indicators(self.model)
        if self.layout is None:
            country, mineral, name = [], [], []
            for key, (cs, ms, arr) in ind.items():
                assert arr.shape == (len(cs), len(ms)), (key, arr.shape)
                country += [c for c in cs for _ in ms]
                mineral += [m for _ in cs for m in ms]
                name += [key] * (len(cs) * len(ms))
            self.layout = (np.array(country), np.array(mineral), np.array(name))
        self.rows.append(np.concatenate([arr.ravel() for _, _, arr in ind.values()]))
        self.steps.append(self.model.steps)
        self.last = {
            "investment_share": ind["investment_share"][2][:, 0],
            "exploration_total": ind["exploration_usd"][2][:, -1],
            "producing_mines": ind["producing_mines"][2][:, 0],
        }

    def to_frame(self) -> pd.DataFrame:
        """The tidy timeseries of everything recorded so far."""
        assert self.layout is not None
        country, mineral, name = self.layout
        n = len(country)
        steps = np.array(self.steps)
        m = self.model
        dates = np.array([month_label(m.start_year, m.start_month, s) for s in steps])
        return pd.DataFrame(
            {
                "step": np.repeat(steps, n).astype(np.int32),
                "date": np.repeat(dates, n),
                "country": np.tile(country, len(steps)),
                "mineral": np.tile(mineral, len(steps)),
                "indicator": np.tile(name, len(steps)),
                "value": np.concatenate(self.rows).astype(np.float64),
            }
        )

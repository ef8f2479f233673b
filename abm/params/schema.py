"""Every model parameter, declared once: dotted public name, kind, unit, bounds, meaning.

Values live in ``params/scenarios/baseline.toml`` (with their sources); this module only
says what a value may be. The CLI (``--set``), the scenario loader, sweeps and the UI
sliders all read these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import numpy as np

COUNTRIES: tuple[str, ...] = ("US", "MX", "CA")
COUNTRY_NAMES = {"US": "United States", "MX": "Mexico", "CA": "Canada"}
MINERALS: tuple[str, ...] = (
    "silver",
    "gold",
    "zinc",
    "lead",
    "copper",
    "fluorspar",
    "bismuth",
    "molybdenum",
    "lithium",
    "graphite",
    "rare_earths",
    "nickel",
    "gallium",
    "germanium",
)
RULES_OF_ORIGIN = ("status_quo", "geological_origin")

Kind = Literal["float", "int", "bool", "str", "minerals"]


def python_scalar(value: Any) -> Any:
    """``value`` with a numpy scalar (``np.int64(3)``, ``np.float32``, ``np.bool_``) made the
    Python number or bool it stands for; anything else unchanged. Samplers (EMA Workbench's
    IntegerParameter, SALib, pandas rows) deliver numpy scalars where a user writes ``3``."""
    return value.item() if isinstance(value, np.generic) else value


@dataclass(frozen=True)
class Param:
    """One declared parameter.

    ``adverse`` says which direction of change investors read as adverse (+1: an increase,
    -1: a decrease, 0: neutral); governments use it to raise perceived policy risk.
    ``lever`` marks the policy levers shown first in the UI.
    """

    key: str
    kind: Kind
    unit: str
    doc: str
    bounds: tuple[float, float] | None = None
    choices: tuple[str, ...] | None = None
    adverse: int = 0
    lever: bool = False
    nan_means: str | None = None  # a float that may be NaN (TOML ``nan``), meaning this

    def check(self, value: Any) -> Any:
        """Return ``value`` coerced to this parameter's kind, or raise ValueError."""
        value = python_scalar(value)
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"must be true or false, got {value!r}")
            return value
        if self.kind in ("float", "int"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"must be a number ({self.unit}), got {value!r}")
            if self.kind == "int":
                if float(value) != int(value):
                    raise ValueError(f"must be a whole number, got {value!r}")
                value = int(value)
            else:
                value = float(value)
            if self.nan_means is not None and value != value:
                return value
            lo, hi = self.bounds if self.bounds else (float("-inf"), float("inf"))
            if not lo <= value <= hi:
                raise ValueError(f"{value!r} is outside its bounds [{lo:g}, {hi:g}] ({self.unit})")
            return value
        if self.kind == "str":
            if not isinstance(value, str):
                raise ValueError(f"must be a string, got {value!r}")
            if self.choices and value not in self.choices:
                raise ValueError(f"{value!r} is not one of {', '.join(self.choices)}")
            return value
        if self.kind == "minerals":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"must be a list of mineral names, got {value!r}")
            unknown = [v for v in value if v not in MINERALS]
            if unknown:
                raise ValueError(
                    f"unknown mineral(s) {', '.join(unknown)}; known: {', '.join(MINERALS)}"
                )
            return sorted(set(value), key=MINERALS.index)
        raise AssertionError(f"unhandled kind {self.kind}")


def _country_params(c: str) -> list[Param]:
    g = f"government.{c}."
    return [
        Param(
            g + "corporate_tax_rate",
            "float",
            "frac of taxable profit",
            "Corporate income tax rate (federal plus typical state/provincial).",
            (0, 1),
            adverse=+1,
            lever=True,
        ),
        Param(
            g + "royalty_rate",
            "float",
            "frac of operating profit (EBITDA-like)",
            "Mining duty / provincial mining tax / state severance tax on operating profit "
            "(Mexico: special mining duty).",
            (0, 1),
            adverse=+1,
            lever=True,
        ),
        Param(
            g + "precious_metals_duty",
            "float",
            "frac of gold and silver revenue",
            "Duty on gross gold/silver/platinum revenue (Mexico: extraordinary duty).",
            (0, 1),
            adverse=+1,
            lever=True,
        ),
        Param(
            g + "profit_sharing_rate",
            "float",
            "frac of taxable profit",
            "Mandatory employee profit sharing (Mexico PTU); a cost to firms, not revenue.",
            (0, 1),
            adverse=+1,
        ),
        Param(
            g + "production_credit_frac",
            "float",
            "frac of critical-mineral production cost",
            "Production tax credit on critical minerals (US 45X).",
            (0, 1),
            adverse=-1,
        ),
        Param(
            g + "exploration_credit_frac",
            "float",
            "frac of exploration spending",
            "Tax credit on exploration spending (Canada METC; critical minerals below).",
            (0, 1),
            adverse=-1,
        ),
        Param(
            g + "critical_exploration_credit_frac",
            "float",
            "frac of critical-mineral exploration spending",
            "Tax credit on exploration for critical minerals (Canada CMETC).",
            (0, 1),
            adverse=-1,
        ),
        Param(
            g + "exploration_deduction_years",
            "float",
            "years",
            "Years over which exploration costs are deducted (1 = at once; Mexico 10 since 2014).",
            (1, 30),
            adverse=+1,
        ),
        Param(
            g + "permit_review_months",
            "float",
            "months",
            "Minimum review time of a mine permit application (environmental assessment "
            "and authorisations); the queue adds waiting on top.",
            (0, 240),
            adverse=+1,
            lever=True,
        ),
        Param(
            g + "permit_capacity_per_year",
            "float",
            "decisions per year",
            "Mine permit decisions the permitting office can complete per year.",
            (0.1, 1000),
            adverse=-1,
            lever=True,
        ),
        Param(
            g + "permit_approval_frac",
            "float",
            "frac of decided applications",
            "Share of permit decisions that approve the mine.",
            (0, 1),
            adverse=-1,
        ),
        Param(
            g + "new_concessions",
            "bool",
            "true/false",
            "Whether new mining concessions are granted (false: private exploration only "
            "on ground already held).",
            adverse=-1,
            lever=True,
        ),
        Param(
            g + "concession_years",
            "float",
            "years",
            "Term of a new concession from grant (discovery); production beyond it is lost.",
            (1, 200),
            adverse=-1,
            lever=True,
        ),
        Param(
            g + "held_ground_access_frac",
            "float",
            "frac of exploration opportunity",
            "Share of exploration opportunity still open on ground already held when no "
            "new concessions are granted.",
            (0, 1),
            adverse=-1,
        ),
        Param(
            g + "critical_fast_track",
            "bool",
            "true/false",
            "Crisis fast track: critical-mineral applications go to the front of the permit "
            "queue with a review of fast_track_review_months.",
            adverse=-1,
            lever=True,
        ),
        Param(
            g + "fast_track_review_months",
            "float",
            "months",
            "Minimum review of a fast-tracked critical-mineral application (never longer "
            "than permit_review_months).",
            (0, 240),
            adverse=+1,
        ),
        Param(
            g + "state_reserved_minerals",
            "minerals",
            "list of minerals",
            "Minerals reserved to the state: no private exploration or development.",
            adverse=+1,
            lever=True,
        ),
        Param(
            g + "state_exploration_budget_usd",
            "float",
            "USD per year",
            "Budget of the state exploration agency for reserved minerals.",
            (0, 1e11),
            lever=True,
        ),
        Param(
            g + "country_risk_premium_frac",
            "float",
            "frac per year",
            "Risk premium added to the discount rate for projects in this country.",
            (0, 0.5),
            adverse=+1,
        ),
        Param(
            g + "jobs_per_musd_revenue",
            "float",
            "direct jobs per USD million revenue",
            "Direct mining jobs per million USD of annual mine revenue.",
            (0, 1000),
        ),
        Param(
            g + "exploration_base_weight_frac",
            "float",
            "frac of NA private exploration",
            "Calibrated share of North American private exploration going to this country "
            "at the start (before responses to policy).",
            (0, 1),
        ),
    ]


def _trade_params() -> list[Param]:
    t = "trade."
    params = [
        Param(
            t + "rules_of_origin",
            "str",
            "choice",
            "USMCA rules of origin for minerals: status_quo, or geological_origin (mined "
            "in USMCA keeps origin through processing; beneficiation credits).",
            choices=RULES_OF_ORIGIN,
            lever=True,
        ),
        Param(
            t + "row_tariff",
            "float",
            "frac ad valorem",
            "Tariff on mineral imports from outside USMCA.",
            (0, 2),
            lever=True,
        ),
        Param(
            t + "beneficiation_credit_frac",
            "float",
            "frac of processed value",
            "Credit on USMCA-mined material processed in the region (geological_origin only).",
            (0, 1),
        ),
        Param(
            t + "status_quo_preference_capture_frac",
            "float",
            "frac of tariff preference",
            "Under status_quo, share of the tariff preference that USMCA-mined material "
            "captures (processing across borders can break origin).",
            (0, 1),
        ),
        Param(
            t + "regional_freight_usd_per_t",
            "float",
            "USD per shipped t",
            "Ground freight, Mexican mines to US markets.",
            (0, 1000),
        ),
        Param(
            t + "row_freight_usd_per_t",
            "float",
            "USD per shipped t",
            "Ocean freight, Asian suppliers to North American ports.",
            (0, 2000),
        ),
        Param(
            t + "regional_transit_days",
            "float",
            "days",
            "Transit time within North America.",
            (0, 120),
        ),
        Param(
            t + "row_transit_days",
            "float",
            "days",
            "Transit time from rest-of-world suppliers.",
            (0, 180),
        ),
        Param(
            t + "inventory_carrying_cost_frac_per_year",
            "float",
            "frac of value per year",
            "Inventory carrying cost applied to goods in transit.",
            (0, 1),
        ),
    ]
    params += [
        Param(
            t + "strategic_reserve_minerals",
            "minerals",
            "list of minerals",
            "Minerals bought by a joint North American strategic reserve, which guarantees "
            "regional producers strategic_reserve_floor_frac of the 2024 price.",
            lever=True,
        ),
        Param(
            t + "strategic_reserve_floor_frac",
            "float",
            "frac of 2024 price",
            "Floor price the strategic reserve pays regional producers of its minerals; the "
            "top-up is paid by the producing country's government.",
            (0, 5),
            lever=True,
        ),
        Param(
            "integration.joint_venture_projects",
            "int",
            "projects (at population_scale 1)",
            "Critical-mineral development projects designated as cross-border joint "
            "ventures: permit priority and risk-shared financing.",
            (0, 1000),
            lever=True,
        ),
        Param(
            "integration.joint_venture_rate_reduction_frac",
            "float",
            "frac per year",
            "Discount-rate reduction of a joint-venture project (risk sharing, cross-border "
            "project finance).",
            (0, 0.2),
        ),
    ]
    for m in MINERALS:
        params.append(
            Param(
                f"{t}row_export_restriction.{m}",
                "float",
                "frac of the dominant supplier's output",
                f"Share of the dominant rest-of-world supplier's {m} output withheld from "
                "export (baseline: China's 2023-2025 controls in force).",
                (0, 1),
                lever=True,
            )
        )
    return params


def _structural_params() -> list[Param]:
    params = [
        Param("simulation.start", "str", "YYYY-MM", "First simulated month."),
        Param("simulation.years", "int", "years", "Simulated horizon.", (1, 50)),
        Param(
            "simulation.population_scale",
            "float",
            "multiple of default",
            "Scales the number of firms, investors and projects (benchmarks).",
            (0.1, 100),
        ),
        Param(
            "simulation.minerals_table",
            "str",
            "table year",
            "Mineral facts the start is calibrated from: '2024' (params/minerals.toml) or "
            "'2010' (2010 prices from params/history/prices_monthly.csv, the rest back-cast "
            "as documented in docs/hindcast.md; abm/params/data.py).",
            choices=("2024", "2010"),
        ),
        Param(
            "simulation.calibration_reference",
            "str",
            "scenario name or path",
            "Scenario whose policy defines the calibrated start: the starting pipeline's permit "
            "times and the reference exploration value that relative values are taken against.",
        ),
        *_calibration_params(),
        *_supply_params(),
        Param("firms.n_majors", "int", "firms", "Major mining companies.", (1, 10000)),
        Param("firms.n_midtiers", "int", "firms", "Mid-tier producers.", (0, 10000)),
        Param("firms.n_juniors", "int", "firms", "Junior explorers.", (0, 100000)),
        Param(
            "firms.hurdle_rate_frac",
            "float",
            "frac per year (real)",
            "Base real discount rate for mine NPV before country and policy premia.",
            (0, 0.5),
        ),
        Param(
            "firms.exploration_frac_of_revenue",
            "float",
            "frac of revenue",
            "Exploration budget of producers as a share of their mine revenue.",
            (0, 1),
        ),
        Param(
            "firms.npv_response",
            "float",
            "elasticity",
            "Exploration allocation response to a cell's expected value relative to the "
            "start (weight ~ base x (EV/EV0)^response).",
            (0, 10),
        ),
        Param(
            "firms.midtier_rate_premium_frac",
            "float",
            "frac per year",
            "Discount-rate premium of mid-tier producers over majors.",
            (0, 0.3),
        ),
        Param(
            "firms.junior_rate_premium_frac",
            "float",
            "frac per year",
            "Discount-rate premium of junior explorers over majors (dearer equity capital).",
            (0, 0.3),
        ),
        Param(
            "firms.junior_sell_after_months",
            "float",
            "months",
            "A junior that cannot finance an approved project sells it to a major after "
            "holding it this long.",
            (0, 120),
        ),
        Param(
            "firms.home_bias_frac",
            "float",
            "frac",
            "Extra weight firms put on their home country.",
            (0, 5),
        ),
        Param(
            "firms.sustaining_capex_frac_of_revenue",
            "float",
            "frac of revenue",
            "Sustaining capital spending at producing mines.",
            (0, 1),
        ),
        Param(
            "firms.equity_frac_of_capex",
            "float",
            "frac of capex",
            "Share of construction capex a firm must hold in cash to start building.",
            (0, 1),
        ),
        Param(
            "firms.exploration_budget_half_life_months",
            "float",
            "months",
            "Half-life of the partial adjustment of each firm's exploration programme (by "
            "country and mineral) toward the spending its budget and the cells' values call "
            "for; 0 adjusts at once.",
            (0, 120),
        ),
        Param("investors.n_investors", "int", "investors", "Investors (funds).", (1, 10000)),
        Param(
            "investors.capital_usd_per_year",
            "float",
            "USD per year",
            "Equity the investors put into junior exploration each year.",
            (0, 1e12),
        ),
        Param(
            "investors.capital_price_elasticity",
            "float",
            "elasticity",
            "Elasticity of the equity juniors raise to the metal-price trend (recent world "
            "price over its long memory, exploration-weighted); 0 keeps it fixed.",
            (0, 5),
        ),
        Param(
            "investors.price_trend_memory_months",
            "float",
            "months",
            "Time constant of the long price average the trend of junior finance is taken against.",
            (12, 240),
        ),
        Param(
            "investors.risk_aversion",
            "float",
            "weight",
            "Weight of risk (country and policy premia) against expected return.",
            (0, 50),
        ),
        Param(
            "investors.home_bias_frac",
            "float",
            "frac",
            "Extra weight investors put on their home country.",
            (0, 5),
        ),
        Param(
            "investors.momentum_frac",
            "float",
            "frac per month",
            "Share of last month's allocation investors keep (inertia).",
            (0, 1),
        ),
        Param(
            "investors.policy_uncertainty_penalty_frac",
            "float",
            "frac per year",
            "Discount-rate premium added after an adverse policy change in a country.",
            (0, 0.5),
        ),
        Param(
            "investors.policy_uncertainty_half_life_months",
            "float",
            "months",
            "Half-life of the policy-uncertainty premium.",
            (0.5, 240),
        ),
        Param(
            "investors.favourable_change_uncertainty_frac",
            "float",
            "frac of penalty",
            "Share of the uncertainty premium a favourable policy change still causes.",
            (0, 1),
        ),
        Param(
            "exploration.cost_per_discovery_usd",
            "float",
            "USD per discovery",
            "Exploration spending per economic discovery (North American average).",
            (1e6, 1e11),
        ),
        Param(
            "exploration.state_efficiency_frac",
            "float",
            "frac of private efficiency",
            "Discoveries per dollar of a state agency relative to private explorers.",
            (0, 5),
        ),
        Param(
            "exploration.outside_weight_frac",
            "float",
            "frac of firm budgets",
            "Share of firms' exploration going outside North America at the start.",
            (0, 1),
        ),
        Param(
            "exploration.mineral_trend_elasticity",
            "float",
            "elasticity",
            "How strongly each firm's split of its North American exploration across minerals "
            "follows each mineral's price trend (the trend of junior finance, per mineral); "
            "the firm's total is kept (a producer's money also moves between countries). "
            "0 = the split follows exploration value only.",
            (0, 8),
        ),
        Param(
            "exploration.no_resource_discovery_frac",
            "float",
            "frac of the discovery rate",
            "Discoveries per dollar in a country with no known resource of a mineral (no USGS "
            "reserves, no 2024 output, no known project) relative to one with a known resource.",
            (0, 1),
        ),
        Param(
            "exploration.known_deposit_size_max_ratio",
            "float",
            "ratio to the output-based typical deposit",
            "Where a country and mineral have at least 2 non-producing known mine projects with a "
            "sourced capacity, the typical new deposit is their median capacity, kept within "
            "this ratio (up or down) of the output-based typical deposit (1: output-based only). "
            "Deposits found during the run only: the starting pipeline keeps the output-based "
            "size.",
            (1, 100),
        ),
        Param(
            "projects.resource_months",
            "float",
            "months",
            "Mean resource-definition time after a discovery.",
            (1, 600),
        ),
        Param(
            "projects.feasibility_months",
            "float",
            "months",
            "Mean feasibility-study time.",
            (1, 600),
        ),
        Param(
            "projects.construction_months", "float", "months", "Mean construction time.", (1, 600)
        ),
        Param("projects.mine_life_years", "float", "years", "Mean life of a new mine.", (1, 100)),
        Param(
            "projects.capex_years_of_revenue",
            "float",
            "years of revenue",
            "Initial capital cost of a mine in years of its revenue at base price.",
            (0, 20),
        ),
        Param(
            "projects.unit_cost_frac_mean",
            "float",
            "frac of base price",
            "Mean operating cost of a new deposit relative to the mineral's base price.",
            (0, 3),
        ),
        Param(
            "projects.unit_cost_frac_sd",
            "float",
            "frac of base price",
            "Spread of operating costs across new deposits.",
            (0, 2),
        ),
        Param(
            "projects.unit_cost_reserve_life_elasticity",
            "float",
            "-d ln(unit cost) / d ln(reserve life)",
            "Cost shift of new deposits by reserve richness: unit cost scales with (USGS reserves "
            "/ 2024 output)^-elasticity across countries and minerals, normalised so that the "
            "mean over the calibrated exploration shares is unchanged (0: one cost curve). "
            "Exploration value sees the same shift, within each country's calibrated total.",
            (0, 1),
        ),
        Param(
            "projects.study_cost_frac_of_capex",
            "float",
            "frac of capex",
            "Cost of resource definition plus feasibility work.",
            (0, 1),
        ),
        Param(
            "projects.care_maintenance_after_months",
            "float",
            "months",
            "A mine whose cash margin at its smoothed (12-month average) received price is "
            "below minus the holding cost this many months in a row goes on care and "
            "maintenance.",
            (1, 120),
        ),
        Param(
            "projects.care_maintenance_min_months",
            "float",
            "months",
            "Least time a mine stays on care and maintenance before it may restart.",
            (0, 120),
        ),
        Param(
            "projects.care_maintenance_cost_frac_of_opex",
            "float",
            "frac of full-capacity opex per year",
            "Holding cost of a mine on care and maintenance.",
            (0, 1),
        ),
        Param(
            "projects.restart_margin_frac",
            "float",
            "frac of unit cost",
            "An idle mine restarts when its smoothed received price exceeds its cost by this "
            "margin (and the restart pays back).",
            (0, 2),
        ),
        Param(
            "projects.restart_payback_months",
            "float",
            "months",
            "An idle mine restarts only if its expected margin pays the restart cost back "
            "within this time.",
            (1, 240),
        ),
        Param(
            "projects.restart_cost_frac_of_capex",
            "float",
            "frac of capex",
            "One-off cost of restarting an idle mine.",
            (0, 1),
        ),
        Param(
            "projects.drop_after_months",
            "float",
            "months",
            "A project held with negative NPV this long is dropped.",
            (1, 600),
        ),
        Param(
            "market.demand_growth_shift_frac_per_year",
            "float",
            "frac per year",
            "Added to every mineral's baseline demand growth.",
            (-0.2, 0.5),
        ),
        Param(
            "market.price_volatility_scale",
            "float",
            "multiple of calibrated volatility",
            "Scales each mineral's price volatility.",
            (0, 10),
        ),
        Param(
            "market.volatility_cap_frac_per_year",
            "float",
            "frac per year",
            "Cap on each mineral's calibrated annual price volatility.",
            (0, 5),
        ),
        Param(
            "market.expectation_recent_weight_frac",
            "float",
            "frac",
            "Weight of the 12-month average received price in firms' price expectation "
            "(the rest on the long-run price).",
            (0, 1),
        ),
        Param(
            "market.price_mean_reversion_frac_per_year",
            "float",
            "frac per year",
            "Speed at which log prices revert to their long-run level.",
            (0, 12),
        ),
        Param(
            "market.price_path",
            "str",
            "'stochastic', 'history' or a CSV path",
            "World prices: 'stochastic' (mean-reverting lognormal around the minerals table's "
            "price), 'history' (observed monthly prices 2005-2024, rebased to minerals.toml's "
            "2024 basis, stochastic after 2024) or a CSV (mineral, month, price_usd_per_t) "
            "covering every month of the run (abm/price_paths.py).",
        ),
        Param(
            "market.demand_elasticity",
            "float",
            "abs elasticity",
            "Short-run price elasticity of world demand (export-restriction price jump).",
            (0.01, 10),
        ),
        Param(
            "market.max_price_multiple",
            "float",
            "multiple of base price",
            "Cap on the export-restriction price multiple (beyond it the world rations).",
            (1, 100),
        ),
        Param(
            "market.demand_scenario",
            "str",
            "choice",
            "World demand outlook: steps, aps, nze (IEA GCMO 2024) or trend (US apparent "
            "consumption 2020-2024, the model before the outlooks).",
            choices=("steps", "aps", "nze", "trend"),
        ),
        Param(
            "market.na_demand_growth_factor",
            "float",
            "multiple of world growth",
            "North American demand growth as a multiple of the outlook's world growth.",
            (0, 3),
        ),
        Param(
            "market.na_demand_price_elasticity",
            "float",
            "abs elasticity",
            "Short-run price elasticity of North American demand (delivered price).",
            (0, 3),
        ),
        Param(
            "market.max_scarcity_multiple",
            "float",
            "multiple of the landed cost",
            "Cap on the delivered price when imports fall short; what is still wanted at it "
            "is unmet (rationed).",
            (1, 50),
        ),
        Param(
            "processing.plant_life_years",
            "float",
            "years",
            "Economic life of a processing plant (its value in the build decision).",
            (1, 60),
        ),
        Param(
            "trade.row_restriction_decay_frac_per_year",
            "float",
            "frac per year",
            "Share of an export restriction lifted each year (0: it persists).",
            (0, 1),
        ),
        Param(
            "trade.row_supply_response_frac",
            "float",
            "frac of withheld supply",
            "Share of the withheld volume other rest-of-world producers eventually replace.",
            (0, 1),
        ),
        Param(
            "trade.row_supply_response_half_life_years",
            "float",
            "years",
            "Half-life of other producers' expansion after a restriction.",
            (0.1, 30),
        ),
        Param(
            "permitting.max_carryover_months",
            "float",
            "months of decisions",
            "Unused permit-decision capacity carries over for at most this many months.",
            (1, 60),
        ),
        Param(
            "processing.permit_review_frac",
            "float",
            "frac of the mine permit review",
            "Permitting time of a processing plant relative to the country's mine review.",
            (0, 2),
        ),
        Param(
            "processing.build_months",
            "float",
            "months",
            "Time to build processing capacity (plus half the country's permit review).",
            (1, 240),
        ),
        Param(
            "processing.base_margin_frac",
            "float",
            "frac of product value",
            "Processing margin earned on regional processing without credits.",
            (0, 1),
        ),
        Param(
            "processing.expansion_frac_per_year",
            "float",
            "frac of unprocessed ore per year",
            "Share of regionally mined but unprocessed ore for which processing capacity "
            "is started each year, at the base margin.",
            (0, 5),
        ),
        Param(
            "processing.capex_usd_per_usd_capacity",
            "float",
            "USD per USD of annual output",
            "Capital cost of processing capacity per USD of annual processed value.",
            (0, 20),
        ),
        Param(
            "processing.utilisation_frac",
            "float",
            "frac of nameplate capacity",
            "Share of a plant's nameplate capacity it runs at when feed is offered "
            "(params/processing_plants.csv gives nameplates).",
            (0.05, 1),
        ),
        Param(
            "processing.ramp_frac_per_year",
            "float",
            "frac of the gap per year",
            "Share of the gap between a plant's throughput (its sourced 2024 output) and "
            "nameplate x utilisation closed each year (0: 2024 output held).",
            (0, 12),
        ),
        Param(
            "processing.announced_go_value_frac",
            "float",
            "frac of the reference value",
            "An announced plant starts when due unless its value index is below this (its "
            "value relative to the calibration reference's); below, it waits.",
            (0, 5),
        ),
        Param(
            "processing.announced_patience_years",
            "float",
            "years",
            "An announced plant not worth building (value under the reference's) this long "
            "after its build was due is dropped.",
            (0, 30),
        ),
        Param(
            "market.mx_consumption_multiple",
            "float",
            "multiple of the estimate",
            "Mexico's 2024 consumption of every mineral relative to params/minerals.toml's "
            "estimate (US consumption x manufacturing value added, crude); for uncertainty.",
            (0.1, 10),
        ),
        Param(
            "market.ca_consumption_multiple",
            "float",
            "multiple of the estimate",
            "Canada's 2024 consumption of every mineral relative to params/minerals.toml's "
            "estimate (US consumption x manufacturing value added, crude); for uncertainty.",
            (0.1, 10),
        ),
        Param(
            "market.secondary_growth_frac_per_year",
            "float",
            "frac per year",
            "Growth of secondary (recycled) supply from its 2024 level "
            "(params/secondary_supply.csv).",
            (-0.2, 0.5),
        ),
    ]
    params += [
        Param(
            f"market.demand_growth_frac_per_year.{m}",
            "float",
            "frac per year",
            f"North American {m} demand growth, replacing the outlook's (nan: the outlook).",
            (-0.5, 1.0),
            nan_means="from market.demand_scenario",
        )
        for m in MINERALS
    ]
    return params


def _calibration_params() -> list[Param]:
    """How the starting state (December 2024) is drawn: read once, at the start."""
    k = "calibration."
    f = "float"
    return [
        Param(
            k + "mine_revenue_usd",
            f,
            "USD per year",
            "Revenue of a typical producing mine, to split national output into mines.",
            (1e6, 1e11),
        ),
        Param(
            k + "min_mines_per_cell",
            "int",
            "mines",
            "Fewest starting mines per producing country and mineral.",
            (1, 1000),
        ),
        Param(
            k + "max_mines_per_cell",
            "int",
            "mines",
            "Most starting mines per producing country and mineral.",
            (1, 10000),
        ),
        Param(
            k + "mine_size_concentration",
            f,
            "Dirichlet concentration",
            "Evenness of starting mine sizes within a country and mineral (higher: more equal).",
            (0.1, 100),
        ),
        Param(
            k + "major_mine_weight",
            f,
            "multiple of a mid-tier",
            "How much likelier a major owns a given starting mine than a mid-tier.",
            (0, 100),
        ),
        Param(
            k + "start_unit_cost_frac_min",
            f,
            "frac of export netback",
            "Lowest unit operating cost of a starting mine.",
            (0, 1),
        ),
        Param(
            k + "start_unit_cost_frac_max",
            f,
            "frac of export netback",
            "Highest unit operating cost of a starting mine.",
            (0, 1),
        ),
        Param(
            k + "start_life_left_years_min",
            f,
            "years",
            "Shortest remaining life of a starting mine.",
            (0, 100),
        ),
        Param(
            k + "start_life_left_years_max",
            f,
            "years",
            "Longest remaining life of a starting mine.",
            (0, 200),
        ),
        Param(
            k + "start_cash_years_of_revenue",
            f,
            "years of revenue",
            "Producers' cash at the start.",
            (0, 10),
        ),
        Param(
            k + "pipeline_permit_time_multiple",
            f,
            "multiple of the review",
            "Time projects of the starting pipeline spend in permitting (review plus queue).",
            (1, 10),
        ),
        Param(
            k + "synthetic_late_pipeline",
            "str",
            "choice",
            "Where the starting pipeline gets synthetic permitting and construction projects: "
            "all = every cell (less its known projects); unknown_cells = only cells with no "
            "known project in development (params/known_projects.csv is the late pipeline).",
            choices=("all", "unknown_cells"),
        ),
        Param(
            k + "junior_early_stage_share_frac",
            f,
            "frac of cells",
            "Chance that a cell's early-stage starting projects belong to juniors.",
            (0, 1),
        ),
        Param(
            k + "pipeline_age_months_min",
            "int",
            "months",
            "Youngest discovery of the starting pipeline, months before the start.",
            (0, 1200),
        ),
        Param(
            k + "pipeline_age_months_max",
            "int",
            "months",
            "Oldest discovery of the starting pipeline, months before the start.",
            (1, 1200),
        ),
        Param(
            k + "pipeline_concession_years",
            f,
            "years",
            "Concession term of the starting pipeline's projects from their discovery.",
            (1, 150),
        ),
        Param(
            k + "absent_deposit_frac_of_world",
            f,
            "frac of world output",
            "Size of a typical deposit of a mineral no North American country produces.",
            (0, 1),
        ),
        Param(
            k + "known_mine_life_left_years",
            f,
            "years",
            "Remaining life of the known producing mines of params/known_projects.csv at the "
            "start (the same for all: no random closure of a known mine).",
            (1, 100),
        ),
    ]


def _supply_params() -> list[Param]:
    """The real asset base and by-products (params/known_projects.csv)."""
    return [
        Param(
            "supply.support_loan_rate_cut_frac",
            "float",
            "frac per year",
            "Discount-rate cut of a known project per unit of capex financed by a government "
            "loan (DOE LPO, DoD, federal or provincial), at most the debt share of capex.",
            (0, 0.2),
        ),
        Param(
            "supply.recovery_trigger_price_multiple",
            "float",
            "multiple of 2024 price",
            "Expected by-product price (with a production credit for critical minerals) at "
            "which a host mine's owner builds recovery capacity for it.",
            (1, 100),
        ),
        Param(
            "supply.recovery_build_months",
            "float",
            "months",
            "Time to build a by-product recovery circuit at a host smelter or mill.",
            (1, 120),
        ),
    ]


def _all_params() -> dict[str, Param]:
    params: list[Param] = []
    for c in COUNTRIES:
        params += _country_params(c)
    params += _trade_params()
    params += _structural_params()
    return {p.key: p for p in params}


PARAMS: dict[str, Param] = _all_params()
LEVERS: tuple[str, ...] = tuple(k for k, p in PARAMS.items() if p.lever)

# Read once, when a run is built, and never again: the horizon and start, the population, the
# starting state and its calibration (abm/calibration.py), investors' capital and risk
# aversion (drawn into the investor pool), the demand path (abm/demand.py builds it for the
# whole run) and the price path (abm/price_paths.py). A ``[[schedule]]`` entry cannot change
# them during a run and is refused when its file loads; every other parameter is re-read by
# the model each month, so a scheduled change acts from its date on
# (tests/params/test_schedule_rule.py runs each through a schedule).
FIXED_IN_RUN: frozenset[str] = frozenset(
    k
    for k in PARAMS
    if k.startswith(("simulation.", "calibration.", "market.demand_growth_frac_per_year."))
    or k.endswith(".exploration_base_weight_frac")
    or k
    in {
        "firms.n_majors",
        "firms.n_midtiers",
        "firms.n_juniors",
        "investors.n_investors",
        "investors.capital_usd_per_year",
        "investors.risk_aversion",
        "exploration.no_resource_discovery_frac",
        "exploration.known_deposit_size_max_ratio",
        "projects.unit_cost_reserve_life_elasticity",
        "supply.support_loan_rate_cut_frac",
        "market.demand_scenario",
        "market.demand_growth_shift_frac_per_year",
        "market.na_demand_growth_factor",
        "market.price_path",
        "market.mx_consumption_multiple",
        "market.ca_consumption_multiple",
    }
)


def country_key(country: str, name: str) -> str:
    """Dotted key of a per-country government parameter."""
    return f"government.{country}.{name}"


@cache
def _mask(names: frozenset[str]) -> np.ndarray:
    mask = np.array([m in names for m in MINERALS])
    mask.flags.writeable = False
    return mask


def minerals_mask(names: list[str] | tuple[str, ...]) -> np.ndarray:
    """Read-only boolean mask over ``MINERALS`` of ``names`` (cached: levers change rarely)."""
    return _mask(frozenset(names))

"""Plots and report.md of ``abm hindcast`` (every sentence computed from the numbers)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from abm.experiments.hindcast import FALL, FIT_WINDOW, HELD_OUT, SERIES

PANELS = (
    ("US", "exploration_usd", "United States (S&P, USD)"),
    ("MX", "exploration_usd", "Mexico (Camimex, USD)"),
    ("CA", "exploration_usd", "Canada (S&P, USD)"),
    ("NA", "exploration_usd", "North America (S&P, USD)"),
    ("MX", "exploration_usd_sp", "Mexico (S&P, USD)"),
    ("CA", "exploration_cad_nrcan", "Canada (NRCan, CAD: right axis)"),
)


def write_plots(table: pd.DataFrame, out: Path) -> list[Path]:
    """``exploration.png|svg``: simulated mean and 95% band against observed points."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    fig, axes = plt.subplots(2, 3, figsize=(14, 7.5), sharex=True)
    for ax, (c, ind, title) in zip(axes.flat, PANELS, strict=True):
        part = table[(table.country == c) & (table.indicator == ind)].sort_values("year")
        y = part.year.to_numpy()
        ax.fill_between(
            y, part.simulated_lo / 1e6, part.simulated_hi / 1e6, alpha=0.3, label="simulated 95% CI"
        )
        ax.plot(y, part.simulated_mean / 1e6, lw=2, label="simulated mean (USD)")
        obs = part[part.observed.notna()]
        target = ax.twinx() if ind == "exploration_cad_nrcan" else ax
        target.plot(obs.year, obs.observed / 1e6, "o", color="black", label="observed")
        if target is not ax:
            target.set_ylabel("observed, CAD M")
        ax.axvspan(HELD_OUT[0] - 0.5, HELD_OUT[1] + 0.5, color="grey", alpha=0.08)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel("USD M a year")
        ax.set_ylim(bottom=0)
        target.set_ylim(bottom=0)
    axes.flat[0].legend(fontsize=8, loc="upper left")
    fig.suptitle(
        f"Exploration 2010-2024: replay with observed prices and policy dates "
        f"(shaded: held-out {HELD_OUT[0]}-{HELD_OUT[1]})"
    )
    fig.tight_layout()
    paths = [out / "exploration.png", out / "exploration.svg"]
    for p in paths:
        fig.savefig(p, dpi=110)
    plt.close(fig)
    return paths


def _pct(x: float) -> str:
    return "n/a" if not np.isfinite(x) else f"{100 * x:+.0f}%"


def _num(x: float, digits: int = 2) -> str:
    return "n/a" if not np.isfinite(x) else f"{x:.{digits}f}"


def _fit_lines(fit: pd.DataFrame) -> list[str]:
    lines = [
        "| country | series | basis | window | points | correlation | MAPE "
        "| turning points observed | found | missed |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for _, r in fit.iterrows():
        mape = "n/a (CAD)" if r.basis.endswith("_cad") else _num(100 * r.mape_frac, 0) + "%"
        lines.append(
            f"| {r.country} | {r.indicator} | {r.basis} | {r.window} | {r.points} | "
            f"{_num(r.correlation)} | {mape} | {r.turning_points_observed or '-'} | "
            f"{r.turning_points_found} | {r.turning_points_missed or '-'} |"
        )
    return lines


def _verdict(fit: pd.DataFrame) -> list[str]:
    """Sentences on the held-out window, from the numbers."""
    out = []
    held = fit[(fit.window == "held_out_2018_2024") & (fit.points > 0)]
    for _, r in held.iterrows():
        parts = [f"{r.points} observed points"]
        if np.isfinite(r.correlation):
            sign = (
                "moves with"
                if r.correlation > 0.3
                else ("is unrelated to" if r.correlation > -0.3 else "moves against")
            )
            parts.append(
                f"the simulated level {sign} the observed one (correlation {r.correlation:.2f})"
            )
        if np.isfinite(r.mape_frac):
            parts.append(f"mean absolute error {100 * r.mape_frac:.0f}% of the observed level")
        tp = r.turning_points_observed
        if tp:
            parts.append(
                f"{r.turning_points_found} of {len(tp.split())} observed turning points found"
            )
        out.append(f"- {r.country} {r.indicator} ({r.basis}): " + "; ".join(parts) + ".")
    return out


def _decomp_lines(dec: pd.DataFrame) -> list[str]:
    d = dec.set_index("quantity")
    lines = ["| quantity | mean | 95% CI | n |", "|---|---|---|---|"]
    for q, r in d.iterrows():
        ci = "-" if not np.isfinite(r.lo) else f"[{_pct(r.lo)}, {_pct(r.hi)}]"
        lines.append(f"| {q} | {_pct(r['mean'])} | {ci} | {int(r.n)} |")
    sim = d.loc["simulated_change_frac"]
    pol = d.loc["policy_part_frac (paired difference)"]
    rest = d.loc["change_without_2014_fiscal_frac (prices and the rest)"]
    text = (
        f"Over {FALL[0]}-{FALL[1]} the replay moves Mexico's exploration by {_pct(sim['mean'])} "
        f"(95% CI {_pct(sim.lo)} to {_pct(sim.hi)}). Without the 2014 fiscal change (same "
        f"prices, same seeds) it moves by {_pct(rest['mean'])}; the 2014 change accounts for "
        f"{_pct(pol['mean'])} in percentage points (paired 95% CI {_pct(pol.lo)} to {_pct(pol.hi)})"
    )
    if "observed_change_frac (Camimex)" in d.index:
        o = d.loc["observed_change_frac (Camimex)", "mean"]

        def of_obs(x: float) -> str:
            return "n/a" if not o else f"{100 * x / o:.0f}%"

        text += (
            f", against an observed {_pct(o)}. The model reproduces {of_obs(sim['mean'])} of the "
            f"observed change: {of_obs(rest['mean'])} through prices and the rest of the history, "
            f"{of_obs(pol['mean'])} through the 2014 fiscal change"
        )
    return [*lines, "", text + "."]


def write_report(
    table: pd.DataFrame,
    fit: pd.DataFrame,
    dec: pd.DataFrame,
    meta: dict,
    figures: list[Path],
    path: Path,
) -> None:
    """report.md of a hindcast."""
    fitted = meta.get("fitted", {})
    lines = [
        "# Hindcast 2010-2024",
        "",
        f"Scenario `{meta['scenario']}` over {meta['replications']} replications "
        f"(master seed {meta['master_seed']}), {meta['runs_ran']} runs made and "
        f"{meta['runs_reused']} reused in {meta['seconds']:.0f} s. Exogenous: world prices "
        "(params/history/prices_monthly.csv) and the dated policy timeline "
        "(params/history/policy_timeline.csv). Simulated: exploration, discoveries, projects, "
        "permits, output and trade. Intervals are 95% t intervals over replications.",
        "",
        f"Fitting window {FIT_WINDOW[0]}-{FIT_WINDOW[1]}; held-out window "
        f"{HELD_OUT[0]}-{HELD_OUT[1]}: no parameter value is fitted to it "
        "(scripts/fit_hindcast.py), but its figures were seen before the third fit chose "
        "which parameters to free, so it is not a blind test (docs/validation.md, "
        '"Hindcast third fit").',
    ]
    if fitted:
        lines += [
            "",
            "Behaviour parameters in this run: "
            + ", ".join(f"`{k}` = {v}" for k, v in fitted.items())
            + ".",
        ]
    lines += [
        "",
        "![exploration](plots/exploration.png)",
        "",
        "## Fit per series",
        "",
        *_fit_lines(fit),
    ]
    lines += ["", "## Held-out window in words", "", *_verdict(fit)]
    lines += ["", "## Mexico 2012-2016: prices or the 2014 fiscal change?", "", *_decomp_lines(dec)]
    mx = [s for s in SERIES if s.country == "MX"]
    lines += [
        "",
        "## Notes",
        "",
        f"- Observed series compared one basis at a time ({len(SERIES)} series; Mexico on "
        f"{len(mx)} bases). Canada's NRCan series is CAD and never converted: only correlation "
        "and turning points.",
        "- Prices in hindcast.csv (`world_price_usd_per_t.*`) are the exogenous input, shown to "
        "document the path the replay followed; their fit is exact by construction and is not "
        "a test of the model.",
        "- Mine output is observed only for 2023-2024 (USGS MCS 2025); the 2010 start holds 2024 "
        "mine output (back-cast, docs/hindcast.md), so output rows test drift, not history.",
        "- Every interval here is over replications at this run's parameter values; none "
        "carries the uncertainty of the fit. The split of Mexico's fall moves with "
        "`firms.npv_response`, which the 2010-2017 window hardly identifies: rerun with "
        '`--set` at other near-best grid points (docs/validation.md, "Hindcast third fit: '
        'results") before quoting it.',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

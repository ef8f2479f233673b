"""Browser test of the real dashboard (abm/viz/app.py), served offline on 127.0.0.1.

Headless Chromium (Python Playwright):

- ``test_dashboard_lever_reset_side_by_side``: load (the first frame plots the calibrated start,
  2024-12), Step (the date and the plots change; the scenario and the baseline are identical
  while no lever is moved), raise Mexico's royalty (the panel says it is not applied yet), set
  the render interval to 13 steps, Reset (back to the start, the change is listed as applied),
  Step 13 months and read the headline numbers from the page: Mexico's investment share and
  exploration must be below the baseline's. Then download the CSV and check it.
- ``test_step_time_and_play_rate``: the benchmark (tests/viz/dashboard_bench.py): median time
  from a Step click to the new month on screen with every plot drawn, both runs side by side,
  and the Play rate; prints both. Fails only above :data:`STEP_CEILING_S` (machine noise must
  not fail CI) or when Play does not advance.
- ``test_scheduled_policies_listed_and_marked``: ``crisis_fast_track``: the lever panel lists
  both scheduled changes with dates and values, the export-restriction slider names its
  scheduled value, and after 21 months every one of the six panels carries both policy marks.

Saves outputs/test-artifacts/dashboard.png (and dashboard-crisis.png); with
ABM_UPDATE_SCREENSHOT=1 copies them to docs/img/ (the README's and docs/ui.md's screenshots).
"""

from __future__ import annotations

import io
import os
import shutil
import time
from pathlib import Path

import pandas as pd
from dashboard_bench import run_bench
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

REPO_ROOT = Path(__file__).resolve().parents[2]
APP = REPO_ROOT / "abm" / "viz" / "app.py"
ARTIFACTS_DIR = REPO_ROOT / "outputs" / "test-artifacts"
SCREENSHOT = ARTIFACTS_DIR / "dashboard.png"
CRISIS_SCREENSHOT = ARTIFACTS_DIR / "dashboard-crisis.png"
DOCS_IMG = REPO_ROOT / "docs" / "img"
UI_TIMEOUT_MS = 30_000
PAGE_LOAD_TIMEOUT_MS = 90_000
SCREENSHOT_HEIGHT = 1900  # the app scrolls inside its layout: a tall viewport shows it all
MONTHS = 13  # render interval after the lever change: one Step click = 13 months
MIN_SHARE_DROP = 0.005  # Mexico's 12-month investment share, scenario below baseline by this
BENCH_STEPS = 12
BENCH_PLAY_S = 5.0
STEP_CEILING_S = 1.5  # generous: the target is 0.3 s; only a gross regression fails CI
N_PANELS = 6
SETTLE_S = 1.5
CRISIS_MONTHS = 21  # render interval for the policy-mark check: 2024-12 + 21 = 2026-09

# See test_toy_browser.py: a harmless upstream vega-embed error (not expected here, no altair).
IGNORED_PAGE_ERRORS = ("Cannot read properties of undefined (reading 'usermeta')",)


class Dashboard:
    """Handles on the dashboard's parts."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.step = page.get_by_role("button", name="Step", exact=True)
        self.reset = page.get_by_role("button", name="Reset", exact=True)
        self.date = page.locator(".abm-date")
        self.applied = page.locator(".abm-applied")
        self.pending = page.locator(".abm-pending")
        self.timeseries = page.locator(".abm-timeseries [data-abm-date]")
        self.pipeline = page.locator(".abm-pipeline [data-abm-date]")

    def key(self, key: str, country: str) -> tuple[float, float]:
        """(scenario, baseline) of a headline number, read from the page."""
        cell = self.page.locator(f'[data-key="{key}-{country}"]')
        return float(cell.get_attribute("data-scenario")), float(
            cell.get_attribute("data-baseline")
        )

    def mesa_slider(self, label: str):
        """One of Mesa's sliders (Controls card), by its label."""
        return self.page.locator(".v-input", has_text=label).get_by_role("slider")

    def expect_drawn(self, date: str) -> None:
        """Both charts have drawn ``date`` (their data-abm-date, set after the draw)."""
        expect(self.timeseries).to_have_attribute("data-abm-date", date)
        expect(self.pipeline).to_have_attribute("data-abm-date", date)

    def set_render_interval(self, months: int) -> None:
        """Mesa's render interval slider (1..100 by 2): one Step click = ``months`` steps."""
        interval = self.mesa_slider("Render Interval")
        interval.focus()
        for _ in range((months - 1) // 2):
            interval.press("ArrowRight")
        expect(interval).to_have_attribute("aria-valuenow", str(months))
        time.sleep(SETTLE_S)  # the page shows the value before the server has it

    def svg_texts(self, prefix: str) -> int:
        """Text elements in the indicator chart starting with ``prefix``."""
        return self.page.evaluate(
            "(p) => [...document.querySelectorAll('.abm-timeseries svg text')]"
            ".filter((t) => t.textContent.startsWith(p)).length",
            prefix,
        )


def _open(page: Page, url: str) -> Dashboard:
    page.goto(url, wait_until="domcontentloaded", timeout=PAGE_LOAD_TIMEOUT_MS)
    d = Dashboard(page)
    expect(d.step).to_be_visible(timeout=PAGE_LOAD_TIMEOUT_MS)
    return d


def _drive(d: Dashboard, page: Page) -> None:
    expect(d.date).to_have_text("2024-12", timeout=UI_TIMEOUT_MS)
    # First frame: the calibrated start is plotted (a dot on each stock line at 2024-12).
    d.expect_drawn("2024-12")
    dots = page.locator(".abm-timeseries svg .mark-symbol path")
    assert dots.count() >= 4 * 3 * 2, dots.count()  # 4 stock panels x 3 countries x 2 runs
    expect(page.locator(".abm-timeseries")).to_contain_text("flows start in the first")

    # Step: the date and the plots change; with no lever moved both runs are identical.
    d.step.click()
    expect(d.date).to_have_text("2025-01")
    d.expect_drawn("2025-01")
    expect(page.locator(".abm-timeseries")).to_contain_text("first 1 month (2025-01 to 2025-01)")
    mx, mx_base = d.key("investment_share", "MX")
    assert 0 < mx < 1 and mx == mx_base, (mx, mx_base)
    expect(d.applied).to_contain_text("No lever changed")

    # Raise Mexico's royalty: 3 x PageUp = +30 points (the slider has 1000 positions).
    page.locator(".abm-group-MX").click()
    royalty = page.locator(".abm-lever-government-MX-royalty_rate").get_by_role("slider")
    royalty.focus()
    for _ in range(3):
        royalty.press("PageUp")
    expect(page.locator(".abm-levers-MX")).to_contain_text(
        "Royalty rate: 38.5% of operating profit"
    )
    expect(d.pending).to_contain_text("Not applied yet")
    expect(d.pending).to_contain_text("Mexico: Royalty rate 8.5% → 38.5%")
    expect(d.date).to_have_text("2025-01")  # the running model is unchanged until Reset

    # Mesa's render interval: one Step click = MONTHS steps.
    d.set_render_interval(MONTHS)

    # Reset: Mesa rebuilds the model with the lever; back to the start.
    d.reset.click()
    expect(d.date).to_have_text("2024-12")
    expect(d.applied).to_contain_text("Mexico: Royalty rate 8.5% → 38.5%")
    expect(d.pending).to_contain_text("The running model uses these settings")
    d.expect_drawn("2024-12")

    d.step.click()
    expect(d.date).to_have_text("2026-01")
    d.expect_drawn("2026-01")
    expect(page.locator(".abm-key")).to_contain_text("last 12 months")
    mx, mx_base = d.key("investment_share", "MX")
    explo, explo_base = d.key("exploration_usd", "MX")
    us, us_base = d.key("investment_share", "US")
    print(
        f"\nMX share {mx:.4f} vs baseline {mx_base:.4f}; MX exploration {explo / 1e9:.3f} "
        f"vs {explo_base / 1e9:.3f} USD bn; US share {us:.4f} vs {us_base:.4f}"
    )
    assert mx < mx_base - MIN_SHARE_DROP, (mx, mx_base)
    # Programmes follow budgets with a lag (firms.exploration_budget_half_life_months, issue
    # 13): the first year's fall is about 44% (it was over half when they moved at once).
    assert explo < 0.7 * explo_base, (explo, explo_base)

    # CSV download of both runs so far.
    with page.expect_download(timeout=UI_TIMEOUT_MS) as info:
        page.get_by_role("button", name="Download timeseries (CSV)").click()
    download = info.value
    ts = pd.read_csv(io.BytesIO(Path(download.path()).read_bytes()))
    assert download.suggested_filename == "baseline-seed20250101-2026-01.csv"
    assert set(ts.run) == {"scenario", "baseline"}
    assert ts.step.max() == MONTHS and ts.date.max() == "2026-01"
    share = ts[(ts.indicator == "investment_share") & (ts.country == "MX") & (ts.step == 1)]
    assert len(share) == 2


def _new_page(browser) -> tuple[object, Page, list[str], list[str]]:
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    asset_failures: list[str] = []
    page_errors: list[str] = []
    page.on(
        "response",
        lambda r: (
            asset_failures.append(f"{r.status} {r.url}")
            if "/_solara/" in r.url and r.status >= 400
            else None
        ),
    )
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    return context, page, asset_failures, page_errors


def _screenshot(page: Page, path: Path) -> None:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    try:
        page.set_viewport_size({"width": 1600, "height": SCREENSHOT_HEIGHT})
        page.evaluate("() => window.scrollTo(0, 0)")
        time.sleep(1.0)  # let the layout settle at the new size
        page.screenshot(path=str(path), full_page=True)
    except PlaywrightError as e:  # keep the test's own failure, if any
        print(f"could not save {path}: {e}")
    if os.environ.get("ABM_UPDATE_SCREENSHOT", "") not in ("", "0") and path.exists():
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_IMG / path.name)
    print(f"screenshot: {path}")


def _check_clean(server, asset_failures: list[str], page_errors: list[str]) -> None:
    assert not asset_failures, f"front-end assets not served offline: {asset_failures}"
    unexpected = [e for e in page_errors if not any(k in e for k in IGNORED_PAGE_ERRORS)]
    assert not unexpected, f"errors in the page: {unexpected}"
    log = server.log()
    assert "Traceback" not in log and "ERROR" not in log, f"errors in the server log:\n{log}"


def test_dashboard_lever_reset_side_by_side(solara_app_server, chromium_browser) -> None:
    server = solara_app_server(APP)
    context, page, asset_failures, page_errors = _new_page(chromium_browser)
    try:
        _drive(_open(page, server.url), page)
    finally:
        _screenshot(page, SCREENSHOT)
        context.close()
    _check_clean(server, asset_failures, page_errors)


def test_step_time_and_play_rate(solara_app_server, chromium_browser) -> None:
    server = solara_app_server(APP)
    context, page, asset_failures, page_errors = _new_page(chromium_browser)
    try:
        d = _open(page, server.url)
        d.expect_drawn("2024-12")
        bench = run_bench(page, BENCH_STEPS, BENCH_PLAY_S)
    finally:
        context.close()
    print(f"\nbenchmark, both runs side by side: {bench.line()}")
    _check_clean(server, asset_failures, page_errors)
    assert bench.median_s < STEP_CEILING_S, bench.line()
    assert bench.play_months_per_s > 0, bench.line()


def test_scheduled_policies_listed_and_marked(
    solara_app_server, chromium_browser, monkeypatch
) -> None:
    monkeypatch.setenv("ABM_UI_SCENARIO", "crisis_fast_track")
    server = solara_app_server(APP)
    context, page, asset_failures, page_errors = _new_page(chromium_browser)
    try:
        d = _open(page, server.url)
        schedule = page.locator(".abm-schedule")
        expect(schedule).to_contain_text("2026-01 (scheduled) Export restrictions on gallium")
        expect(schedule).to_contain_text("Trade: ROW export restriction, gallium 5.5% → 80.0%")
        expect(schedule).to_contain_text("2026-07 (scheduled) Crisis response protocol")
        expect(schedule).to_contain_text("Mexico: Critical exploration credit 0.0% → 30.0%")
        page.locator(".abm-group-trade").click()
        gallium = page.locator(".abm-lever-trade-row_export_restriction-gallium")
        expect(gallium).to_contain_text("ROW export restriction, gallium: 5.5%")
        expect(gallium).to_contain_text("scheduled: 80.0% from 2026-01")

        d.expect_drawn("2024-12")
        d.set_render_interval(CRISIS_MONTHS)
        d.step.click()
        expect(d.date).to_have_text("2026-09")
        d.expect_drawn("2026-09")
        expect(schedule).to_contain_text("2026-01 (in effect)")
        # Each of the six panels marks both changes, labelled with date and name.
        assert d.svg_texts("2026-01 Export") == N_PANELS
        assert d.svg_texts("2026-07 Crisis") == N_PANELS
    finally:
        _screenshot(page, CRISIS_SCREENSHOT)
        context.close()
    _check_clean(server, asset_failures, page_errors)

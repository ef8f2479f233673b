"""Browser test of the real dashboard (abm/viz/app.py), served offline on 127.0.0.1.

Headless Chromium (Python Playwright): load, Step (the date and the plots change; the scenario
and the baseline are identical while no lever is moved), raise Mexico's royalty (the panel says
it is not applied yet), set the render interval to 13 steps, Reset (back to the start, the
change is listed as applied), Step 13 months and read the headline numbers from the page:
Mexico's investment share and exploration must be below the baseline's. Then download the CSV
and check it. Saves outputs/test-artifacts/dashboard.png; with ABM_UPDATE_SCREENSHOT=1 also
copies it to docs/img/dashboard.png (the README's screenshot).
"""

from __future__ import annotations

import io
import os
import shutil
import time
from pathlib import Path

import pandas as pd
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

REPO_ROOT = Path(__file__).resolve().parents[2]
APP = REPO_ROOT / "abm" / "viz" / "app.py"
ARTIFACTS_DIR = REPO_ROOT / "outputs" / "test-artifacts"
SCREENSHOT = ARTIFACTS_DIR / "dashboard.png"
DOCS_SCREENSHOT = REPO_ROOT / "docs" / "img" / "dashboard.png"
UI_TIMEOUT_MS = 30_000
PAGE_LOAD_TIMEOUT_MS = 90_000
SCREENSHOT_HEIGHT = 1900  # the app scrolls inside its layout: a tall viewport shows it all
MONTHS = 13  # render interval after the lever change: one Step click = 13 months
MIN_SHARE_DROP = 0.005  # Mexico's 12-month investment share, scenario below baseline by this

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
        self.timeseries = page.locator("img.abm-timeseries")
        self.pipeline = page.locator("img.abm-pipeline")

    def key(self, key: str, country: str) -> tuple[float, float]:
        """(scenario, baseline) of a headline number, read from the page."""
        cell = self.page.locator(f'[data-key="{key}-{country}"]')
        return float(cell.get_attribute("data-scenario")), float(
            cell.get_attribute("data-baseline")
        )

    def mesa_slider(self, label: str):
        """One of Mesa's sliders (Controls card), by its label."""
        return self.page.locator(".v-input", has_text=label).get_by_role("slider")

    def wait_src_change(self, before: str | None, what: str) -> str:
        """New blob URL of the timeseries image (it is re-rendered on every Step)."""
        deadline = time.monotonic() + UI_TIMEOUT_MS / 1000
        while time.monotonic() < deadline:
            src = self.timeseries.get_attribute("src")
            if src and src != before:
                return src
            time.sleep(0.2)
        raise AssertionError(f"timeseries plot did not change after {what}")


def _drive(d: Dashboard, page: Page) -> None:
    expect(d.step).to_be_visible(timeout=PAGE_LOAD_TIMEOUT_MS)
    expect(d.date).to_have_text("2024-12", timeout=UI_TIMEOUT_MS)
    expect(d.timeseries).to_be_visible()
    expect(d.pipeline).to_be_visible()

    # Step: the date and the plot change; with no lever moved both runs are identical.
    src = d.timeseries.get_attribute("src")
    d.step.click()
    expect(d.date).to_have_text("2025-01")
    src = d.wait_src_change(src, "Step")
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

    # Mesa's render interval: one Step click = MONTHS steps (slider 1..100 by 2).
    interval = d.mesa_slider("Render Interval")
    interval.focus()
    for _ in range((MONTHS - 1) // 2):
        interval.press("ArrowRight")
    expect(interval).to_have_attribute("aria-valuenow", str(MONTHS))

    # Reset: Mesa rebuilds the model with the lever; back to the start.
    d.reset.click()
    expect(d.date).to_have_text("2024-12")
    expect(d.applied).to_contain_text("Mexico: Royalty rate 8.5% → 38.5%")
    expect(d.pending).to_contain_text("The running model uses these settings")
    src = d.wait_src_change(src, "Reset")

    d.step.click()
    expect(d.date).to_have_text("2026-01")
    d.wait_src_change(src, "Step after Reset")
    mx, mx_base = d.key("investment_share", "MX")
    explo, explo_base = d.key("exploration_usd", "MX")
    us, us_base = d.key("investment_share", "US")
    print(
        f"\nMX share {mx:.4f} vs baseline {mx_base:.4f}; MX exploration {explo / 1e9:.3f} "
        f"vs {explo_base / 1e9:.3f} USD bn; US share {us:.4f} vs {us_base:.4f}"
    )
    assert mx < mx_base - MIN_SHARE_DROP, (mx, mx_base)
    assert explo < 0.5 * explo_base, (explo, explo_base)

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


def test_dashboard_lever_reset_side_by_side(solara_app_server, chromium_browser) -> None:
    server = solara_app_server(APP)
    context = chromium_browser.new_context(
        viewport={"width": 1600, "height": 1000}, accept_downloads=True
    )
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
    try:
        page.goto(server.url, wait_until="domcontentloaded", timeout=PAGE_LOAD_TIMEOUT_MS)
        _drive(Dashboard(page), page)
    finally:
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        try:
            page.set_viewport_size({"width": 1600, "height": SCREENSHOT_HEIGHT})
            page.evaluate("() => window.scrollTo(0, 0)")
            time.sleep(0.5)  # let the layout settle at the new size
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        except PlaywrightError as e:  # keep the test's own failure, if any
            print(f"could not save {SCREENSHOT}: {e}")
        context.close()

    assert not asset_failures, f"front-end assets not served offline: {asset_failures}"
    unexpected = [e for e in page_errors if not any(k in e for k in IGNORED_PAGE_ERRORS)]
    assert not unexpected, f"errors in the page: {unexpected}"
    log = server.log()
    assert "Traceback" not in log and "ERROR" not in log, f"errors in the server log:\n{log}"
    if os.environ.get("ABM_UPDATE_SCREENSHOT", "") not in ("", "0"):
        DOCS_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SCREENSHOT, DOCS_SCREENSHOT)
    print(f"screenshot: {SCREENSHOT}")

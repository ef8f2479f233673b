"""Browser test of the toy Mesa dashboard (tests/viz/toy_app.py), fully offline.

Starts the app with ``solara run`` on 127.0.0.1, drives it in headless Debian Chromium with
Python Playwright: Step (the date text and both plots must change and show a drawn line), move
the ``Increment`` slider, Reset (back to the start, with the new increment), Step again. Fails on
a front-end asset the server could not serve, an unexpected error in the page, or an error in the
server's log. Saves ``outputs/test-artifacts/toy_dashboard.png``.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

APP = Path(__file__).with_name("toy_app.py")
ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "outputs" / "test-artifacts"
SCREENSHOT = ARTIFACTS_DIR / "toy_dashboard.png"
UI_TIMEOUT_MS = 30_000
PAGE_LOAD_TIMEOUT_MS = 90_000

# Line colours: matplotlib's default "C0" and vega-lite's default mark colour.
MPL_BLUE = (0x1F, 0x77, 0xB4)
VEGA_BLUE = (0x4C, 0x78, 0xA8)
# A drawn 0->n line has hundreds of such pixels; the altair legend's swatch alone a few dozen.
LINE_PIXELS = 200

# Known, harmless page errors (upstream). solara's vegalite.vue plots after a debounce without
# checking that the widget is still mounted; when mesa re-renders the grid right after the first
# render, the stale widget calls vegaEmbed(undefined, spec), which throws this. The live chart
# is unaffected (and is checked below).
IGNORED_PAGE_ERRORS = ("Cannot read properties of undefined (reading 'usermeta')",)


def _coloured_pixels(png: bytes, rgb: tuple[int, int, int], tol: int = 40) -> int:
    """Number of pixels of ``png`` within ``tol`` (per channel) of ``rgb``."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    close = np.abs(pixels - np.array(rgb, dtype=np.int16)) <= tol
    return int(close.all(axis=-1).sum())


def _wait_for_change(read: Callable[[], object], before: object, what: str) -> object:
    """Poll ``read()`` until it differs from ``before``; fail after UI_TIMEOUT_MS."""
    deadline = time.monotonic() + UI_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        now = read()
        if now != before:
            return now
        time.sleep(0.2)
    raise AssertionError(f"{what} did not change within {UI_TIMEOUT_MS / 1000:.0f} s")


def _settled_screenshot(locator: Locator) -> bytes:
    """Element screenshot once two consecutive shots agree (the plot finished drawing).

    Retries while the element is being replaced (a re-render can detach it mid-screenshot).
    """
    deadline = time.monotonic() + UI_TIMEOUT_MS / 1000
    previous: bytes | None = None
    while time.monotonic() < deadline:
        try:
            shot = locator.screenshot(timeout=5_000)
        except PlaywrightError:
            previous = None
        else:
            if shot == previous:
                return shot
            previous = shot
        time.sleep(0.25)
    raise AssertionError(f"{locator} did not settle within {UI_TIMEOUT_MS / 1000:.0f} s")


class Dashboard:
    """Handles on the toy dashboard's parts."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.step = page.get_by_role("button", name="Step", exact=True)
        self.reset = page.get_by_role("button", name="Reset", exact=True)
        self.date = page.locator(".toy-date")
        self.value = page.locator(".toy-value")
        self.increment = page.locator(".toy-increment")
        # matplotlib plot: an <img> (blob: URL) inside the grid; altair plot: a vega-embed view.
        # Screenshots are taken of their grid cells, which outlive re-renders of the plots.
        self.mpl_img = page.locator(".vue-grid-item img").first
        self.vega_view = page.locator(".vega-embed canvas, .vega-embed svg.marks").first
        self.mpl_cell = page.locator(".vue-grid-item", has=page.locator("img")).first
        self.vega_cell = page.locator(".vue-grid-item", has=page.locator(".vega-embed")).first
        self.slider = page.locator(".v-input", has_text="Increment").get_by_role("slider")

    def mpl_src(self) -> str | None:
        """Current ``src`` of the matplotlib image (a new blob URL per redraw)."""
        return self.mpl_img.get_attribute("src")

    def expect_state(self, date: str, value: int, increment: int) -> None:
        """Wait until the text panel shows this state."""
        expect(self.date).to_have_text(f"Date: {date}", timeout=UI_TIMEOUT_MS)
        expect(self.value).to_have_text(f"Value: {value}", timeout=UI_TIMEOUT_MS)
        expect(self.increment).to_have_text(f"Increment: {increment}", timeout=UI_TIMEOUT_MS)

    def plots(
        self, before: tuple[bytes, bytes] | None = None, when: str = ""
    ) -> tuple[bytes, bytes]:
        """Settled screenshots of (matplotlib plot, altair plot).

        With ``before``, wait until each differs from its ``before`` shot and fail if it does
        not within UI_TIMEOUT_MS: the plot did not update.
        """
        expect(self.mpl_img).to_be_visible(timeout=UI_TIMEOUT_MS)
        expect(self.vega_view).to_be_visible(timeout=UI_TIMEOUT_MS)
        if before is None:
            return _settled_screenshot(self.mpl_cell), _settled_screenshot(self.vega_cell)
        shots = []
        for cell, old, name in zip(
            (self.mpl_cell, self.vega_cell), before, ("matplotlib", "altair"), strict=True
        ):
            shots.append(
                _wait_for_change(
                    lambda cell=cell: _settled_screenshot(cell), old, f"{name} plot {when}"
                )
            )
        return shots[0], shots[1]


def _assert_line_drawn(mpl_png: bytes, vega_png: bytes, when: str) -> None:
    mpl, vega = _coloured_pixels(mpl_png, MPL_BLUE), _coloured_pixels(vega_png, VEGA_BLUE)
    print(f"line pixels {when}: matplotlib {mpl}, altair {vega}")
    assert mpl > LINE_PIXELS, f"matplotlib plot has no line {when} ({mpl} line pixels)"
    assert vega > LINE_PIXELS, f"altair plot has no line {when} ({vega} line pixels)"


def test_toy_dashboard_step_slider_reset(solara_app_server, chromium_browser) -> None:
    server = solara_app_server(APP)
    context = chromium_browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)

    asset_failures: list[str] = []
    page_errors: list[str] = []

    def on_response(response) -> None:
        if "/_solara/" in response.url and response.status >= 400:
            asset_failures.append(f"{response.status} {response.url}")

    page.on("response", on_response)

    def on_request_failed(request) -> None:
        if request.url.startswith("http"):  # not blob:/data: URLs of replaced images
            asset_failures.append(f"failed {request.url} ({request.failure})")

    page.on("requestfailed", on_request_failed)
    page.on("pageerror", lambda error: page_errors.append(str(error)))

    try:
        t0 = time.monotonic()
        page.goto(server.url, wait_until="domcontentloaded", timeout=PAGE_LOAD_TIMEOUT_MS)
        d = Dashboard(page)
        expect(d.step).to_be_visible(timeout=PAGE_LOAD_TIMEOUT_MS)
        d.expect_state("2025-01", 0, 1)
        print(f"\ndashboard ready in {time.monotonic() - t0:.1f} s at {server.url}")
        mpl0, vega0 = d.plots()
        print(
            "line pixels at start (one point, no line yet): "
            f"matplotlib {_coloured_pixels(mpl0, MPL_BLUE)}, "
            f"altair {_coloured_pixels(vega0, VEGA_BLUE)}"
        )

        # Step: text, both plots change; each now shows a line (two points).
        src0 = d.mpl_src()
        d.step.click()
        d.expect_state("2025-02", 1, 1)
        src1 = _wait_for_change(d.mpl_src, src0, "matplotlib image after Step")
        mpl1, vega1 = d.plots((mpl0, vega0), "after Step")
        _assert_line_drawn(mpl1, vega1, "after one Step")

        d.step.click()
        d.expect_state("2025-03", 2, 1)
        _wait_for_change(d.mpl_src, src1, "matplotlib image after second Step")
        mpl2, vega2 = d.plots((mpl1, vega1), "after second Step")

        # Slider: Increment 1 -> 3. It only takes effect at Reset.
        d.slider.focus()
        d.slider.press("ArrowRight")
        d.slider.press("ArrowRight")
        expect(d.slider).to_have_attribute("aria-valuenow", "3", timeout=UI_TIMEOUT_MS)
        d.expect_state("2025-03", 2, 1)

        # Reset: back to the start month and zero, with the new increment; plots restart.
        src2 = d.mpl_src()
        d.reset.click()
        d.expect_state("2025-01", 0, 3)
        src3 = _wait_for_change(d.mpl_src, src2, "matplotlib image after Reset")
        mpl3, vega3 = d.plots((mpl2, vega2), "after Reset")

        # Step with the new parameter.
        d.step.click()
        d.expect_state("2025-02", 3, 3)
        _wait_for_change(d.mpl_src, src3, "matplotlib image after Step following Reset")
        mpl4, vega4 = d.plots((mpl3, vega3), "after Step following Reset")
        _assert_line_drawn(mpl4, vega4, "after Reset and Step")
        # A 0->3 line is drawn differently from the 0->1 line of the first step (y axis).
        assert mpl4 != mpl1, "matplotlib plot ignores the new increment"
    finally:
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        try:
            # Element screenshots scroll their element into view; scroll everything back first.
            page.evaluate(
                "() => { window.scrollTo(0, 0); document.querySelectorAll('*')"
                ".forEach(e => { e.scrollLeft = 0; e.scrollTop = 0; }); }"
            )
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        except PlaywrightError as e:  # keep the test's own failure, if any
            print(f"could not save {SCREENSHOT}: {e}")
        context.close()

    assert not asset_failures, f"front-end assets not served offline: {asset_failures}"
    unexpected = [e for e in page_errors if not any(k in e for k in IGNORED_PAGE_ERRORS)]
    assert not unexpected, f"errors in the page: {unexpected}"
    log = server.log()
    assert "Traceback" not in log and "ERROR" not in log, f"errors in the server log:\n{log}"
    print(f"screenshot: {SCREENSHOT}")

"""Step-time and Play-rate benchmark of the dashboard, measured in the browser.

Used by ``test_dashboard_browser.py`` (which prints the figures) and runnable on its own to
compare two checkouts in one interleaved session::

    .venv/bin/python tests/viz/dashboard_bench.py ROOT_A ROOT_B [--rounds 3] [--steps 15]

Each ROOT is a project checkout; its ``abm/viz/app.py`` is served offline with ``solara run``
(PYTHONPATH set to ROOT) and driven by headless Chromium.

**Step time** is measured inside the page: from the Step button's click to the first animation
frame after the simulated date (``.abm-date``) shows the next month and every plot marked
``[data-abm-date]`` says it has drawn that month (plots that carry no such mark, like the old
server-rendered PNGs, are swapped in the same render as the date). **Play rate** is the number
of simulated months shown per second of wall time while Play runs.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# JavaScript run in the page: click Step, wait until the date changed and every marked plot has
# drawn that date, then one more animation frame (the new frame is painted); milliseconds.
STEP_JS = """
async (timeoutMs) => {
  const dateEl = () => document.querySelector('.abm-date');
  const before = dateEl().textContent.trim();
  const button = [...document.querySelectorAll('button')]
    .find((b) => b.textContent.trim() === 'Step');
  const done = () => {
    const now = dateEl() && dateEl().textContent.trim();
    if (!now || now === before) return false;
    const plots = [...document.querySelectorAll('[data-abm-date]')];
    return plots.every((p) => p.getAttribute('data-abm-date') === now);
  };
  const t0 = performance.now();
  let tDate = null;
  button.click();
  await new Promise((resolve, reject) => {
    const check = () => {
      if (tDate === null && dateEl() && dateEl().textContent.trim() !== before) {
        tDate = performance.now() - t0;
      }
      if (done()) { obs.disconnect(); resolve(); }
    };
    const obs = new MutationObserver(check);
    obs.observe(document.body, {subtree: true, childList: true, characterData: true,
                                attributes: true, attributeFilter: ['data-abm-date']});
    setTimeout(() => { obs.disconnect(); reject(new Error('no new date')); }, timeoutMs);
  });
  await new Promise((r) => requestAnimationFrame(() => r()));
  const draw = [...document.querySelectorAll('[data-abm-draw-ms]')]
    .map((p) => [Number(p.getAttribute('data-abm-received')) - t0,
                 Number(p.getAttribute('data-abm-draw-ms'))]);
  return [performance.now() - t0, tDate, draw];
}
"""

PLAY_SECONDS = 6.0
STEP_TIMEOUT_MS = 30_000


def month_index(date: str) -> int:
    """``YYYY-MM`` as a month count."""
    year, month = (int(p) for p in date.strip().split("-"))
    return 12 * year + month - 1


def step_times_s(page, n: int) -> tuple[list[float], list[float]]:
    """Seconds from Step click to the next month on screen with every plot drawn, and to the
    date alone, ``n`` times."""
    full, date = [], []
    for _ in range(n):
        total_ms, date_ms, draw_ms = page.evaluate(STEP_JS, STEP_TIMEOUT_MS)
        if os.environ.get("ABM_BENCH_VERBOSE"):
            print(f"  step {total_ms:.0f} ms, date {date_ms:.0f} ms, charts {draw_ms} ms")
        full.append(total_ms / 1000)
        date.append(date_ms / 1000)
        time.sleep(0.1)  # let trailing messages finish
    return full, date


def play_rate_months_per_s(page, seconds: float = PLAY_SECONDS) -> float:
    """Simulated months shown per second while Play runs for ``seconds``."""
    date = page.locator(".abm-date")
    start = month_index(date.inner_text())
    ours = page.locator("button.abm-play")
    mesa = ours.count() == 0  # an older dashboard: Mesa's own Play button
    (page.get_by_role("button", name="▶", exact=True) if mesa else ours).click()
    t0 = time.monotonic()
    time.sleep(seconds)
    shown = month_index(date.inner_text())
    elapsed = time.monotonic() - t0
    (page.get_by_role("button", name="❚❚", exact=True) if mesa else ours).click()
    return (shown - start) / elapsed


@dataclass
class Bench:
    """Figures of one benchmark run."""

    steps_s: list[float]
    play_months_per_s: float
    date_only_s: list[float]

    @property
    def median_s(self) -> float:
        """Median step time."""
        return statistics.median(self.steps_s)

    def line(self) -> str:
        """One human line."""
        return (
            f"step click -> new date on screen: median {self.median_s:.3f} s over "
            f"{len(self.steps_s)} steps (min {min(self.steps_s):.3f}, max "
            f"{max(self.steps_s):.3f}; the date alone {statistics.median(self.date_only_s):.3f});"
            f" Play {self.play_months_per_s:.1f} months/s"
        )


def run_bench(page, steps: int, play_s: float = PLAY_SECONDS) -> Bench:
    """Measure ``steps`` Step clicks, then Play for ``play_s`` seconds."""
    page.locator(".abm-date").wait_for()
    times, date = step_times_s(page, steps)
    return Bench(times, play_rate_months_per_s(page, play_s), date)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(root: Path, port: int, cache: Path, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "SOLARA_ASSETS_PROXY": "true",
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(cache),
        "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/npm/",
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
        "PYTHONPATH": str(root),
    }
    cmd = [sys.executable, "-m", "solara", "run", str(root / "abm" / "viz" / "app.py")]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--production", "--no-open"]
    return subprocess.Popen(
        cmd,
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def main(argv: list[str] | None = None) -> int:
    """Interleaved comparison of checkouts (see the module docstring)."""
    import signal
    import urllib.request

    from playwright.sync_api import sync_playwright

    from abm.viz.assets import ensure_offline_assets

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("roots", nargs="+", type=Path)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--steps", type=int, default=15)
    p.add_argument("--play-s", type=float, default=PLAY_SECONDS)
    args = p.parse_args(argv)
    cache = ensure_offline_assets()
    sys.path.insert(0, str(Path(__file__).parent))
    from conftest import CHROMIUM_ARGS

    results: dict[Path, list[Bench]] = {r: [] for r in args.roots}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        for rnd in range(args.rounds):
            for root in args.roots:
                port = _free_port()
                proc = _serve(root.resolve(), port, cache, Path(f"/tmp/bench-{port}.log"))
                url = f"http://127.0.0.1:{port}/"
                try:
                    deadline = time.monotonic() + 90
                    while time.monotonic() < deadline:
                        try:
                            urllib.request.urlopen(url, timeout=5)
                            break
                        except OSError:
                            time.sleep(0.3)
                    ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
                    page = ctx.new_page()
                    page.goto(url, timeout=90_000)
                    page.get_by_role("button", name="Step", exact=True).wait_for(timeout=90_000)
                    time.sleep(1.0)
                    b = run_bench(page, args.steps, args.play_s)
                    results[root].append(b)
                    print(f"round {rnd + 1} {root}: {b.line()}", flush=True)
                    ctx.close()
                finally:
                    os.killpg(proc.pid, signal.SIGTERM)
                    try:
                        proc.wait(timeout=20)
                    except subprocess.TimeoutExpired:
                        os.killpg(proc.pid, signal.SIGKILL)
                        proc.wait(timeout=20)
        browser.close()
    for root, benches in results.items():
        steps = [t for b in benches for t in b.steps_s]
        play = statistics.median(b.play_months_per_s for b in benches)
        print(f"{root}: median step {statistics.median(steps):.3f} s, Play {play:.1f} months/s")
    if len(args.roots) == 2:
        a, b = (statistics.median(t for x in results[r] for t in x.steps_s) for r in args.roots)
        print(f"step-time ratio {args.roots[1]} / {args.roots[0]}: {b / a:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

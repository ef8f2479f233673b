"""Fixtures for the browser tests of the Solara dashboard.

- ``chromium_executable``: runs ``scripts/install_browser.sh`` (a no-op when Debian's Chromium is
  installed) and returns the browser's path.
- ``solara_asset_cache``: fills Solara's asset proxy cache from the npm registry
  (:func:`abm.viz.assets.ensure_offline_assets`; no network once filled).
- ``chromium_browser``: one headless Chromium (Python Playwright) for the session.
- ``solara_app_server``: a factory that starts ``solara run APP`` on 127.0.0.1 at a free port,
  offline (a cache miss goes to a closed local port, never to a public CDN), waits (bounded)
  until it answers and kills it at the end.

Set ``ABM_SKIP_BROWSER_TESTS=1`` to skip these tests on a machine that cannot have a browser;
by default a missing browser or asset is a failure, not a skip.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "outputs" / "test-artifacts"
INSTALL_BROWSER = REPO_ROOT / "scripts" / "install_browser.sh"

# Flags for Debian's Chromium in a container without a display, GPU or outside network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT_S = 90.0
INSTALL_TIMEOUT_S = 900.0

if str(REPO_ROOT) not in sys.path:  # `abm` importable without an editable install
    sys.path.insert(0, str(REPO_ROOT))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test here as ``browser``; skip them all when ABM_SKIP_BROWSER_TESTS is set."""
    here = Path(__file__).parent
    skip = os.environ.get("ABM_SKIP_BROWSER_TESTS", "").strip() not in ("", "0")
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if skip:
                item.add_marker(pytest.mark.skip(reason="ABM_SKIP_BROWSER_TESTS is set"))


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Path of Debian's Chromium, installed by scripts/install_browser.sh when missing."""
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    try:
        proc = subprocess.run(
            ["bash", str(INSTALL_BROWSER)],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{INSTALL_BROWSER} did not finish in {INSTALL_TIMEOUT_S:.0f} s")
    if proc.returncode != 0:
        pytest.fail(f"{INSTALL_BROWSER} failed:\n{proc.stdout}\n{proc.stderr}")
    return path


@pytest.fixture(scope="session")
def solara_asset_cache() -> Path:
    """Solara's asset proxy cache, filled with every npm package the page loads."""
    from abm.viz.assets import AssetError, ensure_offline_assets

    try:
        return ensure_offline_assets()
    except AssetError as e:
        pytest.fail(f"offline front-end assets: {e}")


@pytest.fixture(scope="session")
def chromium_browser(chromium_executable: str) -> Iterator[object]:
    """A headless Chromium driven by Python Playwright, shared by the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SolaraServer:
    """A running ``solara run`` subprocess."""

    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        """Everything the server printed so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Kill the server's process group and wait for it."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def _wait_until_serving(server: SolaraServer, timeout_s: float) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"solara exited with {server.process.returncode} before serving:\n{server.log()}"
            )
        try:
            with opener.open(server.url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(
        f"solara did not answer at {server.url} in {timeout_s:.0f} s:\n{server.log()}"
    )


@pytest.fixture
def solara_app_server(
    solara_asset_cache: Path, tmp_path: Path
) -> Iterator[Callable[[Path], SolaraServer]]:
    """Factory: ``start(app_path)`` runs ``solara run app_path`` offline; stopped at teardown."""
    servers: list[SolaraServer] = []

    def start(app: Path) -> SolaraServer:
        port = _free_port()
        env = {
            **os.environ,
            "SOLARA_ASSETS_PROXY": "true",
            "SOLARA_ASSETS_PROXY_CACHE_DIR": str(solara_asset_cache),
            # A cache miss must fail fast and visibly, never reach out to a public CDN.
            "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/npm/",
            "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])
            ),
        }
        log_path = tmp_path / f"solara-{port}.log"
        cmd = [sys.executable, "-m", "solara", "run", str(app)]
        cmd += ["--host", "127.0.0.1", "--port", str(port), "--production", "--no-open"]
        with open(log_path, "wb") as log_file:
            process = subprocess.Popen(
                cmd,
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: killed as a whole
            )
        server = SolaraServer(f"http://127.0.0.1:{port}/", process, log_path)
        servers.append(server)
        try:
            _wait_until_serving(server, SERVER_START_TIMEOUT_S)
        except RuntimeError as e:
            pytest.fail(str(e))
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.stop()

"""``abm ui`` stops with its command: a signal to the ``abm ui`` process alone (as a service
manager or ``docker stop`` sends it) stops the solara server it started, the port closes and no
process of the server is left.

Each case starts the real ``abm ui`` (offline assets from the shared cache) on a free port, waits
until the page answers, records the server's process group, sends the signal to the ``abm ui``
process only, and checks: ``abm ui`` exits with 128 + the signal, the port refuses connections,
and no process is left in the server's group. The SIGTERM case keeps a browser page connected
(an open websocket is what makes uvicorn wait); a browser is not needed for SIGINT.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from abm.viz.cli import STOP_GRACE_S

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 120.0
EXIT_TIMEOUT_S = STOP_GRACE_S + 20.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def _group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes whose process group is ``pgid``."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        state, pgrp = fields[0], int(fields[2])
        if pgrp == pgid and state != "Z":
            out.append(int(stat.parent.name))
    return out


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1.0)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _wait_serving(proc: subprocess.Popen, url: str, log: Path) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"abm ui exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with opener.open(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    pytest.fail(f"abm ui did not serve {url} in {START_TIMEOUT_S:.0f} s:\n{log.read_text()}")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_to_abm_ui_stops_the_server(sig, request, solara_asset_cache, tmp_path) -> None:
    port = _free_port()
    log = tmp_path / "abm-ui.log"
    env = {**os.environ, "SOLARA_ASSETS_PROXY_CACHE_DIR": str(solara_asset_cache)}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "abm", "ui", "--port", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # like a service: no terminal sends signals to the group
        )
    pgid = None
    page = None
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_serving(proc, url, log)
        servers = _children(proc.pid)
        assert len(servers) == 1, servers
        pgid = os.getpgid(servers[0])
        assert pgid != os.getpgid(proc.pid)  # the server has its own group (forwarded to)
        if sig == signal.SIGTERM:
            browser = request.getfixturevalue("chromium_browser")
            page = browser.new_page()
            page.goto(url, timeout=90_000)
            page.get_by_role("button", name="Step", exact=True).wait_for(timeout=90_000)

        t0 = time.monotonic()
        os.kill(proc.pid, sig)  # the abm ui process only, not its group
        rc = proc.wait(timeout=EXIT_TIMEOUT_S)
        stop_s = time.monotonic() - t0
        print(f"\nabm ui stopped {stop_s:.1f} s after {sig.name}, exit code {rc}")
        assert rc == 128 + sig, log.read_text()
        assert not _port_open(port), f"port {port} still open after abm ui exited"
        left = _group_members(pgid)
        assert not left, f"server processes left: {left}"
    finally:
        if page is not None:
            page.close()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if pgid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)

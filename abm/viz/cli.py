"""``abm ui [SCENARIO] [--port N] [--host H]``: serve the browser dashboard.

Checks the scenario, fills Solara's offline asset cache (:mod:`abm.viz.assets`), then runs
``solara run abm/viz/app.py`` in production mode with the asset proxy pointing to that cache,
so the page needs no CDN. Binds to 127.0.0.1 unless ``--host`` says otherwise.

Lifecycle (:func:`supervise`): the server runs as a supervised child in its own process group.
SIGTERM, SIGINT (Ctrl-C) and SIGHUP to ``abm ui`` are forwarded to that whole group; if the
server is still there :data:`STOP_GRACE_S` seconds later (uvicorn waits for open browser
connections), the group is killed. ``abm ui`` returns only once the server is gone, and then
kills anything left in the group, so a service manager or a container stop never leaves an
orphan serving on the port. On Linux the child also gets SIGTERM if ``abm ui`` itself is killed
outright (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from abm.cli import add_command
from abm.params.scenario import ScenarioError, available_scenarios, load_scenario

APP = Path(__file__).with_name("app.py")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEAD_CDN = "http://127.0.0.1:9/npm/"  # a cache miss fails fast instead of reaching a CDN
EXIT_ASSETS = 1
STOP_GRACE_S = 10.0  # after a forwarded signal, the server has this long before SIGKILL
POLL_S = 0.1
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``ui`` subcommand."""
    p = add_command(
        subparsers,
        "ui",
        description="Serve the browser dashboard: the scenario against the baseline, levers, "
        "plots and the project map. Works offline once the front-end assets are cached.",
    )
    p.add_argument(
        "scenario",
        nargs="?",
        default="baseline",
        help=f"scenario to start from: a name under params/scenarios/ "
        f"({', '.join(available_scenarios())}) or a path to a TOML file (default: baseline)",
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to bind (default {DEFAULT_HOST}, this machine only; 0.0.0.0 opens the "
        "dashboard to the network, without authentication)",
    )
    p.set_defaults(func=serve)


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_port(host: str, port: int) -> None:
    if not 1 <= port <= 65535:
        raise ScenarioError(f"--port: {port} is not a port number (1-65535)")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            raise ScenarioError(
                f"--host {host} --port {port}: cannot listen: {exc.strerror}"
            ) from None


def server_env(cache_dir: Path, scenario: str) -> dict[str, str]:
    """Environment of the solara server: offline asset proxy, no telemetry, the scenario."""
    return {
        **os.environ,
        "SOLARA_ASSETS_PROXY": "true",
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(cache_dir),
        "SOLARA_ASSETS_CDN": DEAD_CDN,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
        "ABM_UI_SCENARIO": scenario,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])
        ),
    }


def solara_command(host: str, port: int) -> list[str]:
    """``python -m solara run abm/viz/app.py`` in production mode."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(APP),
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
    ]


def serve(args: argparse.Namespace) -> int:
    """Run the dashboard server until interrupted; its exit code."""
    from abm.viz.assets import AssetError, ensure_offline_assets

    spec_name = args.scenario
    load_scenario(spec_name)  # bad scenario: ScenarioError, one line, exit 2
    if Path(spec_name).suffix == ".toml" or "/" in spec_name:
        spec_name = str(Path(spec_name).resolve())
    _check_port(args.host, args.port)
    try:
        cache = ensure_offline_assets()
    except AssetError as exc:
        print(f"error: offline front-end assets: {exc}", file=sys.stderr)
        return EXIT_ASSETS
    if not is_loopback(args.host):
        print(
            f"warning: --host {args.host} makes the dashboard reachable from other machines, "
            "with no authentication; anyone who can reach it can run the model.",
            file=sys.stderr,
        )
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(f"abm ui: serving {spec_name} at http://{shown}:{args.port}/ (Ctrl-C to stop)")
    sys.stdout.flush()
    return supervise(solara_command(args.host, args.port), server_env(cache, spec_name))


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Ask Linux to send this process SIGTERM when its parent dies (no-op elsewhere)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _killpg(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone
        os.killpg(pgid, sig)


def supervise(cmd: list[str], env: dict[str, str], grace_s: float = STOP_GRACE_S) -> int:
    """Run ``cmd`` as a child in its own process group until it exits; forward SIGTERM,
    SIGINT and SIGHUP to the group, kill the group ``grace_s`` after the first forwarded signal
    if it has not stopped, and kill whatever is left in the group once the child has exited.

    Returns the child's exit code, or 128 + the signal number when the stop was requested by a
    signal (130 for Ctrl-C, 143 for SIGTERM), as a shell reports it.
    """
    preexec = _die_with_parent if sys.platform.startswith("linux") else None
    received: list[int] = []
    child: list[subprocess.Popen] = []

    def forward(signum: int, _frame: object) -> None:
        received.append(signum)
        if child:
            _killpg(child[0].pid, signum)

    # handlers first: a signal that arrives while the child starts is forwarded just after
    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED}
    try:
        proc = subprocess.Popen(cmd, env=env, start_new_session=True, preexec_fn=preexec)
    except BaseException:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        raise
    child.append(proc)
    if received:
        _killpg(proc.pid, received[0])
    try:
        deadline = None
        while proc.poll() is None:
            if received and deadline is None:
                deadline = time.monotonic() + grace_s
            if deadline is not None and time.monotonic() > deadline:
                print(
                    f"abm ui: the server did not stop within {grace_s:.0f} s; killing it",
                    file=sys.stderr,
                )
                _killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                break
            time.sleep(POLL_S)
    finally:
        _killpg(proc.pid, signal.SIGKILL)  # anything the server left in its group
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received:
        print("abm ui: server stopped", file=sys.stderr)
        return 128 + received[0]
    return proc.returncode

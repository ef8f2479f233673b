"""``abm ui [SCENARIO] [--port N] [--host H]``: serve the browser dashboard.

Checks the scenario, fills Solara's offline asset cache (:mod:`abm.viz.assets`), then runs
``solara run abm/viz/app.py`` in production mode with the asset proxy pointing to that cache,
so the page needs no CDN. Binds to 127.0.0.1 unless ``--host`` says otherwise.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket
import subprocess
import sys
from pathlib import Path

from abm.params.scenario import ScenarioError, available_scenarios, load_scenario

APP = Path(__file__).with_name("app.py")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEAD_CDN = "http://127.0.0.1:9/npm/"  # a cache miss fails fast instead of reaching a CDN
EXIT_ASSETS = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``ui`` subcommand."""
    p = subparsers.add_parser(
        "ui",
        help="serve the browser dashboard (Mesa SolaraViz) on 127.0.0.1",
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
    return subprocess.call(solara_command(args.host, args.port), env=server_env(cache, spec_name))

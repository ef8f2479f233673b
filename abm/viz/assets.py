"""Offline front-end assets for the Solara dashboard.

Solara's server does not ship the JavaScript/CSS the browser needs: the page asks the server for
``/_solara/cdn/<npm package>@<version>/<file>`` and the server answers from its *asset proxy
cache* (``SOLARA_ASSETS_PROXY_CACHE_DIR``, by default ``<env prefix>/share/solara/cdn/``), going to
a public CDN (``SOLARA_ASSETS_CDN``) on a miss. Where no CDN can be reached the page stays blank
("solara is not defined").

This module fills that cache from the npm registry instead, with ``npm pack``. The cache layout
mirrors the URL: ``<cache>/<name>@<version as in the URL>/<file inside the npm package>``, e.g.
``<cache>/@widgetti/solara-vuetify-app@10.1.1/dist/solara-vuetify-app8.js`` or
``<cache>/vega@5/build/vega.min.js`` (a range such as ``vega@5`` is a directory name; npm resolves
it to the newest matching release, as the CDN would).

Which packages and versions are needed is read from the installed solara itself (its page
template, its ``.vue`` widgets and its settings), so a solara upgrade is followed automatically.
Each package is unpacked into a temporary directory next to its final place and renamed into
place, so a half-written package is never visible. A package already in place (marked by
:data:`MARKER` and holding every file solara asks for) is skipped, so once the cache is filled no
network access is needed.

Run ``python -m abm.viz.assets`` to fill the cache and print its location.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import logging
import os
import re
import secrets
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "MARKER",
    "AssetError",
    "CdnPackage",
    "default_cache_dir",
    "ensure_offline_assets",
    "missing_packages",
    "required_packages",
]

log = logging.getLogger(__name__)

#: File written into each unpacked package once it is complete.
MARKER = ".abm-offline-asset.json"

#: Seconds allowed for one ``npm pack``.
NPM_TIMEOUT_S = 300.0

# A CDN reference in solara's sources: "{{cdn}}/NAME@VERSION/FILE" (page template) or
# "${this.getCdn()}/NAME@VERSION/FILE" (vue widgets). VERSION must start with a digit, which
# leaves out references whose version is filled in at run time ("echarts@${version}").
_CDN_REF = re.compile(
    r"(?:\{\{\s*cdn\s*\}\}|\$\{this\.getCdn\(\)\})/"
    r"(?P<name>(?:@[a-z0-9][\w.-]*/)?[a-z0-9][\w.-]*)"
    r"@(?P<version>\d[\w.+-]*)"
    r"(?P<file>/[^`'\"\s{}$]*)?"
)
# An npm reference without the CDN prefix, e.g. settings.assets.fontawesome_path.
_NPM_PATH = re.compile(
    r"^/?(?P<name>(?:@[a-z0-9][\w.-]*/)?[a-z0-9][\w.-]*)@(?P<version>\d[\w.+-]*)(?P<file>/.*)?$"
)
_SCANNED_SUFFIXES = {".vue", ".j2", ".html", ".py", ".js"}
# solara's own documentation site is not part of an app.
_SKIPPED_DIRS = {"website", "__pycache__", "tests"}
_VUE2_APP = "@widgetti/solara-vuetify-app"
_VUE3_APP = "@widgetti/solara-vuetify3-app"


class AssetError(RuntimeError):
    """The offline assets could not be put in place."""


@dataclass(frozen=True)
class CdnPackage:
    """One npm package that solara's page loads through its CDN proxy.

    Attributes:
        name: npm package name, e.g. ``"@widgetti/solara-vuetify-app"``.
        version: the version exactly as solara writes it in the URL: an exact version
            (``"10.1.1"``) or a range (``"5"`` for ``vega@5``).
        files: files solara requests, relative to the package root (``"dist/fonts.css"``).
    """

    name: str
    version: str
    files: tuple[str, ...] = field(default=())

    @property
    def spec(self) -> str:
        """``name@version``: the npm spec, and the directory name in the cache."""
        return f"{self.name}@{self.version}"

    def path_in(self, cache_dir: Path) -> Path:
        """Directory of this package inside ``cache_dir``."""
        return cache_dir.joinpath(*self.spec.split("/"))


def _dist_version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _package_dir(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise AssetError(f"Python package {module!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def default_cache_dir() -> Path:
    """The asset proxy cache directory the Solara server of this environment uses.

    That is ``$SOLARA_ASSETS_PROXY_CACHE_DIR`` when set, else ``<env prefix>/share/solara/cdn/``
    (read from ``solara.server.settings``, which also creates the directory).
    """
    import solara.server.settings as solara_settings  # heavy import: on demand

    return Path(solara_settings.assets.proxy_cache_dir)


def _fontawesome_ref() -> tuple[str, str, str] | None:
    """(name, version, file) of the font-awesome stylesheet the page links, if enabled."""
    import solara.server.settings as solara_settings

    if not solara_settings.assets.fontawesome_enabled:
        return None
    m = _NPM_PATH.match(solara_settings.assets.fontawesome_path)
    if m is None:  # a custom path outside the npm layout: nothing we can fetch
        return None
    return m["name"], m["version"], (m["file"] or "").lstrip("/")


def required_packages() -> list[CdnPackage]:
    """The npm packages (and files) the installed solara will request from its CDN proxy.

    Scans solara's page template, widgets and components for CDN references (skipping its
    documentation website), keeps the vuetify app that matches the installed ipyvue (Vue 2 for
    ipyvue < 3, Vue 3 otherwise), substitutes the ipywidgets major version into file names and
    adds the font-awesome stylesheet from solara's settings. Sorted by spec.

    Raises:
        AssetError: solara or the reference to its vuetify app bundle is not found.
    """
    solara_dir = _package_dir("solara")
    ipywidgets_major = (_dist_version("ipywidgets") or "8").split(".")[0]
    vue3 = (_dist_version("ipyvue") or "1").startswith("3")

    refs: dict[tuple[str, str], set[str]] = {}
    for path in sorted(solara_dir.rglob("*")):
        if path.suffix not in _SCANNED_SUFFIXES or not path.is_file():
            continue
        if _SKIPPED_DIRS.intersection(path.relative_to(solara_dir).parts):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if "cdn" not in text.lower():
            continue
        text = re.sub(r"\{\{\s*ipywidget_major_version\s*\}\}", ipywidgets_major, text)
        for m in _CDN_REF.finditer(text):
            files = refs.setdefault((m["name"], m["version"]), set())
            if m["file"] and m["file"] != "/":
                files.add(m["file"].lstrip("/"))

    fa = _fontawesome_ref()
    if fa is not None:
        refs.setdefault((fa[0], fa[1]), set()).update([fa[2]] if fa[2] else [])

    wanted, unwanted = (_VUE3_APP, _VUE2_APP) if vue3 else (_VUE2_APP, _VUE3_APP)
    if not any(name == wanted for name, _ in refs):
        # The scan must find at least the page's own bundle, or solara's sources changed shape.
        raise AssetError(
            f"no reference to {wanted} found in {solara_dir}: this solara version loads its "
            "front end differently; update abm/viz/assets.py"
        )
    return [
        CdnPackage(name, version, tuple(sorted(files)))
        for (name, version), files in sorted(refs.items())
        if name != unwanted
    ]


def _is_complete(pkg: CdnPackage, cache_dir: Path) -> bool:
    target = pkg.path_in(cache_dir)
    if not (target / MARKER).is_file():
        return False
    return all((target / f).is_file() for f in pkg.files)


def missing_packages(
    cache_dir: Path | None = None, packages: list[CdnPackage] | None = None
) -> list[CdnPackage]:
    """The packages of ``packages`` (default: all required) that are not complete in the cache."""
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    packages = required_packages() if packages is None else packages
    return [p for p in packages if not _is_complete(p, cache_dir)]


def _npm_pack(npm: str, spec: str, dest: Path) -> tuple[Path, dict]:
    """Download the tarball of ``spec`` with ``npm pack`` into ``dest``; (tarball, npm's info)."""
    cmd = [npm, "pack", spec, "--json", "--ignore-scripts", "--loglevel=error"]
    cmd += ["--pack-destination", str(dest)]
    try:
        proc = subprocess.run(
            cmd, cwd=dest, capture_output=True, text=True, timeout=NPM_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as e:
        raise AssetError(f"`npm pack {spec}` did not finish in {NPM_TIMEOUT_S:.0f} s") from e
    if proc.returncode != 0:
        raise AssetError(f"`npm pack {spec}` failed ({proc.returncode}): {proc.stderr.strip()}")
    try:
        info = json.loads(proc.stdout)[0]
        tarball = dest / info["filename"]
    except (ValueError, LookupError, TypeError) as e:
        raise AssetError(f"unexpected output of `npm pack {spec}`: {proc.stdout[:500]!r}") from e
    if not tarball.is_file():
        raise AssetError(f"`npm pack {spec}` did not write {tarball}")
    return tarball, info


def _unpack(tarball: Path, into: Path) -> Path:
    """Extract an npm tarball into ``into``; return its single top directory (``package/``)."""
    with tarfile.open(tarball, "r:gz") as tar:
        tar.extractall(into, filter="data")
    tops = [p for p in into.iterdir() if p.is_dir()]
    if len(tops) != 1:
        raise AssetError(f"{tarball.name}: expected one top directory, found {len(tops)}")
    return tops[0]


def _add_cdn_minified(root: Path, files: tuple[str, ...]) -> None:
    """Stand in for the CDN's on-the-fly minification.

    jsDelivr serves ``X.min.js`` (``X.min.css``) for any ``X.js`` (``X.css``) of a package, by
    minifying it on request; solara relies on that (``requirejs@2.3.6/require.min.js``), but the
    npm tarball has only ``X.js``. The unminified file does the same, so copy it.
    """
    for f in files:
        wanted = root / f
        for ext in (".js", ".css"):
            if wanted.name.endswith(".min" + ext) and not wanted.exists():
                source = wanted.with_name(wanted.name.removesuffix(".min" + ext) + ext)
                if source.is_file():
                    shutil.copyfile(source, wanted)


def _install_package(pkg: CdnPackage, cache_dir: Path, npm: str) -> str:
    """Fetch ``pkg`` and move it into the cache atomically; return the resolved version."""
    target = pkg.path_in(cache_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(6)
    # Staging lives next to the target (same file system), so the final rename is atomic.
    staging = target.parent / f".{target.name}.{token}.tmp"
    old = target.parent / f".{target.name}.{token}.old"
    try:
        with tempfile.TemporaryDirectory(prefix="abm-npm-pack-") as tmp:
            tarball, info = _npm_pack(npm, pkg.spec, Path(tmp))
            staging.mkdir()
            root = _unpack(tarball, staging)
        _add_cdn_minified(root, pkg.files)
        missing = [f for f in pkg.files if not (root / f).is_file()]
        if missing:
            raise AssetError(
                f"{pkg.spec} ({info.get('version')}) lacks files solara asks for: {missing}"
            )
        marker = {
            "spec": pkg.spec,
            "resolved_version": info.get("version"),
            "integrity": info.get("integrity"),
            "files_solara_requests": list(pkg.files),
            "installed_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        (root / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        if target.exists():
            # Incomplete (e.g. single files the solara proxy once fetched): set it aside.
            os.replace(target, old)
        try:
            os.rename(root, target)
        except OSError:
            # Another process put it in place first; fine if that one is complete.
            if not _is_complete(pkg, cache_dir):
                raise
        return str(info.get("version"))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


def ensure_offline_assets(
    cache_dir: Path | None = None,
    *,
    packages: list[CdnPackage] | None = None,
    npm: str | None = None,
) -> Path:
    """Make sure every npm package the Solara page loads is in Solara's asset proxy cache.

    Args:
        cache_dir: cache to fill; default :func:`default_cache_dir` (honours
            ``SOLARA_ASSETS_PROXY_CACHE_DIR``). Serve it with
            ``SOLARA_ASSETS_PROXY_CACHE_DIR=<cache_dir>`` when it is not the default.
        packages: packages to ensure; default :func:`required_packages`.
        npm: the npm executable; default ``npm`` on ``PATH``.

    Returns:
        The cache directory (absolute).

    Raises:
        AssetError: npm is missing while something has to be fetched, or a fetch failed.
    """
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    cache_dir = cache_dir.expanduser().resolve()
    cache_dir.mkdir(parents=True, exist_ok=True)
    todo = missing_packages(cache_dir, packages)
    if not todo:
        log.info("offline assets: all present in %s", cache_dir)
        return cache_dir

    npm_exe = shutil.which(npm or "npm")
    if npm_exe is None:
        raise AssetError(
            f"npm is needed to fetch the dashboard's front-end assets "
            f"({', '.join(p.spec for p in todo)}) but `{npm or 'npm'}` is not on PATH. "
            "Install Node.js with npm (Debian: `apt-get install npm`), or fill "
            f"{cache_dir} from a machine that has it."
        )
    for pkg in todo:
        t0 = time.perf_counter()
        resolved = _install_package(pkg, cache_dir, npm_exe)
        log.info("offline assets: %s -> %s (%.1f s)", pkg.spec, resolved, time.perf_counter() - t0)
    return cache_dir


def main(argv: list[str] | None = None) -> int:
    """Command line: fill the cache (or list what is needed) and print the cache directory."""
    parser = argparse.ArgumentParser(
        prog="python -m abm.viz.assets",
        description="Put the npm front-end assets of the Solara dashboard in Solara's cache.",
    )
    parser.add_argument("--cache-dir", type=Path, default=None, help="cache to fill")
    parser.add_argument(
        "--list", action="store_true", help="only list the packages and whether they are present"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)

    cache_dir = args.cache_dir if args.cache_dir is not None else default_cache_dir()
    if args.list:
        missing = {p.spec for p in missing_packages(cache_dir)}
        for pkg in required_packages():
            state = "missing" if pkg.spec in missing else "present"
            print(f"{state:8} {pkg.spec}  {' '.join(pkg.files)}")
        print(cache_dir)
        return 0
    t0 = time.perf_counter()
    try:
        path = ensure_offline_assets(cache_dir)
    except AssetError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"offline assets ready in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

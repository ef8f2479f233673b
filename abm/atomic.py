"""Atomic writes and output folders: a result appears whole or not at all, and ``--out``
never replaces anything this tool did not write.

- :func:`write_file` / :func:`write_text`: one file, via a temporary file and ``os.replace``.
- :func:`claim`: take an output folder for one command. It is checked up front (see
  :func:`check_out`: a new or empty folder, or an earlier result of this tool recognised by
  its marker file :data:`MARKER`), locked against other writers (``.NAME.abm-lock`` beside
  it; a second writer is refused with one line), and cleaned of what a killed run left
  (``.NAME.abm-tmp-*`` temporary folders; a ``.NAME.abm-old`` folder is put back if the kill
  fell between the two renames of a swap).
- :meth:`Claim.publish`: write a whole new set into a temporary folder beside the target,
  optionally carry over (hard-link) what the old folder holds that the new set does not
  rewrite (per-run files of a resumable experiment), then swap it in with two renames.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from abm.params.scenario import ScenarioError

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; concurrent writers are not detected
    fcntl = None  # type: ignore[assignment]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MARKER = ".abm-output.json"  # written into every result folder; what makes it replaceable
TMP_TAG = ".abm-tmp-"
OLD_TAG = ".abm-old"
LOCK_TAG = ".abm-lock"
# A folder name leaves room for the temporary names beside it within the usual 255-byte
# limit of a file name (".NAME.abm-tmp-" + 8 random characters).
MAX_NAME_BYTES = 200
# Result folders written before the marker existed: the entries each command writes and the
# one that must be present. Only a folder holding nothing else counts as a result.
LEGACY: dict[str, tuple[set[str], str]] = {
    "run": ({"timeseries.parquet", "summary.json", "scenario.toml"}, "summary.json"),
    "compare": (
        {"runs", "runs.parquet", "outcomes.csv", "summary.csv", "plots", "manifest.json"}
        | {"report.md"},
        "runs",
    ),
    "sweep": ({"manifest.json", "runs", "results.parquet"}, "manifest.json"),
    "hindcast": (  # abm/experiments/hindcast.py: per-run files in runs/ before the set
        {"runs", "hindcast.csv", "fit.csv", "decomposition.csv", "annual.parquet", "plots"}
        | {"manifest.json", "report.md"},
        "runs",
    ),
    "fit_hindcast": (  # scripts/fit_hindcast.py
        {"runs", "grid.csv", "fit.json", "identification.csv"},
        "runs",
    ),
    "fit_allocation": ({"runs", "grid.csv", "fit.json"}, "runs"),  # scripts/fit_allocation.py
    "sensitivity": (
        {"morris", "sobol"}
        | {f"{m}.{x}" for m in ("morris", "sobol") for x in ("csv", "png")}
        | {"morris.svg", "sobol.svg"},
        "morris",
    ),
}


def write_file(path: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically."""
    return write_file(path, lambda tmp: tmp.write_text(text))


def _legacy_kind(entries: set[str]) -> str | None:
    for command, (names, needed) in LEGACY.items():
        if needed in entries and entries <= names:
            return command
    if "validation.csv" in entries and all(
        e.startswith("validation.") or e.endswith((".png", ".svg")) for e in entries
    ):
        return "validate"
    return None


def _read_marker(folder: Path) -> dict | None:
    marker = folder / MARKER
    if not marker.is_file():
        return None
    try:
        info = json.loads(marker.read_text())
        return info if isinstance(info, dict) and "command" in info else {"command": "unknown"}
    except (OSError, ValueError):
        return {"command": "unknown"}


def _ours(name: str, allowed: set[str]) -> bool:
    return name in allowed or name == MARKER or (name.startswith(".") and name.endswith(".tmp"))


# ``abm discover`` writes its folder beside the results it reads (abm/experiments/discover.py
# default_out), so inside a compare or sweep result: such a folder is this tool's own.
DISCOVER_PREFIX, DISCOVER_FILE = "discover-", "discover.json"


def _discover_output(folder: Path, name: str) -> bool:
    return name.startswith(DISCOVER_PREFIX) and (folder / name / DISCOVER_FILE).is_file()


def result_kind(folder: Path) -> tuple[str | None, list[str]]:
    """The command whose result ``folder`` holds (None if not this tool's) and the entries
    in it this tool did not write (a marked result holds only what its marker lists, and
    the folders ``abm discover`` wrote into it)."""
    names = [e for e in os.listdir(folder) if not _discover_output(Path(folder), e)]
    info = _read_marker(folder)
    if info is None:  # written before markers existed: recognised by its file names
        kind = _legacy_kind({e for e in names if not e.startswith(".")})
        hidden = [e for e in names if not _ours(e, set())]
        if kind is None or hidden:
            return None, sorted(names)
        return kind, []
    kind = str(info["command"])
    allowed = set(info.get("entries") or ()) | LEGACY.get(kind, (set(), ""))[0]
    return kind, sorted(e for e in names if not _ours(e, allowed))


def _is_within(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def check_out(out: Path | str, command: str, force: bool = False) -> Path:
    """Check an output folder before any work; return it as an absolute path.

    Accepted: a new folder (its parent writable), an empty folder, or a folder holding an
    earlier result of ``command`` (another command's result only with ``force``). Refused
    with :class:`ScenarioError`: anything else, a file or device, the filesystem root, the
    project folder, the home folder or a folder holding the current one.
    """
    text = str(out)
    if not text.strip():
        raise ScenarioError("--out: empty path")
    path = Path(os.path.abspath(Path(text).expanduser()))
    where = f"--out {text}"
    if path == Path(path.anchor):
        raise ScenarioError(f"{where}: is the filesystem root; give a folder for the results")
    if len(path.name.encode()) > MAX_NAME_BYTES:
        raise ScenarioError(f"{where}: folder name longer than {MAX_NAME_BYTES} bytes")
    resolved = path.resolve()
    guarded = [("the project folder", PROJECT_ROOT), ("the home folder", Path.home())]
    with suppress(OSError):
        guarded.append(("the current folder", Path.cwd()))
    for name, folder in guarded:
        if _is_within(folder.resolve(), resolved):
            raise ScenarioError(f"{where}: is or holds {name}; give a folder for the results")
    if path.is_symlink():
        raise ScenarioError(f"{where}: is a symbolic link; give the folder itself")
    if path.exists() and not path.is_dir():
        what = "a file" if path.is_file() else "not a folder (a device or socket)"
        raise ScenarioError(f"{where}: is {what}; results go into a folder")
    base = path
    while not base.exists():
        base = base.parent
    if not base.is_dir():
        raise ScenarioError(f"{where}: {base} is a file, so it cannot hold a folder")
    if not os.access(base, os.W_OK | os.X_OK):
        raise ScenarioError(f"{where}: cannot write in {base} (permission denied)")
    if path.is_dir():
        try:
            entries = os.listdir(path)
        except OSError as exc:
            raise ScenarioError(f"{where}: cannot read the folder ({exc.strerror})") from None
        if entries:
            kind, foreign = result_kind(path)
            if kind is None or foreign:
                shown = ", ".join(foreign[:3]) + (" ..." if len(foreign) > 3 else "")
                raise ScenarioError(
                    f"{where}: holds files this tool did not write ({shown}); give a new or "
                    "empty folder (nothing was changed)"
                )
            if kind != command and not force:
                raise ScenarioError(
                    f"{where}: holds the results of abm {kind}; give another folder, or add "
                    "--force to replace them"
                )
    return path


_HELD: dict[Path, tuple[int, str]] = {}  # lock file -> (descriptor, command) of this process


def _lock_path(out: Path) -> Path:
    return out.with_name(f".{out.name}{LOCK_TAG}")


def _acquire(lock: Path, out: Path, command: str) -> bool:
    """Lock ``lock`` for this process; False if it already holds it. Refuse if another does."""
    if lock in _HELD:
        return False
    if fcntl is None:
        _HELD[lock] = (-1, command)
        return True
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ScenarioError(f"--out {out}: cannot write beside it ({exc.strerror})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            other = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise ScenarioError(
                f"--out {out}: another abm process (pid {other}) is writing this folder; "
                "wait for it to finish or give another folder"
            ) from None
        try:
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:  # not a lock file its previous holder had already removed
            break
        os.close(fd)
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    _HELD[lock] = (fd, command)
    return True


def _release(lock: Path) -> None:
    fd, _ = _HELD.pop(lock)
    if fd >= 0:
        lock.unlink(missing_ok=True)
        os.close(fd)


def _recover(out: Path) -> None:
    """Clean what a killed run left beside ``out`` (the caller holds the lock)."""
    for stale in out.parent.glob(f".{glob.escape(out.name)}{TMP_TAG}*"):
        shutil.rmtree(stale, ignore_errors=True)
    old = out.with_name(f".{out.name}{OLD_TAG}")
    if old.is_dir():
        if out.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:  # killed between the two renames of a swap: the old set is the whole one
            os.replace(old, out)


def _marker_text(command: str, entries: list[str]) -> str:
    """The marker: which command wrote the folder, when, and the entries it holds."""
    from abm import __version__

    info = {
        "command": command,
        "abm_version": __version__,
        "written": time.strftime("%FT%T%z"),
        "entries": sorted(e for e in entries if e != MARKER),
    }
    return json.dumps(info, indent=1) + "\n"


def _link_tree(src: Path, dst: Path) -> None:
    """Hard-link ``src`` (a file or folder tree) at ``dst``; copy where links fail."""
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
    elif src.is_dir():
        dst.mkdir()
        for child in src.iterdir():
            _link_tree(child, dst / child.name)
    else:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)


@dataclass
class Claim:
    """An output folder held by this process (see :func:`claim`)."""

    out: Path
    command: str

    def start_in_place(self) -> Path:
        """Create the folder (with its marker) for a command that keeps per-run files in it."""
        self.out.mkdir(parents=True, exist_ok=True)
        if not (self.out / MARKER).exists():
            names = sorted(LEGACY.get(self.command, (set(), ""))[0])
            write_text(self.out / MARKER, _marker_text(self.command, names))
        return self.out

    def new_tmp(self) -> Path:
        """A temporary folder beside the target (removed by the next run if left behind)."""
        tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}{TMP_TAG}", dir=self.out.parent))
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)  # a folder as mkdir makes it, not mkdtemp's private 0700
        return tmp

    def swap(self, tmp: Path, carry: bool = False) -> Path:
        """Put ``tmp`` (a complete set) in place of the folder; ``carry`` keeps the old
        folder's entries that ``tmp`` does not hold (hard links: nothing is copied)."""
        out = self.out
        if carry and out.is_dir():
            for entry in out.iterdir():
                keep = entry.name != MARKER and not entry.name.endswith(".tmp")
                if keep and not (tmp / entry.name).exists() and not (tmp / entry.name).is_symlink():
                    _link_tree(entry, tmp / entry.name)
        (tmp / MARKER).write_text(_marker_text(self.command, os.listdir(tmp)))
        if out.exists():
            check_out(out, self.command, force=True)  # still ours (under the lock)
            old = out.with_name(f".{out.name}{OLD_TAG}")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
        return out

    def publish(self, write: Callable[[Path], object], carry: bool = False) -> Path:
        """``write(tmp)`` the new set into a temporary folder, then :meth:`swap` it in."""
        tmp = self.new_tmp()
        try:
            write(tmp)
            return self.swap(tmp, carry)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def clear(self) -> None:
        """Remove the earlier result in the folder (``--force`` of a resumable command)."""
        if self.out.exists():
            check_out(self.out, self.command, force=True)
            shutil.rmtree(self.out)


@contextmanager
def claim(out: Path | str, command: str, force: bool = False) -> Iterator[Claim]:
    """Check, lock and clean the output folder ``out`` for ``command``; see module docstring.

    Call it after every other input is checked: it creates missing parent folders.
    """
    path = check_out(out, command, force)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScenarioError(f"--out {out}: cannot create {path.parent} ({exc.strerror})") from None
    lock = _lock_path(path)
    mine = _acquire(lock, path, command)
    try:
        if mine:
            _recover(path)
            check_out(path, command, force)  # again, under the lock
        yield Claim(path, _HELD[lock][1] if not mine else command)
    finally:
        if mine:
            _release(lock)


@contextmanager
def folder(out_dir: Path, command: str | None = None) -> Iterator[Path]:
    """Yield a temporary folder beside ``out_dir``; on success it replaces ``out_dir`` whole.

    ``out_dir`` must be new, empty or an earlier result of this tool (:func:`check_out`); on
    an exception the temporary folder is removed and ``out_dir`` is left as it was.
    """
    out_dir = Path(out_dir)
    held = _HELD.get(_lock_path(Path(os.path.abspath(out_dir))))
    name = command or (held[1] if held else "files")
    # Inside a claim of this process the folder was checked with the user's --force already.
    with claim(out_dir, name, force=command is None or held is not None) as c:
        tmp = c.new_tmp()
        try:
            yield tmp
            c.swap(tmp)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

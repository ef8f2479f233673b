"""Benchmark of the command line's start: ``abm --help``, ``abm run --help`` and ``import abm``.

Each is a fresh interpreter (``python -m abm --help``, ...), timed wall-clock, median of
``--repeat`` starts; also which heavy libraries each loaded (none should: the subcommands'
modules, Mesa, pandas, scipy, matplotlib load only when a command needs them). Target:
``abm --help`` under 0.5 s (2.2 s before the lazy imports, on the shared 2-core machine)::

    python benchmarks/bench_cli.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("mesa", "pandas", "scipy", "matplotlib", "SALib", "dask", "abm.model")
TARGET_S = 0.5
CASES = {
    "abm --help": ["-m", "abm", "--help"],
    "abm run --help": ["-m", "abm", "run", "--help"],
    "import abm": ["-c", "import abm"],
}
PROBE = (  # what a case loaded: run it in-process, then list the heavy modules present
    "import runpy, sys; sys.argv = {argv!r}\n"
    "try:\n    runpy.run_module('abm', run_name='__main__') if {main} else __import__('abm')\n"
    "except SystemExit:\n    pass\n"
    "print('HEAVY:' + ','.join(h for h in {heavy!r} if h in sys.modules))"
)


def wall_s(args: list[str]) -> float:
    """Seconds of one fresh interpreter running ``args``."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t0


def loaded(args: list[str]) -> str:
    """The heavy modules a case imports."""
    main = args[:2] == ["-m", "abm"]
    code = PROBE.format(argv=["abm", *args[2:]], main=main, heavy=HEAVY)
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    marks = [x for x in res.stdout.splitlines() if x.startswith("HEAVY:")]
    return marks[-1].removeprefix("HEAVY:") if marks else "? (the probe failed)"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    wall_s(["-c", "pass"])  # warm the file cache
    bare = statistics.median(wall_s(["-c", "pass"]) for _ in range(args.repeat))
    print(f"python -c pass: {bare:.3f} s (interpreter start)")
    ok = True
    for name, argv in CASES.items():
        t = statistics.median(wall_s(argv) for _ in range(args.repeat))
        heavy = loaded(argv) or "none"
        ok &= name != "abm --help" or t < TARGET_S
        print(f"{name:16} {t:.3f} s (median of {args.repeat}); heavy modules loaded: {heavy}")
    print(f"abm --help under {TARGET_S} s: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

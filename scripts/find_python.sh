#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter (Mesa 3.4+ needs 3.12; plain `pip install mesa`
# on 3.11 silently gives Mesa 3.3). Looks at $PYTHON, then python3.13/python3.12/python3 on PATH,
# then pyenv's installed versions. Exits 1 with a message when none is found.
set -euo pipefail
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }
for cand in "${PYTHON:-}" python3.12 python3.13 python3; do
  [ -n "$cand" ] || continue
  path=$(command -v "$cand" 2>/dev/null) || continue
  if ok "$path"; then echo "$path"; exit 0; fi
done
root=${PYENV_ROOT:-$HOME/.pyenv}
for v in $(ls -1 "$root/versions" 2>/dev/null | grep -E "^3\.1[2-9]" | sort -V); do
  p="$root/versions/$v/bin/python"
  if [ -x "$p" ] && ok "$p"; then echo "$p"; exit 0; fi
done
echo "error: no Python >= 3.12 found (set PYTHON=/path/to/python3.12 or install one with pyenv)" >&2
exit 1

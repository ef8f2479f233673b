#!/usr/bin/env bash
# Make sure Debian's Chromium (with chromium-driver and fonts-liberation) is installed at
# /usr/bin/chromium, for the browser tests of the Solara dashboard (Playwright cannot download its
# own browser here).
#
# Idempotent and fast when the browser is already there: it then only prints the version.
# Otherwise it runs `apt-get update` and then
# `apt-get install chromium chromium-driver fonts-liberation`, as root directly, or through sudo
# (non-interactive) when not root. Exits non-zero with a clear message when it cannot install.
#
# Environment:
#   CHROMIUM   path of the browser to check (default /usr/bin/chromium)
set -euo pipefail

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

print_version() {
  # `chromium --version` can print a warning line first; keep the last line.
  local v
  if v=$(timeout 30 "$CHROMIUM" --version 2>/dev/null | tail -n 1) && [ -n "$v" ]; then
    echo "chromium: $v ($CHROMIUM)"
  else
    echo "chromium: installed at $CHROMIUM (version not readable)"
  fi
}

if [ -x "$CHROMIUM" ]; then
  print_version
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: $CHROMIUM not found and apt-get is not available;" \
    "install Chromium yourself and set CHROMIUM=/path/to/chromium" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "error: $CHROMIUM not found; installing it needs root." >&2
  echo "       Run: sudo apt-get update && sudo apt-get install -y chromium chromium-driver fonts-liberation" >&2
  exit 1
fi

echo "install_browser: installing Debian chromium + chromium-driver with apt-get ..." >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-liberation >&2

if [ ! -x "$CHROMIUM" ]; then
  echo "error: apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi
print_version

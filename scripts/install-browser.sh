#!/usr/bin/env bash
# The browser tests drive Debian's Chromium with Playwright (Playwright cannot download browsers
# here). Install it when missing and we are root; otherwise say what is needed.
set -euo pipefail
CHROMIUM=${PFT_CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "[install] installing Chromium for the browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "[install] no Chromium at $CHROMIUM: install it (Debian: apt-get install chromium) or set PFT_CHROMIUM" >&2
  exit 1
fi

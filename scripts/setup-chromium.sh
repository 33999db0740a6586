#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium (package `chromium`) when it is missing: the test
# suite renders OUT/report.html with it (no console error, a screenshot that is not blank).
# Only scripts/test.sh calls this; scoring never needs a browser. Prints nothing when present.
# A failed install is not an error here: the rendering test then skips and says why.
set -uo pipefail

for candidate in chromium chromium-browser; do
  if command -v "$candidate" >/dev/null 2>&1; then exit 0; fi
done

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-chromium: no apt-get here; install Chromium by hand to run the report rendering test" >&2
  exit 0
fi

echo "setup-chromium: installing chromium (for the report rendering test)" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; then
  echo "setup-chromium: could not install chromium; the report rendering test will be skipped" >&2
fi
exit 0

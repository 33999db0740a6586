#!/usr/bin/env bash
# Renders a results folder's report.html with headless Chromium into a PNG, as the test suite
# does: docs/report-screenshot.png is this script on out/fixtures after scripts/run-fixtures.sh.
# Usage: scripts/report-screenshot.sh [RESULTS_DIR (out/fixtures)] [PNG (docs/report-screenshot.png)]
set -euo pipefail
cd "$(dirname "$0")/.."
results=${1:-out/fixtures}
png=${2:-docs/report-screenshot.png}
scripts/setup-chromium.sh
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then echo "report-screenshot: chromium is not installed" >&2; exit 1; fi
[ -f "$results/report.html" ] || { echo "report-screenshot: no $results/report.html (run scripts/run-fixtures.sh)" >&2; exit 1; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless=new --no-sandbox --disable-gpu --no-first-run --disable-extensions \
  --user-data-dir="$profile" --hide-scrollbars --window-size=1280,1500 \
  --screenshot="$(realpath -m "$png")" "file://$(realpath "$results/report.html")" 2>/dev/null
echo "report-screenshot: wrote $png" >&2

#!/usr/bin/env bash
# The main job on the bundled fixtures: builds ihc-score (release), scores the virtual slides into
# out/fixtures and validates the results against their truth, then does the same for the real
# crops (which carry no pixel size: 0.25 µm/px, gastric resection rules, each image one slide).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product ihc-score >&2
bin=.build/release/ihc-score

echo "== Virtual slides: fixtures/slides/virtual → out/fixtures"
"$bin" score fixtures/slides/virtual --out out/fixtures --overlays
echo
"$bin" validate fixtures/slides/virtual --results out/fixtures

echo
echo "== Real crops: fixtures/slides/real → out/fixtures-real"
"$bin" score fixtures/slides/real --layout files --mpp 0.25 --rules gastric-resection --out out/fixtures-real
echo
"$bin" validate fixtures/slides/real --results out/fixtures-real

#!/usr/bin/env bash
# The main job on the bundled fixtures: builds ihc-score (release) and runs it over fixtures/slides.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product ihc-score >&2
.build/release/ihc-score info fixtures/slides

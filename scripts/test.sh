#!/usr/bin/env bash
# Runs the whole test suite (unit, round-trip, bad-input, mutation and end-to-end tests).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/setup-chromium.sh   # for the report.html rendering test (skipped, saying why, without it)
scripts/setup-snakemake.sh  # for the workflow/Snakefile test: .build/snakemake-venv (skipped, saying why, without it)
swift build --build-tests
swift test --skip-build

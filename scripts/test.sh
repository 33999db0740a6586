#!/usr/bin/env bash
# Runs the whole test suite (unit, round-trip, bad-input, mutation and end-to-end tests).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
swift test --skip-build

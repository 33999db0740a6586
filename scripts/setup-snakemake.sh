#!/usr/bin/env bash
# Makes the Python virtual environment that runs the Snakemake workflow (workflow/Snakefile) in the
# test suite: .build/snakemake-venv with snakemake from PyPI. Prints nothing when it is already
# there. Only scripts/test.sh calls this; scoring never needs Python.
# A failure is not an error here: the workflow test then skips and says why.
# Override the place with SNAKEMAKE_VENV=DIR (the Swift test reads the same variable).
set -uo pipefail
cd "$(dirname "$0")/.."
venv="${SNAKEMAKE_VENV:-.build/snakemake-venv}"

if [ -x "$venv/bin/snakemake" ] && "$venv/bin/snakemake" --version >/dev/null 2>&1; then exit 0; fi

python=""
for candidate in python3 python; do
  if command -v "$candidate" >/dev/null 2>&1; then python="$candidate"; break; fi
done
if [ -z "$python" ]; then
  echo "setup-snakemake: no python3 here; the Snakemake workflow test will be skipped" >&2
  exit 0
fi

if ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  # Debian's python3 splits venv/ensurepip into python3-venv.
  if command -v apt-get >/dev/null 2>&1; then
    echo "setup-snakemake: installing python3-venv" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    { $sudo apt-get update -qq && $sudo apt-get install -y -qq python3-venv >/dev/null; } \
      || echo "setup-snakemake: could not install python3-venv" >&2
  fi
fi

echo "setup-snakemake: creating $venv with snakemake from PyPI" >&2
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
if ! "$python" -m venv "$venv"; then
  echo "setup-snakemake: could not create $venv; the Snakemake workflow test will be skipped" >&2
  rm -rf "$venv"; exit 0
fi
if ! "$venv/bin/python" -m pip install -q snakemake; then
  echo "setup-snakemake: could not install snakemake (no network?); the Snakemake workflow test will be skipped" >&2
  rm -rf "$venv"; exit 0
fi
"$venv/bin/snakemake" --version >/dev/null 2>&1 \
  || { echo "setup-snakemake: snakemake does not run from $venv; the test will be skipped" >&2; rm -rf "$venv"; }
exit 0

#!/usr/bin/env bash
# Installs the system libraries ihc-score builds against, when they are missing.
# Debian/Ubuntu: libpng-dev, libtiff-dev, libturbojpeg0-dev, libisal-dev (ISA-L: the PNG fast
# path's inflate), libssl-dev (libcrypto: SHA-256) and pkg-config, via apt-get.
set -euo pipefail

need=()
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
for pair in libpng:libpng-dev libtiff-4:libtiff-dev libturbojpeg:libturbojpeg0-dev libisal:libisal-dev libcrypto:libssl-dev; do
  pc=${pair%%:*}; pkg=${pair##*:}
  if ! pkg-config --exists "$pc" 2>/dev/null; then need+=("$pkg"); fi
done

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: the Swift toolchain (swift) is not on PATH; install Swift 6.x first" >&2
  exit 1
fi

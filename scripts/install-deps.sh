#!/usr/bin/env bash
# Installs the Debian packages Mosaic needs when they are missing: the SQLite library and
# headers (GRDB links the system SQLite), GLPK (the suppression and audit LPs) and the sqlite3 tool (benchmarks, README examples).
# Usage: scripts/install-deps.sh [extra-package ...]   (make test adds chromium, its driver and python3-selenium, for the report rendering and form tests)
set -euo pipefail
packages=(libsqlite3-dev sqlite3 libglpk-dev "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing missing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# Sampler throughput of Mosaic against OpenDP (PyPI `opendp`), same machine, same run.
# Usage: Analysis/sampler-benchmark.sh            (installs opendp with pip if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c "import opendp" 2>/dev/null || pip install --quiet opendp
swift build -c release --product sampler-bench >/dev/null
mosaic=$(.build/release/sampler-bench 2000000)
opendp=$(python3 Analysis/opendp_samplers.py 200000)
echo "Draws per second, one core (variance of the draws as a sanity check):"
printf "%-10s %6s %14s %14s %8s %12s %12s\n" sampler param mosaic opendp ratio "var mosaic" "var opendp"
join <(echo "$mosaic" | awk '{print $1"-"$2, $3, $4}' | sort) <(echo "$opendp" | awk '{print $1"-"$2, $3, $4}' | sort) |
  awk '{split($1, k, "-"); printf "%-10s %6s %14.0f %14.0f %7.1fx %12s %12s\n", k[1], k[2], $2, $4, $2 / $4, $3, $5}'

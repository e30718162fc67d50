#!/usr/bin/env bash
# The privacy engine's evaluation, reproducible with one command:
#   1. utility: mean absolute error per level against rho, consistent release vs. each level alone,
#      and candidate budget splits (how the default weights were chosen);
#   2. calibration: share of true values inside the stated 95 % interval over 200 releases;
#   3. sampler throughput against OpenDP (PyPI opendp), same machine, same run.
# Usage: Analysis/privacy-evaluation.sh [RELEASES_FOR_UTILITY] [RELEASES_FOR_CALIBRATION]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product privacy-eval >/dev/null
echo "== 1. Utility"
.build/release/privacy-eval utility "${1:-100}"
echo
echo "== 1b. Budget splits (how the default weights were chosen)"
.build/release/privacy-eval weights "${1:-100}"
echo
echo "== 1c. Top-down against bottom-up (DESIGN.md's warning)"
.build/release/privacy-eval bottomup "${1:-100}"
echo
echo "== 2. Calibration"
.build/release/privacy-eval calibration "${2:-200}"
echo
echo "== 2b. Alternative not adopted: margins calibrated by bootstrap on the release (20 releases)"
.build/release/privacy-eval bootstrap 20 20
echo
echo "== 2c. Margins of sums (mosaic query): least-squares model, scaled, and bootstrap replicates (200 releases)"
.build/release/privacy-eval sums 400 100
echo
echo "== 3. Samplers"
Analysis/sampler-benchmark.sh

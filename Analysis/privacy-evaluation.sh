#!/usr/bin/env bash
# The privacy engine's evaluation, reproducible with one command:
#   1. utility: mean absolute error per level against rho, consistent release vs. each level alone,
#      candidate budget splits (how the default weights were chosen), and the split chosen by
#      optimisation (release create --weights optimised) against them;
#   2. calibration: share of true values inside the stated 95 % interval over 200 releases, by
#      level and true value, with the least an honest interval can reach; margins of sums;
#      (about 12 minutes on two cores, most of it the bootstrap runs of 2b and 2c)
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
echo "== 1c. Weights by optimisation (PlanOptimizer) against the standard grid-chosen weights, at rho = 0.5, 1, 2"
.build/release/privacy-eval plan "${1:-100}"
echo
echo "== 1d. A pooled release of four quarters against four quarterly releases summed"
.build/release/privacy-eval pooled "${1:-100}"
echo
echo "== 1e. Top-down against bottom-up (DESIGN.md's warning)"
.build/release/privacy-eval bottomup "${1:-100}"
echo
echo "== 1f. Breakdowns by stage and sector: the geography's error with and without them, the parts' error and calibration"
.build/release/privacy-eval domains "${2:-200}"
echo
echo "== 2. Calibration of the stated margins, by level and by true value"
.build/release/privacy-eval calibration "${2:-200}"
echo
echo "== 2b. What 94-96 % per level would take: margins of published zeros calibrated per table and level"
.build/release/privacy-eval zeros "${2:-200}" 40
echo
echo "== 2c. Margins of sums (mosaic query): bootstrap replicates and the least-squares model"
.build/release/privacy-eval sums "${2:-200}" 100
echo
echo "== 3. Samplers"
Analysis/sampler-benchmark.sh

#!/usr/bin/env bash
# Query speed: 8 quarterly releases of a 10,000-school synthetic country, one `mosaic query`
# summing a table by period and region with filters, timed over 5 runs (the whole command:
# opening the files, loading them, building each release's error model, answering).
# Usage: Analysis/query-benchmark.sh [SCHOOLS]
set -euo pipefail
cd "$(dirname "$0")/.."
schools=${1:-10000}
swift build -c release --product mosaic >/dev/null
mosaic=.build/release/mosaic
work=$(mktemp -d /tmp/mosaic-query-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
$mosaic synth --schools "$schools" --quarters 8 --out "$work/data" >/dev/null
$mosaic init --store "$work/s.sqlite" >/dev/null
$mosaic registry import --store "$work/s.sqlite" "$work/data/registry.csv" >/dev/null
$mosaic ingest --unsealed --store "$work/s.sqlite" "$work/data/counts" >/dev/null
files=()
for dir in "$work"/data/counts/*/; do
  p=$(basename "$dir")
  $mosaic release create --store "$work/s.sqlite" --period "$p" --out "$work/$p.sqlite" >/dev/null
  files+=("$work/$p.sqlite")
done
query=(query "${files[@]}" --table incidents --by period,region --where gender=female,victim_group=pupil_12_13\|pupil_14_15 --format csv)
$mosaic "${query[@]}" > "$work/answer.csv"
best=999
for i in 1 2 3 4 5; do
  t0=$(date +%s.%N); $mosaic "${query[@]}" > /dev/null; t1=$(date +%s.%N)
  best=$(awk -v a="$best" -v b="$(awk -v x="$t0" -v y="$t1" 'BEGIN{print y-x}')" 'BEGIN{print (b<a)?b:a}')
done
rows=$(($(wc -l < "$work/answer.csv") - 1))
echo "mosaic query over ${#files[@]} releases ($schools schools): $rows answer rows in $(awk -v b="$best" 'BEGIN{printf "%.3f", b}') s (best of 5, whole command)"

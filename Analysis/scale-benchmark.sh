#!/usr/bin/env bash
# The whole path at national scale: N synthetic schools x 4 quarters — synth, registry import,
# ingest, one release per quarter, one pooled release of the four quarters, and the country
# report — with each step's wall time, throughput and peak memory (GNU time's maximum resident
# set size), and the store's size. Steps should take time linear in N: run it at two sizes
# (e.g. 100000 and 1000000) and compare the per-school figures it prints.
#
# Usage: Analysis/scale-benchmark.sh [SCHOOLS] [WORK_FOLDER]   (default 1000000 schools; needs
#        `make release` first, GNU time at /usr/bin/time, and disk for the files: about 5 KB
#        per school-quarter of counts files plus the store: 18 GB at a million schools)
#
# LAYOUT=archive (the default) writes each quarter's counts files into one tar archive, which
# `mosaic ingest` reads member by member with the same checks; LAYOUT=files writes one file per
# school and quarter (3.8 million files at a million schools: creating them costs the file
# system about 48 µs each on this machine's disk, and their write-back then competes with ingest).
set -euo pipefail
cd "$(dirname "$0")/.."
schools=${1:-1000000}
mosaic=$(pwd)/.build/release/mosaic
[ -x "$mosaic" ] || { echo "build first: make release" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time is missing (apt-get install time)" >&2; exit 1; }
work=${2:-$(mktemp -d /tmp/mosaic-scale.XXXXXX)}
mkdir -p "$work"
[ -z "$(ls -A "$work")" ] || { echo "$work is not empty" >&2; exit 1; }
[ -n "${2:-}" ] || trap 'rm -rf "$work"' EXIT
store="$work/store.sqlite"
results="$work/results.txt"
: > "$results"

# step NAME UNITS UNIT_NAME -- command...: runs it, records seconds, peak RSS and throughput.
step() {
  local name=$1 units=$2 unit=$3
  shift 4
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > "$work/$name.log" 2>&1 || { cat "$work/$name.log" >&2; exit 1; }
  read -r secs kb < "$work/time.txt"
  echo "$secs $kb" >> "$work/raw.txt"
  printf "%-28s %10.1f %10.0f %14s %9.1f\n" "$name" "$secs" "$(awk -v u="$units" -v s="$secs" 'BEGIN { print (s > 0 ? u / s : 0) }')" "$unit/s" \
    "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" | tee -a "$results"
}

echo "Scale benchmark: $schools schools x 4 quarters in $work ($(nproc) cores)"
printf "%-28s %10s %10s %14s %9s\n" "step" "seconds" "rate" "" "peak MB" | tee -a "$results"
layout=${LAYOUT:-archive}
archive_flag=()
[ "$layout" = archive ] && archive_flag=(--archive)
echo "Layout: $layout"
# The files' write-back is part of writing them: sync inside the timed step.
step synth "$schools" schools -- bash -c '"$0" synth --schools "$1" --quarters 4 --last 2026-Q3 --out "$2" "${@:3}" && sync' \
  "$mosaic" "$schools" "$work/data" "${archive_flag[@]}"
files=$(sed -n 's/.* and \([0-9]*\) counts files.*/\1/p' "$work/synth.log")
# Sizes from the directory entries (reading 6 GB of files to count lines took as long as ingest).
mb=$(find "$work/data/counts" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f", s / 1048576 }')
step init 1 stores -- "$mosaic" init --store "$store"
step registry-import "$schools" schools -- "$mosaic" registry import --store "$store" "$work/data/registry.csv"
step ingest "$files" files -- "$mosaic" ingest --unsealed --store "$store" "$work/data/counts"
awk -v m="$mb" -v s="$(tail -1 "$work/raw.txt" | awk '{print $1}')" 'BEGIN { printf "%-28s %10s %10.1f %14s\n", "  (ingest bytes)", "", m / s, "MB/s" }' | tee -a "$results"
for q in 2025-Q4 2026-Q1 2026-Q2 2026-Q3; do
  step "release $q" "$schools" schools -- "$mosaic" release create --store "$store" --period "$q" --out "$work/r-$q.sqlite"
done
step "release pooled" "$schools" schools -- "$mosaic" release create --store "$store" --periods 2025-Q4..2026-Q3 --out "$work/r-pooled.sqlite"
step report 1 reports -- "$mosaic" report --release "$work/r-2025-Q4.sqlite" --release "$work/r-2026-Q1.sqlite" --release "$work/r-2026-Q2.sqlite" \
  --release "$work/r-2026-Q3.sqlite" --release "$work/r-pooled.sqlite" --format html,md,csv --out "$work/reports"
total=$(awk '{ s += $1 } END { print s }' "$work/raw.txt")
peak=$(awk '{ if ($2 / 1024 > p) p = $2 / 1024 } END { printf "%.0f", p }' "$work/raw.txt")
echo
echo "Files: $files counts files, $mb MB. Store: $(du -m "$store" | cut -f1) MB. Whole run: ${total} s; highest peak memory: ${peak} MB."
awk -v s="$schools" -v t="$total" 'BEGIN { printf "Per 1,000 schools: %.2f s for the whole run.\n", 1000 * t / s }'

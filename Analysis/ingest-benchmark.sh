#!/usr/bin/env bash
# Ingest throughput: 10,000 synthetic schools x 4 quarters of counts files, ingested by
# `mosaic ingest` (parse, validate against codebook and registry, store), against the sqlite3
# command-line tool importing the same rows as one plain CSV (no validation) in the same run.
#
# Usage: Analysis/ingest-benchmark.sh [SCHOOLS] [QUARTERS]     (make bench builds first)
set -euo pipefail
cd "$(dirname "$0")/.."
schools=${1:-10000}
quarters=${2:-4}
mosaic=.build/release/mosaic
[ -x "$mosaic" ] || { echo "build first: make release" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is missing: scripts/install-deps.sh" >&2; exit 1; }
work=$(mktemp -d /tmp/mosaic-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }

echo "Generating $schools schools x $quarters quarters of synthetic counts files..."
$mosaic synth --schools "$schools" --quarters "$quarters" --out "$work/data" >/dev/null
files=$(find "$work/data/counts" -name '*.csv' | wc -l)
$mosaic init --store "$work/bench.sqlite" >/dev/null
$mosaic registry import --store "$work/bench.sqlite" "$work/data/registry.csv" >/dev/null

# Drop the page cache's advantage for neither side: read every file once first.
find "$work/data/counts" -name "*.csv" -exec cat {} + > /dev/null

t0=$(now)
$mosaic ingest --unsealed --store "$work/bench.sqlite" "$work/data/counts" > "$work/ingest.log"
t1=$(now)
find "$work/data/counts" -name '*.csv' -print0 | sort -z | xargs -0 awk 'FNR > 2' > "$work/rows.csv"
rows=$(wc -l < "$work/rows.csv")

# The same rows as one plain CSV, imported by sqlite3 into a table with the same columns.
{ echo "school_id,period,table_name,cell,count"; cat "$work/rows.csv"; } > "$work/plain.csv"
t2=$(now)
sqlite3 "$work/plain.sqlite" > /dev/null <<SQL
PRAGMA journal_mode=WAL;
CREATE TABLE counts (school_id TEXT NOT NULL, period TEXT NOT NULL, table_name TEXT NOT NULL, cell TEXT NOT NULL, count INTEGER NOT NULL);
.mode csv
.import --skip 1 $work/plain.csv counts
SQL
t3=$(now)
imported=$(sqlite3 "$work/plain.sqlite" "SELECT count(*) FROM counts")

awk -v files="$files" -v rows="$rows" -v imported="$imported" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" 'BEGIN {
  ti = t1 - t0; ts = t3 - t2
  printf "\n%-44s %10s %12s %14s\n", "", "seconds", "files/s", "rows/s"
  printf "%-44s %10.2f %12.0f %14.0f\n", "mosaic ingest (" files " files, " rows " rows)", ti, files / ti, rows / ti
  printf "%-44s %10.2f %12s %14.0f\n", "sqlite3 .import of one plain CSV (" imported " rows)", ts, "-", imported / ts
  printf "\nmosaic ingest takes %.2f times as long as sqlite3 .import of the same rows\n", ti / ts
  printf "(mosaic parses and validates every file against the codebook and registry and stores only non-zero cells;\n sqlite3 parses one file and stores every row unchecked)\n"
}'
tail -1 "$work/ingest.log"

#!/usr/bin/env bash
# Sealed ingest: packages decrypted, verified and ingested per second (10,000 schools, one
# quarter), against plain CSV ingest (--unsealed) of the same counts, in the same run.
# Usage: Analysis/seal-benchmark.sh [SCHOOLS]
set -euo pipefail
cd "$(dirname "$0")/.."
schools=${1:-10620}   # about 94 % report: 10,000 packages
swift build -c release --product mosaic --product seal-bench >/dev/null 2>&1 || { swift build -c release --product mosaic >/dev/null; swift build -c release --product seal-bench >/dev/null; }
mosaic=.build/release/mosaic
work=$(mktemp -d /tmp/mosaic-seal-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }

$mosaic synth --schools "$schools" --quarters 1 --out "$work/data" >/dev/null
for s in sealed plain; do
  $mosaic init --store "$work/$s.sqlite" >/dev/null
  $mosaic registry import --store "$work/$s.sqlite" "$work/data/registry.csv" >/dev/null
done
$mosaic keys init --store "$work/sealed.sqlite" --key "$work/authority.key" >/dev/null
.build/release/seal-bench "$work/sealed.sqlite" "$work/authority.key" "$work/data/counts" "$work/packages"
n=$(find "$work/packages" -name '*.mpkg' | wc -l)
find "$work/packages" "$work/data/counts" -type f -exec cat {} + > /dev/null

t0=$(now)
$mosaic ingest --store "$work/sealed.sqlite" --key "$work/authority.key" "$work/packages" > "$work/sealed.log"
t1=$(now)
$mosaic ingest --unsealed --store "$work/plain.sqlite" "$work/data/counts" > "$work/plain.log"
t2=$(now)
awk -v n="$n" -v t0="$t0" -v t1="$t1" -v t2="$t2" 'BEGIN {
  ts = t1 - t0; tp = t2 - t1
  printf "\n%-48s %8s %12s\n", "", "seconds", "files/s"
  printf "%-48s %8.2f %12.0f\n", "mosaic ingest, " n " sealed packages", ts, n / ts
  printf "%-48s %8.2f %12.0f\n", "mosaic ingest --unsealed, the same " n " CSV files", tp, n / tp
  printf "\nsealed ingest takes %.2f times as long as plain ingest\n", ts / tp
}'
tail -1 "$work/sealed.log"

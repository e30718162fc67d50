#!/usr/bin/env bash
# Reading and tables stay linear in a release's units: a real release of 200 provinces (5 schools
# each, 10 regions, so that small areas connect through their regions) is made with the built
# binary, then scaled up by Analysis/scale-release.py to 1,000, 5,000 and 20,000 provinces; each
# size is read by the commands a reader runs (the checker inside each), timed with its peak
# memory. The last column is the time per province relative to the smallest size: about 1 means
# linear growth (a quadratic step would show 20 at 20,000).
#
# Usage: Analysis/reading-scale.sh [WORK_FOLDER]   (needs `make release` first and GNU time; about
#        10 minutes and 3 GB of memory at 20,000 provinces on a 2-core machine)
set -euo pipefail
cd "$(dirname "$0")/.."
mosaic=$(pwd)/.build/release/mosaic
[ -x "$mosaic" ] || { echo "build first: make release" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time is missing (apt-get install time)" >&2; exit 1; }
work=${1:-$(mktemp -d /tmp/mosaic-reading.XXXXXX)}
mkdir -p "$work"
[ -n "${1:-}" ] || trap 'rm -rf "$work"' EXIT
here=$(pwd)

echo "Making a release of 200 provinces x 5 schools (10 regions) in $work ..."
"$mosaic" synth --out "$work/data" --schools 1200 --quarters 1 --last 2026-Q3 > /dev/null
python3 - "$work/data" 200 <<'PY'
import csv, glob, os, sys
folder, provinces = sys.argv[1], int(sys.argv[2])
rows = list(csv.DictReader(open(f"{folder}/registry.csv", encoding="utf-8")))[: provinces * 5]
with open(f"{folder}/registry.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
    w.writeheader()
    for i, r in enumerate(rows):
        p = i // 5
        r.update(region_code=f"XX-R{p % 10:02d}", region_name=f"Region {p % 10}",
                 province_code=f"XX-P{p:05d}", province_name=f"Province {p}")
        w.writerow(r)
keep = {r["school_id"] for r in rows}
for path in glob.glob(f"{folder}/counts/*/*.csv"):
    if os.path.basename(path)[:-4] not in keep:
        os.remove(path)
PY
"$mosaic" init --store "$work/store.sqlite" > /dev/null
"$mosaic" registry import --store "$work/store.sqlite" "$work/data/registry.csv" > /dev/null
"$mosaic" ingest --unsealed --store "$work/store.sqlite" "$work/data/counts" > /dev/null
"$mosaic" release create --store "$work/store.sqlite" --period 2026-Q3 --out "$work/r200.sqlite" > /dev/null

printf "%-44s %9s %9s %9s %14s\n" "command" "provinces" "seconds" "peak MB" "per province ×"
declare -A base
for factor in 5 25 100; do
  n=$((200 * factor))
  python3 "$here/Analysis/scale-release.py" "$work/r200.sqlite" "$factor" "$work/r$n.sqlite" > /dev/null
  while IFS='|' read -r name args; do
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$mosaic" $args > "$work/out.txt" 2>&1 || { cat "$work/out.txt" >&2; exit 1; }
    read -r secs kb < "$work/time.txt"
    per=$(awk -v s="$secs" -v n="$n" 'BEGIN { printf "%.6f", s / n }')
    [ -n "${base[$name]:-}" ] || base[$name]=$per
    printf "%-44s %9d %9.1f %9.0f %14.2f\n" "$name" "$n" "$secs" "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" \
      "$(awk -v p="$per" -v b="${base[$name]}" 'BEGIN { print (b > 0 ? p / b : 0) }')"
  done <<LIST
query --table total --by region|query $work/r$n.sqlite --table total --by region
query --table incidents --level province|query $work/r$n.sqlite --table incidents --level province
query --table incidents --by province|query $work/r$n.sqlite --table incidents --by province
report (country)|report --release $work/r$n.sqlite --out $work/rep-$n
report --region XX-R01|report --release $work/r$n.sqlite --region XX-R01 --out $work/repr-$n
LIST
done

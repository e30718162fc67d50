#!/usr/bin/env bash
# Checks that two builds of mosaic write the same release files, reports and query answers from
# the same store (same stored noise): for refactors that must not change behaviour.
# Usage: Analysis/same-output.sh OLD_MOSAIC NEW_MOSAIC DEMO_OUTPUT_FOLDER   (a folder made by `mosaic demo`)
set -euo pipefail
old=$1 new=$2 demo=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
releases=("$demo"/releases/*.sqlite)
latest=$(basename "${releases[-1]}" .sqlite)
for side in old new; do
  bin=${!side}
  mkdir "$work/$side"
  "$bin" release export "$latest-R1" --store "$demo/mosaic.sqlite" --out "$work/$side/r.sqlite" --csv "$work/$side/csv" >/dev/null
  "$bin" report --release "${releases[@]}" --out "$work/$side/rep" --format html,md,csv,json >/dev/null
  "$bin" report --release "${releases[@]}" --region ES-EX --lang es --out "$work/$side/rep" >/dev/null
  "$bin" query "${releases[-1]}" --table incidents --by region --format csv >"$work/$side/query.csv"
  sqlite3 "$work/$side/r.sqlite" .dump >"$work/$side/release.sql"
  rm "$work/$side/r.sqlite"
done
if diff -r "$work/old" "$work/new" >"$work/diff.txt"; then
  echo "same: release file, CSV, reports (4 formats, 2 languages) and a query"
else
  cat "$work/diff.txt" | head -40
  exit 1
fi

#!/usr/bin/env bash
# Complementary suppression and the interval audit, measured on synthetic countries (the demo's
# size, 4,000 schools, and ten times it), several ρ and small-area thresholds, both search
# strategies: values withheld per rule and level, share of cells and of persons hidden, extra
# values by table, time per release, and how many withheld values a reader could narrow with
# primary suppression only, and the effect of weighting totals (headline figures) more. Seeded:
# the figures repeat.
# Usage: Analysis/suppression-evaluation.sh [RELEASES_PER_ROW]   (default 3; about 2 minutes)
#        Analysis/suppression-evaluation.sh totals [RELEASES]      how often each level's totals are
#        published, with and without the authority's priorities, on the 300-school synthetic
#        authority (RELEASES, default 200) and the demo country (a tenth as many); about 8 minutes.
#        Options after RELEASES: --breakdowns stage,sector|none, --priorities P,R,C (province, region,
#        country weights of a total; default 10,100,1000), --authority-only
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh >/dev/null
swift build -c release --product suppression-eval >/dev/null
[ $# -gt 0 ] || set -- 3
.build/release/suppression-eval "$@"

#!/usr/bin/env bash
# Sealing one school's counts in the browser form (Web Crypto: Ed25519, HPKE with AES-128-GCM)
# against `mosaic seal` (swift-crypto: Ed25519, HPKE with ChaCha20-Poly1305), same counts, same
# machine, same run. The browser figure is the page's own sealing (canonical content, signature,
# HPKE, padding to 16,450 bytes), timed with performance.now() over repeated seals in headless
# Chromium; the CLI figure is a whole `mosaic seal` run (process start, reading the credential
# and counts files, checking them, sealing, writing the package), and its in-process part.
# Usage: Analysis/form-seal-benchmark.sh [RUNS]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
swift build -c release --product mosaic >/dev/null
swift build -c release --product seal-bench >/dev/null
mosaic=$PWD/.build/release/mosaic
bench=$PWD/.build/release/seal-bench
work=$(mktemp -d /tmp/mosaic-form-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
printf 'school_id,school_name,region_code,region_name,province_code,province_name,municipality_code,municipality_name,enrolment,stage,sector\nB1,Bench school,R1,Region,P1,Province,,,400,secondary,public\n' > registry.csv
$mosaic init --store s.sqlite >/dev/null
$mosaic keys init --store s.sqlite --key a.key >/dev/null
$mosaic registry import --store s.sqlite registry.csv >/dev/null
$mosaic form --store s.sqlite --school B1 --out form.html >/dev/null
$mosaic registry credentials --store s.sqlite --school B1 --out b1.cred --keep-old >/dev/null
$mosaic template --school B1 --period 2026-Q2 --nothing-to-report --out counts.csv >/dev/null
sed -i 's/^B1,2026-Q2,incidents,shared.pupil_14_15.female,0,/B1,2026-Q2,incidents,shared.pupil_14_15.female,2,/; s/^B1,2026-Q2,channels,whatsapp,0,/B1,2026-Q2,channels,whatsapp,2,/; s/^B1,2026-Q2,tools,nudify,0,/B1,2026-Q2,tools,nudify,2,/; s/^B1,2026-Q2,perpetrators,pupil_same_school,0,/B1,2026-Q2,perpetrators,pupil_same_school,2,/' counts.csv
$mosaic validate counts.csv >/dev/null

# mosaic seal: whole runs
cli=()
for i in $(seq "$runs"); do
  t0=$(date +%s%N); $mosaic seal counts.csv --credentials b1.cred --out "p$i.mpkg" >/dev/null; t1=$(date +%s%N)
  cli+=($(( (t1 - t0) / 1000 )))
done
cli_median=$(printf '%s\n' "${cli[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)] / 1000}')
# swift-crypto in process: SealedPackage.seal per call (check, canonical content, sign, HPKE), per suite
inproc=$("$bench" --time counts.csv b1.cred "$runs")
swift_chacha=$(echo "$inproc" | awk '$1 == "chachaPoly" {print $2}')
swift_aes=$(echo "$inproc" | awk '$1 == "aesGCM" {print $2}')

# The browser: the form's sealing, in the page
/usr/bin/python3 - "$work/form.html" "$work/counts.csv" "$runs" "$cli_median" "$swift_chacha" "$swift_aes" <<'PY'
import sys, time
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
form, counts, runs, cli = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
swift_chacha, swift_aes = float(sys.argv[5]), float(sys.argv[6])
# The canonical content: the counts file without labels (what the form writes).
rows = [l.split(",")[:5] for l in open(counts).read().splitlines()[2:]]
content = "# mosaic-counts codebook=1\nschool_id,period,table,cell,count\n" + "".join(",".join(r) + "\n" for r in rows)
o = Options()
for a in ["--headless=new", "--no-sandbox", "--disable-gpu"]: o.add_argument(a)
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
d.get("file://" + form)
time.sleep(0.5)
times = d.execute_async_script("""
const done = arguments[arguments.length - 1];
(async () => {
  const hex = arguments[0], runs = arguments[1], out = [];
  await MosaicFormCrypto.sealNow(hex);  // warm-up
  for (let i = 0; i < runs; i++) { const t0 = performance.now(); const p = await MosaicFormCrypto.sealNow(hex); out.push(performance.now() - t0); if (p.length !== 2 * 16450) throw new Error("size"); }
  return out;
})().then(done, (e) => done(String(e)));
""", content.encode().hex(), runs)
d.quit()
if isinstance(times, str): raise SystemExit(times)
times.sort()
med = times[len(times) // 2]
print(f"{'':44s} {'median ms':>10s}")
print(f"{'browser form, seal one school (Chromium)':44s} {med:10.2f}")
print(f"{'Swift in process, suite 2 (AES-128-GCM)':44s} {swift_aes:10.2f}")
print(f"{'Swift in process, suite 1 (ChaCha20-Poly1305)':44s} {swift_chacha:10.2f}")
print(f"{'mosaic seal, one whole run (CLI)':44s} {cli:10.2f}")
print(f"\nbrowser sealing takes {med / swift_aes:.1f} times as long as Swift's in-process sealing (same suite), "
      f"and {med / cli:.2f} times as long as a whole 'mosaic seal' run ({runs} runs each)")
PY

#!/usr/bin/python3
"""Trend reports as a reader sees them, in headless Chromium (run by `make test`).

Makes a small synthetic country (synth, ingest, two quarterly releases), writes the country
report in English and a regional one in Spanish, and checks at 390 px and 1280 px:
- no element is wider than the viewport, except inside a box that scrolls on its own;
- every chart's text renders at 11 px or more (SVG text scaled by its viewBox);
- every bar chart row is drawn (a bar, a hatched range, or a value text saying why);
- the region panels share one scale;
and prints the Spanish report to PDF: more than one page, no blank page, every page's footer
numbered, and every number of every data table present in the PDF's text (pdftotext).
Usage: Tests/reports/report_test.py [path to mosaic]   (default .build/debug/mosaic)
"""
import os, subprocess, sys, tempfile, time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MOSAIC = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/mosaic"))
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def run(*args):
    r = subprocess.run([MOSAIC, *args], capture_output=True, text=True)
    if r.returncode != 0:
        print(r.stdout, r.stderr)
        raise SystemExit(f"mosaic {' '.join(args)}: exit {r.returncode}")
    return r


MEASURE = """
const vw = document.documentElement.clientWidth;
function scrollsOnItsOwn(e) {
  for (let p = e.parentElement; p; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX;
    if ((o === 'auto' || o === 'scroll') && p !== document.documentElement && p !== document.body) return true;
  }
  return false;
}
const wide = [...document.querySelectorAll('body *')].filter(e => {
  const r = e.getBoundingClientRect();
  return r.width > 0 && r.right > vw + 1 && !scrollsOnItsOwn(e);
}).map(e => e.tagName + '.' + e.className.baseVal + e.className);
let smallest = 1e9, where = '';
for (const t of document.querySelectorAll('svg text')) {
  const svg = t.ownerSVGElement, vb = svg.viewBox.baseVal;
  if (!vb || !vb.width || getComputedStyle(t).display === 'none') continue;
  const px = parseFloat(getComputedStyle(t).fontSize) * svg.getBoundingClientRect().width / vb.width;
  if (px < smallest) { smallest = px; where = 'svg text: ' + t.textContent; }
}
for (const e of document.querySelectorAll('.bar-label, .bar-value, .tick')) {
  const px = parseFloat(getComputedStyle(e).fontSize);
  if (px < smallest) { smallest = px; where = e.className + ': ' + e.textContent; }
}
const rows = [...document.querySelectorAll('.bars .bar-row:not(.axis)')];
const undrawn = rows.filter(r => !r.querySelector('.bar.solid, .bar.hatch') && !r.querySelector('.bar-value').textContent.trim()).length;
const panels = [...document.querySelectorAll('svg.multiple')].map(s => [...s.querySelectorAll('text[text-anchor=end]')].map(t => t.textContent).join('|'));
return {scrollWidth: document.documentElement.scrollWidth, vw, wide: wide.slice(0, 5), smallest, where, rows: rows.length, undrawn, panels};
"""


def main():
    work = tempfile.mkdtemp(prefix="mosaic-report-test-")
    store = os.path.join(work, "s.sqlite")
    run("synth", "--schools", "400", "--quarters", "2", "--last", "2026-Q2", "--out", os.path.join(work, "data"))
    run("init", "--store", store)
    run("registry", "import", "--store", store, os.path.join(work, "data", "registry.csv"))
    run("ingest", "--store", store, "--unsealed", os.path.join(work, "data", "counts"))
    releases = []
    for q in ["2026-Q1", "2026-Q2"]:
        out = os.path.join(work, q + ".sqlite")
        run("release", "create", "--store", store, "--period", q, "--out", out, "--replicates", "0")
        releases += ["--release", out]
    reports = os.path.join(work, "reports")
    run("report", *releases, "--out", reports, "--format", "html")
    region = subprocess.run(["sqlite3", releases[1], "SELECT geo_code FROM units WHERE level = 'region' ORDER BY geo_code LIMIT 1"],
                            capture_output=True, text=True).stdout.strip()
    run("report", *releases, "--region", region, "--lang", "es", "--out", os.path.join(reports, "es"), "--format", "html,pdf")
    pages = [os.path.join(dp, f) for dp, _, fs in os.walk(reports) for f in fs if f.endswith(".html")]
    check(len(pages) == 2, f"two reports written ({len(pages)})")
    o = Options()
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]:
        o.add_argument(a)
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    try:
        for page in pages:
            name = os.path.basename(page)
            for width in [390, 1280]:
                d.set_window_size(width, 900)
                d.get("file://" + page)
                time.sleep(0.3)
                m = d.execute_script(MEASURE)
                # Sub-pixel layouts round: an element may end within 1 px past the edge, which is
                # what the element test allows too (a scroll of 1 px is not a wider page).
                check(m["scrollWidth"] <= m["vw"] + 1 and not m["wide"],
                      f"{name} at {width} px: nothing wider than the viewport {m['wide']} (scroll width {m['scrollWidth']}, viewport {m['vw']})")
                check(m["smallest"] >= 11 - 0.05, f"{name} at {width} px: chart text at least 11 px (smallest {m['smallest']:.1f}: {m['where'][:60]})")
                check(m["rows"] > 10 and m["undrawn"] == 0, f"{name} at {width} px: every bar row drawn ({m['rows']} rows)")
                if m["panels"]:
                    check(len(set(m["panels"])) == 1, f"{name}: the region panels share one scale ({len(m['panels'])} panels)")
    finally:
        d.quit()
    check_pdf(os.path.join(reports, "es"))
    print(f"report test: {len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


def check_pdf(folder):
    import re
    pdf = [os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".pdf")][0]
    html = open(pdf[:-4] + ".html", encoding="utf-8").read()
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    check(pages > 1, f"the PDF has {pages} pages")
    texts = [subprocess.run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), pdf, "-"], capture_output=True, text=True).stdout
             for i in range(1, pages + 1)]
    for i, t in enumerate(texts, 1):
        body = [l for l in t.splitlines() if l.strip() and "página" not in l]
        check(len(body) > 5, f"PDF page {i} is not blank ({len(body)} lines)")
        check(f"página {i} de {pages}" in t, f"PDF page {i} is numbered in its footer")
    whole = re.sub(r"\s+", " ", " ".join(texts))
    cells = re.findall(r"<td>([^<]*\d[^<]*)</td>", html)
    missing = [c for c in cells if re.sub(r"\s+", " ", c.replace("&amp;", "&")) not in whole]
    check(len(cells) > 20 and not missing, f"every data table's numbers are in the PDF ({len(cells)} cells; missing {missing[:3]})")


main()

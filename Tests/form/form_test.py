#!/usr/bin/python3
"""The offline form, driven in headless Chromium like a person (run by `make test`).

Checks, each failing loudly:
1. the form's Web Crypto code against RFC 9180 A.1.1 (HPKE X25519/HKDF-SHA256/AES-128-GCM)
   and RFC 8032 Ed25519 vectors, and against Swift: given the suite-2 test vector's fixed
   ephemeral key, nonce and time, the browser seals exactly the bytes Swift sealed;
2. a form is written with mode 0600, carries a Content-Security-Policy without network access,
   and makes no network request (Chromium's network log holds the page's own file only);
3. counts that break two rules show both problems at once and keep Save disabled; once fixed,
   Save downloads a package that `mosaic ingest` verifies and stores with the typed counts;
4. "Nothing happened" makes a package of zeros; an untouched form cannot be saved;
5. a form whose embedded signing key was changed by one byte seals a package that is refused.

Usage: Tests/form/form_test.py [path to mosaic]   (default .build/debug/mosaic)
Uses Debian's chromium, chromium-driver and python3-selenium (make test installs them).
"""
import base64, json, os, sqlite3, subprocess, sys, tempfile, time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MOSAIC = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/mosaic"))
VECTORS = os.path.join(ROOT, "Tests/MosaicSealTests/Vectors")
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def run(*args, expect=0):
    r = subprocess.run([MOSAIC, *args], capture_output=True, text=True)
    if r.returncode != expect:
        print(r.stdout, r.stderr)
        raise SystemExit(f"mosaic {' '.join(args)}: exit {r.returncode}, expected {expect}")
    return r


def browser(download_dir):
    o = Options()
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,2000"]:
        o.add_argument(a)
    o.add_experimental_option("prefs", {"download.default_directory": download_dir, "download.prompt_for_download": False})
    o.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    d.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": download_dir})
    return d


def wait_for_download(folder, before, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        new = [f for f in os.listdir(folder) if f not in before and f.endswith(".mpkg")]
        if new and not any(f.endswith(".crdownload") for f in os.listdir(folder)):
            return os.path.join(folder, new[0])
        time.sleep(0.2)
    return None


def call(d, script, *args):
    """Awaits a promise made by `script` (which uses `args`)."""
    return d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"Promise.resolve((async (...a) => {{ {script} }})(...Array.from(arguments).slice(0, -1)))"
        ".then(done, (e) => done({error: String(e)}));", *args)


def cell_input(d, table, cell):
    idx = d.execute_script(
        "const D = JSON.parse(document.getElementById('mosaic-data').textContent);"
        "return D.codebook.cells.find((c) => c.table === arguments[0] && c.code === arguments[1]).index;", table, cell)
    return d.find_element(By.ID, f"c{idx}")


def typ(d, table, cell, value):
    box = cell_input(d, table, cell)
    box.clear()
    box.send_keys(str(value))


def enabled(d, id):
    return d.find_element(By.ID, id).get_attribute("aria-disabled") == "false"


def choose_quarter(d):
    sel = Select(d.find_element(By.ID, "period"))
    sel.select_by_index(1)  # the first quarter offered (index 0 is "Choose the quarter…")
    return sel.first_selected_option.get_attribute("value")


def problems(d):
    return [li.text for li in d.find_elements(By.CSS_SELECTOR, "#problems-list li")]


def main():
    work = tempfile.mkdtemp(prefix="mosaic-form-test-")
    downloads = os.path.join(work, "downloads")
    os.mkdir(downloads)
    store = os.path.join(work, "store.sqlite")
    key = os.path.join(work, "authority.key")
    with open(os.path.join(work, "registry.csv"), "w") as f:
        f.write("school_id,school_name,region_code,region_name,province_code,province_name,municipality_code,municipality_name,enrolment,stage,sector\n")
        f.write("S1,Escuela Uno,R1,Region,P1,Province,,,300,secondary,public\n")
        f.write("S2,Escuela Dos,R1,Region,P1,Province,,,250,primary,public\n")
    run("init", "--store", store)
    run("keys", "init", "--store", store, "--key", key)
    run("registry", "import", "--store", store, os.path.join(work, "registry.csv"))
    form = os.path.join(work, "s1.html")
    run("form", "--store", store, "--school", "S1", "--out", form)
    check(os.stat(form).st_mode & 0o777 == 0o600, "the form is written with mode 0600")
    html = open(form, encoding="utf-8").read()
    check("connect-src 'none'" in html and "default-src 'none'" in html, "the form's CSP forbids connections")
    check("http://" not in html and "https://" not in html, "the form names no web address")

    d = browser(downloads)
    try:
        d.get("file://" + form)
        time.sleep(0.5)

        # 1. crypto against the RFCs and against Swift
        vectors = json.load(open(os.path.join(VECTORS, "rfc-vectors.json")))
        for v in vectors["hpke"]:
            if v["aead_id"] != 1:
                continue
            r = call(d, "return await MosaicFormCrypto.hpkeSealBase(a[0], a[1], a[2], a[3], a[4]);", v["pkRm"], v["info"], v["aad"], v["pt"], v["skEm"])
            check(r.get("enc") == v["enc"] and r.get("key") == v["key"] and r.get("base_nonce") == v["base_nonce"], f"browser HPKE context matches {v['name']}")
            check(r.get("ct") == v["ct"], f"browser HPKE ciphertext matches {v['name']}")
        for v in vectors["ed25519"]:
            sig = call(d, "return await MosaicFormCrypto.ed25519Sign(a[0], a[1]);", v["secret"], v["message"])
            check(sig == v["signature"], f"browser Ed25519 signature matches {v['name']}")
        cred = json.load(open(os.path.join(VECTORS, "school.cred")))
        keys = {
            "school_id": cred["school_id"], "signing_key": cred["signing_key"], "signer_fingerprint": cred["signing_key_fingerprint"],
            "authority_public_key": cred["authority_public_key"], "authority_fingerprint": cred["authority_fingerprint"],
        }
        fixed = json.load(open(os.path.join(VECTORS, "vector-v1-aesgcm.json")))
        content = open(os.path.join(VECTORS, "vector-v1.content.csv"), "rb").read().hex()
        sealed = call(d, "return await MosaicFormCrypto.sealPackage(a[0], a[1], a[2], a[3], a[4]);", keys, content, fixed["sealed_at"], fixed["ephemeral_secret"], fixed["nonce"])
        expected = open(os.path.join(VECTORS, "vector-v1-aesgcm.mpkg"), "rb").read().hex()
        check(sealed == expected, "the browser seals the suite-2 test vector byte for byte as Swift does")

        # 2. no network: the performance log has requests for the page's own file only
        d.get("file://" + form)
        time.sleep(0.5)
        urls = []
        for entry in d.get_log("performance"):
            m = json.loads(entry["message"])["message"]
            if m.get("method") == "Network.requestWillBeSent":
                urls.append(m["params"]["request"]["url"])
        check(len(urls) > 0 and all(u.startswith("file://") and u.endswith("s1.html") for u in urls), f"the form makes no network request ({len(urls)} request(s), all for the page itself)")
        check(d.execute_script("return performance.getEntriesByType('resource').length") == 0, "the form loads no resource")
        csp_errors = [l for l in d.get_log("browser") if "Content Security Policy" in l.get("message", "")]
        check(not csp_errors, "no Content-Security-Policy violation on load")

        # 4a. an untouched form cannot be saved
        check(not enabled(d, "save"), "an untouched form cannot be saved")
        check(any("Nothing happened" in p for p in problems(d)), "an untouched form asks for counts or 'Nothing happened'")
        check(any("Choose the quarter" in p for p in problems(d)), "no quarter is chosen for the school")
        check(not enabled(d, "print"), "nothing can be printed before a package is saved")
        quarter = choose_quarter(d)

        # 3. two broken rules, both listed; then fixed and saved
        typ(d, "incidents", "shared.pupil_14_15.female", 2)
        typ(d, "channels", "whatsapp", 1)  # totals disagree: 2 vs 1
        typ(d, "tools", "nudify", 2)
        typ(d, "perpetrators", "pupil_same_school", 2)
        typ(d, "responses", "parents_informed", 5)  # above the 2 persons
        typ(d, "tools", "face_swap", "1,5")  # a decimal comma
        p = problems(d)
        check(any("main channel" in x and "differ" in x for x in p), "the totals rule is listed")
        check(any("larger than the number of affected persons" in x for x in p), "the responses rule is listed at the same time")
        check(any("decimal comma" in x for x in p), "a decimal comma is named as such")
        check(not enabled(d, "save"), "Save stays disabled while problems remain")
        d.find_element(By.ID, "save").click()
        check(d.switch_to.active_element.get_attribute("id") == cell_input(d, "tools", "face_swap").get_attribute("id"), "Save with problems moves focus to the first problem's cell")
        check(bool(d.find_element(By.ID, "e" + cell_input(d, "tools", "face_swap").get_attribute("data-cell")).text), "the faulty cell says what is wrong beside it")
        check(cell_input(d, "responses", "parents_informed").get_attribute("aria-invalid") == "true", "the faulty cell is marked aria-invalid")
        typ(d, "channels", "whatsapp", 2)
        typ(d, "responses", "parents_informed", 2)
        typ(d, "responses", "police_report", 1)
        typ(d, "tools", "face_swap", 0)
        check(problems(d) == [], "once fixed, no problem is listed")
        save = d.find_element(By.ID, "save")
        check(enabled(d, "save"), "Save is enabled once the counts are consistent")
        check(quarter in d.find_element(By.ID, "summary").text or "Q" in d.find_element(By.ID, "summary").text, "the quarter being reported is shown beside Save")
        before = set(os.listdir(downloads))
        save.click()
        pkg = wait_for_download(downloads, before)
        check(pkg is not None, "Save downloads a package")
        if pkg:
            check(os.path.getsize(pkg) == 16450, "the package has the fixed size of every package")
            check(open(pkg, "rb").read()[9] == 2, "the package names suite 2 (AES-128-GCM)")
            check("S1" not in os.path.basename(pkg), "the package's name does not name the school")
            run("ingest", "--store", store, "--key", key, pkg)
            db = sqlite3.connect(store)
            rows = db.execute("SELECT count(*) FROM submission WHERE school_id = 'S1'").fetchone()[0]
            check(rows == 1, "ingest stored the browser-sealed package")
            cells = dict(db.execute(
                "SELECT c.table_name || '/' || c.cell, c.count FROM submission_count c JOIN submission s ON s.id = c.submission_id "
                "WHERE s.school_id = 'S1' AND s.superseded_by IS NULL").fetchall())
            check(cells == {"incidents/shared.pupil_14_15.female": 2, "channels/whatsapp": 2, "tools/nudify": 2,
                            "perpetrators/pupil_same_school": 2, "responses/parents_informed": 2, "responses/police_report": 1},
                  "the stored counts are exactly the typed ones")
            check(db.execute("SELECT sealed FROM submission WHERE school_id = 'S1'").fetchone()[0] == 1, "the submission is recorded as sealed")
        saved_text = d.find_element(By.ID, "saved").text
        check("mpkg" in saved_text, "the page says which file it saved")
        check(enabled(d, "print"), "once saved, a record can be printed")
        record = d.execute_script("return document.getElementById('record').textContent")
        check(os.path.basename(pkg or "none") in record and "2" in record, "the printed record names the saved file and holds its counts")
        typ(d, "channels", "whatsapp", 3)
        check(d.find_element(By.ID, "saved").text == "", "an edit after saving clears the 'saved' message")
        check(os.path.basename(pkg or "none") in d.execute_script("return document.getElementById('record').textContent"), "the record still describes the saved package, not the edit")

        # 4b. nothing happened
        d.get("file://" + form)
        time.sleep(0.3)
        choose_quarter(d)
        typ(d, "channels", "whatsapp", 4)
        d.find_element(By.ID, "nothing").click()
        check(problems(d) == [] and enabled(d, "save"), "'Nothing happened' can be saved")
        d.find_element(By.ID, "nothing").click()
        check(cell_input(d, "channels", "whatsapp").get_attribute("value") == "4", "unticking 'Nothing happened' brings back what was typed")
        d.find_element(By.ID, "nothing").click()
        before = set(os.listdir(downloads))
        d.find_element(By.ID, "save").click()
        pkg2 = wait_for_download(downloads, before)
        check(pkg2 is not None, "'Nothing happened' downloads a package")
        if pkg2:
            run("ingest", "--store", store, "--key", key, pkg2)
            db = sqlite3.connect(store)
            current = db.execute("SELECT persons FROM submission WHERE school_id = 'S1' AND superseded_by IS NULL").fetchone()
            check(current == (0,), "a package of zeros is ingested (a correction: no affected persons)")

        # 5. one byte of the embedded signing key changed: the package is refused
        raw = base64.b64decode(json.loads(html.split('<script type="application/json" id="mosaic-data">')[1].split("</script>")[0])["package"]["signing_key"])
        flipped = bytes([raw[0] ^ 1]) + raw[1:]
        tampered = html.replace(base64.b64encode(raw).decode(), base64.b64encode(flipped).decode())
        check(tampered != html, "the tampered form differs from the original")
        tpath = os.path.join(work, "tampered.html")
        open(tpath, "w", encoding="utf-8").write(tampered)
        d.get("file://" + tpath)
        time.sleep(0.3)
        choose_quarter(d)
        d.find_element(By.ID, "nothing").click()
        before = set(os.listdir(downloads))
        d.find_element(By.ID, "save").click()
        pkg3 = wait_for_download(downloads, before)
        check(pkg3 is not None, "the tampered form still saves a file")
        if pkg3:
            r = run("ingest", "--store", store, "--key", key, pkg3, expect=1)
            check("signature does not verify" in r.stdout + r.stderr, "ingest refuses the tampered form's package: the signature does not verify")
    finally:
        d.quit()
    print(f"form test: {len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


main()

#!/usr/bin/python3
"""Screenshots of the example reports as a reader sees them (used by `make reports`).
Usage: scripts/report-screenshots.py FOLDER   (writes FOLDER/screenshots/*.png)"""
import os, sys, time
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

folder = os.path.abspath(sys.argv[1])
os.makedirs(os.path.join(folder, "screenshots"), exist_ok=True)
o = Options()
for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]:
    o.add_argument(a)
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
try:
    for page, out, w, h, sel in [
        ("report-country-en.html", "country-en-desktop.png", 1280, 1400, None),
        ("report-country-en.html", "country-en-desktop-charts.png", 1280, 1400, "#ranking"),
        ("report-country-en.html", "country-en-phone.png", 390, 1400, None),
        ("report-es-ex-es.html", "es-ex-es-phone-breakdowns.png", 390, 1400, ".bars#kind"),
        ("report-es-ex-en.html", "es-ex-en-desktop-stage-sector.png", 1280, 1000, "#domain-stage"),
    ]:
        d.set_window_size(w, h)
        d.get("file://" + os.path.join(folder, page))
        time.sleep(0.4)
        if sel:
            d.execute_script("document.querySelector(arguments[0]).scrollIntoView()", sel)
            time.sleep(0.2)
        d.save_screenshot(os.path.join(folder, "screenshots", out))
finally:
    d.quit()

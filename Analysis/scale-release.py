#!/usr/bin/env python3
"""Scales a real release file up to many provinces, for the reading benchmark.

Every province of SOURCE is copied FACTOR times (codes CODE, CODE~1, ...); each region's and the
country's published values, registered counts and domain values are multiplied by FACTOR, so the
published figures still add up exactly, and every copy keeps its province's statuses, margins
and bootstrap errors. The result is a release of FACTOR x as many provinces that Mosaic's checker
accepts, with the same shape of withheld values (small areas connect through their regions).

Usage: Analysis/scale-release.py SOURCE.sqlite FACTOR OUT.sqlite
"""
import shutil
import sqlite3
import struct
import sys

source, factor, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
shutil.copyfile(source, out)
db = sqlite3.connect(out)
units = db.execute("SELECT level, geo_code, geo_name, parent_code, ordinal FROM units ORDER BY ordinal").fetchall()
cells = db.execute("SELECT DISTINCT table_name, cell FROM cells").fetchall()
width = len(cells)  # cells + the total, per unit
old_index = {(u[0], u[1]): i for i, u in enumerate(units)}


def copies(code):
    return [code] + [f"{code}~{j}" for j in range(1, factor)]


new_units = [u for u in units if u[0] != "province"]
provinces = [u for u in units if u[0] == "province"]
for u in sorted(provinces, key=lambda u: u[1]):
    for j, code in enumerate(copies(u[1])):
        new_units.append(("province", code, u[2] if j == 0 else f"{u[2]} {j}", u[3], 0, u[1]))
order = []  # (level, code, source code)
db.execute("DELETE FROM units")
for i, u in enumerate(new_units):
    src = u[5] if len(u) > 5 else u[1]
    db.execute("INSERT INTO units VALUES (?,?,?,?,?)", (u[0], u[1], u[2], u[3], i))
    order.append((u[0], u[1], src))

for table, scale_cols, key_cols in (
    ("cells", ["value"], "period, level, geo_code, geo_name, table_name, cell, value, moe95, status"),
    ("coverage", ["registered_schools", "registered_enrolment"],
     "period, level, geo_code, geo_name, registered_schools, registered_enrolment, coverage_status, reporting_share_low, reporting_share_high"),
):
    cols = [c.strip() for c in key_cols.split(",")]
    rows = db.execute(f"SELECT {key_cols} FROM {table}").fetchall()
    db.execute(f"DELETE FROM {table}")
    marks = ",".join("?" * len(cols))
    for r in rows:
        r = dict(zip(cols, r))
        if r["level"] == "province":
            for j, code in enumerate(copies(r["geo_code"])):
                c = dict(r, geo_code=code)
                db.execute(f"INSERT INTO {table} ({key_cols}) VALUES ({marks})", [c[x] for x in cols])
        else:
            for x in scale_cols:
                if r[x] is not None:
                    r[x] *= factor
            db.execute(f"INSERT INTO {table} ({key_cols}) VALUES ({marks})", [r[x] for x in cols])
db.execute("UPDATE domain_cells SET value = value * ? WHERE value IS NOT NULL", (factor,))

# Bootstrap errors: one Int16 per unit and slot, in unit order; a copy takes its province's.
for rep, blob in db.execute("SELECT replicate, errors FROM replicates").fetchall():
    errors = struct.unpack(f"<{len(blob) // 2}h", blob)
    per = len(errors) // len(units)
    out_errors = []
    for level, code, src in order:
        i = old_index[(level, src)]
        out_errors.extend(errors[i * per:(i + 1) * per])
    db.execute("UPDATE replicates SET errors = ? WHERE replicate = ?", (struct.pack(f"<{len(out_errors)}h", *out_errors), rep))
db.commit()
db.execute("VACUUM")
db.close()
print(f"{out}: {sum(1 for o in order if o[0] == 'province')} provinces")

#!/usr/bin/env python3
"""An attacker's linear program on a release file, written independently of Mosaic's audit.

Reads only the file: every published value, the hierarchy (`units`), the tables that count each
person once (incidents, channels, tools, perpetrators: their cells sum to `total`), `responses`
at most the total, non-negativity, and what each status says (below_k 0..k-1 — or 1..k-1 in files
made before reasons, whose status reads `suppressed` —, complementary >= k, small_area >= 0),
and the breakdowns by stage and sector when the file has them (`domain_cells`: a unit's parts
add up to the unit, the regions' parts to the country's, a part's linked cells to its total).
For every value withheld by the threshold it minimises and maximises the value (scipy's HiGHS)
and counts those pinned to one value and those whose interval misses 1 or k-1.

Usage: Analysis/attack-release.py RELEASE.sqlite [...]     (needs python3-scipy)
"""
import sqlite3, sys
import numpy as np
from scipy.optimize import linprog
from scipy.sparse import lil_matrix

LINKED = ["incidents", "channels", "tools", "perpetrators"]
BOUNDED = ["responses"]


def attack(path):
    db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    k = int(db.execute("SELECT value FROM metadata WHERE key = 'k'").fetchone()[0])
    units = db.execute("SELECT level, geo_code, parent_code FROM units ORDER BY ordinal").fetchall()
    cells = db.execute("SELECT level, geo_code, table_name, cell, value, status FROM cells").fetchall()
    has_domains = db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'domain_cells'").fetchone()[0] > 0
    parts = db.execute(
        "SELECT level, geo_code || '|' || dimension || '|' || domain, table_name, cell, value, status, geo_code, dimension, domain FROM domain_cells"
    ).fetchall() if has_domains else []
    legacy = any(c[5] == "suppressed" for c in cells)
    key = {(c[0], c[1], c[2], c[3]): c for c in cells}
    for p in parts:
        key[(p[0], p[1], p[2], p[3])] = p[:6]
    cells = cells + [p[:6] for p in parts]
    withheld = [(c[0], c[1], c[2], c[3]) for c in cells if c[5] != "published"]
    col = {w: i for i, w in enumerate(withheld)}
    bounds = []
    for w in withheld:
        s = key[w][5]
        bounds.append((1 if legacy else 0, k - 1) if s in ("below_k", "suppressed") else (k if s == "complementary" else 0, None))
    eq_rows, eq_rhs, ub_rows, ub_rhs = [], [], [], []

    def term(level, code, table, cell):
        c = key[(level, code, table, cell)]
        return ("x", col[(level, code, table, cell)]) if c[5] != "published" else ("c", c[4])

    def add(terms, rows, rhs):  # sum(coef * value) (= or <=) 0
        row, const = {}, 0
        for coef, t in terms:
            if t[0] == "x":
                row[t[1]] = row.get(t[1], 0) + coef
            else:
                const += coef * t[1]
        if row:
            rows.append(row)
            rhs.append(-const)

    slots = sorted({(c[2], c[3]) for c in cells})
    child_level = {"country": "region", "region": "province"}
    for level, code, _ in units:
        kids = [u for u in units if u[2] == code and u[0] == child_level.get(level)]
        if kids:
            for t, c in slots:
                add([(1, term(level, code, t, c))] + [(-1, term(u[0], u[1], t, c)) for u in kids], eq_rows, eq_rhs)
        for table in LINKED:
            add([(1, term(level, code, t, c)) for t, c in slots if t == table] + [(-1, term(level, code, "total", "persons"))], eq_rows, eq_rhs)
        for t, c in slots:
            if t in BOUNDED:
                add([(1, term(level, code, t, c)), (-1, term(level, code, "total", "persons"))], ub_rows, ub_rhs)

    # Breakdowns: parts add up to their unit (per dimension and slot), regions' parts to the
    # country's, and a part's linked cells to its total. Each level has the slots its rows show
    # (the total everywhere; a table such as incidents at the country only).
    slots_at = {}
    for p in parts:
        slots_at.setdefault(p[0], set()).add((p[2], p[3]))
    by_unit = {}
    for p in parts:
        by_unit.setdefault((p[0], p[6], p[7]), set()).add(p[8])
    for (level, code, dim), values in by_unit.items():
        domain_slots = sorted(slots_at.get(level, ()))
        for t, c in domain_slots:
            add([(1, term(level, code, t, c))] + [(-1, term(level, f"{code}|{dim}|{v}", t, c)) for v in values], eq_rows, eq_rhs)
        if level == "country":
            regions = [u[1] for u in units if u[0] == "region"]
            for v in values:
                pieces = [r for r in regions if v in by_unit.get(("region", r, dim), set())]
                for t, c in sorted(slots_at.get("country", set()) & slots_at.get("region", set())):
                    add([(1, term("country", f"{code}|{dim}|{v}", t, c))] + [(-1, term("region", f"{r}|{dim}|{v}", t, c)) for r in pieces],
                        eq_rows, eq_rhs)
        for v in values:
            for table in LINKED:
                linked = [(t, c) for t, c in domain_slots if t == table]
                if linked:
                    add([(1, term(level, f"{code}|{dim}|{v}", t, c)) for t, c in linked]
                        + [(-1, term(level, f"{code}|{dim}|{v}", "total", "persons"))], eq_rows, eq_rhs)

    def matrix(rows):
        m = lil_matrix((len(rows), len(withheld)))
        for i, r in enumerate(rows):
            for j, v in r.items():
                m[i, j] = v
        return m.tocsr()

    A_eq, A_ub = matrix(eq_rows), matrix(ub_rows)
    pinned = narrowed = checked = 0
    for w in withheld:
        if key[w][5] not in ("below_k", "suppressed"):
            continue
        checked += 1
        c = np.zeros(len(withheld))
        c[col[w]] = 1
        lo = linprog(c, A_ub=A_ub, b_ub=ub_rhs, A_eq=A_eq, b_eq=eq_rhs, bounds=bounds, method="highs")
        hi = linprog(-c, A_ub=A_ub, b_ub=ub_rhs, A_eq=A_eq, b_eq=eq_rhs, bounds=bounds, method="highs")
        a, b = lo.fun, -hi.fun
        if b - a < 1e-6:
            pinned += 1
        elif a > 1 + 1e-6 or b < k - 1 - 1e-6:
            narrowed += 1
    print(f"{path}: {len(parts)} breakdown values read; {len(withheld)} withheld ({'legacy statuses' if legacy else 'with reasons'}), {checked} fewer than k checked: "
          f"{pinned} pinned to one value, {narrowed} more narrowed inside 1..{k - 1}")


for p in sys.argv[1:]:
    attack(p)

#!/usr/bin/env python3
"""Intake fuzzer: mutated counts files and sealed packages through `mosaic validate` and `mosaic ingest`.

    python3 Analysis/intake-fuzz.py [--mutants 10000] [--seed 1] [--mosaic .build/debug/mosaic]
                                    [--workdir DIR] [--timeout 20] [--only ID]

Setup, in a temporary folder: `mosaic synth` (about 300 schools, one quarter), a store with the registry,
the authority key and credentials. Seeds: six valid CSV files (two with a label column, Spanish and
English), six valid JSON files, five valid sealed packages and three that must be refused (revoked key,
another authority, a school closed since). One CSV, one JSON file and one package are ingested: that
store is the baseline. Mutant i comes from a seed through random.Random(f"{seed}/{i}") alone, so
`--only i` remakes it (packages are sealed afresh on each run, sealing being randomised: the positions
are reproduced, not the bytes). A third each are CSV, JSON and packages; the operators are listed below.

Per batch of 800 mutants (so that ingest's own 512-file transactions are crossed), on a fresh copy of
the baseline store: `mosaic validate --store` over all, `mosaic ingest --unsealed --verbose` over the
plain files, `mosaic ingest --verbose` over the packages. A mutant fails with any of these findings:
- crash: an exit status other than 0 or 1, or a signal; hang: a call over --timeout s (killed). A batch
  that crashes or hangs is rerun file by file to name the culprit;
- echo: a canary of the mutant (ZZQX<id>, alone or in a name, or the number 7<id>31) is in any output:
  messages must never repeat what a file holds;
- store change, by this rule: against the baseline, (a) the schema and all tables but submission and
  submission_count are identical; (b) baseline submissions and their counts are unchanged, except that
  superseded_by may be set to a newer submission of the same school and quarter; (c) there is one new
  submission per file reported `stored` or `corrected` and none for any other (source_name is the unique
  mutant file name); it names a school and quarter the file holds (the seed's school for a package) and
  is superseded only by a newer one of its school and quarter; (d) PRAGMA integrity_check and
  foreign_key_check pass. So a rejected, refused or unchanged file leaves nothing, an accepted one only
  its own submission;
- wrongly accepted: a mutant invalid whatever else it holds (any altered package; a plain file with,
  say, a negative count, a future quarter, an extra column, a token) passed validate or was stored;
- wrongly rejected: a mutant kept valid by its only change (a package as sealed; a plain file with
  CRLF, a BOM, a blank line, rows or keys reordered, a consistent +1, ...) failed validate or ingest;
- disagreement: validate and ingest disagree on a plain file, validate passes a package (it has no
  key), ingest reports no fate for a file, or an exit status does not match the fates.
Exit status 0 without findings, 1 with (each printed with mutant id, kind, seed and operators), 2 if
setup fails. The last line is `N passed, M failed`.
"""
import argparse, json, random, re, shutil, sqlite3, subprocess, sys, tempfile, time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PERIOD, BATCH, KINDS = "2026-Q2", 800, ("csv", "json", "sealed")
EXT = {"csv": "csv", "json": "json", "sealed": "mpkg"}

def run(cmd, timeout):
    """(exit status, None if killed after `timeout` s; stdout and stderr)."""
    try:
        p = subprocess.run([str(c) for c in cmd], capture_output=True, timeout=timeout)
        return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        return None, ((e.stdout or b"") + (e.stderr or b"")).decode("utf-8", "replace")

class O(list):
    """A JSON object as a list of (key, value) pairs, so that keys may repeat."""

class Raw(str):
    """JSON text written as it is."""

def dump(v, ind=""):
    if isinstance(v, Raw): return str(v)
    if isinstance(v, O):
        key, i2 = (lambda k: k if isinstance(k, Raw) else json.dumps(k, ensure_ascii=False)), ind + "  "
        return "{\n" + ",\n".join(f"{i2}{key(k)}: {dump(x, i2)}" for k, x in v) + "\n" + ind + "}" if v else "{}"
    if isinstance(v, list): return "[" + ", ".join(dump(x, ind) for x in v) + "]"
    return json.dumps(v, ensure_ascii=False)

def to_json(csv_text):
    rows, tables = [l.split(",") for l in csv_text.splitlines()[2:] if l], O()
    for school, period, table, cell, count in rows:
        if not tables or tables[-1][0] != table: tables.append((table, O()))
        tables[-1][1].append((cell, int(count)))
    doc = O([("format", "mosaic-counts"), ("codebook", 1), ("school_id", rows[0][0]), ("period", rows[0][1]), ("counts", tables)])
    return (dump(doc) + "\n").encode()

# Operators: bit flips, byte insertion, deletion, doubling, truncation, NUL, 1 MB runs, unicode and bad
# UTF-8, BOM, CRLF, CR; huge, negative, fractional, NaN, empty counts; extra columns and keys, `;`, quoting,
# the directive and codebook; unknown, closed, future, malformed schools and quarters; duplicated, swapped,
# deleted lines, cells and keys; wrong JSON types, 10,000 levels of nesting, JSON syntax; valid changes
# (reordering, escapes, a consistent +1: a correction). Packages: bits flipped in the header, ciphertext or
# tag, version and suite bytes, truncation, extension, splicing, concatenation, stubs, replay.
# Operators and replacement values come with 1 when they make any file invalid, -1 when they keep a valid
# file valid, 0 when it depends.
NUMS = [("9223372036854775808", 1), ("9223372036854775807", 1), ("18446744073709551616", 1), ("1e300", 1), ("-1", 1),
        ("1.0", 1), ('"1,0"', 1), ("1,0", 1), ("NaN", 1), ("inf", 1), ("-0", 1), ("0x10", 1), ("+1", 1), ("", 1), ("٣", 1),
        ("１", 1), ("100001", 1), ("0000000000", 1), ("1e2", 1), ("{num}", 1), (" 0 ", 0), ("00", 0)]
JNUMS = ["9223372036854775808", "1e300", "-1", "1.0", "-0", "1E2", "0.0e0", "NaN", "Infinity", "-Infinity", "0x10", "+1",
         "01", "１", "{num}", '"1"', "true", "null", "[1]", "{{}}", "1e-999", "100001", "0.5"]
SCHOOLS = [("{other}", 0), ("{closed}", 1), ("ES-999999", 1), ("{tok}", 1), ("", 1), ("X" * 41, 1), ("es-000001", 1),
           ("ES-000001 ", 1), ("ES-00000１", 1), ("Zoë {tok}", 1)]
PERIODS = [("2027-Q1", 1), ("9999-Q9", 1), ("9999-Q4", 1), ("1999-Q4", 1), ("2026-Q5", 1), ("2026-q2", 1), ("2026-Q4", -1),
           ("2000-Q1", -1), ("{tok}", 1), ("", 1), ("２026-Q2", 1), ("2026-Q2 ", 1)]
DIRECTIVES = [(f"# mosaic-counts codebook={v}", 1) for v in ("2", "0", "-1", "99999999999999999999", "1.0", " 1", "1 {tok}", "{tok}")] + [
    ("#mosaic-counts codebook=1", 1), ("# MOSAIC-COUNTS codebook=1", 1), ("", 1), ("# mosaic-counts codebook=1,,,,", -1),
    ("# mosaic-counts codebook=+1", 0), ('"# mosaic-counts codebook=1"', -1)]
UNICODE = ["Zoë Ñúñez {tok}", "\u202e{tok}\u202c", "{tok}\u0301\u0301", "😀{tok}", "\u2028{tok}", "\u00a0{tok}", "\ufeff{tok}"]
BAD_UTF8 = [b"\xc0\xaf", b"\xed\xa0\x80", b"\xff\xfe", b"\xe2\x82"]
EQUAL_TOTALS = ("incidents", "channels", "tools", "perpetrators")

# CSV operators edit the lines L (L[0] the directive, L[1] the header, L[-1] the empty string
# after the last line end; fields split on commas, which leaves a quoted label as it was)
# and return (description, 1 / 0 / -1 as above).
def set_fields(L, rows, k, v):
    for j in rows: f = L[j].split(","); f[k] = v; L[j] = ",".join(f)

def c_field(r, L, c):
    k, one = r.randrange(5), r.random() < 0.3
    v, mf = r.choice({0: SCHOOLS, 1: PERIODS, 4: NUMS}.get(k, [("", 1), ("{tok}", 1)]))
    v, rows = v.format(**c), range(2, len(L) - 1)
    set_fields(L, [r.choice(rows)] if one or k == 4 else rows, k, v)
    return f"field {k + 1} of {'one row' if one or k == 4 else 'all rows'} = {v!r}", 1 if one and k < 2 else mf

def c_columns(r, L, c):
    what, rows, cols = r.randrange(9), range(2, len(L) - 1), L[1].split(",")
    if what == 0:
        k = r.randrange(5); L[1] = ",".join(cols[:k] + [c["tok"]] + cols[k + 1:]); return f"column {k + 1} renamed to the token", 1
    if what == 1:
        k = r.randrange(5); L[1:-1] = [",".join(f[:k] + f[k + 1:]) for f in (l.split(",") for l in L[1:-1])]
        return f"column {k + 1} dropped", 1
    if what == 2: k, l = r.sample(range(5), 2); set_fields(L, [1], k, cols[l]); return f"column {l + 1} named twice", 1
    if what == 3:
        o = r.sample(range(5), 5); L[1:-1] = [",".join(l.split(",")[k] for k in o) for l in L[1:-1]]
        return f"columns reordered as {o}", -1
    if what in (4, 5):
        if "label" in cols: return "no change", -1
        bad = what == 5 and r.choice(rows)
        for j in range(1, len(L) - 1): L[j] += ",label" if j == 1 else "," + (f"Zoë Ñúñez {c['tok']}" if j == bad else "")
        return "label column" + (f" with a name on line {bad + 1}" if bad else ", empty"), 1 if bad else -1
    if what == 6:
        s = r.randrange(3); L[s:] = [l.replace(",", ";") for l in L[s:]]; return f"';' separators from line {s + 1}", 1
    how = r.choice(["header", "rows", "both"])
    if how != "rows": L[1] += "," + r.choice(["name", c["tok"], "notes"])
    if how != "header": L[2:-1] = [l + "," + r.choice(["", c["tok"], f"Zoë {c['tok']}"]) for l in L[2:-1]]
    return f"extra column ({how})", 1

def c_lines(r, L, c):
    what, (j, k) = r.randrange(10), r.sample(range(2, len(L) - 1), 2)
    f = L[j].split(",")
    if what < 3:
        f[(2, 3, 3)[what]] = c["tok"] if what < 2 else L[k].split(",")[3]; L[j] = ",".join(f)
        return ["table = token", "cell = token", f"cell of line {k + 1}"][what] + f" on line {j + 1}", 1
    if what == 3: del L[j]; return f"line {j + 1} deleted", 1
    if what == 4: j = r.randrange(len(L) - 1); L.insert(j, L[j]); return f"line {j + 1} duplicated", 1
    if what == 5: L[j], L[k] = L[k], L[j]; return f"lines {j + 1} and {k + 1} swapped", -1
    if what == 6: rows = L[2:-1]; r.shuffle(rows); L[2:-1] = rows; return "rows shuffled", -1
    if what == 7: L[0], L[1] = L[1], L[0]; return "directive and header swapped", 1
    if what == 8:
        b = r.choice(["", " ", "\r"]); L.insert(r.randrange(1, len(L)), b); return f"blank line {b!r} inserted", 0 if b == " " else -1
    v, mf = r.choice(DIRECTIVES); L[0] = v.format(**c); return f"directive {L[0]!r}", mf

def c_text(r, L, c):
    what, j = r.randrange(8), r.randrange(1, len(L) - 1)
    if what < 4:
        f = L[j].split(","); k = r.randrange(len(f)); plain = '"' not in L[j]
        f[k] = ['"{}"', '"{}', '{}"', '"{}\n"'][what].format(f[k]); L[j] = ",".join(f)
        desc = ["quoted", "unclosed quote", "stray quote", "quoted line break"][what]
        return f"{desc} (line {j + 1}, field {k + 1})", 1 if what else -plain
    if what == 4: L[:-1] = [l + "\r" for l in L[:-1]]
    if what in (5, 6): L[0] = "\ufeff" * (what - 4) + L[0]
    if what == 7: L[:] = ["\r".join(L)]
    return ["CRLF", "BOM", "two BOMs", "CR line ends"][what - 4], 1 if what >= 6 else -1

def c_bump(r, L, c):
    rows = range(2, len(L) - 1)
    if r.random() < 0.3: set_fields(L, rows, 4, "0"); return "all counts 0", -1
    for t in EQUAL_TOTALS:
        j = r.choice([j for j in rows if L[j].split(",")[2] == t]); set_fields(L, [j], 4, str(int(L[j].split(",")[4]) + 1))
    return "a consistent +1 (a correction)", -1

CSV_OPS = [c_field, c_field, c_columns, c_lines, c_text, c_bump]

# JSON operators edit the document doc (an O: format, codebook, school_id, period, counts).
def cells_of(r, doc):
    tables = doc[4][1]; t = r.randrange(len(tables)); cells = tables[t][1]
    return tables, cells, r.randrange(len(cells))

def j_value(r, doc, c):
    tables, cells, k = cells_of(r, doc)
    what = r.randrange(6)
    if what < 2:
        deep = ["[" * 10_000 + "]" * 10_000, '{"a":' * 10_000 + "1" + "}" * 10_000, "[" * 10_000]
        v = Raw(r.choice(JNUMS).format(**c) if what == 0 else r.choice(deep))
        cells[k] = (cells[k][0], v); return f"count of {cells[k][0]} = {v[:30]}", 1
    if what == 2:
        i = r.randrange(5)
        v = r.choice([Raw('"1"'), None, True, [], O(), 1.5, c["tok"], [c["tok"]], O([(c["tok"], 1)]), Raw("[" * 10_000)])
        doc[i] = (doc[i][0], v); return f"{doc[i][0]} = {dump(v)[:30]}", 1
    if what == 3:
        v = Raw(r.choice(["2", "0", "-1", "1.0", "1e0", "99999999999999999999", '"1"', "-0", "1E0", "{tok}"]).format(**c))
        doc[1] = ("codebook", v); return f"codebook = {v}", 1
    if what == 4:
        v, mf = r.choice([('"mosaic-counts "', 1), ('"MOSAIC-COUNTS"', 1), ('"{tok}"', 1), ('"mosaic-count\\u0073"', -1)])
        doc[0] = ("format", Raw(v.format(**c))); return f"format = {doc[0][1]}", mf
    i, (v, mf) = (2, r.choice(SCHOOLS)) if r.random() < 0.5 else (3, r.choice(PERIODS))
    doc[i] = (doc[i][0], v.format(**c)); return f"{doc[i][0]} = {doc[i][1]!r}", mf

def j_keys(r, doc, c):
    tables, cells, _ = cells_of(r, doc)
    (obj, name), what = r.choice([(doc, "key"), (tables, "table"), (cells, "cell")]), r.randrange(4)
    i = r.randrange(len(obj)); key = obj[i][0]
    if what == 0: obj.insert(r.randrange(len(obj) + 1), obj[i]); return f"{name} {key} twice", 1
    if what == 1: del obj[i]; return f"{name} {key} removed", 1
    if what == 2:
        obj.insert(i, (r.choice([c["tok"], "name", f"Zoë {c['tok']}"]), r.choice([1, c["tok"], O()]))); return f"extra {name}", 1
    obj[i] = (Raw(json.dumps(key)[:-1] + '\\u0000"'), obj[i][1]); return f"{name} {key} with a NUL", 1

def j_valid(r, doc, c):
    what, (tables, cells, _) = r.randrange(4), cells_of(r, doc)
    if what == 0: r.shuffle(doc); r.shuffle(tables); r.shuffle(cells); return "keys reordered", -1
    if what == 1: doc[2] = (Raw('"sch\\u006fol_id"'), doc[2][1]); return "key written with an escape", -1
    if what == 2:
        for name, cs in tables:
            if name in EQUAL_TOTALS: i = r.randrange(len(cs)); cs[i] = (cs[i][0], cs[i][1] + 1)
        return "a consistent +1 (a correction)", -1
    s = doc[2][1]; doc[2] = ("school_id", Raw('"\\u%04x' % ord(s[0]) + s[1:] + '"')); return "school id written with an escape", -1

def j_text(r, text, c):
    what, close = r.randrange(12), text.rindex("}")
    out = [text[:close].rstrip() + ",\n}\n", f"// {c['tok']}\n" + text, text.replace('"', "'"), "[" + text + "]", text + text,
           text[:close], text.replace(":", "", 1), "[" * 10_000 + text + "]" * 10_000,
           text.replace("\n", "\r"), text.replace("\n", "\r\n"), "\ufeff" + text,
           json.dumps(json.loads(text), separators=(",", ":"))][what]
    return out, ["trailing comma", "comment", "single quotes", "in an array", "two documents", "no closing brace", "a colon missing",
                 "nested 10,000 levels deep", "CR line ends", "CRLF", "BOM", "compact"][what], 1 if what < 8 else -1

def json_op(r, text, c):
    op = r.choice([j_value, j_value, j_keys, j_valid, j_text])
    if op is j_text: return j_text(r, text, c)
    doc = json.loads(text, object_pairs_hook=O); desc, mf = op(r, doc, c)
    return dump(doc) + "\n", desc, mf

def byte_op(r, d, c):
    """A byte-level mutation of any file: (bytes, description, must fail)."""
    p, what, tok = r.randrange(len(d) + 1), r.randrange(10) if d else 1, c["tok"].encode()
    if what == 0:
        d, at = bytearray(d), sorted(r.randrange(len(d)) for _ in range(r.randint(1, 3)))
        for i in at: d[i] ^= 1 << r.randrange(8)
        return bytes(d), f"bits flipped at {at}", 0
    if what == 1: n = r.randint(1, 8); return d[:p] + r.randbytes(n) + d[p:], f"{n} random bytes inserted at {p}", 0
    if what == 2: n = r.randint(1, 16); return d[:p] + d[p + n:], f"{n} bytes deleted at {p}", 0
    if what == 3: return d[:p], f"truncated to {p} bytes", 0
    if what == 4: return d[:p] + b"\0" + d[p:], f"NUL inserted at {p}", 1
    if what == 5: return d[:p] + tok + d[p:], f"token inserted at {p}", 1
    if what == 6: b = r.choice(b'A,\n0"{'); return d[:p] + bytes([b]) * 1_000_000 + tok + d[p:], f"1 MB of {chr(b)!r} inserted at {p}", 1
    if what == 7:
        u = r.choice([s.format(**c).encode() for s in UNICODE] + [b + tok for b in BAD_UTF8])
        return d[:p] + u + d[p:], f"{u[:8]!r}+token inserted at {p}", 1
    if what == 8: n = r.randint(1, 200); return d[:p] + d[p:p + n] * 2 + d[p + n:], f"{n} bytes at {p} doubled", 0
    return d + d, "whole file twice", 1

def package_op(r, env, c):
    """A mutated package: (seed school, bytes, descriptions)."""
    school, d, _ = r.choice(env.packages); other = r.choice([p[1] for p in env.packages if p[1] != d])
    n, what, b = len(d), r.randrange(12), bytearray(d)
    if what == 0: desc = "package as sealed"
    elif what <= 3:
        k = [r.randrange(50), r.randrange(50, n - 16), r.randrange(n - 16, n)][what - 1]; b[k] ^= 1 << r.randrange(8)
        desc = f"bit flipped in the {['header', 'ciphertext', 'tag'][what - 1]} at {k}"
    elif what <= 5: b[what + 4] = r.choice([0, 2, 255]); desc = f"{['version', 'suite'][what - 4]} byte = {b[what + 4]}"
    elif what == 6: k = r.choice([r.randrange(n), 8, 49, 50, n - 1]); del b[k:]; desc = f"truncated to {k} bytes"
    elif what == 7: e = r.choice([b"\0", c["tok"].encode(), r.randbytes(r.randint(1, 64))]); b += e; desc = f"{len(e)} bytes appended"
    elif what == 8: b[:50] = other[:50]; desc = "header of another package"
    elif what == 9: b += other; desc = "two packages concatenated"
    elif what == 10:
        b = bytearray(r.choice([b"MOSAICPK", b"MOSAICPK" + c["tok"].encode(), b"MOSAICPK\x01\x01" + bytes(n - 10)]))
        desc = f"{len(b)}-byte stub"
    else: b[18:50] = bytes(32); desc = "encapsulated key zeroed"
    ops = [desc]
    if r.random() < 0.3: d, desc, _ = byte_op(r, bytes(b), c); return school, d, ops + [desc]
    return school, bytes(b), ops

class Mutant:
    def __init__(self, env, seed, i):
        r, self.id, self.kind = random.Random(f"{seed}/{i}"), i, KINDS[i % 3]
        c = {"tok": f"ZZQX{i:06d}", "num": f"7{i:06d}31", "other": env.other, "closed": env.closed}
        self.canaries, self.ops, self.name = [c["tok"], c["num"]], [], f"m{i:06d}.{EXT[self.kind]}"
        if self.kind == "sealed":
            self.school, self.data, self.ops = package_op(r, env, c)
            self.must_fail = self.data not in env.valid_packages
            self.must_pass = not self.must_fail and len(self.ops) == 1
            return
        self.school, data = r.choice(env.seeds[self.kind])
        structural, mf = r.random() < 0.8, 0
        if structural:
            if self.kind == "csv": L = data.decode().split("\n"); desc, mf = r.choice(CSV_OPS)(r, L, c); text = "\n".join(L)
            else: text, desc, mf = json_op(r, data.decode(), c)
            self.ops.append(desc); data = text.encode()
        if not structural or r.random() < 0.3:
            data, desc, m2 = byte_op(r, data, c); self.ops.append(desc); mf = 1 if 1 in (mf, m2) else 0
        self.data, self.must_fail, self.must_pass = data, mf == 1, mf == -1

class Env:
    """The seed corpus and the baseline store."""

    def __init__(self, mosaic, work, timeout):
        self.mosaic, self.work, self.timeout = mosaic, work, timeout
        syn, sd = work / "synth", work / "seeds"; sd.mkdir()
        def m(*args):
            rc, out = run([mosaic, *args], 120)
            if rc != 0:
                print(f"intake fuzz: setup failed: mosaic {' '.join(map(str, args))}: {out.strip()}", file=sys.stderr); sys.exit(2)
        m("synth", "--out", syn, "--schools", 50, "--quarters", 1, "--last", PERIOD)
        files = sorted((syn / "counts" / PERIOD).glob("*.csv"))
        files.sort(key=lambda f: (-sum(not l.endswith(",0") for l in f.read_text().splitlines()[2:]), f.name))
        ids = [f.stem for f in files]
        self.store, self.key = work / "baseline.sqlite", work / "authority.key"
        m("init", "--store", self.store); m("registry", "import", "--store", self.store, syn / "registry.csv")
        m("keys", "init", "--store", self.store, "--key", self.key)
        self.seeds = {"csv": [(f.stem, f.read_bytes()) for f in files[:6]],
                      "json": [(f.stem, to_json(f.read_text())) for f in files[6:12]]}
        for k, lang in ((4, "es"), (5, "en")):  # labels taken from a template
            m("template", "--school", ids[k], "--period", PERIOD, "--lang", lang, "--out", sd / f"template-{lang}.csv")
            s, t = self.seeds["csv"][k][1].decode().split("\n"), (sd / f"template-{lang}.csv").read_text().split("\n")
            s[1:-1] = [s[1] + ",label"] + [a + "," + b.split(",", 5)[5] for a, b in zip(s[2:-1], t[2:-1])]
            self.seeds["csv"][k] = (ids[k], "\n".join(s).encode())
        for kind in ("csv", "json"):
            for school, data in self.seeds[kind]: (sd / f"{school}.{kind}").write_bytes(data)
        def seal(school, cred, store=self.store):
            m("registry", "credentials", "--store", store, "--school", school, "--out", sd / f"{cred}.cred")
            m("seal", syn / "counts" / PERIOD / f"{school}.csv", "--credentials", sd / f"{cred}.cred", "--out", sd / f"{cred}.mpkg")
            return (sd / f"{cred}.mpkg").read_bytes()
        self.packages = [[s, seal(s, s), True] for s in ids[12:17]]
        self.packages[0][2] = False  # its key is revoked by the next credentials
        self.packages.append([ids[12], seal(ids[12], "reissued"), True])
        other = work / "other.sqlite"  # another authority
        m("init", "--store", other); m("registry", "import", "--store", other, syn / "registry.csv")
        m("keys", "init", "--store", other, "--key", work / "other.key")
        self.packages.append([ids[13], seal(ids[13], "other-authority", other), False])
        self.closed, self.other = ids[16], ids[20]  # closed after sealing; a registered, open school
        self.packages[4][2] = False
        lines = (syn / "registry.csv").read_text().splitlines(keepends=True)
        (work / "registry-closed.csv").write_text("".join(l for l in lines if not l.startswith(self.closed + ",")))
        m("registry", "import", "--store", self.store, work / "registry-closed.csv")
        self.valid_packages = {d for _, d, ok in self.packages if ok}
        m("validate", "--store", self.store, *[sd / f"{s}.{k}" for k in ("csv", "json") for s, _ in self.seeds[k]])
        m("ingest", "--store", self.store, "--key", self.key, "--unsealed",
          sd / f"{ids[0]}.csv", sd / f"{ids[6]}.json", sd / f"{ids[13]}.mpkg")
        shutil.copyfile(self.store, work / "snapshot.sqlite")
        self.base = snapshot(work / "snapshot.sqlite")

def snapshot(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        snap = {"schema": sorted(map(repr, db.execute("SELECT type, name, sql FROM sqlite_master")))}
        for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            cur = db.execute(f'SELECT * FROM "{t}"'); cols = [d[0] for d in cur.description]
            snap[t] = [dict(zip(cols, row)) for row in cur]
        snap["checks"] = db.execute("PRAGMA integrity_check").fetchall() + db.execute("PRAGMA foreign_key_check").fetchall()
        return snap
    finally:
        db.close()

def holds(m, row):
    """Whether an accepted mutant names the school and quarter stored for it."""
    if m.kind == "sealed": return row["school_id"] == m.school and row["period"] == PERIOD
    if m.kind == "csv": return row["school_id"].encode() in m.data and row["period"].encode() in m.data
    try: doc = json.loads(m.data.decode("utf-8-sig"))
    except ValueError: return False
    return (doc.get("school_id"), doc.get("period")) == (row["school_id"], row["period"])

def store_problems(base, snap, reported, byname):
    """The store rule of the docstring: [(mutant or None, text)]. reported: name -> mutant stored or corrected."""
    out = [] if snap["checks"] == [("ok",)] else [(None, f"integrity or foreign key check: {snap['checks'][:3]}")]
    canon = lambda rows: sorted(map(repr, rows or []))
    out += [(None, f"table {t} changed") for t in set(base) | set(snap)
            if t not in ("submission", "submission_count", "checks") and canon(base.get(t)) != canon(snap.get(t))]
    old, new = {s["id"]: s for s in base["submission"]}, {s["id"]: s for s in snap["submission"]}
    added = {i: s for i, s in new.items() if i not in old}
    counts = lambda sn, ids: canon(x for x in sn["submission_count"] if x["submission_id"] in ids)
    if counts(base, old) != counts(snap, old): out.append((None, "counts of baseline submissions changed"))
    if {x["submission_id"] for x in snap["submission_count"]} - new.keys(): out.append((None, "counts of no submission"))
    out += [(None, f"baseline submission {i} deleted") for i in old.keys() - new.keys()]
    for i, s in new.items():
        was, by = old.get(i), s["superseded_by"]
        if was is not None and ({**s, "superseded_by": was["superseded_by"]} != was or was["superseded_by"] not in (None, by)):
            out.append((None, f"baseline submission {i} altered"))
        elif by is not None and (was is None or was["superseded_by"] != by):
            if by not in added or by <= i or (added[by]["school_id"], added[by]["period"]) != (s["school_id"], s["period"]):
                out.append((byname.get(s["source_name"]), f"submission {i} superseded by {by}, not a newer one of its school and quarter"))
    names = Counter(s["source_name"] for s in added.values())
    for name, k in names.items():
        if name not in reported: out.append((byname.get(name), f"{k} submission(s) stored for {name}, not reported stored"))
        elif k > 1: out.append((reported[name], f"{k} submissions stored for one file"))
    out += [(m, "reported stored, but nothing is in the store") for name, m in reported.items() if name not in names]
    return out + [(reported[s["source_name"]], f"stored as {s['school_id']} {s['period']}, which the file does not name")
                  for s in added.values() if s["source_name"] in reported and not holds(reported[s["source_name"]], s)]

FATE = re.compile(r"^(rejected|refused|unchanged|stored|corrected): .*?(m\d{6}\.(?:csv|json|mpkg))((?::.*)?)$", re.M)
VALIDATED = re.compile(r"^.*?(m\d{6}\.(?:csv|json|mpkg))(?::\d+)?: (.*)$", re.M)

def process(env, mutants, findings, stats, keep=False):
    """Validates and ingests one batch; notes findings by mutant id, and the fates in stats."""
    bdir = env.work / ("only" if keep else "batch"); shutil.rmtree(bdir, ignore_errors=True); bdir.mkdir()
    store, byname, outputs = bdir / "store.sqlite", {m.name: m for m in mutants}, []
    shutil.copyfile(env.store, store)
    for m in mutants: (bdir / m.name).write_bytes(m.data)
    note = lambda m, cat, text: findings.setdefault(m.id, []).append((cat, text))

    def call(sub, ms, extra):
        """mosaic SUB over the files of ms: (exit status, or None after a crash or hang; output)."""
        cmd = lambda st, names: [env.mosaic, sub, "--store", st, *extra, *[bdir / n for n in names]]
        rc, out = run(cmd(store, [m.name for m in ms]), env.timeout); outputs.append(out)
        if rc in (0, 1): return rc, out
        what = lambda rc: "timed out" if rc is None else f"exited {rc}"
        blamed, hangs = False, 0
        for m in ms:  # each file alone, on a fresh store
            if hangs >= 3: note(m, "hang", f"mosaic {sub}: not rerun alone after 3 hangs"); continue
            shutil.copyfile(env.store, bdir / "alone.sqlite")
            r1, o1 = run(cmd(bdir / "alone.sqlite", [m.name]), env.timeout); outputs.append(o1)
            if r1 not in (0, 1):
                hangs, blamed = hangs + (r1 is None), True
                note(m, "hang" if r1 is None else "crash", f"mosaic {sub} {what(r1)}: {o1.strip()[-400:]!r}")
        for m in [] if blamed else ms:
            note(m, "hang" if rc is None else "crash", f"mosaic {sub} {what(rc)} on its batch, not alone: {out.strip()[-400:]!r}")
        return None, out

    said = {}  # file name -> what mosaic said about it, first line
    for_file = lambda m: said.get(m.name, "nothing")
    rc, out = call("validate", mutants, [])
    verdict = None if rc is None else {m.name: True for m in mutants}
    for name, rest in VALIDATED.findall(out) if verdict else []:
        if name in byname: verdict[name] = verdict[name] and rest == "valid"; said.setdefault(name, rest)
    for m in mutants if verdict else []:
        if verdict[m.name] and m.must_fail: note(m, "accepted", "passed mosaic validate")
        if not verdict[m.name] and m.must_pass and m.kind != "sealed": note(m, "rejected", f"mosaic validate: {for_file(m)}")
        if verdict[m.name] and m.kind == "sealed": note(m, "disagree", "mosaic validate passed a package, without the authority key")
    if verdict and rc != (0 if all(verdict.values()) else 1): note(mutants[0], "disagree", f"mosaic validate exited {rc} for its batch")
    fate, store_known = {}, True
    for ms, extra in (([m for m in mutants if m.kind != "sealed"], ["--unsealed"]), ([m for m in mutants if m.kind == "sealed"], [])):
        if not ms: continue
        rc, out = call("ingest", ms, ["--key", env.key, "--verbose", *extra])
        if rc is None: store_known = False; continue
        got = {name: f for f, name, _ in FATE.findall(out) if name in byname}
        for f, name, rest in FATE.findall(out):  # validate's message for plain files, ingest's for packages
            if name in byname and (name not in said or byname[name].kind == "sealed"): said[name] = f"{f} {name}{rest}"
        fate.update(got)
        for m in ms:
            f = got.get(m.name)
            if f is None: note(m, "disagree", "mosaic ingest reported no fate for it"); continue
            stats["refused" if f in ("rejected", "refused") else "accepted"] += 1
            if f in ("stored", "corrected", "unchanged") and m.must_fail: note(m, "accepted", f"mosaic ingest: {f}")
            if f == "rejected" and m.must_pass: note(m, "rejected", f"mosaic ingest: {for_file(m)}")
            if verdict and m.kind != "sealed" and (f == "rejected") == verdict[m.name]:
                v = "valid" if verdict[m.name] else "invalid"
                note(m, "disagree", f"mosaic validate said {v}, mosaic ingest said {f}: {for_file(m)}")
        if rc != (1 if any(got.get(m.name) in ("rejected", "refused", None) for m in ms) else 0):
            note(ms[0], "disagree", f"mosaic ingest exited {rc} for its batch")
    if store_known:
        reported = {n: byname[n] for n, f in fate.items() if f in ("stored", "corrected")}
        for m, text in store_problems(env.base, snapshot(store), reported, byname):
            for who in [m] if m else (list(reported.values()) or mutants): note(who, "store", text)
    text = "\n".join(outputs)
    for m in mutants:
        for canary in (c for c in m.canaries if c in text):
            note(m, "echo", f"the output repeats {canary!r}: {next(l for l in text.splitlines() if canary in l)[:300]!r}")
    if keep: print(f"kept {bdir / mutants[0].name}, store {store}; mosaic said:\n" + "\n".join(o.rstrip() for o in outputs))
    else: shutil.rmtree(bdir)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mutants", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mosaic", default=str(ROOT / ".build/debug/mosaic"))
    ap.add_argument("--workdir", help="work here and keep it (default: a temporary folder, removed)")
    ap.add_argument("--timeout", type=float, default=20, help="seconds per mosaic call (default 20)")
    ap.add_argument("--only", type=int, metavar="ID", help="rerun one mutant, and keep its file")
    a = ap.parse_args()
    mosaic = Path(a.mosaic).resolve()
    if not mosaic.is_file(): print(f"intake fuzz: no mosaic at {mosaic} (swift build, or --mosaic PATH)", file=sys.stderr); return 2
    if a.workdir: work = Path(a.workdir).resolve() / "intake-fuzz"; shutil.rmtree(work, ignore_errors=True); work.mkdir(parents=True)
    else: work = Path(tempfile.mkdtemp(prefix="intake-fuzz-"))
    started, tty = time.time(), sys.stderr.isatty()
    env = Env(mosaic, work, a.timeout)
    ids = [a.only] if a.only is not None else list(range(a.mutants))
    findings, stats, kinds = {}, Counter(), Counter(KINDS[i % 3] for i in ids)
    for b in range(0, len(ids), BATCH):
        batch = [Mutant(env, a.seed, i) for i in ids[b:b + BATCH]]
        if a.only is not None: print(f"mutant {a.only}: {batch[0].kind} from {batch[0].school}: {' + '.join(batch[0].ops)}")
        process(env, batch, findings, stats, keep=a.only is not None)
        if tty: sys.stderr.write(f"\rintake fuzz: {b + len(batch)}/{len(ids)} mutants, {len(findings)} with findings\x1b[K")
    if tty: sys.stderr.write("\r\x1b[K")
    for i in sorted(findings):
        m = Mutant(env, a.seed, i)
        for cat, text in findings[i]: print(f"{cat}: mutant {i} ({m.kind} from {m.school}: {' + '.join(m.ops)}): {text}")
        print(f"  reproduce: python3 Analysis/intake-fuzz.py --seed {a.seed} --only {i} --mosaic {mosaic}")
    categories = ("crash", "hang", "echo", "store", "accepted", "rejected", "disagree")
    n = {c: sum(any(k == c for k, _ in f) for f in findings.values()) for c in categories}
    print(f"intake fuzz: {len(ids)} mutants ({kinds['csv']} csv, {kinds['json']} json, {kinds['sealed']} sealed): "
          f"{n['crash']} crashes, {n['hang']} hangs, {n['echo']} echoes, {n['store']} store changes, "
          f"{n['accepted']} wrongly accepted, {n['rejected']} wrongly rejected, "
          f"{n['disagree']} disagreements; {stats['refused']} refused, {stats['accepted']} accepted; {time.time() - started:.0f} s")
    if not a.workdir and a.only is None: shutil.rmtree(work)
    print(f"{len(ids) - len(findings)} passed, {len(findings)} failed")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())

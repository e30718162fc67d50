#!/usr/bin/env python3
"""The three sides of the code, checked from Package.swift and the sources (run by `make test`).

- Public side (what researchers and policymakers run) may not reach the noise engine, the
  samplers, BigInt, the OS randomness, the privacy accounting or the store, directly or through
  another target.
- School side (counts files, sealing) may not reach the store or the authority's modules.
- Every `import` of one of the package's own modules (or GRDB, Crypto, BigInt) in a target's
  sources must be a direct dependency declared in Package.swift: nothing leans on a transitive one.
Also writes ARCHITECTURE-graph.mmd (the target graph, Mermaid) when given --graph FILE.
Exit 1 with each violation listed.
"""
import json, os, re, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PUBLIC = ["MosaicText", "MosaicCodebook", "MosaicFiles", "MosaicRegistry", "MosaicErrorModel", "MosaicReleaseFile",
          "MosaicQuery", "MosaicReporting", "CSQLiteGuard"]
SCHOOL = ["MosaicCounts", "MosaicSeal"]
FORBIDDEN_PUBLIC = {"MosaicEngine", "MosaicSamplers", "BigInt", "CSystemRandom", "MosaicPrivacy", "MosaicStore", "MosaicIntake",
                    "MosaicRelease", "MosaicKeyring", "MosaicSynth", "MosaicSeal", "MosaicCounts"}
FORBIDDEN_SCHOOL = {"MosaicStore", "MosaicIntake", "MosaicEngine", "MosaicSamplers", "BigInt", "MosaicRelease", "MosaicKeyring", "GRDB"}
PRODUCT_MODULES = {"GRDB": "GRDB", "GRDBSQLite": "GRDBSQLite", "Crypto": "Crypto", "BigInt": "BigInt", "ArgumentParser": "ArgumentParser"}


def main():
    dump = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    targets = {t["name"]: t for t in dump["targets"]}
    deps = {}
    for name, t in targets.items():
        d = set()
        for dep in t["dependencies"]:
            if "byName" in dep: d.add(dep["byName"][0])
            elif "target" in dep: d.add(dep["target"][0])
            elif "product" in dep: d.add(dep["product"][0])
        deps[name] = d

    def closure(name):
        seen, stack = set(), [name]
        while stack:
            for d in deps.get(stack.pop(), ()):
                if d not in seen:
                    seen.add(d)
                    stack.append(d)
        return seen

    problems = []
    for name in PUBLIC:
        bad = closure(name) & FORBIDDEN_PUBLIC
        if bad: problems.append(f"public side: {name} reaches {', '.join(sorted(bad))}")
    for name in SCHOOL:
        bad = closure(name) & FORBIDDEN_SCHOOL
        if bad: problems.append(f"school side: {name} reaches {', '.join(sorted(bad))}")

    own = set(targets) | set(PRODUCT_MODULES)
    for name, t in targets.items():
        path = t.get("path") or os.path.join("Tests" if t["type"] == "test" else "Sources", name)
        folder = os.path.join(ROOT, path)
        for dirpath, _, files in os.walk(folder):
            for f in files:
                if not f.endswith(".swift"): continue
                for line in open(os.path.join(dirpath, f), encoding="utf-8"):
                    m = re.match(r"\s*(?:@testable\s+)?import\s+(\w+)", line)
                    if not m: continue
                    module = m.group(1)
                    if module in own and module != name and module not in deps[name]:
                        if module == "GRDBSQLite" and "GRDB" in deps[name]: continue
                        problems.append(f"{os.path.relpath(os.path.join(dirpath, f), ROOT)}: imports {module}, not a declared dependency of {name}")

    if "--graph" in sys.argv:
        out = sys.argv[sys.argv.index("--graph") + 1]
        lines = ["graph TD"]
        side = {n: "public" for n in PUBLIC} | {n: "school" for n in SCHOOL}
        for name in sorted(targets):
            if targets[name]["type"] in ("test",) or name.endswith("-bench") or name == "privacy-eval": continue
            for d in sorted(deps[name]):
                if d in targets: lines.append(f"  {name} --> {d}")
        lines.append("  classDef public fill:#e0f0ff,stroke:#0072B2")
        lines.append("  classDef school fill:#e8f8e0,stroke:#009E73")
        lines.append("  classDef authority fill:#fff0e0,stroke:#D55E00")
        for name in sorted(targets):
            if targets[name]["type"] == "test" or name.endswith("-bench") or name == "privacy-eval": continue
            lines.append(f"  class {name} {side.get(name, 'authority')}")
        open(out, "w").write("\n".join(lines) + "\n")

    for p in problems: print("layers:", p)
    print(f"layers: {len(targets)} targets, {len(problems)} problem(s)")
    sys.exit(1 if problems else 0)


main()

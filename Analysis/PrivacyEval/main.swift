// Utility and calibration of the privacy engine on the synthetic demo country.
//
//   privacy-eval utility [releases]      mean absolute error per level against ρ: the consistent
//                                        release vs. each level's own noisy measurement
//   privacy-eval calibration [releases]  share of true values inside the stated 95 % interval
//   privacy-eval zeros [releases] [runs] what calibrating published zeros per level would take
//   privacy-eval sums [releases] [reps]  coverage of sums' margins (bootstrap replicates)
//   privacy-eval weights | bottomup      budget splits; top-down against bottom-up
//   privacy-eval domains [releases]      breakdowns by stage and sector: what they cost the
//                                        geography's figures, their own error and calibration
//
// Noise comes from the OS CSPRNG, as in production; the figures vary slightly between runs.
import Foundation
import MosaicCodebook
import MosaicEngine
import MosaicErrorModel
import MosaicPrivacy
import MosaicSamplers
import MosaicSynth

let args = CommandLine.arguments
let mode = args.count > 1 ? args[1] : "utility"
let releases = args.count > 2 ? Int(args[2]) ?? 50 : (mode == "calibration" ? 200 : 50)

let codebook = try Codebook.bundled()
let country = try SyntheticCountry(config: SynthConfig(), codebook: codebook)
let period = country.config.periods.last!
let geography = Geography(schools: country.schools, countryName: "Synthetic Spain")
var byProvince: [String: [Int]] = [:]
let provinceOf = Dictionary(uniqueKeysWithValues: country.schools.map { ($0.id, $0.provinceCode) })
for s in country.submissions(for: period) {
    let p = provinceOf[s.schoolID]!
    var v = byProvince[p] ?? [Int](repeating: 0, count: codebook.allCells.count)
    for i in v.indices { v[i] += s.counts[i] }
    byProvince[p] = v
}
let truth = TrueCounts(byProvince: byProvince)
let entropy = SystemEntropy()
let schoolByID = Dictionary(uniqueKeysWithValues: country.schools.map { ($0.id, $0) })

/// The truth with its breakdowns by stage and sector.
func domainTruth() -> TrueCounts {
    var t = TrueCounts(byProvince: [:])
    for s in country.submissions(for: period) { t.add(s.counts, school: schoolByID[s.schoolID]!, dimensions: ["stage", "sector"]) }
    return t
}

/// Mean absolute error per level over `releases` releases of `plan`: per cell, and of the total,
/// formatted as "cells (total)" per level.
@MainActor func maeLine(_ plan: ReleasePlan, values: [[Int]], domains: Domains = .none, truth: TrueCounts = truth) -> String {
    let engine = ReleaseEngine(codebook: codebook, geography: geography, plan: plan, domains: domains)
    var err: [Level: Double] = [:]
    var n: [Level: Double] = [:]
    var totalErr: [Level: Double] = [:]
    var totalN: [Level: Double] = [:]
    for _ in 0..<releases {
        let e = engine.estimate(engine.measure(truth, entropy: entropy))
        for (i, u) in geography.units.enumerated() {
            for j in 0..<codebook.allCells.count {
                err[u.level, default: 0] += Swift.abs(Double(e.integerCells[i][j] - values[i][j]))
                n[u.level, default: 0] += 1
            }
            totalErr[u.level, default: 0] += Swift.abs(Double(e.integerTotals[i] - codebook.total(of: "incidents", in: values[i])))
            totalN[u.level, default: 0] += 1
        }
    }
    return Level.allCases.map { l in String(format: "%6.3f (%5.2f)   ", err[l]! / n[l]!, totalErr[l]! / totalN[l]!) }.joined()
}

/// Mean absolute error per level over `releases` releases: the consistent release's whole numbers
/// and each level's own noisy measurement (clipped at 0), per cell and of the total.
@MainActor func run(rho: Rho, releases: Int) -> (
    consistent: [Level: Double], independent: [Level: Double], totalMAE: [Level: Double], totalIndependent: [Level: Double]
) {
    let engine = ReleaseEngine(codebook: codebook, geography: geography, plan: ReleasePlan.defaults(codebook: codebook, rho: rho))
    let values = engine.aggregate(truth)
    var abs: [Level: Double] = [:]
    var absIndependent: [Level: Double] = [:]
    var count: [Level: Double] = [:]
    var totalAbs: [Level: Double] = [:]
    var totalAbsIndependent: [Level: Double] = [:]
    var totalCount: [Level: Double] = [:]
    let totalTable = codebook.rules.equalTotals[0]
    for _ in 0..<releases {
        let m = engine.measure(truth, entropy: entropy)
        let e = engine.estimate(m)
        for (i, u) in geography.units.enumerated() {
            for j in 0..<codebook.allCells.count {
                let t = Double(values[i][j])
                abs[u.level, default: 0] += Swift.abs(Double(e.integerCells[i][j]) - t)
                absIndependent[u.level, default: 0] += Swift.abs(Double(max(0, m.cells[i][j])) - t)
                count[u.level, default: 0] += 1
            }
            let tt = Double(codebook.total(of: totalTable, in: values[i]))
            totalAbs[u.level, default: 0] += Swift.abs(Double(e.integerTotals[i]) - tt)
            totalAbsIndependent[u.level, default: 0] += Swift.abs(Double(max(0, m.totals[i])) - tt)
            totalCount[u.level, default: 0] += 1
        }
    }
    func ratio(_ a: [Level: Double], _ b: [Level: Double]) -> [Level: Double] { a.reduce(into: [:]) { $0[$1.key] = $1.value / b[$1.key]! } }
    return (ratio(abs, count), ratio(absIndependent, count), ratio(totalAbs, totalCount), ratio(totalAbsIndependent, totalCount))
}

let totalPersons = codebook.total(
    of: codebook.rules.equalTotals[0],
    in: ReleaseEngine(codebook: codebook, geography: geography, plan: ReleasePlan.defaults(codebook: codebook, rho: Rho("1")!)).aggregate(
        truth)[0])
print(
    "Synthetic country: \(geography.units.count - 1 - geography.leaves.count) regions, \(geography.leaves.count) provinces, \(country.schools.count) schools; \(period): \(totalPersons) affected persons."
)
switch mode {
case "bottomup":
    // DESIGN.md: clipping each province at zero and summing upward multiplies the country-level
    // error; the top-down split does not. Mean absolute error of the country's cells at ρ = 1.
    let engine = ReleaseEngine(codebook: codebook, geography: geography, plan: ReleasePlan.defaults(codebook: codebook, rho: Rho("1")!))
    let values = engine.aggregate(truth)
    let leaves = geography.leaves
    var topDown = 0.0
    var bottomUp = 0.0
    var bottomUpLS = 0.0
    var n = 0.0
    for _ in 0..<releases {
        let m = engine.measure(truth, entropy: entropy)
        let e = engine.estimate(m)
        for j in 0..<codebook.allCells.count {
            let t = Double(values[0][j])
            topDown += Swift.abs(Double(e.integerCells[0][j]) - t)
            bottomUp += Swift.abs(Double(leaves.reduce(0) { $0 + max(0, Int(m.cells[$1][j])) }) - t)
            bottomUpLS += Swift.abs(leaves.reduce(0.0) { $0 + max(0, e.cells[$1][j].rounded()) } - t)
            n += 1
        }
    }
    print("Country-level mean absolute error per cell at ρ = 1 over \(releases) releases:")
    print(String(format: "  top-down (Mosaic)                                   %7.2f", topDown / n))
    print(String(format: "  bottom-up: provinces' noisy values clipped at 0, summed   %7.2f  (%.1f×)", bottomUp / n, bottomUp / topDown))
    print(
        String(format: "  bottom-up: provinces' least-squares values clipped, summed %7.2f  (%.1f×)", bottomUpLS / n, bottomUpLS / topDown))
case "weights":
    // Candidate budget splits at ρ = 1: mean absolute error per cell and of the total, per level.
    print("Budget splits at ρ = 1 over \(releases) releases: mean absolute error per cell (and of the total) per level.")
    print("levels c/r/p  tables i/ch/to/pe/re/total     country          region           province")
    let candidates: [([Level: UInt64], [UInt64])] = [
        ([.country: 1, .region: 1, .province: 1], [1, 1, 1, 1, 1, 1]),
        ([.country: 1, .region: 1, .province: 2], [1, 1, 1, 1, 1, 1]),
        ([.country: 1, .region: 1, .province: 2], [3, 1, 1, 1, 2, 2]),
        ([.country: 1, .region: 2, .province: 3], [3, 1, 1, 1, 2, 2]),
        ([.country: 2, .region: 1, .province: 1], [3, 1, 1, 1, 2, 2]),
        ([.country: 1, .region: 1, .province: 2], [3, 1, 1, 1, 2, 0]),
    ]
    let values = ReleaseEngine(codebook: codebook, geography: geography, plan: ReleasePlan.defaults(codebook: codebook, rho: Rho("1")!))
        .aggregate(truth)
    for (levels, tw) in candidates where !tw.contains(0) {
        var weights: [String: UInt64] = [:]
        for (t, w) in zip(codebook.tables.map(\.name) + [ReleasePlan.totalName], tw) { weights[t] = w }
        let plan = ReleasePlan(rho: Rho("1")!, tableWeights: weights, levelWeights: levels, k: 5, minimumSchools: 5)
        let label =
            "\(levels[.country]!)/\(levels[.region]!)/\(levels[.province]!)".padding(toLength: 13, withPad: " ", startingAt: 0)
            + tw.map(String.init).joined(separator: "/").padding(toLength: 28, withPad: " ", startingAt: 0)
        print(label + maeLine(plan, values: values))
    }
case "pooled":
    // A pooled release of the last four quarters (one measurement of their sum) against the sum
    // of four quarterly releases, at the same ρ per release: mean absolute error of the four
    // quarters' total per cell and of the total, per level.
    let quarters = Array(country.config.periods.suffix(4))
    func truthOf(_ q: Period) -> TrueCounts {
        var byP: [String: [Int]] = [:]
        for s in country.submissions(for: q) {
            let p = provinceOf[s.schoolID]!
            var v = byP[p] ?? [Int](repeating: 0, count: codebook.allCells.count)
            for i in v.indices { v[i] += s.counts[i] }
            byP[p] = v
        }
        return TrueCounts(byProvince: byP)
    }
    let truths = quarters.map(truthOf)
    var pooledTruth: [String: [Int]] = [:]
    for t in truths {
        for (p, v) in t.byProvince { pooledTruth[p] = zip(pooledTruth[p] ?? [Int](repeating: 0, count: v.count), v).map { $0 + $1 } }
    }
    let engine = ReleaseEngine(codebook: codebook, geography: geography, plan: ReleasePlan.defaults(codebook: codebook, rho: Rho("1")!))
    let values = engine.aggregate(TrueCounts(byProvince: pooledTruth))
    var err: [String: [Level: Double]] = [:]
    var totalErr: [String: [Level: Double]] = [:]
    var n: [Level: Double] = [:]
    var tn: [Level: Double] = [:]
    for _ in 0..<releases {
        let pooled = engine.estimate(engine.measure(TrueCounts(byProvince: pooledTruth), entropy: entropy))
        let summed = truths.map { engine.estimate(engine.measure($0, entropy: entropy)) }
        for (i, u) in geography.units.enumerated() {
            let total = codebook.total(of: "incidents", in: values[i])
            for j in 0..<codebook.allCells.count {
                err["pooled", default: [:]][u.level, default: 0] += Swift.abs(Double(pooled.integerCells[i][j] - values[i][j]))
                err["summed", default: [:]][u.level, default: 0] += Swift.abs(
                    Double(summed.reduce(0) { $0 + $1.integerCells[i][j] } - values[i][j]))
                n[u.level, default: 0] += 1
            }
            totalErr["pooled", default: [:]][u.level, default: 0] += Swift.abs(Double(pooled.integerTotals[i] - total))
            totalErr["summed", default: [:]][u.level, default: 0] += Swift.abs(
                Double(summed.reduce(0) { $0 + $1.integerTotals[i] } - total))
            tn[u.level, default: 0] += 1
        }
    }
    print(
        "Four quarters \(quarters.first!)..\(quarters.last!) over \(releases) draws, ρ = 1 per release: mean absolute error per cell (and of the total) per level."
    )
    print("                         country          region           province")
    for name in ["summed", "pooled"] {
        print(
            (name == "pooled" ? "one pooled release       " : "four quarterly, summed    ")
                + Level.allCases.map { l in String(format: "%6.3f (%5.2f)   ", err[name]![l]! / n[l]!, totalErr[name]![l]! / tn[l]!) }
                .joined())
    }
    print(
        "ratio pooled/summed      "
            + Level.allCases.map { l in
                String(
                    format: "%6.2f (%5.2f)   ", err["pooled"]![l]! / err["summed"]![l]!, totalErr["pooled"]![l]! / totalErr["summed"]![l]!)
            }.joined())
case "plan":
    // The default weights against the optimised ones (PlanOptimizer): the objective (mean
    // variance per level of every released estimate, relative to the default plan), then the
    // mean absolute error per cell and of the total per level, at ρ = 0.5, 1 and 2.
    let base = ReleasePlan.defaults(codebook: codebook, rho: Rho("1")!)
    let optimizer = PlanOptimizer(codebook: codebook, geography: geography)
    let result = optimizer.optimize(base: base)
    let names = codebook.tables.map(\.name) + [ReleasePlan.totalName]
    print(
        "Default weights:   tables \(names.map { "\($0)=\(base.tableWeights[$0]!)" }.joined(separator: " ")); levels \(Level.allCases.map { "\($0.rawValue)=\(base.levelWeights[$0]!)" }.joined(separator: " "))"
    )
    print(
        "Optimised weights: tables \(names.map { "\($0)=\(result.plan.tableWeights[$0]!)" }.joined(separator: " ")); levels \(Level.allCases.map { "\($0.rawValue)=\(result.plan.levelWeights[$0]!)" }.joined(separator: " ")) (\(result.steps) gradient steps)"
    )
    print(
        String(
            format: "Objective (sum over tables and levels of mean variance relative to the default): default %.3f, optimised %.3f",
            result.defaultObjective, result.objective))
    print("Mean variance of the released estimates, optimised against default (change in %):")
    print("table          " + Level.allCases.map { $0.rawValue.padding(toLength: 26, withPad: " ", startingAt: 0) }.joined())
    for t in names {
        print(
            t.padding(toLength: 15, withPad: " ", startingAt: 0)
                + Level.allCases.map { l in
                    let k = PlanOptimizer.Key(table: t, level: l)
                    return String(
                        format: "%7.2f → %7.2f (%+5.1f)  ", result.defaultVariances[k]!, result.variances[k]!,
                        100 * (result.variances[k]! / result.defaultVariances[k]! - 1))
                }.joined())
    }
    print("Mean absolute error per cell (and of the total) per level over \(releases) releases:")
    print("rho   plan        country          region           province")
    let values = ReleaseEngine(codebook: codebook, geography: geography, plan: base).aggregate(truth)
    for rho in ["0.5", "1", "2"] {
        for (name, weights) in [("default", base), ("optimised", result.plan)] {
            var plan = weights
            plan.rho = Rho(rho)!
            print(
                rho.padding(toLength: 6, withPad: " ", startingAt: 0) + name.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + maeLine(plan, values: values))
        }
    }
case "domains":
    // Breakdowns by stage and sector (the total of affected persons at the country and the
    // regions; `incidents` at the country only): what they cost the geography's figures (MAE per
    // level with and without them, at the same ρ), and the parts' own error and calibration
    // (share of true values inside the stated 95 % interval; values of 5 or more, as published
    // whole numbers and as least-squares estimates).
    let full = domainTruth()
    let base = ReleasePlan.defaults(codebook: codebook, rho: Rho("1")!)
    let values = ReleaseEngine(codebook: codebook, geography: geography, plan: base).aggregate(truth)
    // The optimiser's choice of the breakdowns' share (G against dimension weights of 10).
    var optimised = base
    optimised.addDefaultDomains(codebook: codebook)
    let optimisedDomains = Domains(
        schools: country.schools, geography: geography, dimensions: optimised.domainDimensions, tables: optimised.domainTables)
    let (chosen, gStar) = PlanOptimizer(codebook: codebook, geography: geography).optimizeDomainShare(optimised, domains: optimisedDomains)
    print(String(format: "Optimiser: G* = %.2f (geography weight %d against 10 per dimension).", gStar ?? 0, chosen.geographyWeight))
    let plans: [(name: String, tables: [String], g: UInt64)] = [
        ("total, G = 4", ["total"], 4), ("total+incidents, G = 4", ["total", "incidents"], 4),
        ("total+incidents, G = 6", ["total", "incidents"], 6), ("total+incidents, G = 8", ["total", "incidents"], 8),
        (String(format: "total+incidents, G* = %.1f", gStar ?? 0), ["total", "incidents"], 0),
    ]
    func made(_ p: (name: String, tables: [String], g: UInt64)) -> (ReleasePlan, Domains) {
        var plan = base
        plan.addDefaultDomains(codebook: codebook)
        plan.domainTables = p.tables
        plan.geographyWeight = p.g
        if p.g == 0 { plan = chosen }  // the optimiser's
        return (plan, Domains(schools: country.schools, geography: geography, dimensions: plan.domainDimensions, tables: plan.domainTables))
    }
    print("Geography: mean absolute error per cell (and of the total) per level over \(releases) releases, ρ = 1:")
    print("plan (share of ρ to breakdowns)        country          region           province")
    print("no breakdowns                          " + maeLine(base, values: values))
    for p in plans {
        let (plan, domains) = made(p)
        let groups = plan.groups(codebook: codebook)
        let share = 100 * groups.filter { $0.dimension != nil }.reduce(0.0) { $0 + $1.rho.value } / groups.reduce(0.0) { $0 + $1.rho.value }
        print(
            (p.name + String(format: " (%4.1f %%)", share)).padding(toLength: 39, withPad: " ", startingAt: 0)
                + maeLine(plan, values: values, domains: domains, truth: full))
    }
    print("Breakdowns: MAE of the parts' whole numbers, mean 95 % margin, and coverage of true values ≥ 5:")
    print("plan                     values            MAE     margin  coverage (whole)  coverage (least squares)  values ≥ 5 per release")
    for p in plans {
        let (plan, domains) = made(p)
        let engine = ReleaseEngine(codebook: codebook, geography: geography, plan: plan, domains: domains)
        let exact = engine.domainTruth(full)
        // Kinds: the country's and the regions' totals, the country's cells.
        let kinds = ["country totals", "region totals", "country cells"]
        var err = [Double](repeating: 0, count: 3)
        var n = err
        var margin = err
        var inside = err
        var insideLS = err
        var big = err
        for _ in 0..<releases {
            let e = engine.estimate(engine.measure(full, entropy: entropy))
            for (i, part) in domains.parts.enumerated() {
                for q in exact[i].indices {
                    let k = q > 0 ? 2 : part.unit == 0 ? 0 : 1
                    let m = Margin.of(variance: e.domainVariances[i][q])
                    let miss = Swift.abs(Double(e.domainIntegers[i][q] - exact[i][q]))
                    err[k] += miss
                    margin[k] += m
                    n[k] += 1
                    guard exact[i][q] >= 5 else { continue }
                    big[k] += 1
                    if miss <= m { inside[k] += 1 }
                    if Swift.abs(e.domainCells[i][q] - Double(exact[i][q])) <= m { insideLS[k] += 1 }
                }
            }
        }
        for k in kinds.indices where n[k] > 0 {
            print(
                p.name.padding(toLength: 29, withPad: " ", startingAt: 0) + kinds[k].padding(toLength: 16, withPad: " ", startingAt: 0)
                    + String(
                        format: "%6.2f  %6.2f  %6.1f %%          %6.1f %%                  %.1f", err[k] / n[k], margin[k] / n[k],
                        100 * inside[k] / max(big[k], 1), 100 * insideLS[k] / max(big[k], 1), big[k] / Double(releases)))
        }
    }
case "sums":
    // Coverage of sums as `mosaic query` states them: female victims per region (18 cells of one
    // unit) and WhatsApp over each region's provinces. Margins from the release's bootstrap
    // replicates (what the release stores), and from the least-squares error model (the fallback
    // for files without replicates). The replicates come from the published values only.
    let replicates = args.count > 3 ? Int(args[3]) ?? 100 : 100
    let engine = ReleaseEngine(codebook: codebook, geography: geography, plan: ReleasePlan.defaults(codebook: codebook, rho: Rho("1")!))
    let model = engine.errorModel
    let values = engine.aggregate(truth)
    let female = codebook.table("incidents")!.cells.filter { $0.values[2] == "female" }.map(\.index)
    let whatsapp = codebook.cellIndex(table: "channels", cell: "whatsapp")!
    let regions = geography.units.indices.filter { geography.units[$0].level == .region }
    let width = codebook.allCells.count + 1
    let (geo, tr) = (geography, truth)
    let sums: [(unit: Int, cells: [(unit: Int, cell: Int)], table: String)] = regions.flatMap { r in
        [(r, female.map { (unit: r, cell: $0) }, "incidents"), (r, geo.units[r].children.map { (unit: $0, cell: whatsapp) }, "channels")]
    }
    let tally = Tally()
    DispatchQueue.concurrentPerform(iterations: releases) { _ in
        let entropy = SystemEntropy()
        let e = engine.estimate(engine.measure(tr, entropy: entropy))
        guard let published = try? engine.publish(e) else { fatalError("suppression failed") }
        let reps = engine.replicateErrors(published: published, count: replicates, entropy: entropy)
        var h: [String: Double] = [:]
        var c: [String: Double] = [:]
        for s in sums {
            let err = Swift.abs(s.cells.reduce(0) { $0 + e.integerCells[$1.unit][$1.cell] - values[$1.unit][$1.cell] })
            let lsMargin = ReleaseEngine.margin(model.varianceOfSum(table: s.table, cells: s.cells))
            let sorted = reps.map { rep in Swift.abs(s.cells.reduce(0) { $0 + Int(rep[$1.unit * width + 1 + $1.cell]) }) }.sorted()
            let margin = sorted[min(replicates - 1, Int((0.95 * Double(replicates)).rounded(.up)) - 1)]
            h["replicates", default: 0] += err <= margin ? 1 : 0
            h["ls", default: 0] += Double(err) <= lsMargin ? 1 : 0
            c["all", default: 0] += 1
        }
        tally.add(h, c)
    }
    print(
        String(
            format: "Sums covered over %d releases (%d sums): bootstrap replicates (%d) %.2f%%, least-squares error model %.2f%%",
            releases, Int(tally.counts["all"]!), replicates, tally.hits["replicates", default: 0] / tally.counts["all"]! * 100,
            tally.hits["ls", default: 0] / tally.counts["all"]! * 100))
case "calibration":
    // The stated margins (moe95 of published values, from the least-squares error model) against
    // the truth, per level: over all published values, by true value, and the least a valid
    // interval could reach. Suppressed and small-area values state no interval and are left out.
    print("Calibration over \(releases) releases per ρ: share of true values inside value ± moe95 of the published values.")
    print("Goal 94-96 %. 'floor' is the least any honest interval reaches at that level (see Analysis/PROOFS.md §5):")
    print("true zeros published as 0 are inside every interval that contains the published value.")
    print(
        "rho    level      published   floor   true 0  true 1..k-1  true k..19  true >= 20   shares (0 / 1..k-1 / k..19 / 20+)   least squares"
    )
    for rhoText in ["0.5", "1", "2"] {
        let tally = coverage(rho: Rho(rhoText)!, releases: releases) { _, _, stated in stated }
        for level in Level.allCases.map(\.rawValue) {
            func share(_ k: String) -> Double {
                tally.hits["\(level) \(k)", default: 0] / max(1, tally.counts["\(level) \(k)", default: 0]) * 100
            }
            func part(_ k: String) -> Double {
                tally.counts["\(level) \(k)", default: 0] / max(1, tally.counts["\(level) all", default: 0]) * 100
            }
            let q = tally.hits["\(level) t0 published 0", default: 0] / max(1, tally.counts["\(level) t0", default: 0]) * 100
            let floor = part("t0") / 100 * q + (1 - part("t0") / 100) * 95
            print(
                String(
                    format:
                        "%-6@ %-9@ %9.2f%% %7.2f%% %7.2f%% %10.2f%% %11.2f%% %11.2f%%   %5.1f / %4.1f / %4.1f / %4.1f %%          %6.2f%%",
                    rhoText as NSString, level as NSString, share("all"), floor, share("t0"), share("t1"), share("t2"), share("t3"),
                    part("t0"), part("t1"), part("t2"), part("t3"),
                    tally.hits["\(level) ls", default: 0] / max(1, tally.counts["\(level) ls", default: 0]) * 100))
        }
    }
case "zeros":
    // What a per-level 94-96 % would take: margins of published zeros set per table and level to
    // the 95th percentile of the true values behind published zeros, (a) learnt by a bootstrap on
    // the published values, (b) learnt from the true counts themselves (an oracle no release may
    // use). Positive values keep their least-squares margins.
    let runs = args.count > 3 ? Int(args[3]) ?? 40 : 40
    print("Per-level calibration of published zeros, \(releases) releases at ρ = 1, \(runs) simulated releases each.")
    print("method                      level      published   true 0   true > 0   true >= k")
    for method in ["bootstrap", "oracle", "oracle, nearest 95 %"] {
        let tally = coverage(rho: Rho("1")!, releases: releases) { engine, values, stated in
            var world = stated
            if method.hasPrefix("oracle") {
                world = []
                for i in engine.geography.units.indices {
                    for c in engine.codebook.allCells {
                        world.append(ReleasedValue(unit: i, table: c.table, cell: c.code, value: values[i][c.index], moe95: nil))
                    }
                }
            }
            let margins = engine.zeroMargins(world: world, runs: runs, nearest: method.hasSuffix("nearest 95 %"), entropy: SystemEntropy())
            return stated.map { v in
                var out = v
                if v.value == 0, let m = margins[MarginKey(table: v.table, level: engine.geography.units[v.unit].level)] {
                    out.moe95 = Double(m)
                }
                return out
            }
        }
        for level in Level.allCases.map(\.rawValue) {
            func share(_ k: String) -> Double {
                tally.hits["\(level) \(k)", default: 0] / max(1, tally.counts["\(level) \(k)", default: 0]) * 100
            }
            print(
                String(
                    format: "%-27@ %-9@ %9.2f%% %8.2f%% %9.2f%% %10.2f%%", method as NSString, level as NSString,
                    share("all"), share("t0"), share("t>0"), share("t>=k")))
        }
    }
default:
    print("Mean absolute error per cell (all \(codebook.allCells.count) cells of every unit) over \(releases) releases per ρ.")
    print("rho    level       consistent  independent    ratio   total: cons.  total: indep.")
    for rhoText in ["0.25", "0.5", "1", "2", "4"] {
        let r = run(rho: Rho(rhoText)!, releases: releases)
        for level in Level.allCases {
            print(
                String(
                    format: "%-6@ %-9@ %12.3f %12.3f %8.2f %14.2f %14.2f", rhoText as NSString, level.rawValue as NSString,
                    r.consistent[level]!, r.independent[level]!, r.consistent[level]! / r.independent[level]!,
                    r.totalMAE[level]!, r.totalIndependent[level]!))
        }
    }
}

/// Shares counted by concurrent releases.
final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    var hits: [String: Double] = [:], counts: [String: Double] = [:]
    func add(_ h: [String: Double], _ c: [String: Double]) {
        lock.lock()
        defer { lock.unlock() }
        for (k, x) in h { hits[k, default: 0] += x }
        for (k, x) in c { counts[k, default: 0] += x }
    }
}

/// Coverage of stated margins over simulated releases (in parallel): per level, over published
/// values, by true value. `margins` may replace the release's margins (alternatives).
func coverage(
    rho: Rho, releases: Int,
    margins: @escaping @Sendable (ReleaseEngine, [[Int]], [ReleasedValue]) -> [ReleasedValue]
) -> Tally {
    let engine = ReleaseEngine(codebook: codebook, geography: geography, plan: ReleasePlan.defaults(codebook: codebook, rho: rho))
    let values = engine.aggregate(truth)
    let totalTable = codebook.rules.equalTotals[0]
    let cellIndex = Dictionary(uniqueKeysWithValues: codebook.allCells.map { ("\($0.table)|\($0.code)", $0.index) })
    let (cb, geo, tr, k) = (codebook, geography, truth, engine.plan.k)
    let tally = Tally()
    DispatchQueue.concurrentPerform(iterations: releases) { _ in
        let entropy = SystemEntropy()
        let e = engine.estimate(engine.measure(tr, entropy: entropy))
        guard let published = try? engine.publish(e) else { fatalError("suppression failed") }
        let stated = margins(engine, values, published)
        var h: [String: Double] = [:]
        var c: [String: Double] = [:]
        for v in stated {
            guard let value = v.value, let moe = v.moe95 else { continue }
            let level = geo.units[v.unit].level.rawValue
            let j = v.table == ReleasePlan.totalName ? nil : cellIndex["\(v.table)|\(v.cell)"]
            let t = j.map { values[v.unit][$0] } ?? cb.total(of: totalTable, in: values[v.unit])
            let hit = Double(Swift.abs(value - t)) <= moe ? 1.0 : 0.0
            var classes = ["all", t == 0 ? "t0" : t < k ? "t1" : t < 20 ? "t2" : "t3"]
            if t > 0 { classes.append("t>0") }
            if t >= k { classes.append("t>=k") }
            for name in classes {
                h["\(level) \(name)", default: 0] += hit
                c["\(level) \(name)", default: 0] += 1
            }
            // True zeros published as 0: inside any interval that contains the published value.
            if t == 0 && value == 0 { h["\(level) t0 published 0", default: 0] += 1 }
        }
        // Least-squares estimates (real numbers, before whole numbers and thresholds).
        for (i, u) in geo.units.enumerated() {
            for j in 0..<cb.allCells.count {
                let moe = ReleaseEngine.margin(e.cellVariances[i][j])
                h["\(u.level.rawValue) ls", default: 0] += Swift.abs(e.cells[i][j] - Double(values[i][j])) <= moe ? 1 : 0
                c["\(u.level.rawValue) ls", default: 0] += 1
            }
        }
        tally.add(h, c)
    }
    return tally
}

/// A measurement group: a table (or the total) at a level.
struct MarginKey: Hashable {
    var table: String
    var level: Level
}

extension ReleaseEngine {
    /// Margins for published zeros per group: the 95th percentile of the true values behind
    /// published zeros when the engine runs on `world` (or the percentile nearest to 95 %).
    func zeroMargins<E: EntropySource>(world: [ReleasedValue], runs: Int, nearest: Bool, entropy: E) -> [MarginKey: Int] {
        let simulated = self.world(from: world)
        let truth = aggregate(simulated)
        let totalTable = codebook.rules.equalTotals[0]
        var histograms: [MarginKey: [Int: Int]] = [:]
        for _ in 0..<runs {
            let r = estimate(measure(simulated, entropy: entropy))
            for (i, u) in geography.units.enumerated() where !isSmallArea(i) {
                if r.integerTotals[i] == 0 {
                    histograms[MarginKey(table: ReleasePlan.totalName, level: u.level), default: [:]][
                        codebook.total(of: totalTable, in: truth[i]), default: 0] += 1
                }
                for c in codebook.allCells where r.integerCells[i][c.index] == 0 {
                    histograms[MarginKey(table: c.table, level: u.level), default: [:]][truth[i][c.index], default: 0] += 1
                }
            }
        }
        return histograms.mapValues { h in
            let n = Double(h.values.reduce(0, +))
            var seen = 0.0
            var best = 0
            var gap = 2.0
            for t in h.keys.sorted() {
                seen += Double(h[t]!)
                if nearest {
                    if Swift.abs(seen / n - 0.95) < gap {
                        gap = Swift.abs(seen / n - 0.95)
                        best = t
                    }
                } else if seen / n >= 0.95 {
                    return t
                }
            }
            return best
        }
    }
}

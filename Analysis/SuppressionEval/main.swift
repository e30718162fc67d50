// Complementary suppression and the interval audit, measured: how many values each rule
// withholds (per level and table), the share of cells and of persons hidden, the time per
// release, and the cost against releases with primary suppression only. Run by
// Analysis/suppression-evaluation.sh; seeded, so the figures repeat.
import Foundation
import MosaicCodebook
import MosaicDisclosure
import MosaicEngine
import MosaicErrorModel
import MosaicPrivacy
import MosaicSamplers
import MosaicSynth
import MosaicTestSupport

let codebook = try Codebook.bundled()
let arguments = CommandLine.arguments

// `suppression-eval totals [RELEASES]`: how often each level's totals are published, with the
// authority's priorities (a cell before a zone's total, a zone's before a district's, a
// district's before the whole's) and without (every published value weighs by its size only).
// Options after RELEASES, for trying alternatives: `--breakdowns stage,sector|none` (default both),
// `--priorities P,R,C` (province, region, country; default 10,100,1000), `--authority-only`.
if arguments.count > 1, arguments[1] == "totals" {
    let count = arguments.count > 2 ? Int(arguments[2]) ?? 200 : 200
    func option(_ name: String) -> String? { arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil } }
    let dimensions = option("--breakdowns").map { $0 == "none" ? [] : $0.split(separator: ",").map(String.init) } ?? ["stage", "sector"]
    let p = option("--priorities")?.split(separator: ",").compactMap { Double($0) } ?? [10, 100, 1000]
    let priorities: [Level: Double] =
        p.count == 3 ? [.province: p[0], .region: p[1], .country: p[2]] : [.province: 10, .region: 100, .country: 1000]
    try totalsEvaluation(
        releases: count, dimensions: dimensions, priorities: priorities, authorityOnly: arguments.contains("--authority-only"))
    exit(0)
}
let releases = arguments.count > 1 ? Int(arguments[1]) ?? 3 : 3

/// A release engine with the default breakdowns (stage, sector) over a synthetic registry.
func engineWithBreakdowns(config: SynthConfig, rho: String, minimumSchools: Int, dimensions: [String] = ["stage", "sector"]) throws -> (
    ReleaseEngine, TrueCounts, Int
) {
    let period = config.periods.last ?? Period("2026-Q3")!
    let country = try SyntheticCountry(config: config, codebook: codebook)
    let geography = Geography(schools: country.schools)
    var plan = ReleasePlan.defaults(codebook: codebook, rho: Rho(rho)!)
    plan.minimumSchools = minimumSchools
    plan.addDefaultDomains(codebook: codebook)
    plan.domainDimensions = dimensions
    plan.domainTables = dimensions.isEmpty ? [] : [ReleasePlan.totalName, "incidents"]
    let domains =
        dimensions.isEmpty
        ? Domains.none : Domains(schools: country.schools, geography: geography, dimensions: dimensions, tables: plan.domainTables)
    let byID = Dictionary(uniqueKeysWithValues: country.schools.map { ($0.id, $0) })
    var truth = TrueCounts(byProvince: [:])
    var persons = 0
    let totalTable = codebook.rules.equalTotals.first ?? codebook.tables[0].name
    for s in country.submissions(for: period) {
        guard let school = byID[s.schoolID] else { continue }
        truth.add(s.counts, school: school, dimensions: dimensions)
        persons += codebook.total(of: totalTable, in: s.counts)
    }
    return (ReleaseEngine(codebook: codebook, geography: geography, plan: plan, domains: domains), truth, persons)
}

func totalsEvaluation(
    releases: Int, dimensions: [String] = ["stage", "sector"], priorities: [Level: Double] = [.province: 10, .region: 100, .country: 1000],
    authorityOnly: Bool = false
) throws {
    print(
        "Totals published per level (units that are not small areas), over seeded releases of one quarter; min. schools 5, ρ = 1, breakdowns: \(dimensions.isEmpty ? "none" : dimensions.joined(separator: ", ")); priorities province \(priorities[.province] ?? 1), region \(priorities[.region] ?? 1), country \(priorities[.country] ?? 1)."
    )
    var authority = SynthConfig.authority()
    authority.periods = [Period("2026-Q3")!]
    var country = SynthConfig()
    country.periods = [Period("2026-Q3")!]
    for (name, config, n) in [
        ("authority of 300 schools, 3 districts, 9 zones", authority, releases),
        ("demo country of 4,000 schools", country, max(1, releases / 10)),
    ] where !authorityOnly || config.layout == .authority {
        let (e, truth, persons) = try engineWithBreakdowns(config: config, rho: "1", minimumSchools: 5, dimensions: dimensions)
        let relations = e.relations
        let units = e.geography.units
        print("\n\(name): \(persons) affected persons in the quarter; \(n) releases per row")
        print("  priorities        country   regions  provinces   cells withheld   s per release")
        let priorityWeights = priorities
        for priorities in [false, true] {
            var suppressor = Suppressor(relations: relations, rule: e.suppressionRule, small: e.smallAreas)
            suppressor.totalPriority = priorities ? priorityWeights : [:]
            var published: [Level: Int] = [:]
            var possible: [Level: Int] = [:]
            var withheldCells = 0
            var time = 0.0
            for r in 0..<n {
                let values = e.valueVector(e.estimate(e.measure(truth, entropy: SeededEntropy(seed: UInt64(r) + 101))))
                let start = Date()
                let outcome = try suppressor.suppress(values)
                time += Date().timeIntervalSince(start)
                for (u, unit) in units.enumerated() where !e.smallAreas.units[u] {
                    possible[unit.level, default: 0] += 1
                    if outcome.reasons[relations.index(unit: u, slot: TableRelations.totalSlot)] == nil {
                        published[unit.level, default: 0] += 1
                    }
                }
                withheldCells += outcome.reasons.compactMap { $0 }.count
            }
            func share(_ l: Level) -> String {
                String(format: "%8.1f %%", 100 * Double(published[l] ?? 0) / Double(max(1, possible[l] ?? 0)))
            }
            print(
                "  \(priorities ? "on " : "off")           \(share(.country))  \(share(.region))   \(share(.province))   \(String(format: "%14.1f", Double(withheldCells) / Double(n)))   \(String(format: "%13.2f", time / Double(n)))"
            )
        }
    }
}

func engine(schools: Int, rho: String, minimumSchools: Int) throws -> (ReleaseEngine, TrueCounts) {
    var config = SynthConfig()
    config.schools = schools
    let period = Period("2026-Q3")!
    config.periods = [period]
    let country = try SyntheticCountry(config: config, codebook: codebook)
    let geography = Geography(schools: country.schools)
    let province = Dictionary(uniqueKeysWithValues: country.schools.map { ($0.id, $0.provinceCode) })
    var byProvince: [String: [Int]] = [:]
    for s in country.submissions(for: period) {
        guard let p = province[s.schoolID] else { continue }
        var v = byProvince[p] ?? [Int](repeating: 0, count: codebook.allCells.count)
        for i in v.indices { v[i] += s.counts[i] }
        byProvince[p] = v
    }
    var plan = ReleasePlan.defaults(codebook: codebook, rho: Rho(rho)!)
    plan.minimumSchools = minimumSchools
    return (ReleaseEngine(codebook: codebook, geography: geography, plan: plan), TrueCounts(byProvince: byProvince))
}

func pct(_ a: Double, _ b: Double) -> String { b > 0 ? String(format: "%5.1f %%", 100 * a / b) : "    –" }

let levels: [Level] = [.country, .region, .province]
let tables = [ErrorModel.totalName] + codebook.tables.map(\.name)

func tableOf(_ slot: Int) -> String { slot == 0 ? ErrorModel.totalName : codebook.allCells[slot - 1].table }

print("Withheld values per release, averaged over \(releases) seeded releases per row.")
print("cells: share of the level's values; persons: share of the level's persons (sum of the withheld values, noisy scale).")
print("")
for (schools, rho, minimum) in CommandLine.arguments.count > 2
    ? [(4000, "1", 5)] : [(4000, "1", 5), (4000, "0.5", 5), (4000, "2", 5), (4000, "1", 15), (40000, "1", 5)]
{
    let (e, truth) = try engine(schools: schools, rho: rho, minimumSchools: minimum)
    let relations = e.relations
    // Both searches on the demo's size and defaults; the whole-hierarchy search (the default) elsewhere.
    let variants: [(Suppressor.Search, Double)] =
        (schools == 4000 && rho == "1" && minimum == 5)
        ? [(.wholeHierarchy, 1), (.regionFirst, 1), (.wholeHierarchy, 10), (.wholeHierarchy, 100)] : [(.wholeHierarchy, 1)]
    for (search, totalWeight) in variants {
        var suppressor = Suppressor(relations: relations, rule: e.suppressionRule, minimumSchools: minimum)
        suppressor.search = search
        suppressor.totalWeight = totalWeight
        var counts: [Level: [SuppressionReason: Double]] = [:]
        var cellsPerLevel: [Level: Double] = [:]
        var hiddenPersons: [Level: [String: Double]] = [:]  // "primary" and "extra"
        var primaryCells: [Level: Double] = [:]
        var extraCells: [Level: Double] = [:]
        var personsPerLevel: [Level: Double] = [:]
        var byTable: [String: Double] = [:]
        var time = 0.0
        var programs = 0
        var limited = 0
        var primaryFindings = 0
        for r in 0..<releases {
            let values = e.valueVector(e.estimate(e.measure(truth, entropy: SeededEntropy(seed: UInt64(r) + 17))))
            let start = Date()
            let outcome = try suppressor.suppress(values)
            time += Date().timeIntervalSince(start)
            programs += outcome.programs
            let audit = try IntervalAudit(relations: relations, rule: e.suppressionRule).run(values: values, reasons: outcome.reasons)
            guard audit.findings.isEmpty else { fatalError("audit failed after suppression") }
            limited += audit.limitedByReasons
            primaryFindings +=
                try IntervalAudit(relations: relations, rule: e.suppressionRule).run(
                    values: values, reasons: suppressor.primary(values)
                ).findings.count
            let primaryReasons = suppressor.primary(values)
            for v in values.indices {
                let level = e.geography.units[relations.unit(of: v)].level
                cellsPerLevel[level, default: 0] += 1
                personsPerLevel[level, default: 0] += Double(values[v])
                guard let reason = outcome.reasons[v] else { continue }
                counts[level, default: [:]][reason, default: 0] += 1
                let primary = primaryReasons[v] != nil
                if primary { primaryCells[level, default: 0] += 1 } else { extraCells[level, default: 0] += 1 }
                hiddenPersons[level, default: [:]][primary ? "primary" : "extra", default: 0] += Double(values[v])
                if !primary { byTable[tableOf(relations.slot(of: v)), default: 0] += 1 }
            }
        }
        let n = Double(releases)
        print(
            "\(schools) schools, ρ = \(rho), min. schools \(minimum), search \(search.rawValue), totals weighted \(Int(totalWeight)): \(String(format: "%.2f", time / n)) s per release, \(programs / releases) LPs; primary only: \(primaryFindings / releases) values narrowable; after: 0 (\(limited / releases) limited by the statuses alone)"
        )
        print("  level      below_k small_area complementary | cells withheld: primary   extra | persons hidden: primary   extra")
        for level in levels {
            let c = counts[level] ?? [:]
            let all = cellsPerLevel[level] ?? 1
            let persons = personsPerLevel[level] ?? 0
            let hp = hiddenPersons[level] ?? [:]
            let name = level.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
            let reasons = String(
                format: "%8.1f %10.1f %13.1f", (c[.belowK] ?? 0) / n, (c[.smallArea] ?? 0) / n, (c[.complementary] ?? 0) / n)
            print(
                "  \(name)\(reasons) |                \(pct(primaryCells[level] ?? 0, all)) \(pct(extraCells[level] ?? 0, all)) |                \(pct(hp["primary"] ?? 0, persons)) \(pct(hp["extra"] ?? 0, persons))"
            )
        }
        print(
            "  extra values by table: "
                + tables.map { "\($0) \(String(format: "%.1f", (byTable[$0] ?? 0) / n))" }.joined(separator: ", "))
        print("")
    }
}

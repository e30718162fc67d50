import Foundation
import MosaicCodebook
import MosaicDisclosure
import MosaicErrorModel
import MosaicPrivacy
import MosaicRegistry
import MosaicSynth
import MosaicTestSupport
import Testing

@testable import MosaicEngine

/// Releases broken down by stage and sector.
@Suite struct DomainTests {
    static let codebook = try! Codebook.bundled()

    /// An engine breaking down `tables` (by default the total and `incidents`, so that the
    /// linked table's path is exercised too).
    static func engine(rho: String = "1", schools: Int = 400, tables: [String] = ["total", "incidents"]) throws -> (
        ReleaseEngine, TrueCounts
    ) {
        let f = try ReleaseFixture(schools: schools)
        let geography = Geography(schools: f.country.schools)
        var plan = ReleasePlan.defaults(codebook: codebook, rho: Rho(rho)!)
        plan.addDefaultDomains()
        plan.domainTables = tables
        let domains = Domains(
            schools: f.country.schools, geography: geography, dimensions: plan.domainDimensions, tables: plan.domainTables)
        var truth = TrueCounts(byProvince: [:])
        let school = Dictionary(uniqueKeysWithValues: f.country.schools.map { ($0.id, $0) })
        for s in f.country.submissions(for: f.period) {
            truth.add(s.counts, school: school[s.schoolID]!, dimensions: plan.domainDimensions)
        }
        return (ReleaseEngine(codebook: codebook, geography: geography, plan: plan, domains: domains), truth)
    }

    @Test func domainPartsAddUpToTheirUnitsInEveryRelease() throws {
        let (engine, truth) = try Self.engine()
        let relations = engine.relations
        let entropy = SeededEntropy(seed: 11)
        for _ in 0..<20 {
            let e = engine.estimate(engine.measure(truth, entropy: entropy))
            let values = engine.valueVector(e)
            #expect(relations.holds(values))
            // Spelled out: every region's stage parts add up to the region, slot by slot.
            for r in engine.geography.units[0].children {
                let parts = engine.domains.parts(unit: r, dimension: 0)
                for (q, slot) in engine.domainSlots.enumerated() {
                    let whole = slot == 0 ? e.integerTotals[r] : e.integerCells[r][slot - 1]
                    #expect(parts.reduce(0) { $0 + e.domainIntegers[$1][q] } == whole)
                }
            }
        }
    }

    @Test func aPublishedReleaseWithDomainsPassesTheAudit() throws {
        let (engine, truth) = try Self.engine(schools: 150, tables: ["total"])
        let e = engine.estimate(engine.measure(truth, entropy: SeededEntropy(seed: 3)))
        let (values, outcome) = try engine.publishWithOutcome(e)
        let domainValues = values.filter { $0.part != nil }
        #expect(domainValues.count == engine.domains.parts.count * engine.domainSlots.count)
        // Parts with fewer than 5 open schools are withheld as small areas.
        for v in domainValues where engine.domains.parts[v.part!].schools < 5 { #expect(v.reason == .smallArea) }
        let audit = try IntervalAudit(relations: engine.relations, rule: engine.suppressionRule).run(
            values: engine.valueVector(e), reasons: outcome.reasons)
        #expect(audit.findings.isEmpty)
    }

    /// The variances the engine states for the domain parts' least-squares estimates are the
    /// spread of those estimates around the truth: the mean of z² over many releases is 1.
    @Test func domainVariancesMatchTheSpreadOfTheEstimates() throws {
        let (engine, truth) = try Self.engine(schools: 200)
        let exact = engine.domainTruth(truth)
        let entropy = SeededEntropy(seed: 5)
        var sum = 0.0
        var n = 0.0
        for _ in 0..<60 {
            let e = engine.estimate(engine.measure(truth, entropy: entropy))
            for p in exact.indices {
                for q in exact[p].indices {
                    let z = (e.domainCells[p][q] - Double(exact[p][q])) / e.domainVariances[p][q].squareRoot()
                    sum += z * z
                    n += 1
                }
            }
        }
        // 60 releases × about 1,500 values each, correlated within a release: mean z² within
        // ±0.08 of 1 (about 6 standard errors even for strongly correlated values).
        #expect(abs(sum / n - 1) < 0.08, "mean z² \(sum / n)")
    }

    /// The sensitivity, by brute force on a small country: one more person in one incident at
    /// any school (in one cell of each single-valued table and in every response) changes the
    /// true values of every measurement group by at most its stated Δ² in squared L2, so the
    /// release's ρ is Σ Δ²/(2σ²) over the groups.
    @Test func oneMorePersonChangesEveryGroupByAtMostItsSensitivity() throws {
        let f = try ReleaseFixture(schools: 60)
        let geography = Geography(schools: f.country.schools)
        var plan = ReleasePlan.defaults(codebook: Self.codebook, rho: Rho("1")!)
        plan.addDefaultDomains()
        let domains = Domains(
            schools: f.country.schools, geography: geography, dimensions: plan.domainDimensions, tables: plan.domainTables)
        let engine = ReleaseEngine(codebook: Self.codebook, geography: geography, plan: plan, domains: domains)
        let codebook = Self.codebook
        let totalTable = codebook.rules.equalTotals.first!
        func measured(_ t: TrueCounts) -> [String: [Int]] {
            var out: [String: [Int]] = [:]
            let values = engine.aggregate(t)
            for (u, unit) in geography.units.enumerated() {
                for cell in codebook.allCells { out["\(cell.table)/\(unit.level)/", default: []].append(values[u][cell.index]) }
                out["total/\(unit.level)/", default: []].append(codebook.total(of: totalTable, in: values[u]))
            }
            for (p, row) in engine.domainTruth(t).enumerated() {
                let part = domains.parts[p]
                let level = geography.units[part.unit].level
                for (q, slot) in engine.domainSlots.enumerated() {
                    let table = slot == 0 ? "total" : codebook.allCells[slot - 1].table
                    out["\(table)/\(level)/\(domains.dimensionName(part))", default: []].append(row[q])
                }
            }
            return out
        }
        let base = TrueCounts(byProvince: [:])
        let before = measured(base)
        var worst = 0.0
        let ranges = codebook.tableRanges
        for school in f.country.schools {
            for pick in 0..<4 {
                var counts = [Int](repeating: 0, count: codebook.allCells.count)
                for (t, table) in codebook.tables.enumerated() {
                    let r = Array(ranges[t])
                    if table.multiValued { for j in r { counts[j] = 1 } } else { counts[r[(pick * 7) % r.count]] = 1 }
                }
                var t = base
                t.add(counts, school: school, dimensions: plan.domainDimensions)
                let after = measured(t)
                var rho = 0.0
                for g in engine.groups {
                    let key = "\(g.table)/\(g.level)/\(g.dimension ?? "")"
                    let change = zip(before[key]!, after[key]!).reduce(0) { $0 + ($1.1 - $1.0) * ($1.1 - $1.0) }
                    #expect(UInt64(change) <= g.sensitivitySquared, "\(key)")
                    rho += Double(change) / (2 * g.sigma2)
                }
                worst = max(worst, rho)
            }
        }
        #expect(worst <= 1 + 1e-9 && worst >= 1 - 1e-6, "worst-case ρ \(worst)")
    }
}

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
        plan.addDefaultDomains(codebook: codebook)
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
            // Spelled out: every region's stage parts add up to the region's total (their only
            // slot), and the country's parts to the country, cell by cell.
            #expect(engine.regionDomainSlots == [0])
            for r in engine.geography.units[0].children {
                let parts = engine.domains.parts(unit: r, dimension: 0)
                #expect(parts.allSatisfy { e.domainIntegers[$0].count == 1 })
                #expect(parts.reduce(0) { $0 + e.domainIntegers[$1][0] } == e.integerTotals[r])
            }
            let country = engine.domains.parts(unit: 0, dimension: 0)
            #expect(engine.domainSlots.count > 2)
            for (q, slot) in engine.domainSlots.enumerated() {
                let whole = slot == 0 ? e.integerTotals[0] : e.integerCells[0][slot - 1]
                #expect(country.reduce(0) { $0 + e.domainIntegers[$1][q] } == whole)
            }
            // Within a country's part, the incidents add up to its total of affected persons.
            for p in country { #expect(e.domainIntegers[p].dropFirst().reduce(0, +) == e.domainIntegers[p][0]) }
        }
    }

    /// `incidents` is broken down at the country only: no regional group measures it, and a
    /// region's part has no incident values to publish.
    @Test func aCodebookTableIsBrokenDownAtTheCountryOnly() throws {
        let (engine, truth) = try Self.engine(schools: 150)
        let incidentGroups = engine.groups.filter { $0.table == "incidents" && $0.dimension != nil }
        #expect(incidentGroups.count == 2 && incidentGroups.allSatisfy { $0.level == .country })
        let m = engine.measure(truth, entropy: SeededEntropy(seed: 4))
        for (p, part) in engine.domains.parts.enumerated() {
            #expect(m.domainCells[p].count == (part.unit == 0 ? engine.domainSlots.count : 1))
        }
        let relations = engine.relations
        let incidents = Set(engine.domainSlots.dropFirst())
        for v in relations.unitValueCount..<relations.valueCount where relations.unit(of: v) != 0 {
            #expect(!incidents.contains(relations.slot(of: v)))
        }
        let measuredCount = m.domainCells.map(\.count).reduce(0, +)
        #expect(relations.valueCount - relations.unitValueCount == measuredCount)
    }

    @Test func aPublishedReleaseWithDomainsPassesTheAudit() throws {
        let (engine, truth) = try Self.engine(schools: 150, tables: ["total"])
        let e = engine.estimate(engine.measure(truth, entropy: SeededEntropy(seed: 3)))
        let (values, outcome) = try engine.publishWithOutcome(e)
        let domainValues = values.filter { $0.part != nil }
        var slotCount = 0
        for p in engine.domains.parts.indices { slotCount += engine.domainSlots(ofPart: p).count }
        #expect(domainValues.count == slotCount)
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
        // Separately for the regions' parts, the country's totals and the country's cells (each
        // has its own formula).
        var sum = [0.0, 0.0, 0.0]
        var n = [0.0, 0.0, 0.0]
        for _ in 0..<60 {
            let e = engine.estimate(engine.measure(truth, entropy: entropy))
            for p in exact.indices {
                for q in exact[p].indices {
                    let z = (e.domainCells[p][q] - Double(exact[p][q])) / e.domainVariances[p][q].squareRoot()
                    let kind = engine.domains.parts[p].unit != 0 ? 0 : q == 0 ? 1 : 2
                    sum[kind] += z * z
                    n[kind] += 1
                }
            }
        }
        // 60 releases × hundreds of values each, correlated within a release: mean z² within
        // ±0.08 of 1 over all (about 6 standard errors even for strongly correlated values); the
        // country's totals (60 × 8 values) within ±0.3.
        #expect(n.allSatisfy { $0 > 0 })
        let overall: Double = sum.reduce(0, +) / n.reduce(0, +)
        #expect(abs(overall - 1) < 0.08, "mean z² \(overall)")
        #expect(abs(sum[0] / n[0] - 1) < 0.1, "regions' parts: mean z² \(sum[0] / n[0])")
        #expect(abs(sum[1] / n[1] - 1) < 0.3, "country's parts' totals: mean z² \(sum[1] / n[1])")
        #expect(abs(sum[2] / n[2] - 1) < 0.1, "country's parts' cells: mean z² \(sum[2] / n[2])")
    }

    /// The sensitivity, by brute force on a small country: one more person in one incident at
    /// any school (in one cell of each single-valued table and in every response) changes the
    /// true values of every measurement group by at most its stated Δ² in squared L2, so the
    /// release's ρ is Σ Δ²/(2σ²) over the groups.
    @Test func oneMorePersonChangesEveryGroupByAtMostItsSensitivity() throws {
        let f = try ReleaseFixture(schools: 60)
        let geography = Geography(schools: f.country.schools)
        var plan = ReleasePlan.defaults(codebook: Self.codebook, rho: Rho("1")!)
        plan.addDefaultDomains(codebook: Self.codebook)
        plan.domainTables = ["total", "incidents"]
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
                for (q, slot) in engine.domainSlots(ofPart: p).enumerated() {
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

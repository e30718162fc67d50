import Foundation
import MosaicCodebook
import MosaicEngine
import MosaicErrorModel
import MosaicPrivacy
import MosaicSynth
import MosaicTestSupport
import Testing

@testable import MosaicDisclosure

/// A synthetic country's quarter through the engine up to the consistent whole numbers.
struct Country {
    static let codebook = try! Codebook.bundled()
    let engine: ReleaseEngine
    let truth: TrueCounts

    init(schools: Int? = nil, rho: String = "1", seed: UInt64? = nil, minimumSchools: Int = 5) throws {
        var config = SynthConfig()
        if let schools { config.schools = schools }
        if let seed { config.seed = seed }
        let period = Period("2026-Q3")!
        config.periods = [period]
        let country = try SyntheticCountry(config: config, codebook: Self.codebook)
        let geography = Geography(schools: country.schools)
        var byProvince: [String: [Int]] = [:]
        let province = Dictionary(uniqueKeysWithValues: country.schools.map { ($0.id, $0.provinceCode) })
        for s in country.submissions(for: period) {
            var v = byProvince[province[s.schoolID]!] ?? [Int](repeating: 0, count: Self.codebook.allCells.count)
            for i in v.indices { v[i] += s.counts[i] }
            byProvince[province[s.schoolID]!] = v
        }
        var plan = ReleasePlan.defaults(codebook: Self.codebook, rho: Rho(rho)!)
        plan.minimumSchools = minimumSchools
        engine = ReleaseEngine(codebook: Self.codebook, geography: geography, plan: plan)
        truth = TrueCounts(byProvince: byProvince)
    }

    func values(seed: UInt64) -> [Int] {
        engine.valueVector(engine.estimate(engine.measure(truth, entropy: SeededEntropy(seed: seed))))
    }

    var suppressor: Suppressor {
        Suppressor(relations: engine.relations, rule: engine.suppressionRule, minimumSchools: engine.plan.minimumSchools)
    }
}

/// The reader's linear program written out in full, independently of the audit's components:
/// every value a column (published ones fixed), every relation a row.
struct FullReaderProgram {
    let lp = LinearProgram()

    init(relations: TableRelations, rule: SuppressionRule, values: [Int], reasons: [SuppressionReason?], everythingWithheld: Bool = false) {
        lp.addColumns(
            values.indices.map { v in
                if let r = reasons[v] { return rule.knownBounds(r) }
                if everythingWithheld { return rule.knownBounds(rule.reasonIfWithheld(values[v])) }
                return (Double(values[v]), Double(values[v]))
            })
        lp.addRows(
            relations.relations.map { r in
                (r.terms.map { ($0.value, Double($0.coefficient)) }, r.isEquality ? 0 : -.infinity, 0)
            })
    }

    func interval(_ v: Int) -> (Double, Double) {
        func solve(_ max: Bool) -> Double {
            switch lp.optimize([(v, 1)], maximize: max) {
            case .optimal(let x): return x
            case .unbounded: return max ? .infinity : -.infinity
            default: return .nan
            }
        }
        return (solve(false), solve(true))
    }
}

@Suite(.serialized) struct SuppressionTests {
    /// Withheld values of a suppressed release, checked with the full reader program: each one
    /// a reader could narrow beyond the rule (and beyond what the reasons alone imply).
    static func narrowed(_ c: Country, _ values: [Int], _ reasons: [SuppressionReason?], sample: Int, seed: UInt64) -> [Int] {
        let relations = c.engine.relations
        let rule = c.engine.suppressionRule
        let reader = FullReaderProgram(relations: relations, rule: rule, values: values, reasons: reasons)
        let labels = FullReaderProgram(relations: relations, rule: rule, values: values, reasons: reasons, everythingWithheld: true)
        var primaries = values.indices.filter { reasons[$0] == .belowK || reasons[$0] == .smallArea }
        var generator = SeededGenerator(seed: seed)
        primaries.shuffle(using: &generator)
        var out: [Int] = []
        for v in primaries.prefix(sample) {
            let parent = relations.geography.units[relations.unit(of: v)].parent.map {
                values[relations.index(unit: $0, slot: relations.slot(of: v))]
            }
            guard let target = rule.protectedInterval(value: values[v], reason: reasons[v]!, parent: parent) else { continue }
            let (lo, hi) = reader.interval(v)
            let (bestLo, bestHi) = labels.interval(v)
            let low = max(Double(target.low), bestLo)
            let high = min(Double(target.high), bestHi)
            if !(lo <= low + 1e-6 && hi >= high - 1e-6) { out.append(v) }
        }
        return out
    }

    @Test(arguments: [(4000, "1", 5), (1500, "0.5", 15), (1500, "2", 25)])
    func noWithheldValueCanBeNarrowedOnSyntheticCountries(schools: Int, rho: String, minimumSchools: Int) throws {
        let c = try Country(schools: schools, rho: rho, seed: UInt64(schools) + 7, minimumSchools: minimumSchools)
        let values = c.values(seed: 3)
        let outcome = try c.suppressor.suppress(values)
        #expect((outcome.counts[.belowK] ?? 0) > 0)
        if minimumSchools > 5 { #expect((outcome.counts[.smallArea] ?? 0) > 0) }
        // Complementary values are k or more; zeros withheld read "fewer than k" and are zeros or 1 to k−1.
        for (v, r) in outcome.reasons.enumerated() {
            if r == .complementary { #expect(values[v] >= 5) }
            if r == .belowK { #expect(values[v] < 5) }
            if r == nil { #expect(values[v] == 0 || values[v] >= 5 || !c.suppressor.smallUnits[c.engine.relations.unit(of: v)]) }
        }
        #expect(Self.narrowed(c, values, outcome.reasons, sample: 120, seed: 1).isEmpty)
    }

    @Test func theAuditCatchesAReleaseWithoutComplementarySuppression() throws {
        let c = try Country(schools: 4000, seed: 11, minimumSchools: 15)
        let values = c.values(seed: 5)
        let primary = c.suppressor.primary(values)
        let audit = try IntervalAudit(relations: c.engine.relations, rule: c.engine.suppressionRule).run(values: values, reasons: primary)
        // Subtraction pins many withheld values, and the independent program agrees.
        #expect(audit.findings.count > 50)
        let pinned = audit.findings.filter { abs($0.derived.upper - $0.derived.lower) < 1e-6 }
        #expect(pinned.count > 10)
        #expect(!Self.narrowed(c, values, primary, sample: 200, seed: 2).isEmpty)
        // A small area's withheld total comes out as its region minus the other provinces.
        let relations = c.engine.relations
        let smallTotals = audit.findings.filter { $0.reason == .smallArea && relations.slot(of: $0.value) == 0 }
        #expect(!smallTotals.isEmpty)
        for f in smallTotals where f.derived.lower == f.derived.upper { #expect(Int(f.derived.lower) == values[f.value]) }
    }

    @Test func aHandMadeTableIsProtectedExactlyAsTheRuleSays() throws {
        // One region with three provinces, one table of two cells that sum to the total.
        let codebook = Country.codebook
        let units = [
            GeoUnit(level: .country, code: "ALL", name: "All", parent: nil, children: [1], schools: 30),
            GeoUnit(level: .region, code: "R", name: "R", parent: 0, children: [2, 3, 4], schools: 30),
            GeoUnit(level: .province, code: "A", name: "A", parent: 1, children: [], schools: 10),
            GeoUnit(level: .province, code: "B", name: "B", parent: 1, children: [], schools: 10),
            GeoUnit(level: .province, code: "C", name: "C", parent: 1, children: [], schools: 10),
        ]
        let relations = TableRelations(codebook: codebook, geography: Geography(units: units))
        let rule = SuppressionRule(k: 5)
        // Every value zero except one incidents cell and the total, and the matching cell of
        // each other linked table: A holds 2 (below k), B 10, C 12.
        var values = [Int](repeating: 0, count: relations.valueCount)
        let perProvince = [2, 10, 12]
        let slots = [0] + codebook.rules.equalTotals.map { 1 + codebook.tableRanges[codebook.tableIndex($0)!].lowerBound }
        for (i, n) in perProvince.enumerated() {
            for s in slots { values[relations.index(unit: 2 + i, slot: s)] = n }
        }
        for s in slots {
            values[relations.index(unit: 1, slot: s)] = 24
            values[relations.index(unit: 0, slot: s)] = 24
        }
        #expect(relations.holds(values))
        let suppressor = Suppressor(relations: relations, rule: rule, minimumSchools: 5)
        let primary = suppressor.primary(values)
        #expect(primary.compactMap { $0 }.count == slots.count)
        let before = try IntervalAudit(relations: relations, rule: rule).run(values: values, reasons: primary)
        #expect(before.findings.count == slots.count)  // A = R − B − C, in each table
        let outcome = try suppressor.suppress(values)
        // B or C (the cheaper, B) is withheld in every table, and nothing else.
        #expect(outcome.counts[.complementary] == slots.count)
        for s in slots { #expect(outcome.reasons[relations.index(unit: 3, slot: s)] == .complementary) }
        let after = try IntervalAudit(relations: relations, rule: rule).run(values: values, reasons: outcome.reasons)
        #expect(after.findings.isEmpty)
        let a = relations.index(unit: 2, slot: 0)
        let d = try IntervalAudit(relations: relations, rule: rule).derivedIntervals(
            published: values.indices.map { outcome.reasons[$0] == nil ? values[$0] : nil }, reasons: outcome.reasons)[a]!
        #expect(d.lower <= 1 && d.upper >= 4)
    }

    @Test func aReasonThatIsNotTrueFailsTheAudit() throws {
        let c = try Country(schools: 1500, seed: 3)
        let values = c.values(seed: 9)
        var reasons = try c.suppressor.suppress(values).reasons
        let published = values.indices.first { reasons[$0] == nil && values[$0] >= 5 }!
        reasons[published] = .belowK  // a value of 5 or more called "fewer than 5"
        let audit = try IntervalAudit(relations: c.engine.relations, rule: c.engine.suppressionRule).run(values: values, reasons: reasons)
        #expect(audit.findings.contains { $0.reasonIsFalse && $0.value == published })
    }
}

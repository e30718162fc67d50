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

    init(schools: Int? = nil, rho: String = "1", seed: UInt64? = nil) throws {
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
        engine = ReleaseEngine(
            codebook: Self.codebook, geography: geography, plan: ReleasePlan.defaults(codebook: Self.codebook, rho: Rho(rho)!))
        truth = TrueCounts(byProvince: byProvince)
    }

    func values(seed: UInt64) -> [Int] {
        engine.valueVector(engine.estimate(engine.measure(truth, entropy: SeededEntropy(seed: seed))))
    }
}

@Suite struct SuppressionTests {
    @Test func demoSizedCountry() throws {
        let c = try Country()
        let values = c.values(seed: 3)
        let r = c.engine.relations
        for rel in r.relations {
            let s = rel.terms.reduce(0) { $0 + $1.coefficient * values[$1.value] }
            if rel.isEquality ? s != 0 : s > 0 {
                print("VIOLATED", rel.isEquality, s, rel.terms.map { (r.unit(of: $0.value), r.slot(of: $0.value), values[$0.value]) })
                break
            }
        }
        let suppressor = Suppressor(relations: c.engine.relations, rule: c.engine.suppressionRule, minimumSchools: 5)
        for search in Suppressor.Search.allCases {
            var suppressor = suppressor
            suppressor.search = search
            let start = Date()
            let outcome = try suppressor.suppress(values)
            var perLevel: [String: Int] = [:]
            for (v, r) in outcome.reasons.enumerated() where r == .complementary {
                perLevel[c.engine.geography.units[suppressor.relations.unit(of: v)].level.rawValue, default: 0] += 1
            }
            print("suppress", search, Date().timeIntervalSince(start), outcome.counts, outcome.programs, perLevel)
            let t1 = Date()
            let rep = try IntervalAudit(relations: suppressor.relations, rule: suppressor.rule).run(
                values: values, reasons: outcome.reasons)
            print("audit", Date().timeIntervalSince(t1), rep.programs, rep.findings.count, rep.limitedByReasons)
            let cv = values.indices.filter { outcome.reasons[$0] != nil && suppressor.relations.unit(of: $0) == 0 }.map {
                "\(suppressor.relations.slot(of: $0)):\(values[$0])\(outcome.reasons[$0] == .complementary ? "c" : "b")"
            }
            print(cv.joined(separator: " "))
        }
    }
}

import MosaicErrorModel
import MosaicSynth
import Testing

@testable import MosaicDisclosure

@Suite struct CoverageTests {
    /// A country with one region of `sizes.count` provinces (a second region of 40 schools, all
    /// reporting, so the country is not the region).
    static func geography(_ sizes: [Int]) -> Geography {
        let first = 3
        var units = [
            GeoUnit(level: .country, code: "ALL", name: "All", parent: nil, children: [1, 2], schools: sizes.reduce(0, +) + 40),
            GeoUnit(
                level: .region, code: "R1", name: "R1", parent: 0, children: Array(first..<(first + sizes.count)),
                schools: sizes.reduce(0, +)),
            GeoUnit(level: .region, code: "R2", name: "R2", parent: 0, children: [first + sizes.count], schools: 40),
        ]
        for (i, n) in sizes.enumerated() {
            units.append(GeoUnit(level: .province, code: "P\(i)", name: "P\(i)", parent: 1, children: [], schools: n))
        }
        units.append(GeoUnit(level: .province, code: "Q", name: "Q", parent: 2, children: [], schools: 40))
        return Geography(units: units)
    }

    /// Every vector of reporting counts per province that the published coverage allows (the
    /// reader's full knowledge, by enumeration, independent of the audit's LP).
    static func worlds(_ g: Geography, _ published: [PublishedCoverage]) -> [[Int]] {
        let leaves = g.leaves
        var out: [[Int]] = []
        func go(_ i: Int, _ r: [Int]) {
            if i == leaves.count {
                var all = [Int](repeating: 0, count: g.units.count)
                for (k, l) in leaves.enumerated() { all[l] = r[k] }
                for u in stride(from: g.units.count - 1, through: 0, by: -1) where !g.units[u].children.isEmpty {
                    all[u] = g.units[u].children.reduce(0) { $0 + all[$1] }
                }
                if g.units.indices.allSatisfy({ published[$0].reportingRange(registered: g.units[$0].schools).contains(all[$0]) }) {
                    out.append(all)
                }
                return
            }
            for x in published[leaves[i]].reportingRange(registered: g.units[leaves[i]].schools) { go(i + 1, r + [x]) }
        }
        go(0, [])
        return out
    }

    @Test func noNonReportingSchoolCanBeSingledOut() throws {
        var generator = SeededGenerator(seed: 5)
        var cases = 0
        for _ in 0..<60 {
            let sizes = (0..<Int.random(in: 2...4, using: &generator)).map { _ in [1, 3, 7, 21, 25, 30].randomElement(using: &generator)! }
            let g = Self.geography(sizes)
            // Each school misses with probability ¼; sometimes a whole province misses.
            var reporting = g.units.map { _ in 0 }
            for l in g.leaves {
                let n = g.units[l].schools
                reporting[l] = Bool.random(using: &generator) ? n : (0...n).randomElement(using: &generator)!
                if Int.random(in: 0..<8, using: &generator) == 0 { reporting[l] = 0 }
            }
            let summed = g.sumUp(Dictionary(uniqueKeysWithValues: g.leaves.map { (g.units[$0].code, reporting[$0]) }), zero: 0, +)
            let rule = CoverageRule(geography: g, minimumSchools: 5)
            let published = try rule.publish(registered: g.units.map(\.schools), reporting: summed)
            let worlds = Self.worlds(g, published)
            #expect(worlds.contains { $0 == summed })  // the truth is one of them
            for l in g.leaves where g.units[l].schools > 0 {
                // Some world has a school of the province reporting: no given school is proven missing.
                #expect(worlds.contains { $0[l] >= 1 }, "province \(g.units[l].code) of \(sizes)")
                // A small area's schools may all have reported.
                if g.units[l].schools < 5 { #expect(worlds.contains { $0[l] == g.units[l].schools }) }
            }
            // Nothing is published for a small area or a unit of fewer than 20 schools, except "complete".
            for (i, u) in g.units.enumerated() where u.schools < 20 && published[i].status == .band { Issue.record("band for \(u.code)") }
            cases += 1
        }
        #expect(cases == 60)
    }

    @Test func theDemoProvinceWithOneSchoolMissingIsNotIdentified() throws {
        // The issue's case: a province of 7 schools, 6 reporting; the others complete.
        let g = Self.geography([7, 30, 25])
        var reporting = [Int](repeating: 0, count: g.units.count)
        reporting[3] = 6
        reporting[4] = 30
        reporting[5] = 25
        reporting[6] = 40
        reporting[1] = 61
        reporting[2] = 40
        reporting[0] = 101
        let published = try CoverageRule(geography: g, minimumSchools: 5).publish(
            registered: g.units.map(\.schools), reporting: reporting)
        #expect(published[3].status == .withheld)  // 7 schools: no band
        // No pupils of reporting schools are published, so no enrolment gap can name the school;
        // the count itself is not pinned either (R1's band and its complete provinces leave 4 to 6).
        let worlds = Self.worlds(g, published)
        #expect(Set(worlds.map { $0[3] }) == [4, 5, 6])
        #expect(worlds.contains { $0[3] >= 1 })
    }

    @Test func withoutTheRuleAProvinceCanBeProvenToHaveMissed() throws {
        // The audit can fail: bands published naively let a reader prove a province missed.
        let g = Self.geography([20, 30])
        let naive = [
            PublishedCoverage(status: .band, low: 75, high: 80), PublishedCoverage(status: .band, low: 60, high: 65),
            PublishedCoverage(status: .complete, low: 100, high: 100), PublishedCoverage(status: .band, low: 0, high: 5),
            PublishedCoverage(status: .complete, low: 100, high: 100), PublishedCoverage(status: .complete, low: 100, high: 100),
        ]
        let failing = try CoverageRule(geography: g, minimumSchools: 5).audit(registered: g.units.map(\.schools), published: naive)
        #expect(failing == [3])
    }
}

import MosaicCodebook
import MosaicErrorModel
import Testing

@testable import MosaicDisclosure

/// A reader's ranges stay linear in a release's size: small areas that connect through their
/// region make one group of withheld values that grows with the provinces, and two linear programs
/// per value over that group would grow with its square. Above ``ReleaseData``'s largest program
/// the ranges come from propagation: linear work, and never narrower than the exact ranges.
@Suite struct ReaderRangeGrowthTests {
    /// One region of `provinces` provinces; every second one a small area (all its values withheld).
    static func release(provinces: Int) -> (IntervalAudit, [Int?], [SuppressionReason?]) {
        let codebook = Country.codebook
        var units = [
            GeoUnit(level: .country, code: "ALL", name: "All", parent: nil, children: [1], schools: 10 * provinces),
            GeoUnit(level: .region, code: "R", name: "R", parent: 0, children: [], schools: 10 * provinces),
        ]
        for p in 0..<provinces {
            units.append(GeoUnit(level: .province, code: "P\(p)", name: "P", parent: 1, children: [], schools: 10))
            units[1].children.append(units.count - 1)
        }
        let relations = TableRelations(codebook: codebook, geography: Geography(units: units))
        // Each province: 3 + p % 7 persons in the first cell of every table that counts each person once.
        var values = [Int](repeating: 0, count: relations.valueCount)
        let slots = [0] + codebook.rules.equalTotals.map { 1 + codebook.tableRanges[codebook.tableIndex($0)!].lowerBound }
        for p in 0..<provinces {
            for s in slots {
                values[relations.index(unit: 2 + p, slot: s)] = 3 + p % 7
                values[relations.index(unit: 1, slot: s)] += 3 + p % 7
                values[relations.index(unit: 0, slot: s)] += 3 + p % 7
            }
        }
        var reasons = [SuppressionReason?](repeating: nil, count: relations.valueCount)
        for p in stride(from: 0, to: provinces, by: 2) {
            for s in 0..<relations.slotsPerUnit { reasons[relations.index(unit: 2 + p, slot: s)] = .smallArea }
        }
        let published = values.indices.map { reasons[$0] == nil ? values[$0] : nil }
        return (IntervalAudit(relations: relations, rule: SuppressionRule(k: 5)), published, reasons)
    }

    @Test func workGrowsLinearlyAboveTheLargestProgram() throws {
        func work(_ provinces: Int, largest: Int?) throws -> Int {
            let (audit, published, reasons) = Self.release(provinces: provinces)
            return try audit.derivedIntervalsAndWork(published: published, reasons: reasons, largestProgram: largest).work
        }
        // With a cap below the group's size: twice the provinces, about twice the work.
        let small = try work(8, largest: 50)
        let large = try work(16, largest: 50)
        #expect(Double(large) / Double(small) < 2.5, "\(small) → \(large)")
        // Without it the same doubling costs about four times the work (what the cap removes).
        let exactSmall = try work(4, largest: nil)
        let exactLarge = try work(8, largest: nil)
        #expect(Double(exactLarge) / Double(exactSmall) > 3.5, "\(exactSmall) → \(exactLarge)")
    }

    @Test func propagatedRangesContainTheExactOnes() throws {
        let (audit, published, reasons) = Self.release(provinces: 6)
        let exact = try audit.derivedIntervals(published: published, reasons: reasons, includingComplementary: true)
        let propagated = try audit.derivedIntervals(
            published: published, reasons: reasons, includingComplementary: true, largestProgram: 0)
        #expect(exact.count == propagated.count)
        var equal = 0
        for (v, e) in exact {
            let p = try #require(propagated[v])
            #expect(p.lower <= e.lower + 1e-6 && p.upper >= e.upper - 1e-6, "value \(v): \(p) does not contain \(e)")
            if abs(p.lower - e.lower) < 1e-6 && abs(p.upper - e.upper) < 1e-6 { equal += 1 }
        }
        // Here the region minus its published provinces bounds each small area: mostly exact.
        #expect(equal * 2 >= exact.count, "\(equal) of \(exact.count) equal")
    }
}

import Foundation
import Testing

@testable import MosaicCodebook

@Suite struct CodebookTests {
    let codebook = try! Codebook.bundled(version: 1)

    @Test func versionOneHasTheDesignedTables() {
        #expect(codebook.version == 1)
        #expect(codebook.tables.map(\.name) == ["incidents", "channels", "tools", "perpetrators", "responses"])
        #expect(codebook.tables.map(\.cells.count) == [3 * 6 * 3, 10, 4, 5, 7])
        #expect(codebook.allCells.count == 80)
        #expect(codebook.allCells.enumerated().allSatisfy { $0.offset == $0.element.index })
        #expect(codebook.table("responses")?.multiValued == true)
        #expect(codebook.table("incidents")?.multiValued == false)
    }

    @Test func cellCodesJoinDimensionValuesWithDots() {
        #expect(codebook.cellIndex(table: "incidents", cell: "shared.pupil_14_15.female") != nil)
        #expect(codebook.cellIndex(table: "incidents", cell: "shared.pupil_14_15") == nil)
        #expect(codebook.cellIndex(table: "channels", cell: "shared.pupil_14_15.female") == nil)
        #expect(codebook.cellIndex(table: "nonsense", cell: "whatsapp") == nil)
        #expect(codebook.table("incidents")!.cells.first!.code == "created.pupil_11_under.female")
    }

    @Test func labelsExistInEnglishAndSpanish() {
        for cell in codebook.allCells {
            let en = codebook.label(of: cell, language: "en")
            let es = codebook.label(of: cell, language: "es")
            #expect(!en.isEmpty && !es.isEmpty)
            #expect(!en.contains(cell.code) || cell.values.count == 1 && en.lowercased() == cell.code)
        }
        #expect(
            codebook.label(of: codebook.allCells[codebook.cellIndex(table: "incidents", cell: "shared.pupil_14_15.female")!])
                == "Shared beyond its maker / Pupil aged 14-15 / Female")
    }

    @Test func unknownVersionIsRefused() {
        #expect(throws: CodebookError.unknownVersion(9)) { _ = try Codebook.bundled(version: 9) }
    }

    func consistent() -> [Int] {
        var v = [Int](repeating: 0, count: codebook.allCells.count)
        for (t, c) in [
            ("incidents", "shared.pupil_14_15.female"), ("channels", "whatsapp"), ("tools", "nudify"), ("perpetrators", "unknown"),
        ] {
            v[codebook.cellIndex(table: t, cell: c)!] = 3
        }
        v[codebook.cellIndex(table: "responses", cell: "police_report")!] = 3
        v[codebook.cellIndex(table: "responses", cell: "parents_informed")!] = 2
        return v
    }

    @Test func consistentCountsBreakNoRule() {
        #expect(codebook.ruleViolations(in: consistent()).isEmpty)
        #expect(codebook.ruleViolations(in: [Int](repeating: 0, count: codebook.allCells.count)).isEmpty)
    }

    @Test func disagreeingTotalsAreFound() {
        var v = consistent()
        v[codebook.cellIndex(table: "tools", cell: "unknown")!] += 1
        #expect(codebook.ruleViolations(in: v) == [.totalsDisagree("incidents", "tools")])
    }

    @Test func aResponseAboveTheTotalIsFound() {
        var v = consistent()
        v[codebook.cellIndex(table: "responses", cell: "police_report")!] = 4
        #expect(codebook.ruleViolations(in: v) == [.aboveTotal(table: "responses", cell: "police_report", totalOf: "incidents")])
    }

    @Test func jsonDescriptionListsEveryCell() throws {
        let json = try JSONSerialization.jsonObject(with: Data(codebook.jsonDescription().utf8)) as! [String: Any]
        let tables = json["tables"] as! [[String: Any]]
        #expect(tables.map { ($0["cells"] as! [Any]).count }.reduce(0, +) == codebook.allCells.count)
        #expect(json["version"] as? Int == 1)
    }

    @Test func textDescriptionNamesTablesAndRules() {
        let text = codebook.textDescription(language: "es")
        #expect(text.contains("Table incidents"))
        #expect(text.contains("Difundida más allá de su autor"))
        #expect(text.contains("same total"))
    }
}

@Suite struct PeriodTests {
    @Test(arguments: ["2026-Q3", "2000-Q1", "9999-Q4"])
    func parsesQuarters(text: String) {
        #expect(Period(text)?.description == text)
    }

    @Test(arguments: ["2026-Q5", "2026-Q0", "2026Q3", "26-Q3", "2026-q3", " 2026-Q3", "2026-Q3 ", "1999-Q4", "2026-03", ""])
    func refusesMalformedPeriods(text: String) {
        #expect(Period(text) == nil)
    }

    @Test func ordersByTime() {
        let ps = ["2026-Q1", "2025-Q4", "2026-Q3", "2025-Q1"].compactMap { Period($0) }.sorted()
        #expect(ps.map(\.description) == ["2025-Q1", "2025-Q4", "2026-Q1", "2026-Q3"])
        #expect(Period("2025-Q4")!.next == Period("2026-Q1"))
        #expect(Period("2026-Q1")!.previous == Period("2025-Q4"))
        #expect(Period("2026-Q3")!.trailing(3).map(\.description) == ["2026-Q1", "2026-Q2", "2026-Q3"])
    }

    @Test func knowsTheQuarterOfADate() {
        // 2026-11-25T12:00:00Z
        #expect(Period.containing(Date(timeIntervalSince1970: 1_795_608_000)) == Period("2026-Q4"))
        // 2026-03-31T23:59:59Z
        #expect(Period.containing(Date(timeIntervalSince1970: 1_775_001_599)) == Period("2026-Q1"))
    }
}

/// A person's loss over releases: quarterly releases add their ρ, a pooled release of n quarters
/// counts n² × ρ for a person with one incident in each, and m incidents a quarter cost m².
@Suite struct PersonLossTests {
    let quarters = ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"].compactMap { PeriodSpan($0) }
    var year: PeriodSpan { PeriodSpan("2025-Q4..2026-Q3")! }

    @Test func fourQuartersAndTheirPooledReleaseCostTwenty() {
        let releases = quarters.map { ($0, 1.0) } + [(year, 1.0)]
        #expect(PersonLoss.rho(releases) == 20)
        #expect(PersonLoss.rho(releases, incidentsPerQuarter: 2) == 80)
        // Only the last quarter: its release and one quarter of the pooled one.
        #expect(PersonLoss.rho(releases, quarters: [Period("2026-Q3")!]) == 2)
        #expect(PersonLoss.rho(quarters.map { ($0, 0.5) }) == 2)
        #expect(PersonLoss.rho([]) == 0)
    }
}

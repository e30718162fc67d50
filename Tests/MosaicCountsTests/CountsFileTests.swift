import Foundation
import MosaicCodebook
import Testing

@testable import MosaicCounts

/// The school's side of counts files, on its own: no store, no registry.
@Suite struct CountsFileTests {
    static let codebook = try! Codebook.bundled()
    static let now = Date(timeIntervalSince1970: 1_786_800_000)

    static func submission(_ persons: Int) -> Submission {
        var counts = [Int](repeating: 0, count: codebook.allCells.count)
        // One person per single-valued table, in the first cell of each; one response.
        for t in codebook.tables where persons > 0 { counts[t.cells[0].index] = persons }
        return Submission(schoolID: "S1", period: Period("2026-Q2")!, codebookVersion: 1, counts: counts)
    }

    @Test func writtenFilesParseBackInBothFormats() throws {
        for format in [CountsFile.Format.csv, .json] {
            let s = Self.submission(2)
            let text = CountsFile.write(s, codebook: Self.codebook, format: format)
            let parsed = try CountsFile.parse(Array(text.utf8), file: "x", now: Self.now)
            #expect(parsed.submission == s, "\(format)")
        }
    }

    @Test func aTemplateIsAllZerosForTheSchoolAndQuarter() throws {
        let text = CountsFile.template(school: "S9", period: Period("2026-Q1")!, codebook: Self.codebook, nothingToReport: true)
        let parsed = try CountsFile.parse(Array(text.utf8), file: "t.csv", now: Self.now)
        #expect(parsed.submission.schoolID == "S9" && parsed.submission.counts.allSatisfy { $0 == 0 })
    }

    @Test func aBadCountNamesLineAndFieldButNeverTheValue() throws {
        var lines = CountsFile.write(Self.submission(0), codebook: Self.codebook, format: .csv, labels: false).split(separator: "\n").map(
            String.init)
        lines[4] = lines[4].replacingOccurrences(of: ",0", with: ",Maria")
        #expect {
            _ = try CountsFile.parse(Array(lines.joined(separator: "\n").utf8), file: "bad.csv", now: Self.now)
        } throws: { error in
            guard let e = error as? IntakeError else { return false }
            return e.line == 5 && e.field == "count" && !e.localizedDescription.contains("Maria")
        }
    }
}

import Foundation
import MosaicCodebook
import MosaicCounts
import MosaicText
import Testing

@testable import MosaicIntake

/// One test per kind of bad input: each asserts that the error names the file, the line and
/// the field, and that the store's content is unchanged.
@Suite struct BadInputTests {
    /// Ingests `bytes` as a file and checks the error and that nothing was stored.
    func expectRejected(
        _ bytes: [UInt8], name: String = "bad.csv", line: Int?, field: String?, message: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let f = try Fixture()
        // A valid earlier submission, so that "unchanged" means more than "empty".
        _ = try f.ingestor.ingest([f.write("good.csv", f.csv(f.submission(persons: 1)))])
        let before = try f.snapshot()
        let path = f.write(name, bytes)
        let summary = try f.ingestor.ingest([path])
        guard case .invalid(let error) = summary.results[0].fate else {
            Issue.record("accepted bad input: \(summary.results[0].fate)", sourceLocation: sourceLocation)
            return
        }
        #expect(error.file == path, sourceLocation: sourceLocation)
        #expect(error.line == line, "line", sourceLocation: sourceLocation)
        #expect(error.field == field, "field", sourceLocation: sourceLocation)
        #expect(error.message.contains(message), "message was: \(error.message)", sourceLocation: sourceLocation)
        let described = error.localizedDescription
        #expect(described.hasPrefix(path + (line.map { ":\($0)" } ?? "") + ": "), sourceLocation: sourceLocation)
        #expect(try f.snapshot() == before, "the store changed", sourceLocation: sourceLocation)
    }

    func expectRejected(
        _ text: String, name: String = "bad.csv", line: Int?, field: String?, message: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try expectRejected(Array(text.utf8), name: name, line: line, field: field, message: message, sourceLocation: sourceLocation)
    }

    let f = try! Fixture()
    var good: String { f.csv() }
    /// Line of the row for the first incidents cell that holds a count.
    var countedLine: Int { good.lineNumber(containing: "shared.pupil_14_15.female") }

    @Test func unknownSchool() throws {
        try expectRejected(f.csv(f.submission("NOPE")), line: 3, field: "school_id", message: "unknown school")
    }

    @Test func closedSchool() throws {
        try expectRejected(f.csv(f.submission("S3")), line: 3, field: "school_id", message: "closed")
    }

    @Test func unknownTable() throws {
        let text = good.editingLine(containing: ",tools,nudify,") { $0.replacingFirst(",tools,", with: ",weapons,") }
        try expectRejected(text, line: text.lineNumber(containing: ",weapons,"), field: "table", message: "is not a table")
    }

    @Test func unknownCell() throws {
        let text = good.editingLine(containing: ",channels,whatsapp,") { $0.replacingFirst(",whatsapp,", with: ",signal,") }
        try expectRejected(text, line: text.lineNumber(containing: ",signal,"), field: "cell", message: "is not a cell of table 'channels'")
    }

    @Test func malformedPeriod() throws {
        let text = good.replacingOccurrences(of: "2026-Q2", with: "2026-Q5")
        try expectRejected(text, line: 3, field: "period", message: "malformed")
    }

    @Test func futurePeriod() throws {
        try expectRejected(f.csv(f.submission(persons: 1).with(period: "2027-Q1")), line: 3, field: "period", message: "in the future")
    }

    @Test func periodsDifferWithinAFile() throws {
        let text = good.editingLine(containing: ",tools,nudify,") { $0.replacingFirst("2026-Q2", with: "2026-Q1") }
        try expectRejected(text, line: text.lineNumber(containing: ",tools,nudify,"), field: "period", message: "differs")
    }

    @Test func schoolsDifferWithinAFile() throws {
        let text = good.editingLine(containing: ",tools,nudify,") { $0.replacingFirst("S1,", with: "S2,") }
        try expectRejected(
            text, line: text.lineNumber(containing: ",tools,nudify,"), field: "school_id", message: "a file holds one school")
    }

    @Test(arguments: [
        ("-2", "negative"), ("1.5", "not a whole number"), ("two", "not a number"), ("", "is empty"),
        ("2e3", "not a whole number"), ("0x2", "not a number"),
    ])
    func badCount(value: String, message: String) throws {
        let text = good.editingLine(containing: "shared.pupil_14_15.female") { $0.replacingFirst(",2,", with: ",\(value),") }
        try expectRejected(text, line: countedLine, field: "count", message: message)
    }

    @Test func countAboveTheSchoolsEnrolment() throws {
        // S2 has 10 pupils; 11 affected persons in one cell is absurd for it.
        let text = f.csv(f.submission("S2", persons: 11))
        try expectRejected(text, line: text.lineNumber(containing: "shared.pupil_14_15.female"), field: "count", message: "enrolment")
    }

    @Test func affectedPersonsAboveTheSchoolsEnrolment() throws {
        // S2 has 10 pupils: 6 + 6 affected persons, each cell within the enrolment, are still too many.
        var s = f.submission("S2", persons: 6)
        for (t, c) in [
            ("incidents", "created.pupil_12_13.male"), ("channels", "telegram"), ("tools", "face_swap"), ("perpetrators", "unknown"),
        ] {
            s.counts[f.codebook.cellIndex(table: t, cell: c)!] = 6
        }
        let text = f.csv(s)
        try expectRejected(
            text, line: text.lineNumber(containing: ",incidents,"), field: "count",
            message: "the number of affected persons (table 'incidents') is above the school's registered enrolment")
    }

    @Test func countAbsurdlyLargeForAnySchool() throws {
        let text = f.csv(f.submission("S1", persons: 100_001))
        try expectRejected(text, line: text.lineNumber(containing: "shared.pupil_14_15.female"), field: "count", message: "absurdly large")
    }

    @Test func duplicateCellRow() throws {
        var lines = good.components(separatedBy: "\n")
        lines.insert(lines[countedLine - 1], at: countedLine)
        try expectRejected(
            lines.joined(separator: "\n"), line: countedLine + 1, field: "cell", message: "repeats the cell given on line \(countedLine)")
    }

    @Test func missingCells() throws {
        let lines = good.components(separatedBy: "\n").filter { !$0.contains(",responses,no_further_action,") }
        try expectRejected(
            lines.joined(separator: "\n"), line: nil, field: "cell",
            message: "no row for cell 'no_further_action' of table 'responses' (No further action)")
    }

    @Test func totalsDisagreeAcrossTables() throws {
        var s = f.submission(persons: 2)
        s.counts[f.codebook.cellIndex(table: "perpetrators", cell: "unknown")!] = 1
        let text = f.csv(s)
        try expectRejected(
            text, line: text.lineNumber(containing: ",perpetrators,"), field: "count",
            message: "totals of tables 'incidents' and 'perpetrators' disagree")
    }

    @Test func responseAboveTheTotal() throws {
        var s = f.submission(persons: 2)
        s.counts[f.codebook.cellIndex(table: "responses", cell: "police_report")!] = 3
        let text = f.csv(s)
        try expectRejected(
            text, line: text.lineNumber(containing: ",police_report,"), field: "count",
            message: "cell 'police_report' of table 'responses' is larger than the total")
    }

    @Test func extraColumn() throws {
        let text = good.replacingFirst("count,label", with: "count,label,notes")
        try expectRejected(text, line: 2, field: nil, message: "unexpected column")
    }

    @Test func freeTextInTheLabel() throws {
        let text = good.editingLine(containing: ",channels,whatsapp,") {
            $0.replacingFirst(",WhatsApp", with: ",WhatsApp group of Ana's class")
        }
        try expectRejected(text, line: text.lineNumber(containing: ",channels,whatsapp,"), field: "label", message: "free text")
    }

    @Test func freeTextOnALineOfItsOwn() throws {
        let text = good.replacingFirst("\n", with: "\n# the girls in 3B told us on Monday\n")
        try expectRejected(text, line: 2, field: nil, message: "unexpected column")
    }

    @Test func wrongCodebookVersion() throws {
        try expectRejected(good.replacingFirst("codebook=1", with: "codebook=7"), line: 1, field: nil, message: "wrong codebook version")
    }

    @Test func missingCodebookDirective() throws {
        let text = good.components(separatedBy: "\n").dropFirst().joined(separator: "\n")
        try expectRejected(text, line: 1, field: nil, message: "must state the codebook version")
    }

    @Test func emptyFile() throws {
        try expectRejected("", line: 1, field: nil, message: "empty")
        try expectRejected("\n\r\n  \n", line: 1, field: nil, message: "empty")
    }

    @Test func headerOnly() throws {
        let text = good.components(separatedBy: "\n").prefix(2).joined(separator: "\n") + "\n"
        try expectRejected(text, line: 3, field: nil, message: "no counts")
    }

    @Test func binaryGarbage() throws {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) }
        try expectRejected(
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + bytes, name: "photo.csv", line: 1, field: nil, message: "not UTF-8 text")
    }

    @Test func wrongNumberOfFields() throws {
        let text = good.editingLine(containing: ",tools,nudify,") { $0 + ",extra" }
        try expectRejected(text, line: text.lineNumber(containing: ",tools,nudify,"), field: nil, message: "expected 6 fields, found 7")
    }

    @Test func jsonUnknownKey() throws {
        let text = f.json().replacingFirst("\"period\"", with: "\"note\": \"Ana, 3B\",\n  \"period\"")
        try expectRejected(text, name: "bad.json", line: text.lineNumber(containing: "\"note\""), field: nil, message: "unexpected key")
    }

    @Test func jsonDuplicateCell() throws {
        let text = f.json().replacingFirst("\"whatsapp\": 2,", with: "\"whatsapp\": 2,\n      \"whatsapp\": 2,")
        let first = text.lineNumber(containing: "\"whatsapp\"")
        try expectRejected(text, name: "bad.json", line: first + 1, field: "channels", message: "repeats the cell given on line \(first)")
    }

    @Test func jsonCountAsText() throws {
        let text = f.json().replacingFirst("\"whatsapp\": 2", with: "\"whatsapp\": \"2\"")
        try expectRejected(
            text, name: "bad.json", line: text.lineNumber(containing: "\"whatsapp\""), field: "channels", message: "not a string")
    }

    @Test func jsonFractionalCount() throws {
        let text = f.json().replacingFirst("\"whatsapp\": 2", with: "\"whatsapp\": 2.5")
        try expectRejected(
            text, name: "bad.json", line: text.lineNumber(containing: "\"whatsapp\""), field: "channels", message: "not a whole number")
    }

    @Test func jsonSyntaxError() throws {
        let text = f.json().replacingFirst("\"whatsapp\": 2,", with: "\"whatsapp\": 2,,")
        try expectRejected(text, name: "bad.json", line: text.lineNumber(containing: "\"whatsapp\""), field: nil, message: "not valid JSON")
    }

    @Test func unreadableFile() throws {
        let f = try Fixture()
        let summary = try f.ingestor.ingest([f.folder + "/does-not-exist.csv"])
        guard case .invalid(let e) = summary.results[0].fate else {
            Issue.record("accepted a missing file")
            return
        }
        #expect(e.message.contains("cannot be read"))
    }

    @Test func errorsNeverRepeatTheOffendingValue() throws {
        let text = good.editingLine(containing: "shared.pupil_14_15.female") { $0.replacingFirst(",2,", with: ",Lucía Pérez,") }
        let result = Ingestor.validateOne(f.write("names.csv", text), check: nil, now: f.now)
        guard case .failure(let e) = result else {
            Issue.record("accepted")
            return
        }
        #expect(!e.localizedDescription.contains("Lucía"))
    }
}

extension Submission {
    func with(period: String) -> Submission {
        var s = self
        s.period = Period(period)!
        return s
    }

}

/// What spreadsheets do to counts files, and files with many problems.
@Suite struct SpreadsheetInputTests {
    let f = try! Fixture()

    func parse(_ text: String) throws -> ParsedCounts { try CountsFile.parse(Array(text.utf8), file: "x.csv", now: f.now) }

    func problems(_ text: String) -> IntakeError? {
        do {
            _ = try parse(text)
            return nil
        } catch { return error as? IntakeError }
    }

    /// `text` with `;` between fields (labels quoted as a spreadsheet would, since they may hold commas).
    func semicolons(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard !line.hasPrefix("#") else { return line + ";;;;;" }
            guard !line.isEmpty, var r = try? CSVReader(bytes: Array(line.utf8)), let rec = try? r.next() else { return String(line) }
            let fields = rec.fields
            return fields.map { $0.contains(";") || $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ";")
        }.joined(separator: "\r\n")
    }

    @Test func aSemicolonFileReadsAsItsCommaTwin() throws {
        let s = f.submission(persons: 3)
        let comma = f.csv(s)
        let semi = semicolons(comma)
        #expect(semi.contains("school_id;period;table;cell;count"))
        #expect(try parse(semi).submission == s)
    }

    @Test func aDecimalCommaIsNamedAsSuch() throws {
        let text = f.csv(f.submission(persons: 1))
        let lines = text.components(separatedBy: "\n")
        let row = try #require(lines.firstIndex { $0.contains(",tools,nudify,1") })
        // Unquoted in a comma file: one field too many.
        var a = lines
        a[row] = a[row].replacingOccurrences(of: ",tools,nudify,1", with: ",tools,nudify,1,0")
        let e1 = try #require(problems(a.joined(separator: "\n")))
        #expect(e1.count == 1 && e1.line == row + 1 && e1.field == "count" && e1.message.contains("decimal comma"), "\(e1)")
        // In a semicolon file.
        let semi = semicolons(text).replacingOccurrences(of: ";tools;nudify;1", with: ";tools;nudify;1,0")
        let e2 = try #require(problems(semi))
        #expect(e2.count == 1 && e2.message.contains("decimal comma"), "\(e2)")
    }

    @Test func emptyRowsOfSeparatorsAreIgnored() throws {
        let s = f.submission(persons: 2)
        #expect(try parse(f.csv(s) + ",,,,\n,,,,\n\n ,,,, \n").submission == s)
        #expect(try parse(semicolons(f.csv(s)) + "\r\n;;;;;\r\n;;;;;\r\n").submission == s)
        let lines = f.csv(s).components(separatedBy: "\n")
        #expect(try parse((lines[0..<5] + [",,,,"] + lines[5...]).joined(separator: "\n")).submission == s)
    }

    @Test func everyProblemIsListedAtOnceAndTheListIsCapped() throws {
        let text = f.csv(f.submission(persons: 1))
        var lines = text.components(separatedBy: "\n")
        let a = try #require(lines.firstIndex { $0.contains(",channels,whatsapp,") })
        let b = try #require(lines.firstIndex { $0.contains(",tools,face_swap,") })
        let c = try #require(lines.firstIndex { $0.contains(",perpetrators,unknown,") })
        lines[a] = lines[a].replacingOccurrences(of: ",channels,whatsapp,1", with: ",channels,whatsapp,-1")
        lines[b] = lines[b].replacingOccurrences(of: ",tools,face_swap,0", with: ",tools,face_swap,x")
        lines[c] = lines[c].replacingOccurrences(of: ",perpetrators,unknown,", with: ",perpetrators,nobody,")
        let e = try #require(problems(lines.joined(separator: "\n")))
        // Three bad rows, and the cell the misnamed row should have given is then missing.
        #expect(e.all.map(\.line) == [a + 1, b + 1, c + 1, nil], "\(e.all.map(\.lineDescription))")
        #expect(e.all.map(\.field) == ["count", "count", "cell", "cell"])
        #expect(e.all.last?.message.contains("no row for cell 'unknown' of table 'perpetrators'") == true)
        let text4 = e.localizedDescription.components(separatedBy: "\n")
        #expect(text4.count == 4 && text4.allSatisfy { $0.hasPrefix("x.csv:") })
        // Every count garbled: the list shows 20 and says how many more.
        let garbled = text.components(separatedBy: "\n").map { line -> String in
            guard line.hasPrefix("S1,") else { return line }
            var parts = line.components(separatedBy: ",")
            parts[4] = "n/a"
            return parts.joined(separator: ",")
        }.joined(separator: "\n")
        let many = try #require(problems(garbled))
        #expect(many.count == f.codebook.allCells.count)
        let shown = many.localizedDescription.components(separatedBy: "\n")
        #expect(shown.count == IntakeError.shown + 1)
        #expect(shown.last == "x.csv: and \(f.codebook.allCells.count - IntakeError.shown) more problems (fix these and check again)")
    }

    @Test func theRulesBetweenTablesAreAllListed() throws {
        var s = f.submission(persons: 2)
        s.counts[f.codebook.cellIndex(table: "perpetrators", cell: "unknown")!] = 1
        s.counts[f.codebook.cellIndex(table: "responses", cell: "police_report")!] = 3
        let e = try #require(problems(f.csv(s)))
        #expect(e.count == 2, "\(e.all.map(\.message))")
    }
}

import Foundation
import MosaicCodebook
import MosaicRegistry
import MosaicText

/// A counts file read and checked on its own (without a registry), with the line of each cell.
public struct ParsedCounts: Sendable {
    /// The counts and their school and quarter.
    public var submission: Submission
    /// `csv` or `json`.
    public var format: String
    /// For each cell (indexed like ``Codebook/allCells``), the line it was given on.
    public var cellLines: [Int]
    /// The line naming the school (the first data row in CSV, the `school_id` key in JSON).
    public var schoolLine: Int
    /// Set when the counts came out of a sealed package.
    public var origin: SealedOrigin?
}

/// The counts file formats: tidy CSV and the same content as JSON.
///
/// **CSV.** The first line states the codebook version, exactly `# mosaic-counts codebook=1`
/// (trailing commas from spreadsheets are tolerated). The next line names the columns, in any
/// order: `school_id,period,table,cell,count`, and optionally `label`. Then one row per cell of
/// every table of the codebook. Every cell must be listed, zeros included: a missing row is an
/// error, never read as zero, because it may be a lost line rather than a zero. A label, when
/// given, must be the codebook's label for that cell (English or Spanish) or empty, since free
/// text might carry a name. A UTF-8 byte-order mark, CRLF line ends and blank lines are accepted.
///
/// **JSON.** One object with exactly the keys `format` (`"mosaic-counts"`), `codebook` (the
/// version number), `school_id`, `period` and `counts`: an object of tables, each an object of
/// cell codes to whole numbers, again listing every cell.
public enum CountsFile {
    /// The largest count accepted in any cell when no registry is at hand. With a registry, a count
    /// above the school's enrolment is refused.
    public static let maximumCount = 100_000

    /// The directive that opens a CSV counts file.
    public static func directive(codebookVersion: Int) -> String { "# mosaic-counts codebook=\(codebookVersion)" }

    /// Reads and checks a counts file in either format, chosen by its first non-blank character
    /// (`{` means JSON).
    ///
    /// - Parameters:
    ///   - bytes: the file's content.
    ///   - file: the name used in error messages.
    ///   - now: the present, to refuse periods in the future.
    /// - Throws: ``IntakeError`` for the first problem found.
    public static func parse(_ bytes: [UInt8], file: String, now: Date = Date()) throws -> ParsedCounts {
        var i = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        if i < bytes.count, bytes[i] == UInt8(ascii: "{") { return try parseJSON(bytes, file: file, now: now) }
        return try parseCSV(bytes, file: file, now: now)
    }

    static let csvColumns = ["school_id", "period", "table", "cell", "count"]

    /// The one problem of a template nobody filled in, with the way to report a quiet quarter.
    static let untouchedTemplateMessage =
        "no count is filled in; write each count, 0 for none. Nothing to report this quarter? Write 0 in every row, or make the file with 'mosaic template --nothing-to-report'"

    /// Reads and checks a CSV counts file.
    public static func parseCSV(_ bytes: [UInt8], file: String, now: Date = Date()) throws -> ParsedCounts {
        var p = try CSVCountsParser(bytes: bytes, file: file)
        let (version, codebook, directiveLine) = try p.directive()
        let columns = try p.header(after: directiveLine)
        return try p.rows(columns: columns, codebook: codebook, version: version, now: now)
    }

    /// Reads and checks a JSON counts file.
    public static func parseJSON(_ bytes: [UInt8], file: String, now: Date = Date()) throws -> ParsedCounts {
        func fail(_ line: Int?, _ field: String?, _ message: String) -> IntakeError {
            IntakeError(file: file, line: line, field: field, message: message)
        }
        let root: JSONNode
        do { root = try JSONReader.parse(bytes) } catch let e as JSONSyntaxError { throw fail(e.line, nil, "not valid JSON: \(e.message)") }
        guard case .object(let members) = root.value else { throw fail(root.line, nil, "the file must hold one JSON object") }
        let keys = ["format", "codebook", "school_id", "period", "counts"]
        var byKey: [String: JSONMember] = [:]
        for m in members {
            guard keys.contains(m.key) else {
                throw fail(
                    m.line, nil,
                    "unexpected key (allowed: \(keys.joined(separator: ", "))); extra keys are refused because they may carry names")
            }
            guard byKey[m.key] == nil else { throw fail(m.line, m.key, "the key appears twice") }
            byKey[m.key] = m
        }
        if let missing = keys.first(where: { byKey[$0] == nil }) { throw fail(root.line, missing, "the key is missing") }
        guard case .string("mosaic-counts") = byKey["format"]!.value.value else {
            throw fail(byKey["format"]!.line, "format", "must be \"mosaic-counts\"")
        }
        let vm = byKey["codebook"]!
        guard case .number(let vtext) = vm.value.value, let version = Int(vtext) else {
            throw fail(vm.line, "codebook", "must be the codebook version as a whole number")
        }
        let codebook: Codebook
        do { codebook = try Codebook.bundled(version: version) } catch {
            throw fail(
                vm.line, "codebook",
                "wrong codebook version: this build reads version \(Codebook.availableVersions.map(String.init).joined(separator: ", "))")
        }
        let sm = byKey["school_id"]!
        guard case .string(let school) = sm.value.value, isIdentifier(school) else {
            throw fail(sm.line, "school_id", "is not a school id (1 to 40 letters, digits, '-' or '_')")
        }
        let pm = byKey["period"]!
        guard case .string(let ptext) = pm.value.value, let period = Period(ptext) else {
            throw fail(pm.line, "period", "is malformed: write a quarter as YYYY-Qn, for example 2026-Q3")
        }
        let current = Period.containing(now)
        guard period <= current else { throw fail(pm.line, "period", "is in the future (the current quarter is \(current))") }
        let cm = byKey["counts"]!
        guard case .object(let tables) = cm.value.value else { throw fail(cm.line, "counts", "must be an object of tables") }
        var counts = [Int](repeating: 0, count: codebook.allCells.count)
        var lines = [Int](repeating: 0, count: codebook.allCells.count)
        var seenTables: [String: Int] = [:]
        var problems = ProblemList()
        var attempted = Set<Int>()
        var blankCount = 0
        for t in tables {
            guard codebook.table(t.key) != nil else {
                throw fail(
                    t.line, "counts",
                    "is not a table of codebook version \(version) (tables: \(codebook.tables.map(\.name).joined(separator: ", ")))")
            }
            if let l = seenTables[t.key] { throw fail(t.line, t.key, "the table appears twice (first on line \(l))") }
            seenTables[t.key] = t.line
            guard case .object(let cells) = t.value.value else { throw fail(t.line, t.key, "must be an object of cells and counts") }
            for c in cells {
                guard let index = codebook.cellIndex(table: t.key, cell: c.key) else {
                    problems.add(fail(c.line, t.key, "is not a cell of table '\(t.key)' in codebook version \(version)"))
                    continue
                }
                if lines[index] != 0 || attempted.contains(index) {
                    problems.add(fail(c.line, t.key, "repeats the cell given on line \(lines[index])"))
                    continue
                }
                do {
                    switch c.value.value {
                    case .number(let text): counts[index] = try parseCount(text, fail: { fail(c.line, t.key, $0) })
                    case .string: throw fail(c.line, t.key, "the count must be a JSON number, not a string")
                    case .null:
                        blankCount += 1
                        throw fail(c.line, t.key, "is empty (write 0 for none)")
                    default: throw fail(c.line, t.key, "the count is not a number")
                    }
                    lines[index] = c.line
                } catch let e as IntakeError {
                    problems.add(e)
                    attempted.insert(index)
                }
            }
        }
        let submission = Submission(schoolID: school, period: period, codebookVersion: version, counts: counts)
        let parsed = ParsedCounts(submission: submission, format: "json", cellLines: lines, schoolLine: sm.line)
        if blankCount == codebook.allCells.count {
            problems = ProblemList()
            problems.add(fail(nil, "counts", untouchedTemplateMessage))
            try problems.throwIfAny()
        }
        checkComplete(parsed, codebook: codebook, file: file, field: nil, problems: &problems, attempted: attempted)
        try problems.throwIfAny()
        return parsed
    }

    /// Checks that every cell was given and that the tables obey the codebook's rules, adding
    /// every problem to `problems`. Cells in `attempted` were given on a line with a problem of
    /// its own (not missing). The rules run only when every cell was read.
    static func checkComplete(
        _ parsed: ParsedCounts, codebook: Codebook, file: String, field: String?, problems: inout ProblemList,
        attempted: Set<Int> = []
    ) {
        let missing = codebook.allCells.filter { parsed.cellLines[$0.index] == 0 && !attempted.contains($0.index) }
        for cell in missing {
            problems.add(
                IntakeError(
                    file: file, line: nil, field: field,
                    message:
                        "no row for cell '\(cell.code)' of table '\(cell.table)' (\(codebook.label(of: cell))); every cell must be listed (write 0 for none)"
                ))
        }
        guard problems.isEmpty else { return }
        for v in codebook.ruleViolations(in: parsed.submission.counts) {
            let line: Int?
            let f: String?
            switch v {
            case .totalsDisagree(_, let b):
                line = codebook.table(b)?.cells.map { parsed.cellLines[$0.index] }.min()
                f = "count"
            case .aboveTotal(let table, let cell, _):
                line = codebook.cellIndex(table: table, cell: cell).map { parsed.cellLines[$0] }
                f = "count"
            }
            problems.add(IntakeError(file: file, line: line, field: parsed.format == "csv" ? f : nil, message: v.description))
        }
    }

    /// Parses a count: digits only, at most ``maximumCount``.
    static func parseCount(_ raw: String, fail: (String) -> IntakeError) throws -> Int {
        let text = raw.trimmingWhitespace()
        let u = Array(text.utf8)
        if u.isEmpty { throw fail("is empty (write 0 for none)") }
        if u.allSatisfy({ (48...57).contains($0) }) {
            guard u.count <= 9, let v = Int(text), v <= maximumCount else {
                throw fail("is absurdly large (above \(maximumCount))")
            }
            return v
        }
        if let comma = u.firstIndex(of: UInt8(ascii: ",")), comma > 0, comma < u.count - 1,
            u[..<comma].allSatisfy({ (48...57).contains($0) }), u[(comma + 1)...].allSatisfy({ (48...57).contains($0) })
        {
            throw fail("has a decimal comma; counts are whole numbers (write 1, not 1,0)")
        }
        if u[0] == UInt8(ascii: "-"), u.count > 1, u.dropFirst().allSatisfy({ (48...57).contains($0) || $0 == UInt8(ascii: ".") }) {
            throw fail("is negative; counts are whole numbers of 0 or more")
        }
        let numeric = u.allSatisfy { (48...57).contains($0) || $0 == 46 || $0 == 43 || $0 == 45 || $0 == 101 || $0 == 69 }
        if numeric, u.contains(where: { (48...57).contains($0) }), Double(text) != nil { throw fail("is not a whole number") }
        throw fail("is not a number")
    }

    static func isIdentifier(_ text: String) -> Bool { Identifier.isValid(text) }
}

/// The CSV counts file, read part by part: the directive, the column header, the rows.
struct CSVCountsParser {
    let file: String
    var reader: CSVReader

    /// Where each column is.
    struct Columns {
        var line: Int
        var count: Int
        var school: Int, period: Int, table: Int, cell: Int, value: Int
        var label: Int?
    }

    init(bytes: [UInt8], file: String) throws {
        self.file = file
        do { reader = try CSVReader(bytes: bytes, separator: Self.separator(of: bytes)) } catch let e as CSVError {
            throw IntakeError(file: file, line: e.line, field: nil, message: e.message)
        }
    }

    func fail(_ line: Int?, _ field: String?, _ message: String) -> IntakeError {
        IntakeError(file: file, line: line, field: field, message: message)
    }

    /// `;` when the column header (the second non-blank line) is separated by semicolons, as
    /// spreadsheets in decimal-comma locales save it; else `,`. The column names are fixed, so
    /// the choice is never ambiguous: a `;` file whose header names the columns reads the same
    /// as its `,` twin.
    static func separator(of bytes: [UInt8]) -> UInt8 {
        var nonBlank = 0
        var i = 0
        while i < bytes.count {
            let end = bytes[i...].firstIndex(of: 0x0A) ?? bytes.count
            let line = bytes[i..<end]
            if line.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 && $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: ",") }) {
                nonBlank += 1
                if nonBlank == 2 {
                    // Byte-level trim of spaces, tabs, CRs and quotes (every file passes here once).
                    let trimmed: Set<UInt8> = [0x20, 0x0D, 0x09, 0x22]
                    let fields = line.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false).map { field -> String in
                        let inner = field.drop { trimmed.contains($0) }.reversed().drop { trimmed.contains($0) }.reversed()
                        return String(decoding: inner, as: UTF8.self)
                    }
                    let known = CountsFile.csvColumns + ["label"]
                    return fields.count > 1 && fields.allSatisfy({ known.contains($0) || $0.isEmpty })
                        ? UInt8(ascii: ";") : UInt8(ascii: ",")
                }
            }
            i = end + 1
        }
        return UInt8(ascii: ",")
    }

    mutating func nextRecord() throws -> CSVRecord? {
        do {
            // Blank lines and the rows of empty fields that spreadsheets add are skipped.
            while let r = try reader.next() { if !r.fields.allSatisfy(\.isBlank) { return r } }
            return nil
        } catch let e as CSVError { throw fail(e.line, nil, e.message) }
    }

    /// The first line: `# mosaic-counts codebook=N`.
    mutating func directive() throws -> (version: Int, codebook: Codebook, line: Int) {
        let example = CountsFile.directive(codebookVersion: Codebook.latestVersion)
        guard let first = try nextRecord() else { throw fail(1, nil, "the file is empty") }
        let directiveFields = first.fields.reversed().drop { $0.isEmpty }
        guard directiveFields.count == 1, let directive = directiveFields.first?.trimmingWhitespace(),
            directive.hasPrefix("# mosaic-counts codebook=")
        else {
            throw fail(first.line, nil, "the first line must state the codebook version, as '\(example)'")
        }
        guard let version = Int(directive.dropFirst("# mosaic-counts codebook=".count)) else {
            throw fail(first.line, nil, "the codebook version must be a whole number, as '\(example)'")
        }
        do { return (version, try Codebook.bundled(version: version), first.line) } catch {
            throw fail(
                first.line, nil,
                "wrong codebook version: this build reads version \(Codebook.availableVersions.map(String.init).joined(separator: ", "))")
        }
    }

    /// The column header: the required columns once each, an optional label, nothing else.
    mutating func header(after line: Int) throws -> Columns {
        guard let header = try nextRecord() else { throw fail(line + 1, nil, "the column header is missing") }
        var col: [String: Int] = [:]
        for (i, raw) in header.fields.enumerated() {
            let name = raw.trimmingWhitespace()
            guard CountsFile.csvColumns.contains(name) || name == "label" else {
                throw fail(
                    header.line, nil,
                    "unexpected column (allowed: \(CountsFile.csvColumns.joined(separator: ",")),label); extra columns are refused because they may carry names"
                )
            }
            guard col[name] == nil else { throw fail(header.line, name, "the column appears twice") }
            col[name] = i
        }
        guard let school = col["school_id"], let period = col["period"], let table = col["table"], let cell = col["cell"],
            let value = col["count"]
        else {
            throw fail(header.line, CountsFile.csvColumns.first { col[$0] == nil }, "the column is missing")
        }
        return Columns(
            line: header.line, count: header.fields.count, school: school, period: period, table: table, cell: cell, value: value,
            label: col["label"])
    }

    /// The rows: one school, one quarter, every cell of the codebook once. Every problem is
    /// collected (a CSV syntax error ends the reading).
    mutating func rows(columns c: Columns, codebook: Codebook, version: Int, now: Date) throws -> ParsedCounts {
        var counts = [Int](repeating: 0, count: codebook.allCells.count)
        var lines = [Int](repeating: 0, count: codebook.allCells.count)
        var attempted = Set<Int>()
        var school: String?
        var schoolLine = 0
        var period: Period?
        var periodText = ""
        var periodLine = 0
        let current = Period.containing(now)
        var problems = ProblemList()
        var rowCount = 0
        var emptyCountLines: [Int] = []
        while true {
            let record: CSVRecord?
            do { record = try nextRecord() } catch let e as IntakeError { throw problems.ending(with: e) }
            guard let r = record else { break }
            rowCount += 1
            guard r.fields.count == c.count else {
                if r.fields.count == c.count + 1, c.value + 1 < r.fields.count,
                    [r.fields[c.value], r.fields[c.value + 1]].allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (48...57).contains($0) } })
                {
                    problems.add(fail(r.line, "count", "has a decimal comma; counts are whole numbers (write 1, not 1,0)"))
                    if c.table < c.value, c.cell < c.value, let index = codebook.cellIndex(table: r.fields[c.table], cell: r.fields[c.cell])
                    {
                        attempted.insert(index)
                    }
                } else {
                    problems.add(fail(r.line, nil, "expected \(c.count) fields, found \(r.fields.count)"))
                }
                continue
            }
            let sid = r.fields[c.school]
            if let school {
                if sid != school {
                    problems.add(fail(r.line, "school_id", "differs from the school named on line \(schoolLine); a file holds one school"))
                }
            } else if CountsFile.isIdentifier(sid) {
                school = sid
                schoolLine = r.line
            } else {
                problems.add(
                    fail(r.line, "school_id", sid.isEmpty ? "is empty" : "is not a school id (1 to 40 letters, digits, '-' or '_')"))
            }
            let ptext = r.fields[c.period]
            if period != nil {
                if ptext != periodText {
                    problems.add(fail(r.line, "period", "differs from the period named on line \(periodLine); a file holds one quarter"))
                }
            } else if let p = Period(ptext) {
                if p <= current {
                    period = p
                    periodText = p.description
                    periodLine = r.line
                } else {
                    problems.add(fail(r.line, "period", "is in the future (the current quarter is \(current))"))
                }
            } else {
                problems.add(fail(r.line, "period", "is malformed: write a quarter as YYYY-Qn, for example 2026-Q3"))
            }
            let table = r.fields[c.table]
            guard codebook.tableIndex(table) != nil else {
                problems.add(
                    fail(
                        r.line, "table",
                        "is not a table of codebook version \(version) (tables: \(codebook.tables.map(\.name).joined(separator: ", ")))"))
                continue
            }
            guard let index = codebook.cellIndex(table: table, cell: r.fields[c.cell]) else {
                problems.add(fail(r.line, "cell", "is not a cell of table '\(table)' in codebook version \(version)"))
                continue
            }
            if lines[index] != 0 || attempted.contains(index) {
                problems.add(
                    fail(
                        r.line, "cell", lines[index] != 0 ? "repeats the cell given on line \(lines[index])" : "repeats a cell given before"
                    ))
                continue
            }
            if let cLabel = c.label {
                let label = r.fields[cLabel]
                if !label.isEmpty, !codebook.acceptedLabels(of: codebook.allCells[index]).contains(label) {
                    problems.add(
                        fail(
                            r.line, "label",
                            "is not the codebook's label for this cell; free text is refused because it may carry names (leave it empty or use the template's label)"
                        ))
                }
            }
            if r.fields[c.value].isBlank { emptyCountLines.append(r.line) }
            do {
                counts[index] = try CountsFile.parseCount(r.fields[c.value], fail: { fail(r.line, "count", $0) })
                lines[index] = r.line
            } catch let e as IntakeError {
                problems.add(e)
                attempted.insert(index)
            }
        }
        guard rowCount > 0 else { throw problems.ending(with: fail(c.line + 1, nil, "the file has no counts")) }
        if emptyCountLines.count == rowCount {
            // An untouched blank template: one problem, with the way to say "nothing happened".
            let blank = Set(emptyCountLines)
            problems.remove { $0.field == "count" && $0.line.map(blank.contains) == true }
            problems.add(
                fail(
                    nil, "count",
                    CountsFile.untouchedTemplateMessage))
        }
        guard let school, let period else {
            throw problems.combined() ?? problems.ending(with: fail(c.line + 1, nil, "the file has no counts"))
        }
        let submission = Submission(schoolID: school, period: period, codebookVersion: version, counts: counts)
        let parsed = ParsedCounts(submission: submission, format: "csv", cellLines: lines, schoolLine: schoolLine)
        if emptyCountLines.count < rowCount {
            CountsFile.checkComplete(parsed, codebook: codebook, file: file, field: "cell", problems: &problems, attempted: attempted)
        }
        try problems.throwIfAny()
        return parsed
    }
}

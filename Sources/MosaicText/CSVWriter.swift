/// Writes RFC 4180 CSV: LF line ends, fields quoted only when they need it.
public struct CSVWriter: Sendable {
    /// The text written so far.
    public private(set) var text = ""

    /// An empty text.
    public init() {}

    /// Appends one record.
    public mutating func write(_ fields: [String]) {
        text += fields.map(CSVWriter.escape).joined(separator: ",")
        text += "\n"
    }

    /// Appends a line verbatim (for a header comment); it must not hold a line break.
    public mutating func writeRaw(_ line: String) {
        precondition(!line.contains("\n"))
        text += line + "\n"
    }

    /// A text field made safe for a spreadsheet (OWASP's rule against CSV injection): a field
    /// that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so that
    /// Excel or LibreOffice shows it as text instead of running it as a formula. For the names
    /// in CSVs meant for spreadsheets only; numbers and machine CSVs stay exact.
    public static func spreadsheetSafe(_ field: String) -> String {
        guard let first = field.unicodeScalars.first(where: { $0 != " " }), "=+-@\t\r".unicodeScalars.contains(first) else {
            return field
        }
        return "'" + field
    }

    /// Quotes a field when it holds a comma, a quote or a line break.
    public static func escape(_ field: String) -> String {
        if field.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) {
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return field
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

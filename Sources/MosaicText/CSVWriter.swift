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

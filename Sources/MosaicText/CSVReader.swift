/// One record of a CSV file, with the physical line it starts on (1-based).
public struct CSVRecord: Sendable, Equatable {
    /// Line on which the record starts, counting from 1.
    public var line: Int
    /// The record's fields, unquoted.
    public var fields: [String]

    /// A record read from `line`.
    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }

    /// True for an empty line.
    public var isBlank: Bool { fields.count == 1 && fields[0].isEmpty }
}

/// Why a file could not be read as CSV text. Carries the line, never the offending text.
public enum CSVError: Error, Equatable, Sendable {
    /// The file is empty (or holds only a byte-order mark or white space).
    case empty
    /// The file is not UTF-8 text, or contains NUL or other control bytes.
    case notText(line: Int)
    /// A quoted field is never closed.
    case unterminatedQuote(line: Int)
    /// A quote appears inside an unquoted field, or text follows a closing quote.
    case strayQuote(line: Int)

    /// The line the problem is on (1 for an empty file).
    public var line: Int {
        switch self {
        case .empty: return 1
        case .notText(let l), .unterminatedQuote(let l), .strayQuote(let l): return l
        }
    }

    /// A sentence naming the problem and its line.
    public var message: String {
        switch self {
        case .empty: return "the file is empty"
        case .notText: return "the file is not UTF-8 text (binary or control bytes found)"
        case .unterminatedQuote: return "a quoted field is never closed"
        case .strayQuote: return "a quote character is out of place"
        }
    }
}

/// A strict reader for RFC 4180 CSV.
///
/// Accepts a UTF-8 byte-order mark, LF or CRLF line ends, and quoted fields (which may hold
/// commas, quotes written twice, and line breaks). Refuses, rather than repairs, anything else:
/// invalid UTF-8, NUL and other control bytes, unbalanced quotes. Each record carries the line
/// it starts on, so that errors can point at it.
///
/// Written here rather than taken from a CSV package because intake needs exact physical line
/// numbers for every error, refusal of malformed quoting instead of silent repair, and speed
/// on millions of short rows.
///
/// ```swift
/// var reader = try CSVReader(bytes: Array("a,b\n1,2\n".utf8))
/// while let record = try reader.next() { print(record.line, record.fields) }
/// ```
public struct CSVReader: Sendable {
    private let bytes: [UInt8]
    private var position: Int
    private var line = 1
    private let separator: UInt8

    /// Prepares to read `bytes`, fields separated by `separator` (a comma unless given: the
    /// semicolon is what spreadsheets write in locales with a decimal comma).
    ///
    /// - Throws: ``CSVError/empty`` for an empty file, ``CSVError/notText(line:)`` for
    ///   anything that is not UTF-8 text.
    public init(bytes: [UInt8], separator: UInt8 = UInt8(ascii: ",")) throws {
        self.separator = separator
        var start = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        self.bytes = bytes
        self.position = start
        if bytes[start...].allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { throw CSVError.empty }
        let body = bytes[start...]
        let clean = !body.contains(where: CSVReader.isControl) && String(validating: body, as: UTF8.self) != nil
        if !clean {
            // Slow path, only for bad files: the first line with a control byte or invalid UTF-8.
            var line = 1
            var i = start
            while i < bytes.count {
                let end = bytes[i...].firstIndex(of: 0x0A) ?? bytes.count
                let slice = bytes[i..<end]
                if slice.contains(where: CSVReader.isControl) || String(validating: slice, as: UTF8.self) == nil {
                    throw CSVError.notText(line: line)
                }
                line += 1
                i = end + 1
            }
        }
    }

    /// Bytes that never appear in a text file: C0 controls other than tab, CR and LF, and DEL.
    static func isControl(_ b: UInt8) -> Bool { (b < 0x20 && b != 0x0D && b != 0x09 && b != 0x0A) || b == 0x7F }

    /// The next record, or nil at the end of the file.
    public mutating func next() throws -> CSVRecord? {
        guard position < bytes.count else { return nil }
        let startLine = line
        var fields: [String] = []
        fields.reserveCapacity(8)
        while true {
            // One field.
            if position < bytes.count, bytes[position] == UInt8(ascii: "\"") {
                position += 1
                var value: [UInt8] = []
                while true {
                    guard position < bytes.count else { throw CSVError.unterminatedQuote(line: startLine) }
                    let b = bytes[position]
                    if b == UInt8(ascii: "\"") {
                        if position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "\"") {
                            value.append(b)
                            position += 2
                            continue
                        }
                        position += 1
                        break
                    }
                    if b == 0x0A { line += 1 }
                    value.append(b)
                    position += 1
                }
                fields.append(String(decoding: value, as: UTF8.self))
                // After a closing quote: a separator, a line end or the end of the file.
                if position >= bytes.count { return CSVRecord(line: startLine, fields: fields) }
                switch bytes[position] {
                case separator:
                    position += 1
                    continue
                case 0x0A:
                    position += 1
                    line += 1
                    return CSVRecord(line: startLine, fields: fields)
                case 0x0D where position + 1 < bytes.count && bytes[position + 1] == 0x0A:
                    position += 2
                    line += 1
                    return CSVRecord(line: startLine, fields: fields)
                case 0x0D where position + 1 == bytes.count:
                    position += 1
                    return CSVRecord(line: startLine, fields: fields)
                default: throw CSVError.strayQuote(line: line)
                }
            }
            let start = position
            while position < bytes.count {
                let b = bytes[position]
                if b == separator || b == 0x0A { break }
                if b == UInt8(ascii: "\"") { throw CSVError.strayQuote(line: line) }
                position += 1
            }
            var end = position
            if end > start, bytes[end - 1] == 0x0D { end -= 1 }
            fields.append(String(decoding: bytes[start..<end], as: UTF8.self))
            if position >= bytes.count { return CSVRecord(line: startLine, fields: fields) }
            if bytes[position] == 0x0A {
                position += 1
                line += 1
                return CSVRecord(line: startLine, fields: fields)
            }
            position += 1  // separator
        }
    }

    /// Reads every record.
    public mutating func readAll() throws -> [CSVRecord] {
        var out: [CSVRecord] = []
        while let r = try next() { out.append(r) }
        return out
    }
}

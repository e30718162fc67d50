/// A JSON value with the line it starts on.
public indirect enum JSONValue: Sendable, Equatable {
    case object([JSONMember])
    case array([JSONNode])
    case string(String)
    /// A number, kept as its exact source text (so that `1.5` or `1e3` can be told from `1`).
    case number(String)
    case bool(Bool)
    case null
}

/// A member of a JSON object: its key, the key's line, and its value.
public struct JSONMember: Sendable, Equatable {
    /// Which breakdown this is (also the key of its title in the strings files).
    public var key: String
    /// The 1-based line, when the problem sits on one line.
    public var line: Int
    /// The value; nil when withheld.
    public var value: JSONNode
}

/// A JSON value and the line on which it starts (1-based).
public struct JSONNode: Sendable, Equatable {
    /// The value; nil when withheld.
    public var value: JSONValue
    /// The 1-based line, when the problem sits on one line.
    public var line: Int
}

/// Why a file could not be read as JSON.
public struct JSONSyntaxError: Error, Equatable, Sendable {
    /// The 1-based line, when the problem sits on one line.
    public var line: Int
    /// What is wrong, in words; never the offending value.
    public var message: String
}

/// A strict JSON (RFC 8259) reader that keeps line numbers, member order and duplicate keys,
/// so that a validator can point at the line of a problem and refuse a key given twice.
///
/// Written here because Foundation's decoders drop all three. Nesting is limited to 32 levels.
public enum JSONReader {
    /// Parses a whole document. A UTF-8 byte-order mark is accepted.
    public static func parse(_ bytes: [UInt8]) throws -> JSONNode {
        var p = Parser(bytes: bytes)
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { p.i = 3 }
        guard String(validating: bytes[p.i...], as: UTF8.self) != nil else {
            throw JSONSyntaxError(line: 1, message: "the file is not UTF-8 text")
        }
        p.skipSpace()
        guard p.i < bytes.count else { throw JSONSyntaxError(line: 1, message: "the file is empty") }
        let node = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == bytes.count else { throw JSONSyntaxError(line: p.line, message: "unexpected text after the JSON document") }
        return node
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0
        var line = 1

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func skipSpace() {
            while i < bytes.count {
                switch bytes[i] {
                case 0x0A:
                    line += 1
                    i += 1
                case 0x20, 0x09, 0x0D: i += 1
                default: return
                }
            }
        }

        func fail(_ message: String) -> JSONSyntaxError { JSONSyntaxError(line: line, message: message) }

        mutating func expect(_ c: UInt8) throws {
            skipSpace()
            guard i < bytes.count, bytes[i] == c else { throw fail("expected '\(Character(Unicode.Scalar(c)))'") }
            i += 1
        }

        mutating func value(depth: Int) throws -> JSONNode {
            guard depth < 32 else { throw fail("nesting is too deep") }
            skipSpace()
            guard i < bytes.count else { throw fail("unexpected end of file") }
            let start = line
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                var members: [JSONMember] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
                    i += 1
                    return JSONNode(value: .object(members), line: start)
                }
                while true {
                    skipSpace()
                    let keyLine = line
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a quoted key") }
                    let key = try string()
                    try expect(UInt8(ascii: ":"))
                    let v = try value(depth: depth + 1)
                    members.append(JSONMember(key: key, line: keyLine, value: v))
                    skipSpace()
                    guard i < bytes.count else { throw fail("unexpected end of file inside an object") }
                    if bytes[i] == UInt8(ascii: ",") {
                        i += 1
                        continue
                    }
                    if bytes[i] == UInt8(ascii: "}") {
                        i += 1
                        return JSONNode(value: .object(members), line: start)
                    }
                    throw fail("expected ',' or '}'")
                }
            case UInt8(ascii: "["):
                i += 1
                var items: [JSONNode] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
                    i += 1
                    return JSONNode(value: .array(items), line: start)
                }
                while true {
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard i < bytes.count else { throw fail("unexpected end of file inside an array") }
                    if bytes[i] == UInt8(ascii: ",") {
                        i += 1
                        continue
                    }
                    if bytes[i] == UInt8(ascii: "]") {
                        i += 1
                        return JSONNode(value: .array(items), line: start)
                    }
                    throw fail("expected ',' or ']'")
                }
            case UInt8(ascii: "\""):
                return JSONNode(value: .string(try string()), line: start)
            case UInt8(ascii: "t"):
                try literal("true")
                return JSONNode(value: .bool(true), line: start)
            case UInt8(ascii: "f"):
                try literal("false")
                return JSONNode(value: .bool(false), line: start)
            case UInt8(ascii: "n"):
                try literal("null")
                return JSONNode(value: .null, line: start)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return JSONNode(value: .number(try number()), line: start)
            default:
                throw fail("unexpected character")
            }
        }

        mutating func literal(_ word: String) throws {
            let w = Array(word.utf8)
            guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { throw fail("unexpected word") }
            i += w.count
        }

        mutating func number() throws -> String {
            let start = i
            if bytes[i] == UInt8(ascii: "-") { i += 1 }
            func digits() -> Int {
                let s = i
                while i < bytes.count, (48...57).contains(bytes[i]) { i += 1 }
                return i - s
            }
            let intDigits = digits()
            guard intDigits > 0 else { throw fail("malformed number") }
            if intDigits > 1, bytes[i - intDigits] == 48 { throw fail("malformed number (leading zero)") }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                guard digits() > 0 else { throw fail("malformed number") }
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                guard digits() > 0 else { throw fail("malformed number") }
            }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        mutating func string() throws -> String {
            i += 1  // opening quote
            var out: [UInt8] = []
            while true {
                guard i < bytes.count else { throw fail("a string is never closed") }
                let b = bytes[i]
                if b == UInt8(ascii: "\"") {
                    i += 1
                    return String(decoding: out, as: UTF8.self)
                }
                if b < 0x20 { throw fail("control character inside a string") }
                if b == UInt8(ascii: "\\") {
                    guard i + 1 < bytes.count else { throw fail("a string is never closed") }
                    let e = bytes[i + 1]
                    i += 2
                    switch e {
                    case UInt8(ascii: "\""): out.append(0x22)
                    case UInt8(ascii: "\\"): out.append(0x5C)
                    case UInt8(ascii: "/"): out.append(0x2F)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var code = try hex4()
                        if (0xD800..<0xDC00).contains(code) {
                            guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                                throw fail("unpaired surrogate in a string")
                            }
                            i += 2
                            let low = try hex4()
                            guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate in a string") }
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00..<0xE000).contains(code) {
                            throw fail("unpaired surrogate in a string")
                        }
                        out.append(contentsOf: Array(String(Character(Unicode.Scalar(code)!)).utf8))
                    default: throw fail("unknown escape in a string")
                    }
                    continue
                }
                out.append(b)
                i += 1
            }
        }

        mutating func hex4() throws -> UInt32 {
            guard i + 4 <= bytes.count else { throw fail("malformed \\u escape") }
            var v: UInt32 = 0
            for b in bytes[i..<i + 4] {
                let d: UInt32
                switch b {
                case 48...57: d = UInt32(b - 48)
                case 65...70: d = UInt32(b - 55)
                case 97...102: d = UInt32(b - 87)
                default: throw fail("malformed \\u escape")
                }
                v = v * 16 + d
            }
            i += 4
            return v
        }
    }
}

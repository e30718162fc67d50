import Foundation

/// Text from outside made safe to print on one line: control characters (C0, DEL, C1, and the
/// bidirectional overrides) become '?', and very long text is cut.
public enum Sanitize {
    /// True for a control character (C0, DEL, C1) or a bidirectional control (the marks and the
    /// embeddings, overrides and isolates), which can make text display as something else.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x200E || v == 0x200F || (0x202A...0x202E).contains(v)
            || (0x2066...0x2069).contains(v)
    }

    /// True when `text` would start a formula in a spreadsheet once leading spaces are ignored
    /// (`=`, `+`, `-`, `@`).
    public static func startsLikeFormula(_ text: String) -> Bool {
        guard let first = text.drop(while: { $0 == " " || $0 == "\u{00A0}" }).first else { return false }
        return "=+-@".contains(first)
    }

    /// A message for a terminal: control characters replaced but line breaks kept, at most
    /// `limit` characters.
    public static func message(_ text: String, limit: Int = 4000) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line(String($0), limit: limit) }.joined(separator: "\n")
    }

    /// `text` with control characters replaced and at most `limit` characters.
    public static func line(_ text: String, limit: Int = 300) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= limit {
                out += "…"
                break
            }
            let v = scalar.value
            let control = Sanitize.isControl(scalar)
            out.unicodeScalars.append(control ? "?" : scalar)
            count += 1
        }
        return out
    }
}

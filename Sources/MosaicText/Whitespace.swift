import Foundation

extension String {
    /// The text without leading and trailing whitespace (space, tab and the other Unicode
    /// space separators, as Foundation's `CharacterSet.whitespaces`). Fast for the common case:
    /// when the first and last bytes are ASCII and not a space or tab, nothing is trimmed and
    /// Foundation is not called (ingest trims every field of every file).
    public func trimmingWhitespace() -> String {
        let u = utf8
        guard let first = u.first, let last = u.last else { return "" }
        if first < 0x80, last < 0x80, first != 0x20, first != 0x09, last != 0x20, last != 0x09 { return self }
        return trimmingCharacters(in: .whitespaces)
    }

    /// Whether the text is empty or only whitespace (as ``trimmingWhitespace()`` would leave it empty).
    public var isBlank: Bool {
        var sawOther = false
        for b in utf8 {
            if b == 0x20 || b == 0x09 { continue }
            if b >= 0x80 {
                sawOther = true
                break
            }
            return false
        }
        return sawOther ? trimmingWhitespace().isEmpty : true
    }
}

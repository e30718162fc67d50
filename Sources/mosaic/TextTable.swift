import Foundation
import MosaicFiles

/// A plain text table for terminal output.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []
    var rightAligned: Set<Int>

    init(_ header: [String], rightAligned: Set<Int> = []) {
        self.header = header.map { Sanitize.line($0) }
        self.rightAligned = rightAligned
    }

    /// Adds a row; text from files loses its control characters (a terminal would run them).
    mutating func add(_ row: [String]) { rows.append(row.map { Sanitize.line($0) }) }

    /// The table: every value under its header (an empty first column keeps its place; only
    /// the spaces at the end of a line are dropped).
    func render() -> String {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { i < $0.count ? $0[i].count : 0 }.max() ?? 0 }
        func line(_ r: [String]) -> String {
            var text = header.indices.map { i in
                let v = i < r.count ? r[i] : ""
                let pad = String(repeating: " ", count: max(0, widths[i] - v.count))
                return rightAligned.contains(i) ? pad + v : v + pad
            }.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text + "\n"
        }
        return line(header) + line(widths.map { String(repeating: "-", count: $0) }) + rows.map(line).joined()
    }
}

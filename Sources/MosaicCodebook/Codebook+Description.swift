import Foundation

extension Codebook {
    /// The codebook for people: each table with its dimensions, cells and labels, and the rules.
    public func textDescription(language: String = "en") -> String {
        var out = "\(title.text(language))\n"
        out += "Codebook version \(version). Period: a quarter, YYYY-Qn.\n"
        out += "Unit: \(unit.text(language))\n\n"
        for t in tables {
            out += "Table \(t.name): \(t.label.text(language))\n"
            out += "  dimensions: \(t.dimensions.joined(separator: " x "))\(t.multiValued ? " (several may apply to one person)" : "")\n"
            out += "  cells (\(t.cells.count)):\n"
            let width = t.cells.map(\.code.count).max() ?? 0
            for c in t.cells {
                out += "    \(c.code.padding(toLength: width, withPad: " ", startingAt: 0))  \(label(of: c, language: language))\n"
            }
            out += "\n"
        }
        out += "Rules:\n"
        out += "  - every count is a whole number of 0 or more; every cell is listed (0 for none)\n"
        out += "  - tables \(rules.equalTotals.joined(separator: ", ")) have the same total (each counts every affected person once)\n"
        out += "  - each cell of \(rules.atMostTotal.tables.joined(separator: ", ")) is at most the total of \(rules.atMostTotal.totalOf)\n"
        out += "\nSources:\n" + sources.map { "  - \($0)\n" }.joined()
        return out
    }

    /// The codebook for programs: JSON with every table, dimension, cell, label and rule.
    public func jsonDescription() -> String {
        struct CellOut: Encodable {
            var code: String
            var values: [String]
            var label: [String: String]
        }
        struct TableOut: Encodable {
            var name: String
            var label: [String: String]
            var dimensions: [String]
            var multi_valued: Bool
            var cells: [CellOut]
        }
        struct Out: Encodable {
            var format = "mosaic-codebook"
            var version: Int
            var title: [String: String]
            var unit: [String: String]
            var period_format = "YYYY-Qn"
            var dimensions: [Dimension]
            var tables: [TableOut]
            var rules: CodebookRules
            var sources: [String]
        }
        let out = Out(
            version: version, title: title.translations, unit: unit.translations, dimensions: dimensions,
            tables: tables.map { t in
                TableOut(
                    name: t.name, label: t.label.translations, dimensions: t.dimensions, multi_valued: t.multiValued,
                    cells: t.cells.map { c in
                        CellOut(
                            code: c.code, values: c.values, label: ["en": label(of: c, language: "en"), "es": label(of: c, language: "es")])
                    })
            },
            rules: rules, sources: sources)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(out), as: UTF8.self) + "\n"
    }
}

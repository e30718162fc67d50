import Foundation

/// ```swift
/// let codebook = try Codebook.bundled(version: 1)
/// codebook.table("incidents")?.cells.count   // 54
/// codebook.cellIndex(table: "channels", cell: "whatsapp")
/// ```
public struct Codebook: Sendable {
    /// The version.
    public let version: Int
    /// The title.
    public let title: LocalizedText
    /// The unit index.
    public let unit: LocalizedText
    /// Where the figures come from.
    public let sources: [String]
    /// The dimension names, in cell-code order.
    public let dimensions: [Dimension]
    /// The tables, in codebook order.
    public let tables: [CodebookTable]
    /// The rules that tie tables together.
    public let rules: CodebookRules
    /// Every cell of every table, in codebook order; `allCells[i].index == i`.
    public let allCells: [Cell]

    private let cellLookup: [String: [String: Int]]
    /// Cell labels per shipped language, indexed like ``allCells``.
    private let labelCache: [String: [String]]
    private let tableLookup: [String: Int]
    /// Range of indices into ``allCells`` for each table, in table order.
    public let tableRanges: [Range<Int>]

    /// The versions shipped with this build.
    public static let availableVersions = [1]

    /// The newest shipped version.
    public static var latestVersion: Int { availableVersions.max()! }

    /// Loads a shipped codebook version.
    ///
    /// - Throws: ``CodebookError/unknownVersion(_:)`` when no such version ships.
    public static func bundled(version: Int = Codebook.latestVersion) throws -> Codebook {
        if let cached = cache.withLock({ $0[version] }) { return cached }
        guard availableVersions.contains(version),
            let url = Bundle.module.url(forResource: "codebook-v\(version)", withExtension: "json")
        else { throw CodebookError.unknownVersion(version) }
        let codebook = try Codebook(json: Data(contentsOf: url))
        cache.withLock { $0[version] = codebook }
        return codebook
    }

    private static let cache = LockedCache()

    /// Parses a codebook from its JSON form.
    public init(json: Data) throws {
        let file: CodebookFile
        do { file = try JSONDecoder().decode(CodebookFile.self, from: json) } catch {
            throw CodebookError.malformed(String(describing: error))
        }
        guard file.format == "mosaic-codebook" else { throw CodebookError.malformed("format is not mosaic-codebook") }
        version = file.version
        title = file.title
        unit = file.unit
        sources = file.sources
        dimensions = file.dimensions
        rules = file.rules
        let dims = Dictionary(file.dimensions.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var tables: [CodebookTable] = []
        var all: [Cell] = []
        var ranges: [Range<Int>] = []
        for t in file.tables {
            var combos: [[String]] = [[]]
            for name in t.dimensions {
                guard let d = dims[name] else { throw CodebookError.malformed("table \(t.name) names unknown dimension \(name)") }
                combos = combos.flatMap { prefix in d.values.map { prefix + [$0.code] } }
            }
            let start = all.count
            let cells = combos.enumerated().map { i, values in
                Cell(table: t.name, code: values.joined(separator: "."), values: values, index: start + i)
            }
            all += cells
            ranges.append(start..<all.count)
            tables.append(CodebookTable(name: t.name, label: t.label, dimensions: t.dimensions, multiValued: t.multiValued, cells: cells))
        }
        self.tables = tables
        self.allCells = all
        self.tableRanges = ranges
        self.tableLookup = Dictionary(uniqueKeysWithValues: tables.enumerated().map { ($1.name, $0) })
        var lookup: [String: [String: Int]] = [:]
        for c in all { lookup[c.table, default: [:]][c.code] = c.index }
        self.cellLookup = lookup
        var labels: [String: [String]] = [:]
        // "es-former": the Spanish wording of labels revised since the version shipped (still
        // accepted in counts files made from older templates).
        for language in ["en", "es", "es-former"] {
            labels[language] = all.map { cell in
                let t = tables.first { $0.name == cell.table }!
                return zip(t.dimensions, cell.values).map { dimName, code in
                    let text = dims[dimName]?.value(code)?.label
                    return (language == "es-former" ? text?.translations["es-former"] ?? text?.text("es") : text?.text(language)) ?? code
                }.joined(separator: " / ")
            }
        }
        self.labelCache = labels
        for name in rules.equalTotals + rules.atMostTotal.tables + [rules.atMostTotal.totalOf] where tableLookup[name] == nil {
            throw CodebookError.malformed("rules name unknown table \(name)")
        }
    }

    /// The table called `name`.
    public func table(_ name: String) -> CodebookTable? { tableLookup[name].map { tables[$0] } }

    /// Position of a table in ``tables``.
    public func tableIndex(_ name: String) -> Int? { tableLookup[name] }

    /// The global index of a cell (into ``allCells``), or nil if the table or cell is unknown.
    public func cellIndex(table: String, cell: String) -> Int? { cellLookup[table]?[cell] }

    /// The dimension called `name`.
    public func dimension(_ name: String) -> Dimension? { dimensions.first { $0.name == name } }

    /// A cell's label in `language`: its dimension values' labels joined by " / ".
    public func label(of cell: Cell, language: String = "en") -> String {
        (labelCache[language] ?? labelCache["en"]!)[cell.index]
    }

    /// Every label a cell may carry in a counts file: one per shipped language, and the former
    /// Spanish wording of labels revised since (templates made before still read).
    public func acceptedLabels(of cell: Cell) -> Set<String> {
        Set(["en", "es", "es-former"].map { label(of: cell, language: $0) })
    }

    /// The sum of one table's cells in a full vector of counts (indexed like ``allCells``).
    public func total(of table: String, in counts: [Int]) -> Int {
        guard let i = tableLookup[table] else { return 0 }
        return counts[tableRanges[i]].reduce(0, +)
    }

    /// Checks the rules between tables on a full vector of counts (indexed like ``allCells``).
    ///
    /// Returns the violations found, empty when the counts are consistent. The violations name
    /// tables and cells, never the counts themselves.
    public func ruleViolations(in counts: [Int]) -> [RuleViolation] {
        precondition(counts.count == allCells.count, "counts must cover every cell")
        var found: [RuleViolation] = []
        let reference = rules.equalTotals.first.map { total(of: $0, in: counts) }
        if let first = rules.equalTotals.first, let reference {
            for name in rules.equalTotals.dropFirst() where total(of: name, in: counts) != reference {
                found.append(.totalsDisagree(first, name))
            }
        }
        let cap = total(of: rules.atMostTotal.totalOf, in: counts)
        for name in rules.atMostTotal.tables {
            guard let t = tableLookup[name] else { continue }
            for i in tableRanges[t] where counts[i] > cap {
                found.append(.aboveTotal(table: name, cell: allCells[i].code, totalOf: rules.atMostTotal.totalOf))
            }
        }
        return found
    }
}

private struct CodebookFile: Decodable {
    var format: String
    var version: Int
    var title: LocalizedText
    var unit: LocalizedText
    var sources: [String]
    var dimensions: [Dimension]
    var tables: [TableFile]
    var rules: CodebookRules

    struct TableFile: Decodable {
        var name: String
        var label: LocalizedText
        var dimensions: [String]
        var multiValued: Bool
        enum CodingKeys: String, CodingKey {
            case name, label, dimensions
            case multiValued = "multi_valued"
        }
    }
}

private final class LockedCache: @unchecked Sendable {
    private let lock = NSLock()
    private var value: [Int: Codebook] = [:]
    func withLock<T>(_ body: (inout [Int: Codebook]) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}

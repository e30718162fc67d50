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
    /// How earlier versions' submissions are read in this one: per earlier version, the cells
    /// whose counts move to another cell (`table|cell` → `table|cell`); every other cell moves to
    /// the cell of the same table and code (``reading(from:)``).
    public let mapsFrom: [Int: [String: String]]

    private let cellLookup: [String: [String: Int]]
    /// Cell labels per shipped language, indexed like ``allCells``.
    private let labelCache: [String: [String]]
    private let tableLookup: [String: Int]
    /// Range of indices into ``allCells`` for each table, in table order.
    public let tableRanges: [Range<Int>]

    /// The shipped codebooks' folder: every `codebook-vN.json` in it is version N.
    static var folder: URL? { Bundle.module.url(forResource: "codebooks", withExtension: nil) }

    /// A folder of codebook versions not yet shipped, for trying one before it ships
    /// (`MOSAIC_CODEBOOKS`): its versions are added to the shipped ones, never replace one. A
    /// release states its version; whoever reads it needs the same file.
    static var trialFolder: URL? {
        ProcessInfo.processInfo.environment["MOSAIC_CODEBOOKS"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
    }

    static func versions(in folder: URL?) -> [Int] {
        guard let folder, let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        return names.compactMap { name -> Int? in
            guard name.hasPrefix("codebook-v"), name.hasSuffix(".json") else { return nil }
            return Int(name.dropFirst("codebook-v".count).dropLast(".json".count)).flatMap { $0 > 0 ? $0 : nil }
        }
    }

    /// Where each known version's file is: the shipped ones, then the trial folder's others.
    static let files: [Int: URL] = {
        var out: [Int: URL] = [:]
        for v in versions(in: trialFolder) { if let f = trialFolder { out[v] = f.appendingPathComponent("codebook-v\(v).json") } }
        for v in versions(in: folder) { if let f = folder { out[v] = f.appendingPathComponent("codebook-v\(v).json") } }
        return out
    }()

    /// The versions this build reads: those shipped in the codebooks' folder (adding a version
    /// is adding its file there), and any tried from `MOSAIC_CODEBOOKS`.
    public static let availableVersions: [Int] = files.keys.sorted()

    /// The newest shipped version (0 when the build ships none: every load then fails).
    public static var latestVersion: Int { availableVersions.last ?? 0 }

    /// Loads a shipped codebook version.
    ///
    /// - Throws: ``CodebookError/unknownVersion(_:)`` when no such version ships;
    ///   ``CodebookError/malformed(_:)`` when its file says another version.
    public static func bundled(version: Int = Codebook.latestVersion) throws -> Codebook {
        if let cached = cache.withLock({ $0[version] }) { return cached }
        guard let url = files[version] else {
            throw CodebookError.unknownVersion(version)
        }
        let codebook = try Codebook(json: Data(contentsOf: url))
        guard codebook.version == version else {
            throw CodebookError.malformed("codebook-v\(version).json says it is version \(codebook.version)")
        }
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
        mapsFrom = Dictionary((file.mapsFrom ?? []).map { ($0.version, $0.cells ?? [:]) }, uniquingKeysWith: { a, _ in a })
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
            var table = CodebookTable(name: t.name, label: t.label, dimensions: t.dimensions, multiValued: t.multiValued, cells: cells)
            // A table the codebook says nothing more of is shown by all its dimensions.
            table.report = t.report ?? [ReportBreakdown(key: t.name, by: t.dimensions)]
            for b in table.report {
                guard !b.by.isEmpty, b.by.allSatisfy(t.dimensions.contains) else {
                    throw CodebookError.malformed("table \(t.name): report breakdown \(b.key) names a dimension the table does not have")
                }
            }
            if let importance = t.importance {
                guard importance.isFinite, importance > 0, importance <= 100 else {
                    throw CodebookError.malformed("table \(t.name): importance must be above 0 and at most 100")
                }
                table.importance = importance
            }
            table.brokenDown = t.brokenDown ?? false
            tables.append(table)
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

    /// How a submission of `old` is read in this version: for each of `old`'s cells, the index
    /// of the cell of this version its count moves to (cells may merge, never split). The same
    /// version reads as itself. Throws, saying why, when this version declares no mapping from
    /// `old`, or the mapping leaves a cell of this version without any source (a table or a cell
    /// an earlier submission never counted is unknown, not zero), or it would break a rule (each
    /// table must move whole into one table with the same place in the rules).
    public func reading(from old: Codebook) throws -> [Int] {
        if old.version == version { return allCells.map(\.index) }
        guard let moves = mapsFrom[old.version] else {
            throw CodebookError.malformed("codebook \(version) declares no reading of version \(old.version)")
        }
        var target: [Int] = []
        var covered = Set<Int>()
        var tableTarget: [String: String] = [:]
        for cell in old.allCells {
            let key = cell.table + "|" + cell.code
            let to = moves[key] ?? key
            let parts = to.split(separator: "|", maxSplits: 1).map(String.init)
            guard parts.count == 2, let index = cellIndex(table: parts[0], cell: parts[1]) else {
                throw CodebookError.malformed("codebook \(version): version \(old.version)'s \(key) has no cell here (\(to))")
            }
            if let t = tableTarget[cell.table], t != parts[0] {
                throw CodebookError.malformed(
                    "codebook \(version): version \(old.version)'s table \(cell.table) would split between \(t) and \(parts[0])")
            }
            tableTarget[cell.table] = parts[0]
            target.append(index)
            covered.insert(index)
        }
        if let missing = allCells.first(where: { !covered.contains($0.index) }) {
            throw CodebookError.malformed(
                "codebook \(version): \(missing.table)|\(missing.code) has no source in version \(old.version) (its submissions never counted it)"
            )
        }
        for (from, to) in tableTarget {
            let sameRole =
                old.rules.equalTotals.contains(from) == rules.equalTotals.contains(to)
                && old.rules.atMostTotal.tables.contains(from) == rules.atMostTotal.tables.contains(to)
            guard sameRole else {
                throw CodebookError.malformed(
                    "codebook \(version): version \(old.version)'s table \(from) would change its place in the rules as \(to)")
            }
        }
        return target
    }

    /// A submission's counts in `old` read in this version (``reading(from:)``).
    public func read(_ counts: [Int], from old: Codebook) throws -> [Int] {
        let target = try reading(from: old)
        var out = [Int](repeating: 0, count: allCells.count)
        for (i, c) in counts.enumerated() where i < target.count { out[target[i]] += c }
        return out
    }

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
    var mapsFrom: [MapFile]?

    struct MapFile: Decodable {
        var version: Int
        var cells: [String: String]?
    }

    enum CodingKeys: String, CodingKey {
        case format, version, title, unit, sources, dimensions, tables, rules
        case mapsFrom = "maps_from"
    }

    struct TableFile: Decodable {
        var name: String
        var label: LocalizedText
        var dimensions: [String]
        var multiValued: Bool
        var report: [ReportBreakdown]?
        var importance: Double?
        var brokenDown: Bool?
        enum CodingKeys: String, CodingKey {
            case name, label, dimensions, report, importance
            case multiValued = "multi_valued"
            case brokenDown = "broken_down"
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

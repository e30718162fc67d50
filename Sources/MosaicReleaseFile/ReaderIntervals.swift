import MosaicCodebook
import MosaicDisclosure
import MosaicErrorModel

/// Names one value of a release: a unit, a table (`total` for affected persons) and a cell.
public struct ValueKey: Sendable, Hashable {
    /// The unit's level.
    public var level: Level
    /// The unit's code.
    public var geoCode: String
    /// A codebook table, or `total`.
    public var tableName: String
    /// A cell code, or `persons` for the total.
    public var cell: String

    /// Makes the key from its parts.
    public init(level: Level, geoCode: String, tableName: String, cell: String) {
        self.level = level
        self.geoCode = geoCode
        self.tableName = tableName
        self.cell = cell
    }

    /// The key of a unit's total of affected persons.
    public static func total(_ level: Level, _ geoCode: String) -> ValueKey {
        ValueKey(level: level, geoCode: geoCode, tableName: "total", cell: "persons")
    }
}

extension ReleaseData {
    /// The most withheld values one connected group may hold for its ranges to be solved by linear
    /// programs (two per value); a larger group's ranges come from bound propagation, valid and
    /// possibly wider, so that reading a file stays linear in its values (a file of 20,000
    /// provinces whose small areas connect through their regions would otherwise need hours).
    public static let largestReaderProgram = 300

    /// The tightest range a reader of this file can derive for each withheld value, from the
    /// published values, the relations between them (``TableRelations``: parents are sums of
    /// their children, tables that count each person once sum to the total, tables bounded by
    /// the total) and what each status says (below_k: 0 to k − 1; complementary: k or more;
    /// small_area and older `suppressed` values: 0 or more).
    ///
    /// This is post-processing of the file alone: anyone holding the file computes the same
    /// ranges, so showing them tells nothing the file does not. It lets a report rank a withheld
    /// unit where its published parent and siblings put it (a province withheld as a small area
    /// whose region and sibling are published is known to within their difference), instead of
    /// at "k or more". Ranges are of the published (noisy) values; their margins come on top.
    ///
    /// - Returns: per withheld value, its range (`upper` is `+infinity` when nothing bounds it).
    /// - Throws: when the published values admit no solution (a damaged file) or the solver fails.
    ///
    /// - Parameter wanted: the values whose ranges are wanted (all withheld ones by default;
    ///   each range costs two linear programs over the withheld values connected to it, or
    ///   a share of one propagation where those are more than ``largestReaderProgram``).
    public func readerIntervals(
        codebook: Codebook, k: Int, for wanted: (ValueKey) -> Bool = { _ in true }
    ) throws -> [ValueKey: DerivedInterval] {
        let geography = Geography(release: self)
        let relations = TableRelations(codebook: codebook, geography: geography)
        var slotOf: [String: Int] = ["total|persons": TableRelations.totalSlot]
        for c in codebook.allCells { slotOf[c.table + "|" + c.code] = 1 + c.index }
        var unitOf: [String: Int] = [:]
        for (i, u) in geography.units.enumerated() { unitOf[u.level.rawValue + "|" + u.code] = i }
        // A value the file does not carry is unknown to the reader: 0 or more.
        var published = [Int?](repeating: nil, count: relations.valueCount)
        var reasons = [SuppressionReason?](repeating: .smallArea, count: relations.valueCount)
        for r in rows {
            guard let u = unitOf[r.level.rawValue + "|" + r.geoCode], let s = slotOf[r.tableName + "|" + r.cell] else { continue }
            let v = relations.index(unit: u, slot: s)
            if r.status == .published, let value = r.value {
                published[v] = value
                reasons[v] = nil
            } else {
                reasons[v] = r.status.reason ?? .smallArea
            }
        }
        var keyOf: [Int: ValueKey] = [:]
        var only = Set<Int>()
        for r in rows where r.status.isSuppressed {
            guard let u = unitOf[r.level.rawValue + "|" + r.geoCode], let s = slotOf[r.tableName + "|" + r.cell] else { continue }
            let key = ValueKey(level: r.level, geoCode: r.geoCode, tableName: r.tableName, cell: r.cell)
            guard wanted(key) else { continue }
            keyOf[relations.index(unit: u, slot: s)] = key
            only.insert(relations.index(unit: u, slot: s))
        }
        guard !only.isEmpty else { return [:] }
        let audit = IntervalAudit(relations: relations, rule: SuppressionRule(k: k))
        let found = try audit.derivedIntervals(
            published: published, reasons: reasons, includingComplementary: true, only: only,
            largestProgram: ReleaseData.largestReaderProgram)
        var out: [ValueKey: DerivedInterval] = [:]
        for (v, interval) in found { if let key = keyOf[v] { out[key] = interval } }
        return out
    }
}

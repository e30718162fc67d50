import MosaicDisclosure
import MosaicErrorModel

/// One row of a release: a published or suppressed value of one cell of one table for one
/// geographic unit and quarter.
public struct ReleaseRow: Sendable, Hashable, Codable {
    /// The quarter, `YYYY-Qn`.
    public var period: String
    /// The level of the unit.
    public var level: Level
    /// The unit's code.
    public var geoCode: String
    /// The unit's name.
    public var geoName: String
    /// A codebook table, or `total` (affected persons).
    public var tableName: String
    /// A cell code, or `persons` for the total.
    public var cell: String
    /// nil when suppressed.
    public var value: Int?
    /// Half-width of the 95 % interval; nil when suppressed.
    public var moe95: Double?
    /// Published, or withheld (suppressed).
    public var status: CellStatus

    /// Makes the value from its parts.
    public init(
        period: String, level: Level, geoCode: String, geoName: String, tableName: String, cell: String,
        value: Int?, moe95: Double?, status: CellStatus
    ) {
        self.period = period
        self.level = level
        self.geoCode = geoCode
        self.geoName = geoName
        self.tableName = tableName
        self.cell = cell
        self.value = value
        self.moe95 = moe95
        self.status = status
    }
}

/// Whether a value is published, or why it is withheld.
public enum CellStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// The value and its margin are shown.
    case published
    /// Withheld by the k-threshold: the value is from 1 to k − 1.
    case belowK = "below_k"
    /// Withheld by the small-area rule: the unit has fewer than `min_schools` registered
    /// schools (the value may be anything, zero included).
    case smallArea = "small_area"
    /// Withheld to protect another withheld value from subtraction: the value is k or more.
    case complementary
    /// Withheld by a release made before reasons were recorded (and before complementary
    /// suppression): from 1 to k − 1 or a small area.
    case suppressed

    /// Whether the value is withheld (for any reason).
    public var isSuppressed: Bool { self != .published }

    /// The status of a value withheld for `reason`.
    public init(reason: SuppressionReason) {
        switch reason {
        case .belowK: self = .belowK
        case .smallArea: self = .smallArea
        case .complementary: self = .complementary
        }
    }

    /// Why the value is withheld (nil when published, or for a release that did not record it).
    public var reason: SuppressionReason? {
        switch self {
        case .belowK: return .belowK
        case .smallArea: return .smallArea
        case .complementary: return .complementary
        case .published, .suppressed: return nil
        }
    }
}

/// Registered schools and pupils of one unit in one quarter (registry facts, public), and how
/// much of it reported, as the coverage rule publishes it (see `CoverageRule`: a 95 % interval
/// from a noisy count): never the pupils of reporting schools, and no exact statement that could
/// single out a school that did not report.
public struct CoverageRow: Sendable, Hashable {
    /// The quarter, `YYYY-Qn`.
    public var period: String
    /// The level: country, region or province.
    public var level: Level
    /// The unit's code.
    public var geoCode: String
    /// The unit's name.
    public var geoName: String
    /// Registered open schools.
    public var registeredSchools: Int
    /// Pupils in registered open schools.
    public var registeredEnrolment: Int
    /// The share of registered schools that reported: complete, a band, or withheld.
    public var coverage: PublishedCoverage

    /// Makes the value from its parts.
    public init(
        period: String, level: Level, geoCode: String, geoName: String, registeredSchools: Int, registeredEnrolment: Int,
        coverage: PublishedCoverage
    ) {
        self.period = period
        self.level = level
        self.geoCode = geoCode
        self.geoName = geoName
        self.registeredSchools = registeredSchools
        self.registeredEnrolment = registeredEnrolment
        self.coverage = coverage
    }
}

/// One unit of the hierarchy as published: registry facts.
public struct UnitRow: Sendable, Hashable {
    /// The level: country, region or province.
    public var level: Level
    /// The unit's code.
    public var geoCode: String
    /// The unit's name.
    public var geoName: String
    /// The parent unit's code (empty for the country).
    public var parentCode: String

    /// Makes the value from its parts.
    public init(level: Level, geoCode: String, geoName: String, parentCode: String) {
        self.level = level
        self.geoCode = geoCode
        self.geoName = geoName
        self.parentCode = parentCode
    }
}

/// The noise of one measurement group: a public parameter.
public struct NoiseRow: Sendable, Hashable {
    /// A codebook table or `total`.
    public var tableName: String
    /// The level: country, region or province.
    public var level: Level
    /// σ² = sigma2Num / sigma2Den, exactly.
    public var sigma2Num: UInt64
    /// The denominator of σ², exactly.
    public var sigma2Den: UInt64
    /// The group's ρ in nano-units (ρ × 10⁹), rounded up.
    public var rhoNano: UInt64

    /// Makes the value from its parts.
    public init(tableName: String, level: Level, sigma2Num: UInt64, sigma2Den: UInt64, rhoNano: UInt64) {
        self.tableName = tableName
        self.level = level
        self.sigma2Num = sigma2Num
        self.sigma2Den = sigma2Den
        self.rhoNano = rhoNano
    }
}

/// Everything a release file holds: published rows, metadata, and the codebook's cell
/// dimensions (for the per-table views). Nothing else: no school, no raw count, no submission.
public struct ReleaseData: Sendable, Equatable {
    /// Ordered key-value pairs.
    public var metadata: [(key: String, value: String)]
    /// The published and withheld rows.
    public var rows: [ReleaseRow]
    /// Per codebook table: its dimension names and, per cell code, the dimension values.
    public var tables: [TableShape]
    /// Registered and reporting schools per unit.
    public var coverage: [CoverageRow]
    /// The hierarchy, root first.
    public var units: [UnitRow]
    /// The noise of every measurement group.
    public var noise: [NoiseRow]
    /// Bootstrap replicates of the errors, for margins of sums: per replicate, for every unit in
    /// ``units`` order, the total then every codebook cell, simulated minus published.
    public var replicates: [[Int16]] = []
    /// The breakdowns by stage and sector: published and withheld values of every part.
    public var domainRows: [DomainRow] = []
    /// Registered schools and pupils of every part (registry facts, public).
    public var domainUnits: [DomainUnitRow] = []
    /// The noise of every domain measurement group.
    public var domainNoise: [DomainNoiseRow] = []

    /// A codebook table as a release file describes it: its dimensions and each cell's values and label.
    public struct TableShape: Sendable, Equatable {
        /// The name.
        public var name: String
        /// The dimension names, in cell-code order.
        public var dimensions: [String]
        /// The cells, in codebook order.
        public var cells: [(code: String, values: [String], label: String)]

        /// Makes the value from its parts.
        public init(name: String, dimensions: [String], cells: [(code: String, values: [String], label: String)]) {
            self.name = name
            self.dimensions = dimensions
            self.cells = cells
        }

        /// Equal when name, dimensions, codes, values and labels are equal.
        public static func == (a: TableShape, b: TableShape) -> Bool {
            a.name == b.name && a.dimensions == b.dimensions && a.cells.map(\.code) == b.cells.map(\.code)
                && a.cells.map(\.values) == b.cells.map(\.values) && a.cells.map(\.label) == b.cells.map(\.label)
        }
    }

    /// Makes the value from its parts.
    public init(
        metadata: [(key: String, value: String)], rows: [ReleaseRow], tables: [TableShape], coverage: [CoverageRow],
        units: [UnitRow], noise: [NoiseRow]
    ) {
        self.metadata = metadata
        self.rows = rows
        self.tables = tables
        self.coverage = coverage
        self.units = units
        self.noise = noise
    }

    /// Equal when every part is equal.
    public static func == (a: ReleaseData, b: ReleaseData) -> Bool {
        a.metadata.map(\.key) == b.metadata.map(\.key) && a.metadata.map(\.value) == b.metadata.map(\.value)
            && a.rows == b.rows && a.tables == b.tables && a.coverage == b.coverage
            && a.units == b.units && a.noise == b.noise && a.replicates == b.replicates
            && a.domainRows == b.domainRows && a.domainUnits == b.domainUnits && a.domainNoise == b.domainNoise
    }

    /// The value of a metadata key.
    public func metadata(_ key: String) -> String? { metadata.first { $0.key == key }?.value }
}

/// A value of one part of a unit broken down by stage or sector (see the release file's
/// `domain_cells` table).
public struct DomainRow: Sendable, Hashable, Codable {
    /// The value, as a unit's row would carry it (`geoCode` the unit broken down).
    public var row: ReleaseRow
    /// The dimension: `stage` or `sector`.
    public var dimension: String
    /// The dimension's value: `secondary`, `private`, …
    public var domain: String

    /// A row from its parts.
    public init(row: ReleaseRow, dimension: String, domain: String) {
        self.row = row
        self.dimension = dimension
        self.domain = domain
    }
}

/// Registered schools and pupils of one part (registry facts, public).
public struct DomainUnitRow: Sendable, Hashable, Codable {
    /// The level of the unit broken down.
    public var level: Level
    /// The unit's code.
    public var geoCode: String
    /// `stage` or `sector`.
    public var dimension: String
    /// The dimension's value.
    public var domain: String
    /// Registered open schools in the part.
    public var registeredSchools: Int
    /// Their registered pupils.
    public var registeredEnrolment: Int

    /// A row from its parts.
    public init(level: Level, geoCode: String, dimension: String, domain: String, registeredSchools: Int, registeredEnrolment: Int) {
        self.level = level
        self.geoCode = geoCode
        self.dimension = dimension
        self.domain = domain
        self.registeredSchools = registeredSchools
        self.registeredEnrolment = registeredEnrolment
    }
}

/// The noise of one domain measurement group (a table broken down by a dimension at a level).
public struct DomainNoiseRow: Sendable, Hashable {
    /// `stage` or `sector`.
    public var dimension: String
    /// The group's noise, as in the `noise` table.
    public var noise: NoiseRow

    /// A row from its parts.
    public init(dimension: String, noise: NoiseRow) {
        self.dimension = dimension
        self.noise = noise
    }
}

/// A release's rows, coverage and units looked up by their keys in constant time (reading a
/// file of many units row by row for each unit would take time in the square of its size).
public struct ReleaseLookup: Sendable {
    var rows: [String: Int] = [:]
    var coverage: [String: Int] = [:]
    var units: [String: Int] = [:]
    let data: ReleaseData

    /// Indexes a release's rows (by level, unit, table and cell), coverage and units (by level
    /// and unit); the first of two rows with one key wins (a checked file has none).
    public init(_ data: ReleaseData) {
        self.data = data
        for (i, r) in data.rows.enumerated() {
            let key = Self.key(r.level, r.geoCode, r.tableName, r.cell)
            if rows[key] == nil { rows[key] = i }
        }
        for (i, c) in data.coverage.enumerated() where coverage[Self.key(c.level, c.geoCode)] == nil {
            coverage[Self.key(c.level, c.geoCode)] = i
        }
        for (i, u) in data.units.enumerated() where units[Self.key(u.level, u.geoCode)] == nil {
            units[Self.key(u.level, u.geoCode)] = i
        }
    }

    static func key(_ level: Level, _ code: String, _ table: String? = nil, _ cell: String? = nil) -> String {
        [level.rawValue, code, table, cell].compactMap { $0 }.joined(separator: "|")
    }

    /// The row of a unit's cell (`total`, `persons` for its total of affected persons).
    public func row(_ level: Level, _ code: String, table: String, cell: String) -> ReleaseRow? {
        rows[Self.key(level, code, table, cell)].map { data.rows[$0] }
    }

    /// The unit's total of affected persons.
    public func total(_ level: Level, _ code: String) -> ReleaseRow? { row(level, code, table: "total", cell: "persons") }

    /// The unit's coverage row.
    public func coverage(_ level: Level, _ code: String) -> CoverageRow? {
        coverage[Self.key(level, code)].map { data.coverage[$0] }
    }

    /// The unit's row of the units table.
    public func unit(_ level: Level, _ code: String) -> UnitRow? { units[Self.key(level, code)].map { data.units[$0] } }
}

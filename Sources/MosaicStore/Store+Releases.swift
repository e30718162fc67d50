import Foundation
import GRDB
import MosaicCodebook
import MosaicErrorModel
import MosaicRegistry
import MosaicReleaseFile

/// A row of table `release`: a release's public parameters; its ρ is the ledger entry for its quarter.
struct ReleaseRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "release"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
    var id: String
    var period: String
    var createdAt: String
    var codebookVersion: Int
    var rhoNano: Int64
    var k: Int
    var minSchools: Int
    var metadataJson: String
    /// The first quarter of a pooled release (nil for one quarter; `period` is the last).
    var firstPeriod: String? = nil
    /// Why its protection failed after the noise was drawn (nil: published).
    var failure: String? = nil
}

/// A row of `release_measurement`: one noisy measurement, drawn once (never released itself).
struct ReleaseMeasurementRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "release_measurement"
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
    var releaseId: String
    var unit: Int
    /// −1 for the total of affected persons.
    var cellIndex: Int
    var noisy: Int64
}

/// A row of `release_row`: a published row, exactly as written to the release file.
struct ReleaseRowRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "release_row"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
    var releaseId: String
    var ordinal: Int
    var level: Level
    var geoCode: String
    var geoName: String
    var tableName: String
    var cell: String
    var value: Int?
    var moe95: Double?
    var status: CellStatus
}

/// A row of `release_replicate`: one bootstrap replicate of the errors.
struct ReleaseReplicateRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "release_replicate"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
    var releaseId: String
    var replicate: Int
    var errors: Data
}

/// The public parts of a release kept beside its rows, as JSON (`release.metadata_json`):
/// lists of strings, in the order of the release file's tables.
public struct StoredReleaseParts: Codable, Sendable, Equatable {
    /// (key, value) pairs.
    public var metadata: [[String]]
    /// (level, code, name, parent code) per unit.
    public var units: [[String]]
    /// (table, level, σ² numerator, σ² denominator, ρ in nano-units) per group.
    public var noise: [[String]]
    /// (period, level, code, name, registered schools, reporting schools, registered pupils, reporting pupils) per unit.
    public var coverage: [[String]]
    /// The breakdowns' rows, as the release file's `domain_cells` (absent in older releases).
    public var domainRows: [[String]]?
    /// The parts' registry facts, as `domain_units`.
    public var domainUnits: [[String]]?
    /// The breakdowns' noise, as `domain_noise`.
    public var domainNoise: [[String]]?

    /// Makes the value from its parts.
    public init(
        metadata: [[String]], units: [[String]], noise: [[String]], coverage: [[String]], domainRows: [[String]]? = nil,
        domainUnits: [[String]]? = nil, domainNoise: [[String]]? = nil
    ) {
        self.metadata = metadata
        self.units = units
        self.noise = noise
        self.coverage = coverage
        self.domainRows = domainRows
        self.domainUnits = domainUnits
        self.domainNoise = domainNoise
    }
}

/// Everything the store keeps of one release.
public struct StoredRelease: Sendable {
    /// The identifier.
    public var id: String
    /// The quarter, `YYYY-Qn`.
    public var period: String
    /// When it was made (ISO 8601, UTC).
    public var createdAt: String
    /// The codebook version the counts follow.
    public var codebookVersion: Int
    /// ρ in nano-units (ρ × 10⁹).
    public var rhoNano: UInt64
    /// Published values from 1 to k − 1 are suppressed.
    public var k: Int
    /// Units with fewer registered schools are not published on their own.
    public var minimumSchools: Int
    /// The public parts (metadata, units, noise, coverage).
    public var parts: StoredReleaseParts
    /// The published and withheld rows.
    public var rows: [ReleaseRow]
    /// Encoded replicates (see the release file's `replicates` table).
    public var replicates: [Data]
}

/// What the ledger hands the engine inside the release transaction.
public struct LedgerView: Sendable {
    /// ρ already spent on the (last) quarter, and its cap (nano-ρ).
    public var spentNano: UInt64
    /// The (last) quarter's cap of total ρ, in nano-units.
    public var capNano: UInt64
    /// Every covered quarter with the ρ spent on it before this release, and its cap (nano-ρ).
    public var budgets: [(period: Period, spentNano: UInt64, capNano: UInt64)] = []
    /// Per covered quarter, its coverage by province (a pooled release combines them).
    public var coverageByPeriod: [(period: Period, byProvince: [String: ProvinceCoverage])] = []
    /// Per covered quarter, the open schools that reported (ids). Never print them: the
    /// reporting rule turns them into what a release may say.
    public var reportingByPeriod: [(period: Period, schools: Set<String>)] = []
    /// Per covered quarter, what its first release fixed (nil when this release is the first:
    /// it fixes it, ``NewRelease/freeze``).
    public var frozenReporting: [FrozenReporting?] = []
    /// Per covered quarter, its open schools when it was frozen (nil: not frozen yet; the
    /// release then uses today's registry and freezes it).
    public var frozenRegistry: [[FrozenSchool]?] = []
    /// The store's minimum of reporting schools for a quarter it freezes now (a policy of the
    /// store, never a release's choice: ``Store/reportingMinimum``).
    public var reportingMinimum: Int = Store.defaultReportingMinimum
    /// The id the release will have (`2026-Q3-R2`).
    public var releaseID: String
    /// True counts per province over current submissions: the engine's only input. Never print them.
    public var truth: [String: [Int]]
    /// True counts per domain dimension (`stage`, `sector`), province and value. Never print them.
    public var truthByDomain: [String: [String: [String: [Int]]]] = [:]
    /// How many current submissions went into `truth`.
    public var submissions: Int
    /// Per province: (open schools, reporting schools, their pupils, reporting pupils).
    public var coverageByProvince: [String: ProvinceCoverage]
}

/// What a quarter's first release fixes about its reporting, for every release covering it.
public struct FrozenReporting: Sendable, Equatable {
    /// The minimum number of reporting schools below which a unit or part is a small area.
    public var minimumSchools: Int
    /// Per unit (`level|code`), registered schools and the noisy count of reporting ones.
    public var counts: [String: FrozenCount]
    /// The open schools the statement was made over (kept with the quarter).
    public var registry: [FrozenSchool] = []

    /// A statement from its parts.
    public init(minimumSchools: Int, counts: [String: FrozenCount], registry: [FrozenSchool] = []) {
        self.minimumSchools = minimumSchools
        self.counts = counts
        self.registry = registry
    }
}

/// An open school as a quarter was frozen with it: the registry facts its statement used.
public struct FrozenSchool: Sendable, Equatable, Hashable {
    /// The school's id.
    public var id: String
    /// Its province's code.
    public var provinceCode: String
    /// Its value of each ``RegistryDimension``, by name.
    public var values: [String: String]

    /// A school from its facts.
    public init(id: String, provinceCode: String, values: [String: String]) {
        self.id = id
        self.provinceCode = provinceCode
        self.values = values
    }
}

/// A unit's registered schools and its noisy count of reporting schools, drawn once per quarter.
public struct FrozenCount: Sendable, Equatable {
    /// Open schools registered when the quarter was frozen.
    public var registered: Int
    /// The reporting schools plus discrete Gaussian noise.
    public var noisy: Int

    /// A count from its parts.
    public init(registered: Int, noisy: Int) {
        self.registered = registered
        self.noisy = noisy
    }
}

/// Registry facts and reporting of one province in one quarter.
public struct ProvinceCoverage: Sendable, Equatable {
    /// Registered open schools.
    public var registeredSchools = 0
    /// Schools that reported.
    public var reportingSchools = 0
    /// Pupils in registered open schools.
    public var registeredEnrolment = 0
    /// Pupils in schools that reported.
    public var reportingEnrolment = 0
    /// No schools yet.
    public init() {}
}

/// What the engine returns for the store to record.
public struct NewRelease: Sendable {
    /// The public parts (metadata, units, noise, coverage).
    public var parts: StoredReleaseParts
    /// The published and withheld rows.
    public var rows: [ReleaseRow]
    /// Noisy measurements per unit: the total, then every cell.
    public var totals: [Int64]
    /// The cells, in codebook order.
    public var cells: [[Int64]]
    /// Noisy measurements of the domain parts: per part, the total then the broken-down cells
    /// (stored after the units: unit number = units + part, cell index = position in the
    /// part's slots − 1, so −1 is the total).
    public var domainCells: [[Int64]]
    /// Bootstrap replicates of the errors (post-processing), for margins of sums.
    public var replicates: [Data]
    /// Per covered quarter, what this release fixes for it when the ledger had nothing (nil:
    /// it had): the store freezes the quarter with it and the schools counted.
    public var freeze: [FrozenReporting?] = []
    /// Why the release could not be protected after its noise was drawn (nil: published). A
    /// failed release is recorded with its measurements and spends its ρ, but has no rows.
    public var failure: String? = nil

    /// Makes the value from its parts.
    public init(
        parts: StoredReleaseParts, rows: [ReleaseRow], totals: [Int64], cells: [[Int64]], domainCells: [[Int64]] = [],
        replicates: [Data]
    ) {
        self.parts = parts
        self.rows = rows
        self.totals = totals
        self.cells = cells
        self.domainCells = domainCells
        self.replicates = replicates
    }
}

/// Why the ledger refused a release.
public enum LedgerError: Error, Equatable {
    /// A covered quarter's cap would be exceeded: (spent, asked, cap) in nano-ρ.
    case overBudget(spent: UInt64, asked: UInt64, cap: UInt64, period: String)
    /// No current submission for the quarter.
    case noSubmissions
    /// Counted submissions of a covered quarter follow another codebook version than the
    /// release's: (quarter, version → schools).
    case otherCodebook(period: String, versions: [Int: Int])
    /// A registry was imported after the release read the registry for its plan.
    case registryChanged
}

extension Store {
    /// The ledger: in one IMMEDIATE transaction (so that concurrent releases cannot overspend),
    /// checks the quarter's budget, hands `make` the true counts, records the release it returns
    /// with its measurements, rows and replicates, ties the files claimed under `pendingToken`
    /// to it, runs `beforeCommit` with the release id, and commits. Any error rolls everything back.
    public func recordRelease(
        period: Period, askingNano: UInt64, codebook: Codebook, k: Int, minimumSchools: Int, createdAt: String, pendingToken: String? = nil,
        make: (LedgerView) throws -> NewRelease, beforeCommit: (String) throws -> Void
    ) throws -> NewRelease {
        try recordRelease(
            span: PeriodSpan(period), askingNano: askingNano, codebook: codebook, k: k, minimumSchools: minimumSchools,
            createdAt: createdAt, pendingToken: pendingToken, make: make, beforeCommit: beforeCommit)
    }

    /// The ledger for a release of one quarter or of several pooled: the release spends
    /// `askingNano` on every quarter of `span` (one person-quarter touches each pooled cell once,
    /// and its quarter's cap bounds every release that uses it), so it is refused when any
    /// covered quarter's cap would be exceeded; the truth is the sum of the quarters' current
    /// submissions.
    public func recordRelease(
        span: PeriodSpan, askingNano: UInt64, codebook: Codebook, k: Int, minimumSchools: Int, createdAt: String,
        pendingToken: String? = nil, registryVersion: Int64? = nil, make: (LedgerView) throws -> NewRelease,
        beforeCommit: (String) throws -> Void
    ) throws -> NewRelease {
        try database.writeWithoutTransaction { db in
            var made: NewRelease?
            try db.inTransaction(.immediate) {
                // The plan was made from the registry as it was then: an import since would mix two.
                if let registryVersion, try Store.registryVersion(db) != registryVersion { throw LedgerError.registryChanged }
                var budgets: [(period: Period, spentNano: UInt64, capNano: UInt64)] = []
                for q in span.quarters {
                    let spent = try Store.spentNano(period: q, db: db)
                    let cap = try Store.capNano(period: q, db: db)
                    guard spent <= UInt64.max - askingNano, spent + askingNano <= cap else {
                        throw LedgerError.overBudget(spent: spent, asked: askingNano, cap: cap, period: q.description)
                    }
                    budgets.append((q, spent, cap))
                }
                var byProvince: [String: [Int]] = [:]
                var byDomain: [String: [String: [String: [Int]]]] = [:]
                var submissions = 0
                var coverage: [(period: Period, byProvince: [String: ProvinceCoverage])] = []
                var reporting: [(period: Period, schools: Set<String>)] = []
                var frozen: [FrozenReporting?] = []
                var registries: [[FrozenSchool]?] = []
                for q in span.quarters {
                    // A release reads one codebook version: a submission in another would drop
                    // out of the values while its school still counts as reporting.
                    let stored = try Store.codebookVersions(period: q, db: db)
                    let readable = Store.readings(codebook, versions: stored.keys)
                    let others = stored.filter { readable[$0.key] == nil }
                    guard others.isEmpty else { throw LedgerError.otherCodebook(period: q.description, versions: others) }
                    let truth = try Store.provinceTotals(period: q, codebook: codebook, db: db)
                    // Every pooled quarter must have been reported: a sum over a quarter nobody
                    // reported would read as a fall.
                    guard truth.submissions > 0 else { throw LedgerError.noSubmissions }
                    submissions += truth.submissions
                    for (p, v) in truth.byProvince {
                        var sum = byProvince[p] ?? [Int](repeating: 0, count: v.count)
                        for i in v.indices where i < sum.count { sum[i] += v[i] }
                        byProvince[p] = sum
                    }
                    for (d, provinces) in truth.byDomain {
                        for (p, values) in provinces {
                            for (value, v) in values {
                                var sum = byDomain[d]?[p]?[value] ?? [Int](repeating: 0, count: v.count)
                                for i in v.indices where i < sum.count { sum[i] += v[i] }
                                byDomain[d, default: [:]][p, default: [:]][value] = sum
                            }
                        }
                    }
                    coverage.append((q, try Store.coverageByProvince(period: q, db: db)))
                    reporting.append((q, try Store.reportingSchools(period: q, codebook: codebook, db: db)))
                    registries.append(try Store.frozenRegistry(period: q, db: db))
                    frozen.append(try Store.frozenReporting(period: q, db: db))
                }
                // Ids never repeat: one more than the highest ever given for the span (releases
                // are never deleted, and an id is never reused even if a row were lost).
                let prefix = "\(span)-R"
                let taken = try String.fetchAll(db, sql: "SELECT id FROM release WHERE period = ?", arguments: [span.last.description])
                let highest = taken.compactMap { $0.hasPrefix(prefix) ? Int($0.dropFirst(prefix.count)) : nil }.max() ?? 0
                let id = "\(prefix)\(highest + 1)"
                var view = LedgerView(
                    spentNano: budgets.last?.spentNano ?? 0, capNano: budgets.last?.capNano ?? 0, releaseID: id, truth: byProvince,
                    submissions: submissions, coverageByProvince: coverage.last?.byProvince ?? [:])
                view.budgets = budgets
                view.truthByDomain = byDomain
                view.coverageByPeriod = coverage
                view.reportingByPeriod = reporting
                view.frozenReporting = frozen
                view.frozenRegistry = registries
                view.reportingMinimum = try Store.reportingMinimum(db: db)
                let release = try make(view)
                let json = String(decoding: try JSONEncoder().encode(release.parts), as: UTF8.self)
                try ReleaseRecord(
                    id: id, period: span.last.description, createdAt: createdAt, codebookVersion: codebook.version,
                    rhoNano: Int64(askingNano), k: k, minSchools: minimumSchools, metadataJson: json,
                    firstPeriod: span.isSingle ? nil : span.first.description, failure: release.failure
                ).insert(db)
                for q in span.quarters {
                    try db.execute(
                        sql: "INSERT INTO release_spend (release_id, period, rho_nano) VALUES (?, ?, ?)",
                        arguments: [id, q.description, Int64(askingNano)])
                }
                for (unit, row) in release.cells.enumerated() {
                    try ReleaseMeasurementRecord(releaseId: id, unit: unit, cellIndex: -1, noisy: release.totals[unit]).insert(db)
                    for (j, noisy) in row.enumerated() {
                        try ReleaseMeasurementRecord(releaseId: id, unit: unit, cellIndex: j, noisy: noisy).insert(db)
                    }
                }
                for (p, row) in release.domainCells.enumerated() {
                    for (q, noisy) in row.enumerated() {
                        try ReleaseMeasurementRecord(releaseId: id, unit: release.cells.count + p, cellIndex: q - 1, noisy: noisy).insert(
                            db)
                    }
                }
                for (i, errors) in release.replicates.enumerated() {
                    try ReleaseReplicateRecord(releaseId: id, replicate: i, errors: errors).insert(db)
                }
                for (ordinal, r) in release.rows.enumerated() {
                    try ReleaseRowRecord(
                        releaseId: id, ordinal: ordinal, level: r.level, geoCode: r.geoCode, geoName: r.geoName, tableName: r.tableName,
                        cell: r.cell, value: r.value, moe95: r.moe95, status: r.status
                    ).insert(db)
                }
                for (q, statement) in zip(span.quarters, release.freeze) {
                    // Only a quarter not frozen yet is frozen now, with the schools counted.
                    guard let statement, frozen[span.quarters.firstIndex(of: q) ?? 0] == nil else { continue }
                    let counts = statement.counts
                    try db.execute(
                        sql: "INSERT INTO quarter_frozen (period, release_id, frozen_at, min_schools) VALUES (?, ?, ?, ?)",
                        arguments: [q.description, id, createdAt, statement.minimumSchools])
                    let counted = reporting.first(where: { $0.period == q })?.schools ?? []
                    // The table's columns after the province are the registry's dimensions, by name.
                    let dimensions = RegistryDimension.all.map(\.name)
                    let insert = try db.cachedStatement(
                        sql: """
                            INSERT INTO quarter_registry (period, school_id, province_code, \(dimensions.joined(separator: ", ")), counted)
                            VALUES (?, ?, ?, \(dimensions.map { _ in "?" }.joined(separator: ", ")), ?)
                            """)
                    for school in statement.registry {
                        let values: [DatabaseValueConvertible] =
                            [q.description, school.id, school.provinceCode] + dimensions.map { school.values[$0] ?? "" }
                            + [counted.contains(school.id) ? 1 : 0]
                        try insert.execute(arguments: StatementArguments(values))
                    }
                    for (key, c) in counts.sorted(by: { $0.key < $1.key }) {
                        let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
                        guard parts.count == 2 else { continue }
                        try db.execute(
                            sql: "INSERT INTO quarter_coverage (period, level, geo_code, registered, noisy) VALUES (?, ?, ?, ?, ?)",
                            arguments: [q.description, parts[0], parts[1], c.registered, c.noisy])
                    }
                }
                if let pendingToken { try Store.setPendingRef(token: pendingToken, ref: id, db: db) }
                try beforeCommit(id)
                made = release
                return .commit
            }
            guard let made else { throw LedgerError.noSubmissions }
            return made
        }
    }

    /// Why the release `id` could not be protected after its noise was drawn (nil when it was
    /// published, or does not exist).
    public func releaseFailure(id: String) throws -> String? {
        try database.read { db in try String.fetchOne(db, sql: "SELECT failure FROM release WHERE id = ?", arguments: [id]) }
    }

    /// The stored release `id`, or nil. A stored part that cannot be read is an error, never a trap.
    public func storedRelease(id: String) throws -> StoredRelease? {
        try database.read { db in
            guard var r = try ReleaseRecord.fetchOne(db, key: id) else { return nil }
            // A pooled release's period is its span, as its file writes it.
            if let first = r.firstPeriod { r.period = "\(first)..\(r.period)" }
            let parts = try JSONDecoder().decode(StoredReleaseParts.self, from: Data(r.metadataJson.utf8))
            let rows = try ReleaseRowRecord.filter(Column("release_id") == id).order(Column("ordinal")).fetchAll(db).map {
                ReleaseRow(
                    period: r.period,
                    level: $0.level, geoCode: $0.geoCode, geoName: $0.geoName, tableName: $0.tableName, cell: $0.cell,
                    value: $0.value, moe95: $0.moe95, status: $0.status)
            }
            let replicates = try ReleaseReplicateRecord.filter(Column("release_id") == id).order(Column("replicate")).fetchAll(db).map(
                \.errors)
            return StoredRelease(
                id: r.id, period: r.period, createdAt: r.createdAt, codebookVersion: r.codebookVersion, rhoNano: UInt64(max(0, r.rhoNano)),
                k: r.k, minimumSchools: r.minSchools, parts: parts, rows: rows, replicates: replicates)
        }
    }

    /// Every release's parameters, oldest first (parts and rows left empty); a pooled release's
    /// period is its span (`2025-Q4..2026-Q3`).
    public func releaseSummaries() throws -> [(id: String, period: String, createdAt: String, rhoNano: UInt64, k: Int, minimumSchools: Int)]
    {
        try database.read { db in
            try ReleaseRecord.order(Column("created_at"), Column("id")).fetchAll(db).map { r in
                let span: String = r.firstPeriod.map { "\($0)..\(r.period)" } ?? r.period
                return (r.id, span, r.createdAt, UInt64(max(0, r.rhoNano)), r.k, r.minSchools)
            }
        }
    }

    /// A quarter's budget: (spent, cap) in nano-ρ.
    public func budgetNano(period: Period) throws -> (spent: UInt64, cap: UInt64) {
        try database.read { db in (try Store.spentNano(period: period, db: db), try Store.capNano(period: period, db: db)) }
    }

    /// The schools a quarter's releases count (``Store/counted``).
    static func reportingSchools(period: Period, codebook: Codebook, db: Database) throws -> Set<String> {
        Set(
            try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT sub.school_id FROM submission sub
                    WHERE sub.period = ? AND sub.superseded_by IS NULL AND \(Store.counted)
                      AND sub.codebook_version IN (SELECT value FROM json_each(?))
                    """,
                arguments: [
                    period.description,
                    "["
                        + Store.readings(codebook, versions: try Store.codebookVersions(period: period, db: db).keys).keys.map(String.init)
                        .joined(separator: ",") + "]",
                ]))
    }

    /// The open schools of a frozen quarter as they were when it was frozen (nil before).
    static func frozenRegistry(period: Period, db: Database) throws -> [FrozenSchool]? {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM quarter_frozen WHERE period = ?", arguments: [period.description]) == true
        else { return nil }
        let dimensions = RegistryDimension.all.map(\.name)
        return try Row.fetchAll(
            db,
            sql:
                "SELECT school_id, province_code, \(dimensions.joined(separator: ", ")) FROM quarter_registry WHERE period = ? ORDER BY school_id",
            arguments: [period.description]
        ).map { r in
            FrozenSchool(
                id: r[0], provinceCode: r[1],
                values: Dictionary(uniqueKeysWithValues: dimensions.enumerated().map { ($1, r[$0 + 2] as String) }))
        }
    }

    /// A quarter's statement about reporting, fixed by its first release (nil before it): its
    /// minimum number of reporting schools, and its noisy reporting counts keyed `level|code`.
    static func registryVersion(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM registry_import") ?? 0
    }

    /// The registry's version: the last import's id (0 before any), to tell whether it changed.
    public func registryVersion() throws -> Int64 { try database.read { db in try Store.registryVersion(db) } }

    /// How many counted current submissions of the quarter follow each codebook version.
    static func codebookVersions(period: Period, db: Database) throws -> [Int: Int] {
        var out: [Int: Int] = [:]
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT sub.codebook_version, count(*) FROM submission sub
                WHERE sub.period = ? AND sub.superseded_by IS NULL AND \(Store.counted)
                GROUP BY sub.codebook_version
                """, arguments: [period.description])
        for r in rows { out[r[0] as Int] = r[1] as Int }
        return out
    }

    /// The codebook versions of the counted current submissions of the quarters: version →
    /// schools (a release reads one version).
    public func codebookVersions(span: PeriodSpan) throws -> [Int: Int] {
        try database.read { db in
            var out: [Int: Int] = [:]
            for q in span.quarters { for (v, n) in try Store.codebookVersions(period: q, db: db) { out[v, default: 0] += n } }
            return out
        }
    }

    static func frozenReporting(period: Period, db: Database) throws -> FrozenReporting? {
        guard
            let minimum = try Int.fetchOne(
                db, sql: "SELECT min_schools FROM quarter_frozen WHERE period = ?", arguments: [period.description])
        else { return nil }
        var out: [String: FrozenCount] = [:]
        for r in try Row.fetchAll(
            db, sql: "SELECT level, geo_code, registered, noisy FROM quarter_coverage WHERE period = ?", arguments: [period.description])
        {
            out["\(r["level"] as String)|\(r["geo_code"] as String)"] = FrozenCount(registered: r["registered"], noisy: r["noisy"])
        }
        return FrozenReporting(minimumSchools: minimum, counts: out)
    }

    /// Open schools and reporting ones (and their pupils) per province for a quarter, with the
    /// registry as of that quarter: registry facts and administrative data.
    static func coverageByProvince(period: Period, db: Database) throws -> [String: ProvinceCoverage] {
        var out: [String: ProvinceCoverage] = [:]
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT s.province_code, s.enrolment, (sub.id IS NOT NULL) AS reported
                FROM \(Store.registryAsOf) s
                LEFT JOIN submission sub ON sub.school_id = s.school_id AND sub.period = ? AND sub.superseded_by IS NULL
                WHERE s.is_open = 1
                """, arguments: [period.description, period.description])
        while let r = try rows.next() {
            let p: String = r[0]
            let enrolment: Int = r[1]
            let reported: Bool = r[2]
            var v = out[p] ?? ProvinceCoverage()
            v.registeredSchools += 1
            v.registeredEnrolment += enrolment
            if reported {
                v.reportingSchools += 1
                v.reportingEnrolment += enrolment
            }
            out[p] = v
        }
        return out
    }
}

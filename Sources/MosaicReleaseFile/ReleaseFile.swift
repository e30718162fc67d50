import Foundation
import GRDB
import MosaicDisclosure
import MosaicErrorModel
import MosaicFiles
import MosaicText

/// The release file format: a SQLite database any SQLite tool can open, and optional CSV files.
///
/// Tables:
/// - `cells(period, level, geo_code, geo_name, table_name, cell, value, moe95, status)`: every
///   published or withheld value; `value` and `moe95` are NULL unless `status` is `published`
///   (`below_k`, `small_area`, `complementary`: why it is withheld);
/// - `metadata(key, value)`: the release's parameters and its privacy guarantee in words;
/// - `coverage(period, level, geo_code, geo_name, registered_schools, registered_enrolment,
///   coverage_status, reporting_share_low, reporting_share_high)`: registry facts, and the share
///   of registered schools that reported (a `band`: the 95 % interval of a noisy count; or
///   `withheld`; `complete` in files made before; see `CoverageRule`);
/// - `units(level, geo_code, geo_name, parent_code, ordinal)`: the hierarchy;
/// - `noise(table_name, level, sigma2_num, sigma2_den, rho_nano)`: the noise of each measurement
///   group, so that anyone can compute margins for sums (`mosaic query` does);
/// - `replicates(replicate, errors)`: bootstrap replicates of the errors (16-bit little-endian;
///   per unit in `units` order, the total then every codebook cell), for margins of sums;
/// - `cell_dimensions(table_name, cell, label, dimension_1, dimension_2, dimension_3)`: the codebook;
/// - one view per codebook table (`incidents`, `channels`, …) with one column per dimension;
/// - `domain_cells(period, level, geo_code, geo_name, dimension, domain, table_name, cell, value,
///   moe95, status)`: the country and regions broken down by `dimension` (`stage`, `sector`) into
///   parts (`domain`: `primary`, `secondary`, …, `public`, `charter`, `private`), for the tables the
///   release breaks down (`total` and by default `incidents`); the parts of a unit add up to the
///   unit's row in `cells`, the regions' parts to the country's, and within a part the cells of
///   `incidents` to its `total`; parts with fewer schools than the small-area minimum are withheld
///   (`small_area`) like small units;
/// - `domain_units(level, geo_code, dimension, domain, registered_schools, registered_enrolment)`:
///   registry facts of every part (pupils for rates per 10,000);
/// - `domain_noise(dimension, table_name, level, sigma2_num, sigma2_den, rho_nano)`: the noise of
///   each domain measurement group;
/// - one view per codebook table broken down (`incidents_by_domain`) with one column per dimension.
public enum ReleaseFile {
    /// The CSV columns of `domain_cells.csv`.
    public static let domainCellColumns = [
        "period", "level", "geo_code", "geo_name", "dimension", "domain", "table_name", "cell", "value", "moe95", "status",
    ]
    /// The CSV columns of `domain_units.csv`.
    public static let domainUnitColumns = ["level", "geo_code", "dimension", "domain", "registered_schools", "registered_enrolment"]

    /// The columns of the `coverage` table and of `coverage.csv`.
    public static let coverageColumns = [
        "period", "level", "geo_code", "geo_name", "registered_schools", "registered_enrolment", "coverage_status",
        "reporting_share_low", "reporting_share_high",
    ]

    /// The CSV columns of `cells.csv`.
    public static let cellColumns = ["period", "level", "geo_code", "geo_name", "table_name", "cell", "value", "moe95", "status"]

    /// Writes a release as a new SQLite file, all or nothing (see `AtomicFile`).
    ///
    /// - Throws: `OutputError` when a file is already at `path` or it cannot be written.
    public static func write(_ data: ReleaseData, to path: String) throws {
        try AtomicFile.check([path])
        let temporary = try writeTemporary(data, for: path)
        do { try AtomicFile.publish(temporary: temporary, to: path) } catch {
            AtomicFile.remove(temporary)
            throw error
        }
    }

    /// Writes the SQLite file and, with `csvFolder`, the CSV files: all of them or none.
    public static func write(_ data: ReleaseData, to path: String, csvFolder: String?) throws {
        try AtomicFile.check([path])
        let created = try csvFolder.map { try prepareFolder($0) } ?? false
        let batch = AtomicFile.Batch()
        do {
            if let csvFolder { try AtomicFile.check(csvPaths(folder: csvFolder)) }
            batch.adopt(temporary: try writeTemporary(data, for: path), for: path)
            if let csvFolder { for f in csvFiles(data, folder: csvFolder) { try batch.write(f.data, to: f.path) } }
            _ = try batch.publish()
        } catch {
            batch.discard()
            if created, let csvFolder { rmdir(csvFolder) }
            throw error
        }
    }

    /// Writes the SQLite release file under a new temporary name beside `path` (mode 0600,
    /// flushed to disk) and returns that name; the caller publishes or removes it.
    public static func writeTemporary(_ data: ReleaseData, for path: String) throws -> String {
        try writeTemporary(data, at: AtomicFile.temporaryPath(for: path), for: path)
    }

    /// The same at a given temporary path (a name from `AtomicFile.temporaryPath(for:)`).
    @discardableResult
    public static func writeTemporary(_ data: ReleaseData, at temporary: String, for path: String) throws -> String {
        try AtomicFile.createTemporary(at: temporary, for: path)
        do {
            try build(data, at: temporary)
            AtomicFile.sync(temporary)
            return temporary
        } catch {
            AtomicFile.remove(temporary)
            AtomicFile.remove(temporary + "-journal")
            if let e = error as? DatabaseError {
                throw OutputError.cannotWrite(
                    path, e.resultCode == .SQLITE_FULL ? "the disk is full" : "SQLite error \(e.resultCode.rawValue)")
            }
            throw error
        }
    }

    static func build(_ data: ReleaseData, at temporary: String) throws {
        var config = Configuration()
        // The file is private and temporary until it is published: no rollback journal beside it.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA journal_mode = OFF") }
        let queue = try DatabaseQueue(path: temporary, configuration: config)
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE metadata (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                    CREATE TABLE cells (
                      period TEXT NOT NULL, level TEXT NOT NULL CHECK (level IN ('country', 'region', 'province')),
                      geo_code TEXT NOT NULL, geo_name TEXT NOT NULL, table_name TEXT NOT NULL, cell TEXT NOT NULL,
                      value INTEGER CHECK (value >= 0), moe95 REAL CHECK (moe95 >= 0),
                      status TEXT NOT NULL CHECK (status IN ('published', 'below_k', 'small_area', 'complementary', 'suppressed')),
                      CHECK ((status <> 'published') = (value IS NULL)),
                      CHECK ((status <> 'published') = (moe95 IS NULL)),
                      PRIMARY KEY (period, level, geo_code, table_name, cell)
                    );
                    CREATE TABLE coverage (
                      period TEXT NOT NULL, level TEXT NOT NULL, geo_code TEXT NOT NULL, geo_name TEXT NOT NULL,
                      registered_schools INTEGER NOT NULL, registered_enrolment INTEGER NOT NULL,
                      coverage_status TEXT NOT NULL CHECK (coverage_status IN ('complete', 'band', 'withheld')),
                      reporting_share_low INTEGER CHECK (reporting_share_low BETWEEN 0 AND 100),
                      reporting_share_high INTEGER CHECK (reporting_share_high BETWEEN 0 AND 100),
                      CHECK ((coverage_status = 'withheld') = (reporting_share_low IS NULL)),
                      CHECK ((coverage_status = 'withheld') = (reporting_share_high IS NULL)),
                      PRIMARY KEY (period, level, geo_code)
                    );
                    CREATE TABLE units (
                      level TEXT NOT NULL, geo_code TEXT NOT NULL, geo_name TEXT NOT NULL, parent_code TEXT NOT NULL,
                      ordinal INTEGER NOT NULL, PRIMARY KEY (level, geo_code)
                    );
                    CREATE TABLE noise (
                      table_name TEXT NOT NULL, level TEXT NOT NULL, sigma2_num INTEGER NOT NULL, sigma2_den INTEGER NOT NULL,
                      rho_nano INTEGER NOT NULL, PRIMARY KEY (table_name, level)
                    );
                    CREATE TABLE replicates (replicate INTEGER PRIMARY KEY NOT NULL, errors BLOB NOT NULL);
                    CREATE TABLE cell_dimensions (
                      table_name TEXT NOT NULL, cell TEXT NOT NULL, label TEXT NOT NULL,
                      dimension_1 TEXT, dimension_2 TEXT, dimension_3 TEXT,
                      PRIMARY KEY (table_name, cell)
                    );
                    CREATE TABLE domain_cells (
                      period TEXT NOT NULL, level TEXT NOT NULL CHECK (level IN ('country', 'region')),
                      geo_code TEXT NOT NULL, geo_name TEXT NOT NULL, dimension TEXT NOT NULL, domain TEXT NOT NULL,
                      table_name TEXT NOT NULL, cell TEXT NOT NULL,
                      value INTEGER CHECK (value >= 0), moe95 REAL CHECK (moe95 >= 0),
                      status TEXT NOT NULL CHECK (status IN ('published', 'below_k', 'small_area', 'complementary')),
                      CHECK ((status <> 'published') = (value IS NULL)),
                      CHECK ((status <> 'published') = (moe95 IS NULL)),
                      PRIMARY KEY (period, level, geo_code, dimension, domain, table_name, cell)
                    );
                    CREATE TABLE domain_units (
                      level TEXT NOT NULL, geo_code TEXT NOT NULL, dimension TEXT NOT NULL, domain TEXT NOT NULL,
                      registered_schools INTEGER NOT NULL, registered_enrolment INTEGER NOT NULL,
                      PRIMARY KEY (level, geo_code, dimension, domain)
                    );
                    CREATE TABLE domain_noise (
                      dimension TEXT NOT NULL, table_name TEXT NOT NULL, level TEXT NOT NULL, sigma2_num INTEGER NOT NULL,
                      sigma2_den INTEGER NOT NULL, rho_nano INTEGER NOT NULL, PRIMARY KEY (dimension, table_name, level)
                    );
                    """)
            for (k, v) in data.metadata {
                try db.execute(sql: "INSERT INTO metadata (key, value) VALUES (?, ?)", arguments: [k, v])
            }
            let insert = try db.makeStatement(sql: "INSERT INTO cells VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
            for r in data.rows {
                try insert.execute(arguments: [r.period, r.level, r.geoCode, r.geoName, r.tableName, r.cell, r.value, r.moe95, r.status])
            }
            let insertDomain = try db.makeStatement(sql: "INSERT INTO domain_cells VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            for d in data.domainRows {
                let r = d.row
                try insertDomain.execute(arguments: [
                    r.period, r.level, r.geoCode, r.geoName, d.dimension, d.domain, r.tableName, r.cell, r.value, r.moe95, r.status,
                ])
            }
            for u in data.domainUnits {
                try db.execute(
                    sql: "INSERT INTO domain_units VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [u.level, u.geoCode, u.dimension, u.domain, u.registeredSchools, u.registeredEnrolment])
            }
            for d in data.domainNoise {
                let n = d.noise
                try db.execute(
                    sql: "INSERT INTO domain_noise VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [d.dimension, n.tableName, n.level, Int64(n.sigma2Num), Int64(n.sigma2Den), Int64(n.rhoNano)])
            }
            for (i, u) in data.units.enumerated() {
                try db.execute(
                    sql: "INSERT INTO units VALUES (?, ?, ?, ?, ?)", arguments: [u.level, u.geoCode, u.geoName, u.parentCode, i])
            }
            for n in data.noise {
                try db.execute(
                    sql: "INSERT INTO noise VALUES (?, ?, ?, ?, ?)",
                    arguments: [n.tableName, n.level, Int64(n.sigma2Num), Int64(n.sigma2Den), Int64(n.rhoNano)])
            }
            for (i, r) in data.replicates.enumerated() {
                try db.execute(sql: "INSERT INTO replicates VALUES (?, ?)", arguments: [i, ReleaseFile.encode(r)])
            }
            for c in data.coverage {
                try db.execute(
                    sql: "INSERT INTO coverage VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    arguments: [
                        c.period, c.level, c.geoCode, c.geoName, c.registeredSchools, c.registeredEnrolment,
                        c.coverage.status.rawValue, c.coverage.low, c.coverage.high,
                    ])
            }
            for t in data.tables {
                for c in t.cells {
                    var values: [String?] = c.values.map { $0 }
                    while values.count < 3 { values.append(nil) }
                    try db.execute(
                        sql: "INSERT INTO cell_dimensions VALUES (?, ?, ?, ?, ?, ?)",
                        arguments: [t.name, c.code, c.label, values[0], values[1], values[2]])
                }
                try db.execute(sql: viewSQL(table: t.name, dimensions: t.dimensions, byDomain: false))
                try db.execute(sql: viewSQL(table: t.name, dimensions: t.dimensions, byDomain: true))
            }
        }
        try queue.close()
    }

    /// The statement that makes a table's view (`incidents`) or its breakdown view
    /// (`incidents_by_domain`): one column per dimension.
    static func viewSQL(table: String, dimensions: [String], byDomain: Bool) -> String {
        let dims = dimensions.enumerated().map { "d.dimension_\($0.offset + 1) AS \(quote($0.element))" }.joined(separator: ", ")
        let name = table.replacingOccurrences(of: "'", with: "''")
        return byDomain
            ? """
            CREATE VIEW \(quote(table + "_by_domain")) AS
            SELECT c.period, c.level, c.geo_code, c.geo_name, c.dimension, c.domain, \(dims), c.value, c.moe95, c.status
            FROM domain_cells c JOIN cell_dimensions d ON d.table_name = c.table_name AND d.cell = c.cell
            WHERE c.table_name = '\(name)'
            """
            : """
            CREATE VIEW \(quote(table)) AS
            SELECT c.period, c.level, c.geo_code, c.geo_name, \(dims), c.value, c.moe95, c.status
            FROM cells c JOIN cell_dimensions d ON d.table_name = c.table_name AND d.cell = c.cell
            WHERE c.table_name = '\(name)'
            """
    }

    /// True when `sql` is exactly the statement Mosaic writes for the view `name` (at most three
    /// plain dimension names): anything else in a file from outside is refused.
    static func isMosaicView(name: String, sql: String) -> Bool {
        guard sql.utf8.count <= 2_000 else { return false }
        let byDomain = name.hasSuffix("_by_domain")
        let table = byDomain ? String(name.dropLast("_by_domain".count)) : name
        // The dimensions as the statement names them: `d.dimension_N AS "name"`.
        var dimensions: [String] = []
        var rest = Substring(sql)
        while let r = rest.range(of: "d.dimension_\(dimensions.count + 1) AS \"") {
            let after = rest[r.upperBound...]
            guard let close = after.firstIndex(of: "\"") else { return false }
            dimensions.append(String(after[..<close]))
            rest = after[close...]
            if dimensions.count > 3 { return false }
        }
        guard !dimensions.isEmpty else { return false }
        return sql == viewSQL(table: table, dimensions: dimensions, byDomain: byDomain)
    }

    /// The CSV files of a release in `folder`: `cells.csv`, `metadata.csv`, `coverage.csv`,
    /// `domain_cells.csv` and `domain_units.csv`.
    public static func csvPaths(folder: String) -> [String] {
        ["cells.csv", "metadata.csv", "coverage.csv", "domain_cells.csv", "domain_units.csv"].map {
            (folder as NSString).appendingPathComponent($0)
        }
    }

    /// The CSV files' paths and contents.
    public static func csvFiles(_ data: ReleaseData, folder: String) -> [(path: String, data: Data)] {
        zip(
            csvPaths(folder: folder),
            [csvCells(data), csvMetadata(data), csvCoverage(data), csvDomainCells(data), csvDomainUnits(data)]
        ).map { ($0, Data($1.utf8)) }
    }

    /// The `domain_cells.csv` text.
    public static func csvDomainCells(_ data: ReleaseData) -> String {
        var w = CSVWriter()
        w.write(domainCellColumns)
        for d in data.domainRows {
            let r = d.row
            w.write([
                r.period, r.level.rawValue, r.geoCode, r.geoName, d.dimension, d.domain, r.tableName, r.cell,
                r.value.map(String.init) ?? "", r.moe95.map { formatMargin($0) } ?? "", r.status.rawValue,
            ])
        }
        return w.text
    }

    /// The `domain_units.csv` text.
    public static func csvDomainUnits(_ data: ReleaseData) -> String {
        var w = CSVWriter()
        w.write(domainUnitColumns)
        for u in data.domainUnits {
            w.write([
                u.level.rawValue, u.geoCode, u.dimension, u.domain, String(u.registeredSchools), String(u.registeredEnrolment),
            ])
        }
        return w.text
    }

    /// Writes `cells.csv`, `metadata.csv` and `coverage.csv` into `folder`, all or nothing
    /// (the folder is created if its parent exists; existing files of those names are refused).
    public static func writeCSV(_ data: ReleaseData, folder: String) throws {
        let created = try prepareFolder(folder)
        do { try AtomicFile.writeAll(csvFiles(data, folder: folder)) } catch {
            if created { try? FileManager.default.removeItem(atPath: folder) }
            throw error
        }
    }

    /// Makes `folder` if it is missing (its parent must exist); true when it made it.
    public static func prepareFolder(_ folder: String) throws -> Bool {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) {
            guard isDir.boolValue else { throw OutputError.exists(folder) }
            return false
        }
        try AtomicFile.check([folder])
        guard mkdir(folder, 0o755) == 0 else { throw OutputError.cannotWrite(folder, AtomicFile.describe(errno)) }
        return true
    }

    /// The `cells.csv` text.
    public static func csvCells(_ data: ReleaseData) -> String {
        var w = CSVWriter()
        w.write(cellColumns)
        for r in data.rows {
            w.write([
                r.period, r.level.rawValue, r.geoCode, r.geoName, r.tableName, r.cell, r.value.map(String.init) ?? "",
                r.moe95.map { formatMargin($0) } ?? "", r.status.rawValue,
            ])
        }
        return w.text
    }

    /// The `metadata.csv` text.
    public static func csvMetadata(_ data: ReleaseData) -> String {
        var w = CSVWriter()
        w.write(["key", "value"])
        for (k, v) in data.metadata { w.write([k, v]) }
        return w.text
    }

    /// The `coverage.csv` text.
    public static func csvCoverage(_ data: ReleaseData) -> String {
        var w = CSVWriter()
        w.write(coverageColumns)
        for c in data.coverage {
            w.write([
                c.period, c.level.rawValue, c.geoCode, c.geoName, String(c.registeredSchools), String(c.registeredEnrolment),
                c.coverage.status.rawValue, c.coverage.low.map(String.init) ?? "", c.coverage.high.map(String.init) ?? "",
            ])
        }
        return w.text
    }

    /// A replicate as little-endian 16-bit integers.
    public static func encode(_ r: [Int16]) -> Data {
        var d = Data(capacity: r.count * 2)
        for v in r { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        return d
    }

    /// The inverse of ``encode(_:)``.
    public static func decode(_ d: Data) -> [Int16] {
        let b = [UInt8](d)
        return stride(from: 0, to: b.count - 1, by: 2).map { Int16(bitPattern: UInt16(b[$0]) | UInt16(b[$0 + 1]) << 8) }
    }

    /// A margin with one decimal.
    public static func formatMargin(_ m: Double) -> String { String(format: "%.1f", m) }

    static func quote(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}

/// Errors reading release files: each names the file; none carries the file's raw content.
public enum ReleaseFileError: Error, LocalizedError, Equatable {
    case exists(String)
    case missing(String)
    /// The authority's raw store, which release readers refuse whatever its name.
    case rawStore(String)
    case notARelease(String)
    /// Made by an older Mosaic, without the tables that margins need.
    case olderFormat(String)
    /// A release file that breaks the format: file, table, column (if one), and what is wrong.
    case invalidFile(String, table: String, column: String?, why: String)
    /// A statement ran past its deadline (seconds).
    case timeout(String, Double)
    /// SQL that the read-only, hardened connection refused.
    case sqlRefused(String)
    /// SQLite could not read the file: (path, why).
    case damaged(String, String)
    /// A `-wal` or `-journal` file is beside the release file.
    case sidecar(String, String)
    /// The SQL itself is wrong (a typo, an unknown column).
    case sqlError(String)

    /// A message for people: what went wrong and, where it helps, what to do.
    public var errorDescription: String? {
        switch self {
        case .exists(let p): return "\(p): a file is already there; choose another name"
        case .missing(let p): return "\(p): no such file"
        case .rawStore(let p): return "\(p): this is an authority's raw store, not a release; researchers query release files only"
        case .notARelease(let p): return "\(p): not a Mosaic release file"
        case .olderFormat(let p):
            return "\(p): made by an older Mosaic without its error model; export it again with 'mosaic release export'"
        case .invalidFile(let p, let table, let column, let why):
            return "\(p): not a valid Mosaic release: table \(table)\(column.map { ", column \($0)" } ?? ""): \(why)"
        case .timeout(let p, let s): return "\(p): stopped after \(Int(s)) s (a statement ran too long; --timeout changes the limit)"
        case .damaged(let p, let why): return "\(p): cannot be read as a release: \(why)"
        case .sqlError(let why): return "the SQL has an error: \(why)"
        case .sidecar(let p, let suffix):
            return
                "\(p): a \(suffix) file is beside it, so it is still being written or was copied while open (its last changes would be missed): copy the release file alone again, or ask its sender for a complete copy"
        case .sqlRefused(let why):
            return "the SQL was refused: \(why) (releases are read-only; ATTACH, extensions and unsafe functions are not allowed)"
        }
    }
}

extension Level: DatabaseValueConvertible {}
extension CellStatus: DatabaseValueConvertible {}

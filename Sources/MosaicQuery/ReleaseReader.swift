import Foundation
import GRDB
import GRDBSQLite
import MosaicReleaseFile

/// Opens release files read-only, and refuses anything else (above all the authority's store).
public enum ReleaseReader {
    /// Opens a release file read-only: writes, ATTACH and extension loading are impossible on
    /// the connection.
    public static func openReadOnly(_ path: String) throws -> DatabaseQueue {
        guard FileManager.default.fileExists(atPath: path) else { throw QueryError.missing(path) }
        var config = Configuration()
        config.readonly = true
        config.label = "mosaic-release-readonly"
        config.prepareDatabase { db in
            // No other database may be attached, and SQL may not load extensions.
            sqlite3_limit(db.sqliteConnection, SQLITE_LIMIT_ATTACHED, 0)
            try db.execute(sql: "PRAGMA query_only = 1")
            try db.execute(sql: "PRAGMA trusted_schema = 0")
            db.add(function: DatabaseFunction("load_extension", argumentCount: -1, pure: false) { _ in
                throw DatabaseError(resultCode: .SQLITE_AUTH, message: "loading extensions is not allowed")
            })
        }
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: path, configuration: config) } catch { throw QueryError.notARelease(path) }
        let kind = try? queue.read { db -> String in
            if try db.tableExists("store_info") || db.tableExists("submission") { return "store" }
            if try db.tableExists("cells") && db.tableExists("metadata") { return "release" }
            return "other"
        }
        switch kind {
        case "release": return queue
        case "store": throw QueryError.rawStore(path)
        default: throw QueryError.notARelease(path)
        }
    }

    /// Runs read-only SQL on a release: (column names, rows as text, NULL as nil).
    public static func sql(_ path: String, _ query: String) throws -> (columns: [String], rows: [[String?]]) {
        let queue = try openReadOnly(path)
        do {
            return try queue.read { db -> (columns: [String], rows: [[String?]]) in
                let statement = try db.makeStatement(sql: query)
                let columns: [String] = statement.columnNames
                var rows: [[String?]] = []
                for row in try Row.fetchAll(statement) {
                    rows.append(row.databaseValues.map { (v: DatabaseValue) -> String? in text(v) })
                }
                return (columns, rows)
            }
        } catch let e as DatabaseError {
            throw QueryError.invalid("the SQL was refused: \(e.message ?? "error \(e.resultCode)") (releases are read-only; ATTACH and extensions are not allowed)")
        }
    }

    static func text(_ v: DatabaseValue) -> String? {
        switch v.storage {
        case .null: return nil
        case let .int64(i): return String(i)
        case let .double(d): return String(d)
        case let .string(s): return s
        case let .blob(b): return "<\(b.count) bytes>"
        }
    }

    /// Reads a whole release file.
    public static func read(_ path: String) throws -> ReleaseData {
        let queue = try openReadOnly(path)
        return try queue.read { db in
            let metadata = try Row.fetchAll(db, sql: "SELECT key, value FROM metadata ORDER BY rowid").map { (key: $0[0] as String, value: $0[1] as String) }
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM cells ORDER BY rowid").map {
                ReleaseRow(period: $0["period"], level: $0["level"], geoCode: $0["geo_code"], geoName: $0["geo_name"], tableName: $0["table_name"],
                           cell: $0["cell"], value: $0["value"], moe95: $0["moe95"], status: $0["status"])
            }
            let units = try db.tableExists("units")
                ? try Row.fetchAll(db, sql: "SELECT * FROM units ORDER BY ordinal").map {
                    UnitRow(level: $0["level"], geoCode: $0["geo_code"], geoName: $0["geo_name"], parentCode: $0["parent_code"])
                } : []
            let noise = try db.tableExists("noise")
                ? try Row.fetchAll(db, sql: "SELECT * FROM noise").map {
                    NoiseRow(tableName: $0["table_name"], level: $0["level"], sigma2Num: UInt64($0["sigma2_num"] as Int64),
                             sigma2Den: UInt64($0["sigma2_den"] as Int64), rhoNano: UInt64($0["rho_nano"] as Int64))
                } : []
            let coverage = try db.tableExists("coverage")
                ? try Row.fetchAll(db, sql: "SELECT * FROM coverage").map {
                    CoverageRow(period: $0["period"], level: $0["level"], geoCode: $0["geo_code"], geoName: $0["geo_name"],
                                registeredSchools: $0["registered_schools"], reportingSchools: $0["reporting_schools"],
                                registeredEnrolment: $0["registered_enrolment"], reportingEnrolment: $0["reporting_enrolment"])
                } : []
            var data = ReleaseData(metadata: metadata, rows: rows, tables: [], coverage: coverage, units: units, noise: noise)
            if try db.tableExists("replicates") {
                data.replicates = try Data.fetchAll(db, sql: "SELECT errors FROM replicates ORDER BY replicate").map(ReleaseFile.decode)
            }
            return data
        }
    }
}

/// Why a query was refused.
public enum QueryError: Error, LocalizedError, Equatable {
    case missing(String)
    case rawStore(String)
    case notARelease(String)
    case invalid(String)

    public var errorDescription: String? {
        switch self {
        case let .missing(p): return "\(p): no such file"
        case let .rawStore(p): return "\(p): this is an authority's raw store, not a release; researchers query release files only"
        case let .notARelease(p): return "\(p): not a Mosaic release file"
        case let .invalid(why): return why
        }
    }
}

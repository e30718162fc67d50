import CSQLiteGuard
import Foundation
import GRDB
import GRDBSQLite
import MosaicCodebook

/// Opens release files read-only, and refuses anything else (above all the authority's store).
///
/// A release file comes from outside: it is data, never trusted. The connection is opened
/// immutable (no `-wal` or `-shm` is created beside it), hardened (defensive mode, no
/// `fts3_tokenizer`, no extensions, no attached databases, tight limits) and every statement
/// runs under a deadline. ``read(_:)`` checks the schema, the types, the levels, the ranges,
/// the hierarchy and the completeness of the file against its codebook before anything uses it,
/// and refuses it with one message naming the file, the table and the column.
public enum ReleaseReader {
    /// Seconds a whole read may take (a hostile view or a huge file must not hang a tool).
    public static let readTimeout: Double = 60
    /// The largest value a release may hold, and the largest margin.
    static let maxValue: Int64 = 1_000_000_000
    static let maxMargin: Double = 10_000_000
    /// At most this many units and rows: far above any real release (a million schools make
    /// tens of thousands of units).
    static let maxUnits = 200_000
    /// At most this many rows in `domain_cells` and `domain_units` (a continent's regions × parts × cells).
    static let maxDomainRows = 2_000_000
    static let maxRows = 20_000_000

    /// SQLite results that are about the file rather than the SQL.
    static let fileErrors: [ResultCode] = [
        .SQLITE_CORRUPT, .SQLITE_NOTADB, .SQLITE_TOOBIG, .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_FORMAT, .SQLITE_NOMEM,
    ]

    /// A hardened, read-only, immutable connection with a deadline cell.
    public final class Connection: @unchecked Sendable {
        /// The read-only database connection.
        public let queue: DatabaseQueue
        let deadline: DeadlineCell
        let path: String

        init(path: String, queue: DatabaseQueue, deadline: DeadlineCell) {
            self.path = path
            self.queue = queue
            self.deadline = deadline
        }

        deinit { try? queue.close() }

        /// Runs `body` with every statement stopped once `seconds` have passed.
        public func read<T>(within seconds: Double, _ body: (Database) throws -> T) throws -> T {
            deadline.pointer.pointee = mosaic_monotonic_ns() + Int64(seconds * 1e9)
            defer { deadline.pointer.pointee = 0 }
            do {
                return try queue.read(body)
            } catch let e as DatabaseError where e.resultCode == .SQLITE_INTERRUPT {
                throw ReleaseFileError.timeout(path, seconds)
            } catch let e as DatabaseError where ReleaseReader.fileErrors.contains(e.resultCode.primaryResultCode) {
                // What SQLite says about the file itself (damaged, too big, not a database) names the file.
                throw ReleaseFileError.damaged(
                    path,
                    e.resultCode.primaryResultCode == .SQLITE_TOOBIG
                        ? "a value is too large" : "it is damaged or not a complete release file")
            }
        }
    }

    /// Opens a release file read-only and hardened, and refuses anything that is not a release.
    public static func open(_ path: String) throws -> Connection {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else {
            throw ReleaseFileError.missing(path)
        }
        // Only a regular file: a named pipe or a device would block the reader forever.
        guard (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular else {
            throw ReleaseFileError.notARelease(path)
        }
        let deadline = DeadlineCell()
        var config = Configuration()
        config.readonly = true
        config.label = "mosaic-release-readonly"
        config.prepareDatabase { db in
            guard mosaic_sqlite_harden(db.sqliteConnection) == SQLITE_OK else {
                throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "cannot harden the connection")
            }
            mosaic_sqlite_install_deadline(db.sqliteConnection, deadline.pointer)
            try db.execute(sql: "PRAGMA query_only = 1")
            try db.execute(sql: "PRAGMA trusted_schema = 0")
            let refused: [(String, Int?)] = [
                ("load_extension", nil), ("fts3_tokenizer", 1), ("fts3_tokenizer", 2), ("readfile", nil), ("writefile", nil),
            ]
            for (name, arity) in refused {
                db.add(
                    function: DatabaseFunction(name, argumentCount: arity, pure: false) { _ in
                        throw DatabaseError(resultCode: .SQLITE_AUTH, message: "\(name) is not allowed on a release")
                    })
            }
        }
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: immutableURI(path), configuration: config) } catch {
            throw ReleaseFileError.notARelease(path)
        }
        let connection = Connection(path: path, queue: queue, deadline: deadline)
        func classify(_ db: Database) throws -> String {
            if try db.tableExists("store_info") || db.tableExists("submission") { return "store" }
            if try db.tableExists("cells") && db.tableExists("metadata") { return "release" }
            return "other"
        }
        var kind = try? connection.read(within: 10, classify)
        if kind != "release", FileManager.default.fileExists(atPath: path + "-wal") {
            // A release file never has a write-ahead log; a store in use does. Look once more,
            // through the log, only to say what the file is.
            var plain = Configuration()
            plain.readonly = true
            if let q = try? DatabaseQueue(path: path, configuration: plain), (try? q.read(classify)) == "store" { kind = "store" }
            if kind == "release" { kind = "other" }
        }
        switch kind {
        case "release": return connection
        case "store": throw ReleaseFileError.rawStore(path)
        default: throw ReleaseFileError.notARelease(path)
        }
    }

    /// A `file:` URI that opens `path` immutable: SQLite neither locks it nor creates files beside it.
    static func immutableURI(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        return "file:" + (absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute) + "?immutable=1"
    }

    /// Runs read-only SQL on a release, streaming rows (as text, NULL as nil) to `row`, which
    /// returns false to stop. Stops after `maxRows` rows or `timeout` seconds.
    ///
    /// - Returns: the column names, and whether the row limit cut the answer.
    @discardableResult
    public static func sql(
        _ path: String, _ query: String, timeout: Double = 5, maxRows: Int = 10_000,
        columns onColumns: ([String]) -> Void = { _ in }, row: ([String?]) -> Void
    ) throws -> (columns: [String], truncated: Bool) {
        let connection = try open(path)
        do {
            return try connection.read(within: timeout) { db -> (columns: [String], truncated: Bool) in
                let statement = try db.makeStatement(sql: query)
                let columns: [String] = statement.columnNames
                onColumns(columns)
                let cursor = try Row.fetchCursor(statement)
                var n = 0
                while let r = try cursor.next() {
                    if n == maxRows { return (columns, true) }
                    row(r.databaseValues.map { (v: DatabaseValue) -> String? in text(v) })
                    n += 1
                }
                return (columns, false)
            }
        } catch let e as DatabaseError {
            throw ReleaseFileError.sqlRefused(e.message ?? "error \(e.resultCode.rawValue)")
        }
    }

    /// The same, collecting every row (at most `maxRows`).
    public static func sql(_ path: String, _ query: String, timeout: Double = 5, maxRows: Int = 10_000) throws -> (
        columns: [String], rows: [[String?]]
    ) {
        var rows: [[String?]] = []
        let (columns, _) = try sql(path, query, timeout: timeout, maxRows: maxRows) { rows.append($0) }
        return (columns, rows)
    }

    static func text(_ v: DatabaseValue) -> String? {
        switch v.storage {
        case .null: return nil
        case .int64(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return s
        case .blob(let b): return "<\(b.count) bytes>"
        }
    }

    /// Reads and checks a whole release file.
    ///
    /// - Throws: ``QueryError/invalidFile(_:table:column:why:)`` naming what is wrong; never traps.
    public static func read(_ path: String) throws -> ReleaseData {
        try readChecked(path).data
    }

    /// Reads and checks a whole release file, with its parameters parsed once.
    public static func readChecked(_ path: String) throws -> (data: ReleaseData, info: ReleaseMetadata) {
        let connection = try open(path)
        let data = try connection.read(within: readTimeout) { db in try ReleaseChecker(path: path, db: db).read() }
        try ReleaseChecker.checkMeaning(data, path: path)
        return (data, try ReleaseMetadata(data, file: path))
    }
}

/// The deadline a connection's progress handler reads (CLOCK_MONOTONIC ns; 0 for none).
public final class DeadlineCell: @unchecked Sendable {
    let pointer = UnsafeMutablePointer<Int64>.allocate(capacity: 1)
    init() { pointer.pointee = 0 }
    deinit { pointer.deallocate() }
}

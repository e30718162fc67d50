import CSQLiteGuard
import Foundation
import GRDB
import GRDBSQLite
import MosaicCodebook
import MosaicFiles

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

        /// Runs `body` with every statement stopped once `seconds` have passed: a progress
        /// handler stops a statement that steps too long, and a watchdog interrupts the
        /// connection at the deadline whatever it is doing (preparing a statement included).
        /// Any other SQLite error names the file, never the store.
        public func read<T>(within seconds: Double, _ body: (Database) throws -> T) throws -> T {
            try read(within: seconds, sqlErrors: false, body)
        }

        /// The same; with `sqlErrors`, errors of the SQL itself are left for the caller.
        func read<T>(within seconds: Double, sqlErrors: Bool, _ body: (Database) throws -> T) throws -> T {
            let limit = max(0.001, min(seconds, 86_400))
            deadline.pointer.pointee = mosaic_monotonic_ns() + Int64(limit * 1e9)
            let watchdog = Watchdog()
            let queue = self.queue
            DispatchQueue.global().asyncAfter(deadline: .now() + limit) { if watchdog.armed { queue.interrupt() } }
            defer {
                watchdog.disarm()
                deadline.pointer.pointee = 0
            }
            do {
                return try queue.read(body)
            } catch let e as DatabaseError where e.resultCode.primaryResultCode == .SQLITE_INTERRUPT {
                throw ReleaseFileError.timeout(path, seconds)
            } catch let e as DatabaseError where ReleaseReader.fileErrors.contains(e.resultCode.primaryResultCode) {
                // What SQLite says about the file itself (damaged, too big, not a database) names the file.
                throw ReleaseFileError.damaged(
                    path,
                    e.resultCode.primaryResultCode == .SQLITE_TOOBIG
                        ? "a value is too large" : "it is damaged or not a complete release file")
            } catch let e as DatabaseError where !sqlErrors {
                throw ReleaseFileError.damaged(
                    path, "SQLite cannot read it (\(Sanitize.line(e.message ?? "error \(e.resultCode.rawValue)", limit: 120)))")
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
        // One SQLite heap for the process: a hostile file cannot make it grow past this.
        if sqlite3_hard_heap_limit64(-1) == 0 || sqlite3_hard_heap_limit64(-1) > ReleaseReader.heapLimit {
            sqlite3_hard_heap_limit64(ReleaseReader.heapLimit)
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
        if kind != "store" && kind != "release" && looksLikeStoreLog(path + "-wal") { kind = "store" }
        if kind != "store" {
            // A log beside the file means it is still being written, or was copied while open:
            // its last changes are in the log, which this read-only, immutable read would not
            // see (and which Mosaic never opens read-write to replay).
            for suffix in ["-wal", "-journal"] where FileManager.default.fileExists(atPath: path + suffix) {
                throw ReleaseFileError.sidecar(path, suffix)
            }
        }
        switch kind {
        case "release":
            try connection.read(within: 10) { db in try checkSchema(db, path: path) }
            return connection
        case "store": throw ReleaseFileError.rawStore(path)
        default: throw ReleaseFileError.notARelease(path)
        }
    }

    /// The SQLite heap a process reading release files may use (bytes).
    public static let heapLimit: Int64 = 2 << 30
    /// The most schema text a release file may carry (bytes).
    static let maxSchemaBytes = 200_000

    /// Refuses a file whose schema is not Mosaic's: no triggers, and every view exactly one that
    /// Mosaic writes (a hostile view could expand exponentially when a statement naming it is
    /// prepared, which no deadline on the statement's steps would stop).
    static func checkSchema(_ db: Database, path: String) throws {
        let entries = try Row.fetchAll(db, sql: "SELECT type, name, sql FROM sqlite_master")
        var bytes = 0
        for e in entries {
            let type: String = e["type"] ?? ""
            let name: String = e["name"] ?? ""
            let sql: String = e["sql"] ?? ""
            bytes += sql.utf8.count
            switch type {
            case "table", "index": continue
            case "view":
                guard ReleaseFile.isMosaicView(name: name, sql: sql) else {
                    throw ReleaseFileError.invalidFile(
                        path, table: Sanitize.line(name, limit: 60), column: nil, why: "a view that Mosaic does not write")
                }
            default:
                throw ReleaseFileError.invalidFile(
                    path, table: Sanitize.line(name, limit: 60), column: nil, why: "a \(Sanitize.line(type, limit: 20)) is not allowed")
            }
        }
        guard bytes <= maxSchemaBytes else {
            throw ReleaseFileError.invalidFile(
                path, table: "sqlite_master", column: nil, why: "the schema is larger than \(maxSchemaBytes) bytes")
        }
    }

    /// True when the file beside a database is a write-ahead log holding the store's schema (a
    /// store in use whose tables are still in its log): read as bytes, never replayed.
    static func looksLikeStoreLog(_ wal: String) -> Bool {
        // Only a regular file: a pipe or a device would block the reader forever.
        var s = stat()
        guard lstat(wal, &s) == 0, (s.st_mode & S_IFMT) == S_IFREG else { return false }
        guard let handle = FileHandle(forReadingAtPath: wal) else { return false }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 8 << 20) else { return false }
        return head.range(of: Data("CREATE TABLE store_info".utf8)) != nil
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
            return try connection.read(within: timeout, sqlErrors: true) { db -> (columns: [String], truncated: Bool) in
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
            let why = Sanitize.line(e.message ?? "error \(e.resultCode.rawValue)", limit: 200)
            // Refused for safety (authorisation, limits) or simply wrong SQL: said differently.
            switch e.resultCode.primaryResultCode {
            case .SQLITE_AUTH, .SQLITE_READONLY, .SQLITE_TOOBIG: throw ReleaseFileError.sqlRefused(why)
            default: throw ReleaseFileError.sqlError(why)
            }
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

/// Whether a read is still running, for its watchdog.
final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var running = true
    var armed: Bool { lock.withLock { running } }
    func disarm() { lock.withLock { running = false } }
}

/// The deadline a connection's progress handler reads (CLOCK_MONOTONIC ns; 0 for none).
public final class DeadlineCell: @unchecked Sendable {
    let pointer = UnsafeMutablePointer<Int64>.allocate(capacity: 1)
    init() { pointer.pointee = 0 }
    deinit { pointer.deallocate() }
}

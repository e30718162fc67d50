import Foundation
import GRDB
import MosaicFiles

/// A file that a command is writing under a temporary name, recorded in the store before the
/// command changes anything, so that a command killed half-way can be finished or undone.
public struct PendingOutput: Sendable, Equatable {
    /// What the file belongs to.
    public enum Kind: String, Sendable {
        /// A release file (`ref` is the release id once the release is recorded).
        case release
        /// A school's credential file or form (`ref` is the new key's fingerprint).
        case credentials
        /// The authority's key files (`ref` is the public key, base64).
        case authorityKey = "authority_key"
    }

    /// The name the file takes when it is complete.
    public var finalPath: String
    /// The temporary name it is written under.
    public var temporaryPath: String
    /// What the file belongs to.
    public var kind: Kind
    /// One command run: every file it writes shares the token.
    public var token: String
    /// The release id or key fingerprint; nil until known.
    public var ref: String?
    /// The process that claimed it.
    public var owner: ProcessIdentity
    /// When it was made (ISO 8601, UTC).
    public var createdAt: String
    /// The file's mode once named (0600 for anything holding a private key, else 0644).
    public var mode: mode_t = 0o644
    /// For credentials: the keys its registration revoked (valid again if it is undone).
    public var revoked: [String] = []

    /// Makes the value from its parts.
    public init(
        finalPath: String, temporaryPath: String, kind: Kind, token: String, ref: String?, owner: ProcessIdentity, createdAt: String,
        mode: mode_t = 0o644
    ) {
        self.mode = mode
        self.finalPath = finalPath
        self.temporaryPath = temporaryPath
        self.kind = kind
        self.token = token
        self.ref = ref
        self.owner = owner
        self.createdAt = createdAt
    }
}

/// Errors of the pending-output journal.
public enum PendingError: Error, LocalizedError, Equatable {
    /// Another command is writing (or a killed one left) this path.
    case claimed(String)

    /// A message for people: what went wrong and, where it helps, what to do.
    public var errorDescription: String? {
        switch self {
        case .claimed(let p):
            return "\(p): another Mosaic command is writing this file; wait for it, or run 'mosaic doctor' if it was interrupted"
        }
    }
}

extension Store {
    /// Records the files a command is about to write, in a transaction of its own, before it
    /// changes anything else. Refuses a path that another command has claimed.
    public func claim(_ outputs: [PendingOutput]) throws {
        do {
            try database.write { db in
                for o in outputs {
                    try db.execute(
                        sql: """
                            INSERT INTO pending_output (final_path, temporary_path, kind, token, ref, owner_pid, owner_start, created_at, mode)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            o.finalPath, o.temporaryPath, o.kind.rawValue, o.token, o.ref, Int(o.owner.pid), o.owner.start, o.createdAt,
                            Int(o.mode),
                        ])
                }
            }
        } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT {
            let taken = try database.read { db in
                try outputs.first { o in
                    try Bool.fetchOne(db, sql: "SELECT 1 FROM pending_output WHERE final_path = ?", arguments: [o.finalPath]) != nil
                }
            }
            throw PendingError.claimed(taken?.finalPath ?? outputs.first?.finalPath ?? "")
        }
    }

    /// Sets the reference (release id) of a command run's pending files, inside the caller's transaction.
    static func setPendingRef(token: String, ref: String, db: Database) throws {
        try db.execute(sql: "UPDATE pending_output SET ref = ? WHERE token = ?", arguments: [ref, token])
    }

    /// Forgets a command run's pending files: they are published or removed.
    public func release(token: String) throws {
        try database.write { db in try db.execute(sql: "DELETE FROM pending_output WHERE token = ?", arguments: [token]) }
    }

    /// Forgets every pending file of the release `id` (its files were written by an export).
    public func forgetPendingRelease(_ id: String) throws {
        try database.write { db in try db.execute(sql: "DELETE FROM pending_output WHERE kind = 'release' AND ref = ?", arguments: [id]) }
    }

    /// Every pending file, oldest first.
    public func pendingOutputs() throws -> [PendingOutput] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM pending_output ORDER BY created_at, token, final_path").compactMap { r in
                guard let kind = PendingOutput.Kind(rawValue: r["kind"]) else { return nil }
                var o = PendingOutput(
                    finalPath: r["final_path"], temporaryPath: r["temporary_path"], kind: kind, token: r["token"], ref: r["ref"],
                    owner: ProcessIdentity(pid: Int32(clamping: r["owner_pid"] as Int64), start: r["owner_start"]),
                    createdAt: r["created_at"], mode: (r["mode"] as Int64) == 0o600 ? 0o600 : 0o644)
                o.revoked = ((r["revoked"] as String?) ?? "").split(separator: ",").map(String.init)
                return o
            }
        }
    }

    /// True when what a pending file belongs to was committed (the release or key exists).
    public func isCommitted(_ o: PendingOutput) throws -> Bool {
        guard let ref = o.ref else { return false }
        return try database.read { db in
            switch o.kind {
            case .release: return try Bool.fetchOne(db, sql: "SELECT 1 FROM release WHERE id = ?", arguments: [ref]) != nil
            case .credentials: return try Bool.fetchOne(db, sql: "SELECT 1 FROM school_key WHERE fingerprint = ?", arguments: [ref]) != nil
            case .authorityKey:
                return try String.fetchOne(db, sql: "SELECT value FROM store_info WHERE key = 'authority_public_key'") == ref
            }
        }
    }

    /// Releases of a quarter whose files are still pending (an interrupted `release create`).
    public func unfinishedReleases(period: String) throws -> [String] { try unfinishedReleases(periods: [period]) }

    /// Releases covering any of `periods` (quarterly or pooled) whose files are still pending.
    public func unfinishedReleases(periods: [String]) throws -> [String] {
        try database.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT p.ref FROM pending_output p JOIN release_spend s ON s.release_id = p.ref
                    WHERE p.kind = 'release' AND s.period IN (\(periods.map { _ in "?" }.joined(separator: ", "))) ORDER BY p.ref
                    """,
                arguments: StatementArguments(periods))
        }
    }
}

extension Store {
    /// SQLite's integrity and foreign-key checks: empty when the store is sound.
    public func integrityProblems() throws -> [String] {
        try database.read { db in
            var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
            let fk = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
            if !fk.isEmpty { problems.append("\(fk.count) row\(fk.count == 1 ? "" : "s") break a foreign key") }
            return problems
        }
    }
}

import Foundation
import GRDB

/// A school's registered public key.
public struct SchoolKey: Sendable, Equatable {
    /// The key's fingerprint (16 hex digits).
    public var fingerprint: String
    /// The school's id in the registry.
    public var schoolID: String
    /// The raw public key.
    public var publicKey: Data
    /// `issued` (made by the authority) or `registered` (made by the school).
    public var origin: String
    /// When it was made (ISO 8601, UTC).
    public var createdAt: String
    /// When the key was revoked (ISO 8601, UTC), or nil.
    public var revokedAt: String?
    /// True while the key is not revoked.
    public var isActive: Bool { revokedAt == nil }
}

/// Errors about keys.
public enum KeyError: Error, LocalizedError, Equatable {
    case unknownSchool(String)
    case unknownKey(String)
    case duplicateKey(String)

    /// A message for people: what went wrong and, where it helps, what to do.
    public var errorDescription: String? {
        switch self {
        case .unknownSchool(let id): return "school '\(id)' is not in the registry"
        case .unknownKey(let f): return "no key with fingerprint \(f) for that school"
        case .duplicateKey: return "this public key is already registered"
        }
    }
}

extension Store {
    /// Registers a school's public key. With `rotate`, the school's other active keys are revoked
    /// in the same transaction.
    ///
    /// - Returns: the fingerprints of the keys it revoked.
    @discardableResult
    public func registerKey(
        school: String, publicKey: Data, fingerprint: String, origin: String, rotate: Bool = true, at date: Date = Date()
    ) throws -> [String] {
        try database.write { db in
            try Store.registerKey(
                school: school, publicKey: publicKey, fingerprint: fingerprint, origin: origin, rotate: rotate, at: date, db: db)
        }
    }

    static func registerKey(
        school: String, publicKey: Data, fingerprint: String, origin: String, rotate: Bool, at date: Date, db: Database
    ) throws -> [String] {
        do {
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM school WHERE id = ?", arguments: [school]) != nil else {
                throw KeyError.unknownSchool(school)
            }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM school_key WHERE fingerprint = ?", arguments: [fingerprint]) == nil else {
                throw KeyError.duplicateKey(fingerprint)
            }
            var revoked: [String] = []
            if rotate {
                revoked = try String.fetchAll(
                    db, sql: "SELECT fingerprint FROM school_key WHERE school_id = ? AND revoked_at IS NULL", arguments: [school])
                try db.execute(
                    sql: "UPDATE school_key SET revoked_at = ? WHERE school_id = ? AND revoked_at IS NULL",
                    arguments: [timestamp(date), school])
            }
            try db.execute(
                sql: "INSERT INTO school_key (fingerprint, school_id, public_key, origin, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [fingerprint, school, publicKey, origin, timestamp(date)])
            return revoked
        }
    }

    /// Undoes several registrations in one transaction (see ``undoKeyRegistration(fingerprint:unrevoke:)``).
    public func undoKeyRegistrations(_ undo: [(fingerprint: String, unrevoke: [String])]) throws {
        try database.write { db in
            for u in undo {
                guard
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM submission WHERE key_fingerprint = ?", arguments: [u.fingerprint]) == 0
                else { continue }
                try db.execute(sql: "DELETE FROM school_key WHERE fingerprint = ?", arguments: [u.fingerprint])
                for f in u.unrevoke { try db.execute(sql: "UPDATE school_key SET revoked_at = NULL WHERE fingerprint = ?", arguments: [f]) }
            }
        }
    }

    /// Undoes ``registerKey(school:publicKey:fingerprint:origin:rotate:at:)`` when its file could
    /// not be written: deletes the new key (no package can carry it yet) and makes the keys it
    /// revoked valid again.
    public func undoKeyRegistration(fingerprint: String, unrevoke: [String]) throws {
        try database.write { db in
            guard try Int.fetchOne(db, sql: "SELECT count(*) FROM submission WHERE key_fingerprint = ?", arguments: [fingerprint]) == 0
            else { return }
            try db.execute(sql: "DELETE FROM school_key WHERE fingerprint = ?", arguments: [fingerprint])
            for f in unrevoke { try db.execute(sql: "UPDATE school_key SET revoked_at = NULL WHERE fingerprint = ?", arguments: [f]) }
        }
    }

    /// Revokes one key of a school, or all its active keys (fingerprint nil). Returns how many.
    @discardableResult
    public func revokeKeys(school: String, fingerprint: String? = nil, at date: Date = Date()) throws -> Int {
        try database.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM school WHERE id = ?", arguments: [school]) != nil else {
                throw KeyError.unknownSchool(school)
            }
            if let fingerprint {
                try db.execute(
                    sql: "UPDATE school_key SET revoked_at = ? WHERE school_id = ? AND fingerprint = ? AND revoked_at IS NULL",
                    arguments: [timestamp(date), school, fingerprint])
                if db.changesCount == 0 { throw KeyError.unknownKey(fingerprint) }
            } else {
                try db.execute(
                    sql: "UPDATE school_key SET revoked_at = ? WHERE school_id = ? AND revoked_at IS NULL",
                    arguments: [timestamp(date), school])
            }
            return db.changesCount
        }
    }

    /// The key with this fingerprint, whoever it belongs to.
    public func key(fingerprint: String) throws -> SchoolKey? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM school_key WHERE fingerprint = ?", arguments: [fingerprint]).map(SchoolKey.init(row:))
        }
    }

    /// Every key fingerprint → key (for verifying many packages without a query each).
    public func allKeys() throws -> [String: SchoolKey] {
        try database.read { db in
            Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT * FROM school_key").map { ($0["fingerprint"], SchoolKey(row: $0)) })
        }
    }

    /// The keys of one school (or all), newest first.
    public func keys(school: String? = nil) throws -> [SchoolKey] {
        try database.read { db in
            if let school {
                return try Row.fetchAll(
                    db, sql: "SELECT * FROM school_key WHERE school_id = ? ORDER BY created_at DESC, fingerprint", arguments: [school]
                ).map(SchoolKey.init(row:))
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM school_key ORDER BY school_id, created_at DESC").map(SchoolKey.init(row:))
        }
    }

    /// The authority's public key recorded in the store, if any.
    public func authorityPublicKey() throws -> Data? {
        try database.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM store_info WHERE key = 'authority_public_key'").flatMap {
                Data(base64Encoded: $0)
            }
        }
    }

    /// Records the authority's public key (refuses to replace a different one).
    public func setAuthorityPublicKey(_ key: Data) throws {
        try database.write { db in
            try db.execute(
                sql:
                    "INSERT INTO store_info (key, value) VALUES ('authority_public_key', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                arguments: [key.base64EncodedString()])
        }
    }

    /// Records the authority's first public key, refusing when the store has one already (in
    /// the same transaction, so two `keys init` cannot both succeed).
    ///
    /// - Returns: false when a key was there (nothing changed).
    public func setFirstAuthorityPublicKey(_ key: Data) throws -> Bool {
        try database.write { db in
            guard try String.fetchOne(db, sql: "SELECT value FROM store_info WHERE key = 'authority_public_key'") == nil else {
                return false
            }
            try db.execute(
                sql: "INSERT INTO store_info (key, value) VALUES ('authority_public_key', ?)", arguments: [key.base64EncodedString()])
            return true
        }
    }

    /// Registers several schools' new keys in one transaction (all or none), revoking each
    /// school's other active keys unless `rotate` is off; the keys each revoked are noted on the
    /// pending files of `pendingToken` (whose `ref` is the new key), so that recovery can undo a
    /// registration whose file could not be finished.
    ///
    /// - Returns: per new fingerprint, the fingerprints it revoked.
    @discardableResult
    public func registerKeys(
        _ keys: [(school: String, publicKey: Data, fingerprint: String)], origin: String, rotate: Bool, at date: Date = Date(),
        pendingToken: String? = nil
    ) throws -> [String: [String]] {
        try database.write { db in
            var out: [String: [String]] = [:]
            for k in keys {
                let revoked = try Store.registerKey(
                    school: k.school, publicKey: k.publicKey, fingerprint: k.fingerprint, origin: origin, rotate: rotate, at: date, db: db)
                out[k.fingerprint] = revoked
                if let pendingToken {
                    try db.execute(
                        sql: "UPDATE pending_output SET revoked = ? WHERE token = ? AND ref = ?",
                        arguments: [revoked.joined(separator: ","), pendingToken, k.fingerprint])
                }
            }
            return out
        }
    }
}

extension SchoolKey {
    init(row r: Row) {
        self.init(
            fingerprint: r["fingerprint"], schoolID: r["school_id"], publicKey: r["public_key"], origin: r["origin"],
            createdAt: r["created_at"], revokedAt: r["revoked_at"])
    }
}

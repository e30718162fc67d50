import Foundation
import GRDB
import MosaicCodebook

/// A validated submission on its way into the store, with where it came from.
public struct IncomingSubmission: Sendable {
    /// The counts and their school and quarter.
    public var submission: Submission
    /// The file's base name (kept in the store's history, never released).
    public var sourceName: String
    /// `csv`, `json` or `sealed`.
    public var sourceFormat: String
    /// True when it came in a sealed package.
    public var sealed: Bool
    /// For a sealed package: the signing key's fingerprint, the school's sealing time (Unix
    /// seconds, signed) and the package's SHA-256.
    public var keyFingerprint: String?
    /// When the school sealed it (Unix seconds, inside the signature).
    public var sealedAt: Int64?
    /// The package's SHA-256, hex.
    public var packageDigest: String?

    /// Makes the value from its parts.
    public init(
        submission: Submission, sourceName: String, sourceFormat: String, sealed: Bool = false,
        keyFingerprint: String? = nil, sealedAt: Int64? = nil, packageDigest: String? = nil
    ) {
        self.submission = submission
        self.sourceName = sourceName
        self.sourceFormat = sourceFormat
        self.sealed = sealed
        self.keyFingerprint = keyFingerprint
        self.sealedAt = sealedAt
        self.packageDigest = packageDigest
    }
}

/// What the store did with one submission.
public enum RecordOutcome: Sendable, Equatable {
    /// The first submission for its school and quarter.
    case stored(id: Int64)
    /// A correction: it replaced the school's earlier submission for the quarter, which stays in the history.
    case corrected(id: Int64, replaced: Int64)
    /// The very same counts are already the school's current submission: nothing changed.
    case unchanged(id: Int64)
    /// Not stored, with the reason.
    case refused(String)
}

/// One entry of a school's submission history for a quarter.
public struct SubmissionRecord: Sendable, Equatable {
    /// The identifier.
    public var id: Int64
    /// The school's id in the registry.
    public var schoolID: String
    /// The quarter, `YYYY-Qn`.
    public var period: String
    /// The codebook version the counts follow.
    public var codebookVersion: Int
    /// When the authority received it (ISO 8601, UTC).
    public var receivedAt: String
    /// The file's base name (kept in the store's history, never released).
    public var sourceName: String
    /// `csv`, `json` or `sealed`.
    public var sourceFormat: String
    /// True when it came in a sealed package.
    public var sealed: Bool
    /// Affected persons.
    public var persons: Int
    /// The submission that replaced it, if any.
    public var supersededBy: Int64?
    /// True when it arrived after its quarter already had a release (a late report or correction).
    public var late: Bool = false
    /// True for the current submission (not superseded).
    public var isCurrent: Bool { supersededBy == nil }
}

extension Store {
    /// Records a batch of validated submissions in one transaction, each inside its own savepoint
    /// so that one refusal leaves the others intact.
    ///
    /// A submission whose counts equal the school's current one for the quarter changes nothing.
    /// One whose counts equal an earlier, superseded submission is refused as a stale repeat.
    /// Otherwise it becomes the current submission and the previous one is marked superseded.
    public func record(_ batch: [IncomingSubmission], at date: Date = Date()) throws -> [RecordOutcome] {
        let now = timestamp(date)
        return try database.write { db in
            var outcomes: [RecordOutcome] = []
            outcomes.reserveCapacity(batch.count)
            for item in batch {
                var outcome = RecordOutcome.refused("not recorded")
                do {
                    try db.inSavepoint {
                        outcome = try Store.recordOne(item, now: now, db: db)
                        if case .refused = outcome { return .rollback }
                        return .commit
                    }
                } catch let e as DatabaseError {
                    outcome = .refused("the store refused it (\(e.resultCode))")
                }
                outcomes.append(outcome)
            }
            return outcomes
        }
    }

    private static func recordOne(_ item: IncomingSubmission, now: String, db: Database) throws -> RecordOutcome {
        let s = item.submission
        let codebook = try Codebook.bundled(version: s.codebookVersion)
        let history = try db.cachedStatement(
            sql: """
                SELECT id, superseded_by, codebook_version, sealed_at, key_fingerprint, package_digest FROM submission
                WHERE school_id = ? AND period = ? ORDER BY id DESC
                """)
        let previous = try Row.fetchAll(history, arguments: [s.schoolID, s.period.description])
        let current: Int64? = previous.first { ($0["superseded_by"] as Int64?) == nil }?["id"]
        // Order, never content: a package is known by its own identity (its digest); packages of
        // one signing key are ordered by their sealing time (the school's clock, bounded when the
        // package was opened); across keys, and for unsealed files, by the order of ingest. A
        // package sealed after the current submission is a correction whatever its counts, so a
        // school can always go back to earlier numbers by sealing them again.
        if let digest = item.packageDigest, let same = previous.first(where: { ($0["package_digest"] as String?) == digest }) {
            if (same["superseded_by"] as Int64?) == nil { return .unchanged(id: same["id"]) }
            return .refused(
                "this very package was ingested before and a later submission replaced it; to go back to these counts the school seals them again"
            )
        }
        if let sealedAt = item.sealedAt {
            let quarterStart = Int64(s.period.startDate.timeIntervalSince1970)
            guard sealedAt >= quarterStart - SealingClock.tolerance else {
                return .refused(
                    "it was sealed before its quarter began, by the school's clock; ask the school to check its computer's date and seal again"
                )
            }
            let sameKey = previous.filter { item.keyFingerprint != nil && ($0["key_fingerprint"] as String?) == item.keyFingerprint }
            if let newest = sameKey.compactMap({ $0["sealed_at"] as Int64? }).max(), sealedAt <= newest {
                return .refused(
                    "it was sealed before the school's newer sealed submission for this quarter; an older version cannot replace a newer one"
                )
            }
        } else if let current, let row = previous.first(where: { ($0["id"] as Int64) == current }),
            (row["codebook_version"] as Int) == s.codebookVersion,
            try counts(of: current, cellCount: codebook.allCells.count, db: db) == s.counts
        {
            // The same unsealed file again: nothing to change.
            return .unchanged(id: current)
        }
        let persons = codebook.total(of: codebook.rules.equalTotals.first ?? codebook.tables[0].name, in: s.counts)
        // Supersede the old submission before inserting the new one, so that the unique index on
        // current submissions always holds; the foreign key is checked at commit.
        let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(id), 0) + 1 FROM submission"))!
        if let current {
            try db.cachedStatement(sql: "UPDATE submission SET superseded_by = ? WHERE id = ?").execute(arguments: [id, current])
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO submission (id, school_id, period, codebook_version, received_at, source_name, source_format, sealed, persons,
                  key_fingerprint, sealed_at, package_digest, late)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, EXISTS (SELECT 1 FROM release_spend WHERE period = ?))
                """
        ).execute(arguments: [
            id, s.schoolID, s.period.description, s.codebookVersion, now, item.sourceName, item.sourceFormat, item.sealed, persons,
            item.keyFingerprint, item.sealedAt, item.packageDigest, s.period.description,
        ])
        let insertCount = try db.cachedStatement(
            sql: "INSERT INTO submission_count (submission_id, cell_index, table_name, cell, count) VALUES (?, ?, ?, ?, ?)")
        for (i, c) in s.counts.enumerated() where c != 0 {
            let cell = codebook.allCells[i]
            try insertCount.execute(arguments: [id, i, cell.table, cell.code, c])
        }
        return current.map { .corrected(id: id, replaced: $0) } ?? .stored(id: id)
    }

    private static func counts(of submission: Int64, cellCount: Int, db: Database) throws -> [Int] {
        var v = [Int](repeating: 0, count: cellCount)
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT cell_index, count FROM submission_count WHERE submission_id = ?"), arguments: [submission])
        while let r = try rows.next() {
            let i: Int = r[0]
            if i < cellCount { v[i] = r[1] }
        }
        return v
    }

    /// The full counts vector of one stored submission.
    public func counts(ofSubmission id: Int64) throws -> [Int] {
        try database.read { db in
            guard let version = try Int.fetchOne(db, sql: "SELECT codebook_version FROM submission WHERE id = ?", arguments: [id]) else {
                return []
            }
            return try Store.counts(of: id, cellCount: try Codebook.bundled(version: version).allCells.count, db: db)
        }
    }

    /// Every submission for a school and quarter, oldest first.
    public func history(school: String, period: Period) throws -> [SubmissionRecord] {
        try database.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM submission WHERE school_id = ? AND period = ? ORDER BY id", arguments: [school, period.description]
            ).map(SubmissionRecord.init(row:))
        }
    }

    /// How many submissions the store holds: all of them, and the current ones.
    public func submissionCounts() throws -> (all: Int, current: Int) {
        try database.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM submission")!,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM submission WHERE superseded_by IS NULL")!
            )
        }
    }

    /// The quarters for which the store holds at least one submission, oldest first.
    public func periods() throws -> [Period] {
        try database.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT period FROM submission ORDER BY period").compactMap { Period($0) }
        }
    }
}

extension SubmissionRecord {
    init(row r: Row) {
        self.init(
            id: r["id"], schoolID: r["school_id"], period: r["period"], codebookVersion: r["codebook_version"],
            receivedAt: r["received_at"], sourceName: r["source_name"], sourceFormat: r["source_format"],
            sealed: r["sealed"], persons: r["persons"], supersededBy: r["superseded_by"], late: r["late"])
    }
}

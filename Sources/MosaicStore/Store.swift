import Foundation
import GRDB
import MosaicCodebook
import MosaicFiles

/// The regional authority's raw store: one SQLite file holding the school registry and every
/// submission with its history.
///
/// The store is the only place raw counts live. It is created with file mode 0600 and opened
/// in WAL mode; its schema is built by named, append-only migrations and carries its own
/// constraints. Every write is one transaction.
///
/// ```swift
/// let store = try Store.create(at: "mosaic.sqlite")
/// try store.importRegistry(schools, source: "registry.csv")
/// ```
public final class Store: Sendable {
    /// The database connection pool: the store's own (tests of this package may read it); other modules use the store's methods.
    package let database: DatabasePool
    /// The file path.
    public let path: String

    private init(path: String, database: DatabasePool) {
        self.path = path
        self.database = database
    }

    /// Creates a new, empty store at `path` (mode 0600) and builds its schema.
    ///
    /// - Throws: ``StoreError/alreadyExists(_:)`` when a file is already there.
    public static func create(at path: String) throws -> Store {
        // Built under a temporary name and given its name only when its schema is complete, so a
        // killed `init` leaves no half-made store in the way.
        do { try AtomicFile.check([path]) } catch let e as OutputError {
            switch e {
            case .exists: throw StoreError.alreadyExists(path)
            case .folderMissing: throw StoreError.cannotOpen(path, "its folder does not exist")
            default: throw StoreError.cannotOpen(path, e.errorDescription ?? "it cannot be written")
            }
        }
        let temporary: String
        do { temporary = try AtomicFile.createTemporary(for: path) } catch {
            throw StoreError.cannotOpen(path, "the file cannot be created")
        }
        do {
            let building = try openExisting(temporary)
            try building.database.close()
            for suffix in ["-wal", "-shm"] { AtomicFile.remove(temporary + suffix) }
            try AtomicFile.publish(temporary: temporary, to: path, mode: 0o600)
        } catch {
            for suffix in ["", "-wal", "-shm"] { AtomicFile.remove(temporary + suffix) }
            if case OutputError.exists = error { throw StoreError.alreadyExists(path) }
            throw error
        }
        return try openExisting(path)
    }

    /// Opens an existing store and brings its schema up to date.
    ///
    /// - Throws: ``StoreError/missing(_:)`` when there is no file, ``StoreError/notAStore(_:)``
    ///   when the file is not a Mosaic store.
    public static func open(at path: String) throws -> Store {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.missing(path) }
        return try openExisting(path)
    }

    private static func openExisting(_ path: String) throws -> Store {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(30)
        config.label = "mosaic-store"
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw StoreError.notAStore(path)
        }
        // Every commit reaches the disk before the command goes on (in WAL mode FULL syncs the
        // log at each commit; GRDB sets NORMAL when it opens the pool's one writer, so this comes
        // after): the ledger is on disk before a release file is named, and a power cut never
        // loses a spending, a key or a submission that a command already reported.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let isEmpty = try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master")! == 0 }
        if !isEmpty {
            let isMosaic = try pool.read { db in
                try db.tableExists("store_info")
                    && (try String.fetchOne(db, sql: "SELECT value FROM store_info WHERE key = 'format'")) == Store.format
            }
            guard isMosaic else { throw StoreError.notAStore(path) }
        }
        try Store.migrator.migrate(pool)
        // Keep the raw store private, whatever the umask was when it was made.
        try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return Store(path: path, database: pool)
    }

    /// The value of `store_info.format` that marks a Mosaic store.
    public static let format = "mosaic-store"

    /// True if the file at `path` looks like a Mosaic raw store (used by tools that must refuse it).
    public static func isStore(at path: String) -> Bool {
        guard
            let q = try? DatabaseQueue(
                path: path,
                configuration: {
                    var c = Configuration()
                    c.readonly = true
                    return c
                }())
        else { return false }
        return
            (try? q.read { db in
                try db.tableExists("store_info")
                    && (try String.fetchOne(db, sql: "SELECT value FROM store_info WHERE key = 'format'")) == Store.format
            }) ?? false
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("createStoreInfo") { db in
            try db.execute(
                sql: """
                    CREATE TABLE store_info (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                    INSERT INTO store_info (key, value) VALUES ('format', '\(Store.format)');
                    INSERT INTO store_info (key, value) VALUES ('created_at', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
                    """)
        }
        m.registerMigration("createRegistry") { db in
            try db.execute(
                sql: """
                    CREATE TABLE registry_import (
                      id INTEGER PRIMARY KEY,
                      imported_at TEXT NOT NULL,
                      source_name TEXT NOT NULL,
                      schools_added INTEGER NOT NULL CHECK (schools_added >= 0),
                      schools_updated INTEGER NOT NULL CHECK (schools_updated >= 0),
                      schools_closed INTEGER NOT NULL CHECK (schools_closed >= 0),
                      schools_reopened INTEGER NOT NULL CHECK (schools_reopened >= 0)
                    );
                    CREATE TABLE school (
                      id TEXT PRIMARY KEY NOT NULL CHECK (length(id) BETWEEN 1 AND 40),
                      name TEXT NOT NULL CHECK (name <> ''),
                      region_code TEXT NOT NULL CHECK (region_code <> ''),
                      region_name TEXT NOT NULL,
                      province_code TEXT NOT NULL CHECK (province_code <> ''),
                      province_name TEXT NOT NULL,
                      municipality_code TEXT NOT NULL DEFAULT '',
                      municipality_name TEXT NOT NULL DEFAULT '',
                      enrolment INTEGER NOT NULL CHECK (enrolment >= 0),
                      stage TEXT NOT NULL CHECK (stage IN ('primary', 'secondary', 'combined', 'special', 'other')),
                      sector TEXT NOT NULL CHECK (sector IN ('public', 'charter', 'private')),
                      is_open INTEGER NOT NULL DEFAULT 1 CHECK (is_open IN (0, 1)),
                      first_import_id INTEGER NOT NULL REFERENCES registry_import(id),
                      last_import_id INTEGER NOT NULL REFERENCES registry_import(id)
                    );
                    CREATE INDEX school_region ON school(region_code, province_code);
                    """)
        }
        m.registerMigration("createSubmissions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE submission (
                      id INTEGER PRIMARY KEY,
                      school_id TEXT NOT NULL REFERENCES school(id),
                      period TEXT NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]'),
                      codebook_version INTEGER NOT NULL CHECK (codebook_version >= 1),
                      received_at TEXT NOT NULL,
                      source_name TEXT NOT NULL,
                      source_format TEXT NOT NULL CHECK (source_format IN ('csv', 'json', 'sealed')),
                      sealed INTEGER NOT NULL DEFAULT 0 CHECK (sealed IN (0, 1)),
                      persons INTEGER NOT NULL CHECK (persons >= 0),
                      superseded_by INTEGER REFERENCES submission(id) DEFERRABLE INITIALLY DEFERRED
                    );
                    CREATE UNIQUE INDEX submission_current ON submission(school_id, period) WHERE superseded_by IS NULL;
                    CREATE INDEX submission_period ON submission(period, school_id);
                    -- Only non-zero counts are stored; every other cell of the codebook is zero.
                    CREATE TABLE submission_count (
                      submission_id INTEGER NOT NULL REFERENCES submission(id),
                      cell_index INTEGER NOT NULL CHECK (cell_index >= 0),
                      table_name TEXT NOT NULL,
                      cell TEXT NOT NULL,
                      count INTEGER NOT NULL CHECK (count > 0),
                      PRIMARY KEY (submission_id, cell_index)
                    ) WITHOUT ROWID;
                    CREATE VIEW current_submission AS SELECT * FROM submission WHERE superseded_by IS NULL;
                    """)
        }
        m.registerMigration("createReleasesAndLedger") { db in
            try db.execute(
                sql: """
                    -- Per-quarter caps of total ρ (nano-ρ, ρ × 10⁹); quarters without a row use the default.
                    CREATE TABLE budget_cap (
                      period TEXT PRIMARY KEY NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]'),
                      cap_nano INTEGER NOT NULL CHECK (cap_nano >= 0),
                      set_at TEXT NOT NULL
                    );
                    INSERT INTO store_info (key, value) VALUES ('default_rho_cap_nano', '\(Store.defaultCapNano)');
                    -- A release: its public parameters. Its ρ is the ledger entry for its quarter.
                    CREATE TABLE release (
                      id TEXT PRIMARY KEY NOT NULL,
                      period TEXT NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]'),
                      created_at TEXT NOT NULL,
                      codebook_version INTEGER NOT NULL,
                      rho_nano INTEGER NOT NULL CHECK (rho_nano > 0),
                      k INTEGER NOT NULL CHECK (k >= 1),
                      min_schools INTEGER NOT NULL CHECK (min_schools >= 1),
                      metadata_json TEXT NOT NULL
                    );
                    CREATE INDEX release_period ON release(period);
                    -- The noisy measurements, drawn once per release (never released themselves).
                    CREATE TABLE release_measurement (
                      release_id TEXT NOT NULL REFERENCES release(id),
                      unit INTEGER NOT NULL,
                      cell_index INTEGER NOT NULL,  -- -1 for the total of affected persons
                      noisy INTEGER NOT NULL,
                      PRIMARY KEY (release_id, unit, cell_index)
                    ) WITHOUT ROWID;
                    -- The published rows, exactly as written to the release file.
                    CREATE TABLE release_row (
                      release_id TEXT NOT NULL REFERENCES release(id),
                      ordinal INTEGER NOT NULL,
                      level TEXT NOT NULL, geo_code TEXT NOT NULL, geo_name TEXT NOT NULL,
                      table_name TEXT NOT NULL, cell TEXT NOT NULL,
                      value INTEGER, moe95 REAL,
                      status TEXT NOT NULL CHECK (status IN ('published', 'suppressed')),
                      PRIMARY KEY (release_id, ordinal)
                    ) WITHOUT ROWID;
                    """)
        }
        m.registerMigration("createSchoolKeysAndSealing") { db in
            try db.execute(
                sql: """
                    -- Schools' Ed25519 public keys for sealed packages. Private keys never enter the store.
                    CREATE TABLE school_key (
                      fingerprint TEXT PRIMARY KEY NOT NULL CHECK (length(fingerprint) = 16),
                      school_id TEXT NOT NULL REFERENCES school(id),
                      public_key BLOB NOT NULL CHECK (length(public_key) = 32),
                      origin TEXT NOT NULL CHECK (origin IN ('issued', 'registered')),
                      created_at TEXT NOT NULL,
                      revoked_at TEXT
                    );
                    CREATE INDEX school_key_school ON school_key(school_id);
                    ALTER TABLE submission ADD COLUMN key_fingerprint TEXT;
                    ALTER TABLE submission ADD COLUMN sealed_at INTEGER;
                    ALTER TABLE submission ADD COLUMN package_digest TEXT;
                    """)
        }
        m.registerMigration("createReleaseReplicates") { db in
            try db.execute(
                sql: """
                    -- Bootstrap replicates of each release's errors (post-processing, for margins of sums).
                    CREATE TABLE release_replicate (
                      release_id TEXT NOT NULL REFERENCES release(id),
                      replicate INTEGER NOT NULL,
                      errors BLOB NOT NULL,
                      PRIMARY KEY (release_id, replicate)
                    ) WITHOUT ROWID;
                    """)
        }
        m.registerMigration("dropReplicatesFromHiddenValues") { db in
            // Replicates made before this migration were simulated from the whole numbers before
            // the k-threshold, so they revealed suppressed values. They are deleted: exports of
            // those releases carry no replicates, and sums fall back to the error model.
            try db.execute(sql: "DELETE FROM release_replicate")
        }
        m.registerMigration("createPendingOutputs") { db in
            try db.execute(
                sql: """
                    -- Files a command is writing under a temporary name, claimed before the command changes
                    -- anything: a killed command is finished (its release or key was committed) or undone.
                    CREATE TABLE pending_output (
                      final_path TEXT PRIMARY KEY NOT NULL,
                      temporary_path TEXT NOT NULL,
                      kind TEXT NOT NULL CHECK (kind IN ('release', 'credentials')),
                      token TEXT NOT NULL,
                      ref TEXT,
                      owner_pid INTEGER NOT NULL,
                      owner_start TEXT NOT NULL,
                      created_at TEXT NOT NULL
                    );
                    CREATE INDEX pending_output_token ON pending_output(token);
                    """)
        }
        m.registerMigration("createBudgetCapChanges") { db in
            try db.execute(
                sql: """
                    -- Every change of a cap of total ρ, with its time and old and new value: the ledger's own history.
                    CREATE TABLE budget_cap_change (
                      id INTEGER PRIMARY KEY,
                      changed_at TEXT NOT NULL,
                      period TEXT CHECK (period IS NULL OR period GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]'),  -- NULL: the default
                      old_nano INTEGER NOT NULL CHECK (old_nano >= 0),
                      new_nano INTEGER NOT NULL CHECK (new_nano >= 0)
                    );
                    """)
        }
        m.registerMigration("flagLateSubmissions") { db in
            // 1 when the submission arrived after its quarter already had a release: its counts
            // reach only later releases, and an incident counted again costs both quarters' ρ.
            try db.execute(sql: "ALTER TABLE submission ADD COLUMN late INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1))")
        }
        m.registerMigration("recordSuppressionReasons") { db in
            // Withheld rows now say why (below_k, small_area, complementary). Rows of releases made
            // before keep 'suppressed': their reason was not recorded.
            try db.execute(
                sql: """
                    CREATE TABLE release_row_new (
                      release_id TEXT NOT NULL REFERENCES release(id),
                      ordinal INTEGER NOT NULL,
                      level TEXT NOT NULL, geo_code TEXT NOT NULL, geo_name TEXT NOT NULL,
                      table_name TEXT NOT NULL, cell TEXT NOT NULL,
                      value INTEGER, moe95 REAL,
                      status TEXT NOT NULL CHECK (status IN ('published', 'below_k', 'small_area', 'complementary', 'suppressed')),
                      PRIMARY KEY (release_id, ordinal)
                    ) WITHOUT ROWID;
                    INSERT INTO release_row_new SELECT * FROM release_row;
                    DROP TABLE release_row;
                    ALTER TABLE release_row_new RENAME TO release_row;
                    """)
        }
        m.registerMigration("createReleaseSpendForPooledReleases") { db in
            // The ledger per quarter: a release spends its ρ on every quarter it covers (one for a
            // quarterly release, several for a pooled one). A pooled release keeps its last
            // quarter in release.period and its first in release.first_period.
            try db.execute(
                sql: """
                    CREATE TABLE release_spend (
                      release_id TEXT NOT NULL REFERENCES release(id),
                      period TEXT NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]'),
                      rho_nano INTEGER NOT NULL CHECK (rho_nano > 0),
                      PRIMARY KEY (release_id, period)
                    ) WITHOUT ROWID;
                    CREATE INDEX release_spend_period ON release_spend (period);
                    INSERT INTO release_spend (release_id, period, rho_nano) SELECT id, period, rho_nano FROM release;
                    ALTER TABLE release ADD COLUMN first_period TEXT
                      CHECK (first_period IS NULL OR first_period GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]');
                    """)
        }
        m.registerMigration("pendingOutputsForKeysAndModes") { db in
            // The journal of files being written also covers the authority's key files, and
            // keeps each file's mode and the keys a credential run revoked (so that recovery can
            // undo a registration whose file could not be finished).
            try db.execute(
                sql: """
                    CREATE TABLE pending_output_new (
                      final_path TEXT PRIMARY KEY NOT NULL,
                      temporary_path TEXT NOT NULL,
                      kind TEXT NOT NULL CHECK (kind IN ('release', 'credentials', 'authority_key')),
                      token TEXT NOT NULL,
                      ref TEXT,
                      owner_pid INTEGER NOT NULL,
                      owner_start TEXT NOT NULL,
                      created_at TEXT NOT NULL,
                      mode INTEGER NOT NULL DEFAULT 420 CHECK (mode IN (384, 420)),
                      revoked TEXT NOT NULL DEFAULT ''
                    );
                    INSERT INTO pending_output_new (final_path, temporary_path, kind, token, ref, owner_pid, owner_start, created_at, mode)
                      SELECT final_path, temporary_path, kind, token, ref, owner_pid, owner_start, created_at,
                             CASE kind WHEN 'credentials' THEN 384 ELSE 420 END FROM pending_output;
                    DROP TABLE pending_output;
                    ALTER TABLE pending_output_new RENAME TO pending_output;
                    CREATE INDEX pending_output_token ON pending_output(token);
                    """)
        }
        m.registerMigration("recordReleasesThatFailedAfterTheirNoise") { db in
            // A release whose protection (suppression or its audit) fails after its noise was
            // drawn is recorded, spends its ρ, and has no rows: the failure depends on the noise.
            try db.execute(sql: "ALTER TABLE release ADD COLUMN failure TEXT")
        }
        m.registerMigration("freezeEachQuartersReporting") { db in
            // A quarter's first release fixes which schools its releases count (a school that
            // reports later reaches none of them) and draws the noisy reporting counts its
            // coverage is published from, once: every release of the quarter says the same.
            try db.execute(
                sql: """
                    CREATE TABLE quarter_frozen (
                      period TEXT PRIMARY KEY CHECK (period GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]'),
                      release_id TEXT NOT NULL,
                      frozen_at TEXT NOT NULL,
                      min_schools INTEGER NOT NULL CHECK (min_schools >= 1)  -- the quarter's small-area minimum for reporting
                    );
                    CREATE TABLE quarter_registry (  -- the open schools when the quarter was frozen, and which were counted
                      period TEXT NOT NULL REFERENCES quarter_frozen(period),
                      school_id TEXT NOT NULL,
                      province_code TEXT NOT NULL,
                      stage TEXT NOT NULL,
                      sector TEXT NOT NULL,
                      counted INTEGER NOT NULL CHECK (counted IN (0, 1)),
                      PRIMARY KEY (period, school_id)
                    ) WITHOUT ROWID;
                    CREATE TABLE quarter_coverage (
                      period TEXT NOT NULL REFERENCES quarter_frozen(period),
                      level TEXT NOT NULL CHECK (level IN ('country', 'region', 'province')),
                      geo_code TEXT NOT NULL,
                      registered INTEGER NOT NULL CHECK (registered >= 0),
                      noisy INTEGER NOT NULL,
                      PRIMARY KEY (period, level, geo_code)
                    ) WITHOUT ROWID;
                    """)
        }
        m.registerMigration("keepTheRegistrysHistory") { db in
            // The registry as of each quarter: a school's facts hold from `from_period` until its
            // next row. The store has no dates for what it already holds, so today's facts are
            // seeded as holding since the beginning ('0000-Q1'): every stored quarter reads
            // exactly as before. Imports add rows from the quarter they take effect.
            try db.execute(
                sql: """
                    CREATE TABLE school_history (
                      school_id TEXT NOT NULL,
                      from_period TEXT NOT NULL CHECK (from_period GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]'),
                      name TEXT NOT NULL,
                      region_code TEXT NOT NULL,
                      region_name TEXT NOT NULL,
                      province_code TEXT NOT NULL,
                      province_name TEXT NOT NULL,
                      municipality_code TEXT NOT NULL,
                      municipality_name TEXT NOT NULL,
                      enrolment INTEGER NOT NULL CHECK (enrolment >= 0),
                      stage TEXT NOT NULL,
                      sector TEXT NOT NULL,
                      is_open INTEGER NOT NULL CHECK (is_open IN (0, 1)),
                      import_id INTEGER NOT NULL,
                      PRIMARY KEY (school_id, from_period)
                    ) WITHOUT ROWID;
                    INSERT INTO school_history
                      SELECT id, '\(Store.beginning)', name, region_code, region_name, province_code, province_name, municipality_code,
                        municipality_name, enrolment, stage, sector, is_open, last_import_id FROM school;
                    """)
        }
        return m
    }

    /// The first quarter of the registry's history: facts seeded from a store made before the
    /// history was kept hold from here.
    public static let beginning = "0000-Q1"

    /// The default cap of total ρ per quarter of data: 2 (two releases at the default ρ = 1).
    public static let defaultCapNano: UInt64 = 2_000_000_000
}

/// Errors opening or using the store. Messages name the store file, never its content.
public enum StoreError: Error, LocalizedError, Equatable {
    case alreadyExists(String)
    case missing(String)
    case notAStore(String)
    case cannotOpen(String, String)

    /// A message for people: what went wrong and, where it helps, what to do.
    public var errorDescription: String? {
        switch self {
        case .alreadyExists(let p): return "\(p): a file already exists there; choose another path or remove it"
        case .missing(let p): return "\(p): no store here; create one with 'mosaic init' (or name another with --store or MOSAIC_STORE)"
        case .notAStore(let p): return "\(p): not a Mosaic store"
        case .cannotOpen(let p, let why): return "\(p): cannot create the store: \(why)"
        }
    }
}

/// The current time as an ISO 8601 UTC string, as the store records it.
func timestamp(_ date: Date = Date()) -> String { Timestamp.utc(date) }

import Foundation
import GRDB
import MosaicCodebook
import MosaicRegistry

extension Store {
    /// The true counts of a quarter summed per province over current submissions: the only
    /// input of the privacy engine. Never print, log or release this.
    ///
    /// - Returns: province code → counts indexed like ``Codebook/allCells``, and how many
    ///   current submissions went in.
    static func provinceTotals(period: Period, codebook: Codebook, db: Database) throws -> (
        byProvince: [String: [Int]], submissions: Int, byDomain: [String: [String: [String: [Int]]]]
    ) {
        var out: [String: [Int]] = [:]
        // Per province, stage and sector: the domain breakdowns come from the same pass.
        var byDomain: [String: [String: [String: [Int]]]] = [:]
        let zero = [Int](repeating: 0, count: codebook.allCells.count)
        // The registry's dimensions are its columns of the same names (``RegistryDimension``).
        let dimensions = RegistryDimension.all.map(\.name)
        let columns = dimensions.map { "s." + $0 }.joined(separator: ", ")
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT s.province_code, c.cell_index, sum(c.count), sub.codebook_version, \(columns)
                FROM submission sub
                JOIN submission_count c ON c.submission_id = sub.id
                JOIN \(Store.registryAsOf) s ON s.school_id = sub.school_id
                WHERE sub.period = ? AND sub.superseded_by IS NULL AND \(Store.counted)
                GROUP BY s.province_code, \(columns), sub.codebook_version, c.cell_index
                """, arguments: [period.description, period.description])
        // Each submission read in the release's version: its own, or through the declared mapping.
        let readings = Store.readings(codebook, versions: try Store.codebookVersions(period: period, db: db).keys)
        while let r = try rows.next() {
            let province: String = r[0]
            let version: Int = r[3]
            let source: Int = r[1]
            guard let map = readings[version], source >= 0, source < map.count else { continue }
            let index = map[source]
            let count: Int = r[2]
            out[province, default: zero][index] += count
            for (i, d) in dimensions.enumerated() {
                let value: String = r[4 + i]
                byDomain[d, default: [:]][province, default: [:]][value, default: zero][index] += count
            }
        }
        let submissions = try Store.codebookVersions(period: period, db: db).filter { readings[$0.key] != nil }.values.reduce(0, +)
        return (out, submissions, byDomain)
    }

    /// For each stored version the release's codebook can read, where each of its cells goes
    /// (``Codebook/reading(from:)``); versions it cannot read are left out.
    static func readings(_ codebook: Codebook, versions: some Sequence<Int>) -> [Int: [Int]] {
        var out: [Int: [Int]] = [:]
        for v in versions {
            guard let old = try? Codebook.bundled(version: v), let map = try? codebook.reading(from: old) else { continue }
            out[v] = map
        }
        return out
    }

    /// SQL over a current submission `sub` of the codebook released: whether a release counts
    /// it. Once its quarter is frozen, when its school was counted then (a school that first
    /// reported after the quarter's first release reaches none of its releases; one counted
    /// then and closed since still counts); before, when its school is open in the registry as of
    /// the submission's quarter. The one definition
    /// of "counted" for values, small areas and coverage alike.
    static let counted = """
        (CASE WHEN EXISTS (SELECT 1 FROM quarter_frozen f WHERE f.period = sub.period)
         THEN EXISTS (SELECT 1 FROM quarter_registry q WHERE q.period = sub.period AND q.school_id = sub.school_id AND q.counted = 1)
         ELSE EXISTS (SELECT 1 FROM school_history o WHERE o.school_id = sub.school_id AND o.is_open = 1
           AND o.from_period = (SELECT max(x.from_period) FROM school_history x WHERE x.school_id = sub.school_id AND x.from_period <= sub.period)) END)
        """

    /// The minimum number of reporting schools below which a unit or part of a quarter frozen
    /// now is a small area: the store's policy (`store_info.reporting_min_schools`), else
    /// ``defaultReportingMinimum``. A policy, set before the data, so that no release's choice
    /// (and no retry after a refusal) shapes what a quarter says about reporting.
    static func reportingMinimum(db: Database) throws -> Int {
        let own = try String.fetchOne(db, sql: "SELECT value FROM store_info WHERE key = 'reporting_min_schools'").flatMap { Int($0) }
        return own.map { max(1, min($0, 1000)) } ?? defaultReportingMinimum
    }

    /// The default minimum of reporting schools (the default `--min-schools`).
    public static let defaultReportingMinimum = 5

    /// The ρ cap of a quarter (nano-ρ): its own, else the store's default.
    static func capNano(period: Period, db: Database) throws -> UInt64 {
        if let own = try Int64.fetchOne(db, sql: "SELECT cap_nano FROM budget_cap WHERE period = ?", arguments: [period.description]) {
            return UInt64(own)
        }
        return UInt64(try String.fetchOne(db, sql: "SELECT value FROM store_info WHERE key = 'default_rho_cap_nano'") ?? "")
            ?? Store.defaultCapNano
    }

    /// The ρ already spent on a quarter by the releases that cover it, quarterly and pooled (nano-ρ).
    static func spentNano(period: Period, db: Database) throws -> UInt64 {
        UInt64(
            try Int64.fetchOne(
                db, sql: "SELECT coalesce(sum(rho_nano), 0) FROM release_spend WHERE period = ?", arguments: [period.description])
                ?? 0)
    }

    /// Sets the ρ cap of one quarter, or the default for every quarter without its own (period
    /// nil), and records the change (time, old and new value) in the same transaction.
    ///
    /// - Throws: ``CapError/belowSpent(period:spentNano:)`` when a quarter the cap would govern
    ///   has already spent more (nothing changes): a cap records a limit, never a fiction.
    public func setCap(nano: UInt64, period: Period?, at date: Date = Date()) throws {
        try database.write { db in
            let governed: [Period]
            if let period {
                governed = [period]
            } else {
                governed = try String.fetchAll(
                    db,
                    sql: "SELECT DISTINCT period FROM release_spend WHERE period NOT IN (SELECT period FROM budget_cap) ORDER BY period"
                ).compactMap { Period($0) }
            }
            for q in governed {
                let spent = try Store.spentNano(period: q, db: db)
                if spent > nano { throw CapError.belowSpent(period: q.description, spentNano: spent) }
            }
            let old: UInt64
            if let period {
                old = try Store.capNano(period: period, db: db)
                try db.execute(
                    sql:
                        "INSERT INTO budget_cap (period, cap_nano, set_at) VALUES (?, ?, ?) ON CONFLICT(period) DO UPDATE SET cap_nano = excluded.cap_nano, set_at = excluded.set_at",
                    arguments: [period.description, Int64(nano), timestamp(date)])
            } else {
                old =
                    UInt64(try String.fetchOne(db, sql: "SELECT value FROM store_info WHERE key = 'default_rho_cap_nano'") ?? "")
                    ?? Store.defaultCapNano
                try db.execute(sql: "UPDATE store_info SET value = ? WHERE key = 'default_rho_cap_nano'", arguments: [String(nano)])
            }
            try db.execute(
                sql: "INSERT INTO budget_cap_change (changed_at, period, old_nano, new_nano) VALUES (?, ?, ?, ?)",
                arguments: [timestamp(date), period?.description, Int64(old), Int64(nano)])
        }
    }

    /// Why a cap was not set.
    public enum CapError: Error, LocalizedError, Equatable {
        /// A quarter the cap would govern has spent more already (nano-ρ).
        case belowSpent(period: String, spentNano: UInt64)

        /// A message for people: what went wrong and, where it helps, what to do.
        public var errorDescription: String? {
            switch self {
            case .belowSpent(let period, let spent):
                let rho = Double(spent) / 1e9
                return
                    "refused: \(period) has already spent ρ = \(String(format: "%g", rho)), more than the cap asked; a cap below what is spent would misstate the ledger (nothing was changed)"
            }
        }
    }

    /// One change of a cap, as the ledger records it.
    public struct CapChange: Sendable, Equatable {
        /// When (ISO 8601, UTC).
        public var changedAt: String
        /// The quarter, or nil for the default cap.
        public var period: String?
        /// The cap before, in nano-ρ.
        public var oldNano: UInt64
        /// The cap after, in nano-ρ.
        public var newNano: UInt64
    }

    /// Every cap change, oldest first.
    public func capChanges() throws -> [CapChange] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT changed_at, period, old_nano, new_nano FROM budget_cap_change ORDER BY id").map {
                CapChange(
                    changedAt: $0["changed_at"], period: $0["period"], oldNano: UInt64(max(0, $0["old_nano"] as Int64)),
                    newNano: UInt64(max(0, $0["new_nano"] as Int64)))
            }
        }
    }
}

import GRDB
import MosaicCodebook

extension Store {
    /// The true counts of a quarter summed per province over current submissions: the only
    /// input of the privacy engine. Never print, log or release this.
    ///
    /// - Returns: province code → counts indexed like ``Codebook/allCells``, and how many
    ///   current submissions went in.
    static func provinceTotals(period: Period, codebook: Codebook, db: Database) throws -> (
        byProvince: [String: [Int]], submissions: Int
    ) {
        var out: [String: [Int]] = [:]
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT s.province_code, c.cell_index, sum(c.count)
                FROM submission sub
                JOIN submission_count c ON c.submission_id = sub.id
                JOIN school s ON s.id = sub.school_id
                WHERE sub.period = ? AND sub.superseded_by IS NULL AND sub.codebook_version = ?
                GROUP BY s.province_code, c.cell_index
                """, arguments: [period.description, codebook.version])
        while let r = try rows.next() {
            let province: String = r[0]
            let index: Int = r[1]
            guard index < codebook.allCells.count else { continue }
            out[province, default: [Int](repeating: 0, count: codebook.allCells.count)][index] += r[2] as Int
        }
        let submissions =
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM submission WHERE period = ? AND superseded_by IS NULL", arguments: [period.description]) ?? 0
        return (out, submissions)
    }

    /// The ρ cap of a quarter (nano-ρ): its own, else the store's default.
    static func capNano(period: Period, db: Database) throws -> UInt64 {
        if let own = try Int64.fetchOne(db, sql: "SELECT cap_nano FROM budget_cap WHERE period = ?", arguments: [period.description]) {
            return UInt64(own)
        }
        return UInt64(try String.fetchOne(db, sql: "SELECT value FROM store_info WHERE key = 'default_rho_cap_nano'") ?? "")
            ?? Store.defaultCapNano
    }

    /// The ρ already spent on a quarter by its releases (nano-ρ).
    static func spentNano(period: Period, db: Database) throws -> UInt64 {
        UInt64(
            try Int64.fetchOne(db, sql: "SELECT coalesce(sum(rho_nano), 0) FROM release WHERE period = ?", arguments: [period.description])
                ?? 0)
    }

    /// Sets the ρ cap of one quarter, or the default for every quarter without its own (period nil).
    public func setCap(nano: UInt64, period: Period?) throws {
        try database.write { db in
            if let period {
                try db.execute(
                    sql:
                        "INSERT INTO budget_cap (period, cap_nano, set_at) VALUES (?, ?, ?) ON CONFLICT(period) DO UPDATE SET cap_nano = excluded.cap_nano, set_at = excluded.set_at",
                    arguments: [period.description, Int64(nano), timestamp()])
            } else {
                try db.execute(sql: "UPDATE store_info SET value = ? WHERE key = 'default_rho_cap_nano'", arguments: [String(nano)])
            }
        }
    }
}

import GRDB
import MosaicCodebook

/// Who has reported for a quarter in one region: the authority's own view, with school ids.
public struct RegionStatus: Sendable, Equatable {
    /// The region's code.
    public var regionCode: String
    /// The region's name.
    public var regionName: String
    /// Open schools in the registry.
    public var registered: Int
    /// Open schools with a current submission for the quarter.
    public var submitted: Int
    /// Open schools without one, by id.
    public var missing: [String]
    /// Schools that submitted after the quarter's first release froze the schools its releases
    /// count (they reach none of them), by id.
    public var late: [String] = []
    /// Share of registered schools that submitted, 0 to 1.
    public var coverage: Double { registered == 0 ? 0 : Double(submitted) / Double(registered) }
}

extension Store {
    /// Per region, how many schools open in `period` (the registry as of that quarter) submitted
    /// for it and which are missing.
    public func status(period: Period) throws -> [RegionStatus] {
        try database.read { db in
            var byRegion: [String: RegionStatus] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT s.region_code, s.region_name, s.school_id, (c.id IS NOT NULL) AS submitted,
                      (c.id IS NOT NULL AND EXISTS (SELECT 1 FROM quarter_frozen f WHERE f.period = c.period)
                       AND NOT EXISTS (SELECT 1 FROM quarter_registry q WHERE q.period = c.period AND q.school_id = s.school_id AND q.counted = 1)) AS late
                    FROM \(Store.registryAsOf) s
                    LEFT JOIN submission c ON c.school_id = s.school_id AND c.period = ? AND c.superseded_by IS NULL
                    WHERE s.is_open = 1
                    ORDER BY s.region_code, s.school_id
                    """, arguments: [period.description, period.description])
            while let r = try rows.next() {
                let code: String = r[0]
                var st = byRegion[code] ?? RegionStatus(regionCode: code, regionName: r[1], registered: 0, submitted: 0, missing: [])
                st.registered += 1
                if r[3] as Bool { st.submitted += 1 } else { st.missing.append(r[2]) }
                if r[4] as Bool { st.late.append(r[2]) }
                byRegion[code] = st
            }
            return byRegion.values.sorted { $0.regionCode < $1.regionCode }
        }
    }
}

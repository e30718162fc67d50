import Foundation
import GRDB
import MosaicCodebook
import MosaicRegistry

/// What one registry import changed.
public struct RegistryImportSummary: Sendable, Equatable {
    /// Schools added by the import.
    public var added = 0
    /// Schools whose facts changed.
    public var updated = 0
    /// Files identical to the current submission.
    public var unchanged = 0
    /// Open schools missing from the file, now marked closed (their submissions are kept).
    public var closed = 0
    /// Closed schools that the file lists again.
    public var reopened = 0
    /// The first quarter the imported registry holds for (`0000-Q1`: every quarter).
    public var effectiveFrom = Store.beginning
    /// The latest quarter released before the import (nil: none), which it leaves as it was.
    public var latestReleased: String?
    /// Quarters from which an earlier import had scheduled a registry, replaced by this one.
    public var replaced: [String] = []
}

/// Why a registry cannot take effect from the quarter asked.
public enum RegistryHistoryError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// A quarter from which the registry would hold has been released (quarter asked, latest released).
    case releasedQuarter(String, String)

    /// A readable form, for messages.
    public var description: String {
        switch self {
        case .releasedQuarter(let asked, let latest):
            return
                "a registry cannot take effect from \(asked): \(latest) is released, and a released quarter is never read with another registry; give --from \(Period(latest).map { $0.next.description } ?? "a later quarter") or later"
        }
    }

    /// The same, for error messages.
    public var errorDescription: String? { description }
}

/// Registered schools of one region, for `mosaic registry show`.
public struct RegionRegistrySummary: Sendable, Equatable {
    /// The region's code.
    public var regionCode: String
    /// The region's name.
    public var regionName: String
    /// Provinces in the region.
    public var provinces: Int
    /// Open schools.
    public var openSchools: Int
    /// Schools marked closed.
    public var closedSchools: Int
    /// Pupils enrolled (a public registry fact).
    public var enrolment: Int
}

/// The facts intake checks a submission against.
public struct SchoolFacts: Sendable, Equatable {
    /// Pupils enrolled (a public registry fact).
    public var enrolment: Int
    /// True for an open school.
    public var isOpen: Bool
}

extension Store {
    /// Imports a registry in one transaction: adds new schools, updates changed ones, marks
    /// schools absent from the file as closed, and never deletes a school or a submission.
    ///
    /// The registry's history keeps what held before: the file holds from quarter `from` (by
    /// default the quarter after the latest released one, or every quarter when none is), and
    /// quarters before it keep their registry. A quarter already released is never given another
    /// registry (``RegistryHistoryError``).
    public func importRegistry(_ schools: [School], source: String, at date: Date = Date(), from: Period? = nil) throws
        -> RegistryImportSummary
    {
        try database.write { db in
            var summary = RegistryImportSummary()
            let latest = try String.fetchOne(
                db, sql: "SELECT max(p) FROM (SELECT period AS p FROM quarter_frozen UNION ALL SELECT period FROM release)")
            summary.latestReleased = latest
            let effective: String
            if let from {
                if let latest, latest >= from.description { throw RegistryHistoryError.releasedQuarter(from.description, latest) }
                effective = from.description
            } else {
                effective = latest.flatMap { Period($0) }.map { $0.next.description } ?? Store.beginning
            }
            summary.effectiveFrom = effective
            let history = try Store.recordHistory(schools, from: effective, db: db)
            try db.execute(
                sql:
                    "INSERT INTO registry_import (imported_at, source_name, schools_added, schools_updated, schools_closed, schools_reopened) VALUES (?, ?, 0, 0, 0, 0)",
                arguments: [timestamp(date), source])
            let importID = db.lastInsertedRowID
            try db.execute(sql: "UPDATE school_history SET import_id = ? WHERE import_id = -1", arguments: [importID])
            var existing: [String: (row: [DatabaseValue], open: Bool)] = [:]
            for row in try Row.fetchAll(
                db,
                sql:
                    "SELECT id, name, region_code, region_name, province_code, province_name, municipality_code, municipality_name, enrolment, stage, sector, is_open FROM school"
            ) {
                let values = Array(row.databaseValues)
                existing[row["id"]] = (Array(values[0..<11]), row["is_open"] == 1)
            }
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO school (id, name, region_code, region_name, province_code, province_name, municipality_code,
                      municipality_name, enrolment, stage, sector, is_open, first_import_id, last_import_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                    """)
            let update = try db.cachedStatement(
                sql: """
                    UPDATE school SET name = ?, region_code = ?, region_name = ?, province_code = ?, province_name = ?,
                      municipality_code = ?, municipality_name = ?, enrolment = ?, stage = ?, sector = ?, is_open = 1,
                      last_import_id = ? WHERE id = ?
                    """)
            var listed = Set<String>()
            for s in schools {
                listed.insert(s.id)
                let values: [DatabaseValueConvertible] = [
                    s.id, s.name, s.regionCode, s.regionName, s.provinceCode, s.provinceName, s.municipalityCode,
                    s.municipalityName, s.enrolment, s.stage.rawValue, s.sector.rawValue,
                ]
                if let old = existing[s.id] {
                    let same = old.row == values.map { $0.databaseValue }
                    if !old.open { summary.reopened += 1 } else if same { summary.unchanged += 1 } else { summary.updated += 1 }
                    try update.execute(arguments: StatementArguments(Array(values.dropFirst()) + [importID, s.id]))
                } else {
                    summary.added += 1
                    try insert.execute(arguments: StatementArguments(values + [importID, importID]))
                }
            }
            for (id, old) in existing where old.open && !listed.contains(id) {
                summary.closed += 1
                try db.execute(sql: "UPDATE school SET is_open = 0, last_import_id = ? WHERE id = ?", arguments: [importID, id])
            }
            // What changed from the quarter the file holds from (the registry as of then), not
            // against the latest import, which may be scheduled for a later quarter.
            summary.added = history.added
            summary.updated = history.updated
            summary.unchanged = history.unchanged
            summary.closed = history.closed
            summary.reopened = history.reopened
            summary.replaced = history.replaced
            try db.execute(
                sql:
                    "UPDATE registry_import SET schools_added = ?, schools_updated = ?, schools_closed = ?, schools_reopened = ? WHERE id = ?",
                arguments: [summary.added, summary.updated, summary.closed, summary.reopened, importID])
            return summary
        }
    }

    /// Writes the history rows of a registry holding from `from`: rows after it are superseded
    /// (the file is the registry from then on), and each school whose facts as of `from` differ
    /// (new, changed, reopened) or that the file no longer lists (closed) gets a row from then.
    /// Rows are marked with import id −1 until the import's id is known.
    static func recordHistory(_ schools: [School], from: String, db: Database) throws -> RegistryImportSummary {
        var summary = RegistryImportSummary()
        summary.replaced = try String.fetchAll(
            db, sql: "SELECT DISTINCT from_period FROM school_history WHERE from_period > ? ORDER BY from_period", arguments: [from])
        try db.execute(sql: "DELETE FROM school_history WHERE from_period > ?", arguments: [from])
        var asOf: [String: [DatabaseValue]] = [:]
        let columns =
            "name, region_code, region_name, province_code, province_name, municipality_code, municipality_name, enrolment, stage, sector, is_open"
        let rows = try Row.fetchCursor(db, sql: "SELECT school_id, \(columns) FROM \(Store.registryAsOf) h", arguments: [from])
        while let r = try rows.next() { asOf[r["school_id"]] = Array(r.databaseValues.dropFirst()) }
        let write = try db.cachedStatement(
            sql:
                "INSERT OR REPLACE INTO school_history (school_id, from_period, \(columns), import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, -1)"
        )
        var listed = Set<String>()
        for s in schools {
            listed.insert(s.id)
            let values: [DatabaseValueConvertible] = [
                s.name, s.regionCode, s.regionName, s.provinceCode, s.provinceName, s.municipalityCode, s.municipalityName,
                s.enrolment, s.stage.rawValue, s.sector.rawValue, 1,
            ]
            if let old = asOf[s.id] {
                if old == values.map(\.databaseValue) {
                    summary.unchanged += 1
                    continue
                }
                if old.last == 1.databaseValue { summary.updated += 1 } else { summary.reopened += 1 }
            } else {
                summary.added += 1
            }
            try write.execute(arguments: StatementArguments([s.id, from] + values))
        }
        for (id, old) in asOf where !listed.contains(id) && old.last == 1.databaseValue {
            summary.closed += 1
            try write.execute(arguments: StatementArguments([id, from] + Array(old.dropLast()) + [0]))
        }
        return summary
    }

    /// SQL of the registry as of a quarter (the statement's next `?`): per school known then,
    /// its history row in effect (columns as in `school_history`; `is_open` says whether open).
    static let registryAsOf = """
        (SELECT * FROM school_history WHERE from_period = (SELECT max(x.from_period) FROM school_history x
           WHERE x.school_id = school_history.school_id AND x.from_period <= ?))
        """

    /// Every school's enrolment and open state from each quarter they hold (ascending), for
    /// checks against the registry as of a file's quarter.
    public func schoolFactsHistory() throws -> [String: [(from: String, facts: SchoolFacts)]] {
        try database.read { db in
            var out: [String: [(from: String, facts: SchoolFacts)]] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT school_id, from_period, enrolment, is_open FROM school_history ORDER BY school_id, from_period")
            while let r = try rows.next() {
                out[r["school_id"], default: []].append(
                    (r["from_period"], SchoolFacts(enrolment: r["enrolment"], isOpen: r["is_open"] == 1)))
            }
            return out
        }
    }

    /// Every school known as of `period` (open and closed), in id order, with its facts then.
    public func schools(asOf period: Period) throws -> [School] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM \(Store.registryAsOf) h ORDER BY school_id", arguments: [period.description]).map {
                r in
                School(
                    id: r["school_id"], name: r["name"], regionCode: r["region_code"], regionName: r["region_name"],
                    provinceCode: r["province_code"], provinceName: r["province_name"],
                    municipalityCode: r["municipality_code"], municipalityName: r["municipality_name"],
                    enrolment: r["enrolment"], stage: School.Stage(rawValue: r[RegistryDimension.stage.name]) ?? .other,
                    sector: School.Sector(rawValue: r[RegistryDimension.sector.name]) ?? .public)
            }
        }
    }

    /// Enrolment and open/closed state of every school known as of `period`.
    public func schoolFacts(asOf period: Period) throws -> [String: SchoolFacts] {
        try database.read { db in
            var out: [String: SchoolFacts] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT school_id, enrolment, is_open FROM \(Store.registryAsOf) h", arguments: [period.description])
            while let r = try rows.next() { out[r["school_id"]] = SchoolFacts(enrolment: r["enrolment"], isOpen: r["is_open"] == 1) }
            return out
        }
    }

    /// Whether a quarter's releases count the school (nil: the quarter is not frozen yet, so its
    /// next release counts every open school that reported).
    public func isCounted(school: String, period: Period) throws -> Bool? {
        try database.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM quarter_frozen WHERE period = ?", arguments: [period.description]) == true
            else { return nil }
            return try Bool.fetchOne(
                db, sql: "SELECT counted FROM quarter_registry WHERE period = ? AND school_id = ?",
                arguments: [period.description, school]) ?? false
        }
    }

    /// Registered schools per region, in region-code order: the latest registry imported, or
    /// the registry as of a quarter.
    public func registrySummary(asOf period: Period? = nil) throws -> [RegionRegistrySummary] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT region_code, min(region_name) AS region_name, count(DISTINCT province_code) AS provinces,
                      sum(is_open) AS open, sum(1 - is_open) AS closed, sum(CASE WHEN is_open = 1 THEN enrolment ELSE 0 END) AS enrolment
                    FROM \(period == nil ? "school" : Store.registryAsOf) GROUP BY region_code ORDER BY region_code
                    """, arguments: period.map { [$0.description] } ?? []
            ).map {
                RegionRegistrySummary(
                    regionCode: $0["region_code"], regionName: $0["region_name"], provinces: $0["provinces"],
                    openSchools: $0["open"], closedSchools: $0["closed"], enrolment: $0["enrolment"])
            }
        }
    }

    /// Enrolment and open/closed state of every registered school, keyed by school id.
    public func schoolFacts() throws -> [String: SchoolFacts] {
        try database.read { db in
            var out: [String: SchoolFacts] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT id, enrolment, is_open FROM school")
            while let r = try rows.next() { out[r["id"]] = SchoolFacts(enrolment: r["enrolment"], isOpen: r["is_open"] == 1) }
            return out
        }
    }

    /// Every registered school (open and closed), in id order.
    public func schools() throws -> [School] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM school ORDER BY id").map { r in
                School(
                    id: r["id"], name: r["name"], regionCode: r["region_code"], regionName: r["region_name"],
                    provinceCode: r["province_code"], provinceName: r["province_name"],
                    municipalityCode: r["municipality_code"], municipalityName: r["municipality_name"],
                    enrolment: r["enrolment"], stage: School.Stage(rawValue: r[RegistryDimension.stage.name]) ?? .other,
                    sector: School.Sector(rawValue: r[RegistryDimension.sector.name]) ?? .public)
            }
        }
    }
}

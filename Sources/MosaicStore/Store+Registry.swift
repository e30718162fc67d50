import Foundation
import GRDB
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
    public func importRegistry(_ schools: [School], source: String, at date: Date = Date()) throws -> RegistryImportSummary {
        try database.write { db in
            var summary = RegistryImportSummary()
            try db.execute(
                sql:
                    "INSERT INTO registry_import (imported_at, source_name, schools_added, schools_updated, schools_closed, schools_reopened) VALUES (?, ?, 0, 0, 0, 0)",
                arguments: [timestamp(date), source])
            let importID = db.lastInsertedRowID
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
            try db.execute(
                sql:
                    "UPDATE registry_import SET schools_added = ?, schools_updated = ?, schools_closed = ?, schools_reopened = ? WHERE id = ?",
                arguments: [summary.added, summary.updated, summary.closed, summary.reopened, importID])
            return summary
        }
    }

    /// Registered schools per region, in region-code order.
    public func registrySummary() throws -> [RegionRegistrySummary] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT region_code, min(region_name) AS region_name, count(DISTINCT province_code) AS provinces,
                      sum(is_open) AS open, sum(1 - is_open) AS closed, sum(CASE WHEN is_open = 1 THEN enrolment ELSE 0 END) AS enrolment
                    FROM school GROUP BY region_code ORDER BY region_code
                    """
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
                    enrolment: r["enrolment"], stage: School.Stage(rawValue: r["stage"]) ?? .other,
                    sector: School.Sector(rawValue: r["sector"]) ?? .public)
            }
        }
    }
}

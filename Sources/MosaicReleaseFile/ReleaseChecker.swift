import Foundation
import GRDB
import MosaicCodebook
import MosaicDisclosure
import MosaicErrorModel

/// Reads a release file's tables with every value checked for its type and range, then checks
/// what the values mean together (hierarchy, completeness against the codebook, noise groups,
/// replicate sizes). What passes can be used without a check: every unit has a parent of the
/// level above it, every (unit, table, cell) has exactly one row, every group has its noise.
struct ReleaseChecker {
    let path: String
    let db: Database

    static let levels = ["country", "region", "province"]
    static let statuses = CellStatus.allCases.map(\.rawValue)

    func fail(_ table: String, _ column: String?, _ why: String) -> ReleaseFileError {
        ReleaseFileError.invalidFile(path, table: table, column: column, why: why)
    }

    /// The table must be a real table (not a view, which could recurse) with these columns.
    func requireTable(_ name: String, _ columns: [String], optional: Bool = false) throws -> Bool {
        let type = try String.fetchOne(db, sql: "SELECT type FROM sqlite_master WHERE name = ? COLLATE NOCASE", arguments: [name])
        guard let type else {
            if optional { return false }
            throw fail(name, nil, "the table is missing")
        }
        guard type == "table" else { throw fail(name, nil, "must be a table, not a \(type)") }
        let present = Set(
            try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [name]).map { ($0["name"] as String?) ?? "" })
        for c in columns where !present.contains(c) { throw fail(name, c, "the column is missing") }
        let n = try Int.fetchOne(db, sql: "SELECT count(*) FROM \"\(name)\"") ?? 0
        guard n <= ReleaseReader.maxRows else { throw fail(name, nil, "more than \(ReleaseReader.maxRows) rows") }
        return true
    }

    func string(_ r: Row, _ column: String, _ table: String, _ line: Int, allowEmpty: Bool = false, max: Int = 400) throws -> String {
        guard case .string(let s) = (r[column] as DatabaseValue).storage else { throw fail(table, column, "row \(line): expected text") }
        guard allowEmpty || !s.isEmpty else { throw fail(table, column, "row \(line): empty") }
        guard s.utf8.count <= max else { throw fail(table, column, "row \(line): longer than \(max) bytes") }
        return s
    }

    func level(_ r: Row, _ table: String, _ line: Int) throws -> Level {
        guard let l = Level(rawValue: try string(r, "level", table, line)) else {
            throw fail(table, "level", "row \(line): must be country, region or province")
        }
        return l
    }

    func integer(_ r: Row, _ column: String, _ table: String, _ line: Int, _ range: ClosedRange<Int64>) throws -> Int64 {
        guard case .int64(let i) = (r[column] as DatabaseValue).storage, range.contains(i) else {
            throw fail(table, column, "row \(line): expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return i
    }

    func read() throws -> ReleaseData {
        _ = try requireTable("metadata", ["key", "value"])
        _ = try requireTable("cells", ["period", "level", "geo_code", "geo_name", "table_name", "cell", "value", "moe95", "status"])
        let hasUnits = try requireTable("units", ["level", "geo_code", "geo_name", "parent_code", "ordinal"], optional: true)
        let hasNoise = try requireTable("noise", ["table_name", "level", "sigma2_num", "sigma2_den", "rho_nano"], optional: true)
        let hasCoverage = try requireTable(
            "coverage", ["period", "level", "geo_code", "geo_name", "registered_schools", "registered_enrolment"], optional: true)
        let hasReplicates = try requireTable("replicates", ["replicate", "errors"], optional: true)
        guard hasUnits, hasNoise else {
            throw ReleaseFileError.olderFormat(path)
        }

        var data = ReleaseData(
            metadata: try readMetadata(), rows: try readCells(), tables: [], coverage: hasCoverage ? try readCoverage() : [],
            units: try readUnits(), noise: try readNoise())
        if hasReplicates { data.replicates = try readReplicates() }
        return data
    }

    func readMetadata() throws -> [(key: String, value: String)] {
        var metadata: [(key: String, value: String)] = []
        var keys = Set<String>()
        for (i, r) in try Row.fetchAll(db, sql: "SELECT key, value FROM metadata ORDER BY rowid").enumerated() {
            let key = try string(r, "key", "metadata", i + 1, max: 100)
            guard keys.insert(key).inserted else { throw fail("metadata", "key", "row \(i + 1): a key appears twice") }
            metadata.append((key, try string(r, "value", "metadata", i + 1, allowEmpty: true, max: 100_000)))
        }
        return metadata
    }

    func readCells() throws -> [ReleaseRow] {

        var rows: [ReleaseRow] = []
        let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM cells ORDER BY rowid")
        var line = 0
        while let r = try cursor.next() {
            line += 1
            guard let status = CellStatus(rawValue: try string(r, "status", "cells", line)) else {
                throw fail("cells", "status", "row \(line): must be published, below_k, small_area or complementary")
            }
            let level = try level(r, "cells", line)
            var value: Int?
            var margin: Double?
            let v = (r["value"] as DatabaseValue).storage
            let m = (r["moe95"] as DatabaseValue).storage
            if status == .published {
                value = Int(try integer(r, "value", "cells", line, 0...ReleaseReader.maxValue))
                switch m {
                case .double(let d) where d.isFinite && d >= 0 && d <= ReleaseReader.maxMargin: margin = d
                case .int64(let i) where i >= 0 && Double(i) <= ReleaseReader.maxMargin: margin = Double(i)
                default: throw fail("cells", "moe95", "row \(line): expected a number from 0 to \(Int(ReleaseReader.maxMargin))")
                }
            } else {
                guard case .null = v else { throw fail("cells", "value", "row \(line): a suppressed value must be empty") }
                guard case .null = m else { throw fail("cells", "moe95", "row \(line): a suppressed value has no margin") }
            }
            rows.append(
                ReleaseRow(
                    period: try string(r, "period", "cells", line), level: level, geoCode: try string(r, "geo_code", "cells", line),
                    geoName: try string(r, "geo_name", "cells", line), tableName: try string(r, "table_name", "cells", line),
                    cell: try string(r, "cell", "cells", line), value: value, moe95: margin, status: status))
        }
        return rows
    }

    func readUnits() throws -> [UnitRow] {

        var units: [UnitRow] = []
        for (i, r) in try Row.fetchAll(db, sql: "SELECT * FROM units ORDER BY ordinal").enumerated() {
            let level = try level(r, "units", i + 1)
            units.append(
                UnitRow(
                    level: level, geoCode: try string(r, "geo_code", "units", i + 1), geoName: try string(r, "geo_name", "units", i + 1),
                    parentCode: try string(r, "parent_code", "units", i + 1, allowEmpty: true)))
            _ = try integer(r, "ordinal", "units", i + 1, 0...Int64(ReleaseReader.maxUnits))
        }
        guard units.count <= ReleaseReader.maxUnits else { throw fail("units", nil, "more than \(ReleaseReader.maxUnits) units") }
        return units
    }

    func readNoise() throws -> [NoiseRow] {

        var noise: [NoiseRow] = []
        for (i, r) in try Row.fetchAll(db, sql: "SELECT * FROM noise").enumerated() {
            let level = try level(r, "noise", i + 1)
            noise.append(
                NoiseRow(
                    tableName: try string(r, "table_name", "noise", i + 1), level: level,
                    sigma2Num: UInt64(try integer(r, "sigma2_num", "noise", i + 1, 1...(1 << 62))),
                    sigma2Den: UInt64(try integer(r, "sigma2_den", "noise", i + 1, 1...(1 << 62))),
                    rhoNano: UInt64(try integer(r, "rho_nano", "noise", i + 1, 0...(1 << 62)))))
        }

        return noise
    }

    func readCoverage() throws -> [CoverageRow] {
        // Files made before the coverage rule published exact reporting counts: their coverage is
        // read as withheld (this build does not pass those figures on).
        let columns = Set(
            try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info('coverage')").map { ($0["name"] as String?) ?? "" })
        let current = columns.isSuperset(of: ["coverage_status", "reporting_share_low", "reporting_share_high"])
        var coverage: [CoverageRow] = []
        for (i, r) in try Row.fetchAll(db, sql: "SELECT * FROM coverage").enumerated() {
            let n = i + 1
            var published = PublishedCoverage.withheld
            if current {
                let text = try string(r, "coverage_status", "coverage", n)
                guard let status = CoverageStatus(rawValue: text) else {
                    throw fail("coverage", "coverage_status", "row \(n): must be complete, band or withheld")
                }
                if status != .withheld {
                    let low = Int(try integer(r, "reporting_share_low", "coverage", n, 0...100))
                    let high = Int(try integer(r, "reporting_share_high", "coverage", n, Int64(low)...100))
                    guard status == .band ? high > low : (low == 100 && high == 100) else {
                        throw fail("coverage", "reporting_share_high", "row \(n): not a valid share for '\(text)'")
                    }
                    published = PublishedCoverage(status: status, low: low, high: high)
                }
            }
            coverage.append(
                CoverageRow(
                    period: try string(r, "period", "coverage", n), level: try level(r, "coverage", n),
                    geoCode: try string(r, "geo_code", "coverage", n), geoName: try string(r, "geo_name", "coverage", n),
                    registeredSchools: Int(try integer(r, "registered_schools", "coverage", n, 0...100_000_000)),
                    registeredEnrolment: Int(try integer(r, "registered_enrolment", "coverage", n, 0...10_000_000_000)),
                    coverage: published))
        }
        return coverage
    }

    func readReplicates() throws -> [[Int16]] {
        let rows = try Row.fetchAll(db, sql: "SELECT replicate, errors FROM replicates ORDER BY replicate")
        guard rows.count <= 1000 else { throw fail("replicates", nil, "more than 1000 replicates") }
        var replicates: [[Int16]] = []
        for (i, r) in rows.enumerated() {
            _ = try integer(r, "replicate", "replicates", i + 1, Int64(i)...Int64(i))
            guard case .blob(let b) = (r["errors"] as DatabaseValue).storage else {
                throw fail("replicates", "errors", "row \(i + 1): expected a blob")
            }
            guard b.count % 2 == 0 else { throw fail("replicates", "errors", "row \(i + 1): odd length") }
            replicates.append(ReleaseFile.decode(b))
        }
        return replicates
    }

    /// Checks what the values mean together; after it, every lookup the tools make succeeds.
    static func checkMeaning(_ data: ReleaseData, path: String) throws {
        func fail(_ table: String, _ column: String?, _ why: String) -> ReleaseFileError {
            .invalidFile(path, table: table, column: column, why: why)
        }
        let info = try ReleaseMetadata(data, file: path)
        let version = info.codebookVersion
        let codebook = try Codebook.bundled(version: version)

        // The hierarchy: one country first, each unit's parent one level up and listed before it.
        var index: [String: Int] = [:]
        for (i, u) in data.units.enumerated() {
            let key = u.level.rawValue + "|" + u.geoCode
            guard index[key] == nil else { throw fail("units", "geo_code", "row \(i + 1): a unit appears twice") }
            switch u.level {
            case .country:
                guard i == 0, u.parentCode.isEmpty else {
                    throw fail("units", "parent_code", "row \(i + 1): the country must come first, without a parent")
                }
            case .region:
                guard index["country|" + u.parentCode] != nil else {
                    throw fail("units", "parent_code", "row \(i + 1): a region's parent must be the country")
                }
            default:
                guard index["region|" + u.parentCode] != nil else {
                    throw fail("units", "parent_code", "row \(i + 1): a province's parent must be a region listed before it")
                }
            }
            index[key] = i
        }
        guard !data.units.isEmpty else { throw fail("units", nil, "no units") }

        // Every (unit, table, cell) exactly once, for this quarter.
        let cells = codebook.allCells.map { ($0.table, $0.code) } + [("total", "persons")]
        var expected = Set<String>()
        for u in data.units { for (t, c) in cells { expected.insert("\(u.level.rawValue)|\(u.geoCode)|\(t)|\(c)") } }
        guard data.rows.count == expected.count else {
            throw fail(
                "cells", nil, "expected \(expected.count) rows (every unit × every cell of codebook \(version)), found \(data.rows.count)")
        }
        var seen = Set<String>()
        for (i, r) in data.rows.enumerated() {
            guard r.period == info.span.description else { throw fail("cells", "period", "row \(i + 1): not the release's quarter") }
            let key = "\(r.level.rawValue)|\(r.geoCode)|\(r.tableName)|\(r.cell)"
            guard expected.contains(key) else { throw fail("cells", "cell", "row \(i + 1): not a unit and cell of this release") }
            guard seen.insert(key).inserted else { throw fail("cells", "cell", "row \(i + 1): appears twice") }
        }

        // Noise for every table (and the total) at every level present.
        let levelsPresent = Set(data.units.map(\.level))
        var groups = Set<String>()
        for (i, n) in data.noise.enumerated() {
            guard codebook.table(n.tableName) != nil || n.tableName == "total" else {
                throw fail("noise", "table_name", "row \(i + 1): not a codebook table")
            }
            guard groups.insert(n.tableName + "|" + n.level.rawValue).inserted else {
                throw fail("noise", nil, "row \(i + 1): a group appears twice")
            }
        }
        for t in codebook.tables.map(\.name) + ["total"] {
            for l in levelsPresent where !groups.contains(t + "|" + l.rawValue) {
                throw fail("noise", nil, "no noise for \(t) at level \(l.rawValue)")
            }
        }

        for (i, c) in data.coverage.enumerated() where index[c.level.rawValue + "|" + c.geoCode] == nil {
            throw fail("coverage", "geo_code", "row \(i + 1): not a unit of this release")
        }
        let width = data.units.count * (codebook.allCells.count + 1)
        for (i, r) in data.replicates.enumerated() where r.count != width {
            throw fail("replicates", "errors", "row \(i + 1): expected \(width) errors (units × (cells + 1))")
        }
    }
}

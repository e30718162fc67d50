import Foundation
import GRDB
import MosaicCodebook
import MosaicDisclosure
import MosaicErrorModel
import MosaicFiles

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
        guard !s.unicodeScalars.contains(where: { Sanitize.isControl($0) }) else {
            throw fail(table, column, "row \(line): holds a control character")
        }
        if column == "geo_name", Sanitize.startsLikeFormula(s) {
            throw fail(table, column, "row \(line): starts with a character spreadsheets read as a formula")
        }
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
        // Breakdowns by stage and sector (files made before them have none).
        let hasDomainCells = try requireTable(
            "domain_cells",
            ["period", "level", "geo_code", "geo_name", "dimension", "domain", "table_name", "cell", "value", "moe95", "status"],
            optional: true)
        let hasDomainUnits = try requireTable(
            "domain_units", ["level", "geo_code", "dimension", "domain", "registered_schools", "registered_enrolment"], optional: true)
        let hasDomainNoise = try requireTable(
            "domain_noise", ["dimension", "table_name", "level", "sigma2_num", "sigma2_den", "rho_nano"], optional: true)
        if hasDomainCells { data.domainRows = try readDomainCells() }
        if hasDomainUnits { data.domainUnits = try readDomainUnits() }
        if hasDomainNoise { data.domainNoise = try readDomainNoise() }
        return data
    }

    func readDomainCells() throws -> [DomainRow] {
        var rows: [DomainRow] = []
        let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM domain_cells ORDER BY rowid")
        var line = 0
        while let r = try cursor.next() {
            line += 1
            guard rows.count < ReleaseReader.maxDomainRows else {
                throw fail("domain_cells", nil, "more than \(ReleaseReader.maxDomainRows) rows")
            }
            let row = try cell(r, table: "domain_cells", line: line)
            rows.append(
                DomainRow(
                    row: row, dimension: try string(r, "dimension", "domain_cells", line, max: 40),
                    domain: try string(r, "domain", "domain_cells", line, max: 40)))
        }
        return rows
    }

    func readDomainUnits() throws -> [DomainUnitRow] {
        var units: [DomainUnitRow] = []
        for (i, r) in try Row.fetchAll(db, sql: "SELECT * FROM domain_units ORDER BY rowid").enumerated() {
            guard units.count < ReleaseReader.maxDomainRows else { throw fail("domain_units", nil, "too many rows") }
            units.append(
                DomainUnitRow(
                    level: try level(r, "domain_units", i + 1), geoCode: try string(r, "geo_code", "domain_units", i + 1),
                    dimension: try string(r, "dimension", "domain_units", i + 1, max: 40),
                    domain: try string(r, "domain", "domain_units", i + 1, max: 40),
                    registeredSchools: Int(try integer(r, "registered_schools", "domain_units", i + 1, 0...100_000_000)),
                    registeredEnrolment: Int(try integer(r, "registered_enrolment", "domain_units", i + 1, 0...10_000_000_000))))
        }
        return units
    }

    func readDomainNoise() throws -> [DomainNoiseRow] {
        var noise: [DomainNoiseRow] = []
        for (i, r) in try Row.fetchAll(db, sql: "SELECT * FROM domain_noise ORDER BY rowid").enumerated() {
            guard noise.count < 10_000 else { throw fail("domain_noise", nil, "too many rows") }
            noise.append(
                DomainNoiseRow(
                    dimension: try string(r, "dimension", "domain_noise", i + 1, max: 40),
                    noise: NoiseRow(
                        tableName: try string(r, "table_name", "domain_noise", i + 1), level: try level(r, "domain_noise", i + 1),
                        sigma2Num: UInt64(try integer(r, "sigma2_num", "domain_noise", i + 1, 1...(1 << 62))),
                        sigma2Den: UInt64(try integer(r, "sigma2_den", "domain_noise", i + 1, 1...(1 << 62))),
                        rhoNano: UInt64(try integer(r, "rho_nano", "domain_noise", i + 1, 0...(1 << 62))))))
        }
        return noise
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
            rows.append(try cell(r, table: "cells", line: line))
        }
        return rows
    }

    /// One row of `cells` or `domain_cells`: its status, value and margin checked together.
    func cell(_ r: Row, table: String, line: Int) throws -> ReleaseRow {
        guard let status = CellStatus(rawValue: try string(r, "status", table, line)) else {
            throw fail(table, "status", "row \(line): must be published, below_k, small_area or complementary")
        }
        let level = try level(r, table, line)
        var value: Int?
        var margin: Double?
        let v = (r["value"] as DatabaseValue).storage
        let m = (r["moe95"] as DatabaseValue).storage
        if status == .published {
            value = Int(try integer(r, "value", table, line, 0...ReleaseReader.maxValue))
            switch m {
            case .double(let d) where d.isFinite && d >= 0 && d <= ReleaseReader.maxMargin: margin = d
            case .int64(let i) where i >= 0 && Double(i) <= ReleaseReader.maxMargin: margin = Double(i)
            default: throw fail(table, "moe95", "row \(line): expected a number from 0 to \(Int(ReleaseReader.maxMargin))")
            }
        } else {
            guard case .null = v else { throw fail(table, "value", "row \(line): a suppressed value must be empty") }
            guard case .null = m else { throw fail(table, "moe95", "row \(line): a suppressed value has no margin") }
        }
        return ReleaseRow(
            period: try string(r, "period", table, line), level: level, geoCode: try string(r, "geo_code", table, line),
            geoName: try string(r, "geo_name", table, line), tableName: try string(r, "table_name", table, line),
            cell: try string(r, "cell", table, line), value: value, moe95: margin, status: status)
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
        // Domain parts: of a country or region of this release, listed in domain_units, each
        // (part, table, cell) once, for a table and cell of the codebook (or the total).
        var parts = Set<String>()
        for (i, u) in data.domainUnits.enumerated() {
            guard u.level == .country || u.level == .region, index[u.level.rawValue + "|" + u.geoCode] != nil else {
                throw fail("domain_units", "geo_code", "row \(i + 1): not a country or region of this release")
            }
            guard parts.insert("\(u.level.rawValue)|\(u.geoCode)|\(u.dimension)|\(u.domain)").inserted else {
                throw fail("domain_units", nil, "row \(i + 1): a part appears twice")
            }
        }
        let cellKeys = Set(cells.map { "\($0.0)|\($0.1)" })
        var seenDomain = Set<String>()
        for (i, d) in data.domainRows.enumerated() {
            let r = d.row
            guard r.period == info.span.description else { throw fail("domain_cells", "period", "row \(i + 1): not the release's quarter") }
            let part = "\(r.level.rawValue)|\(r.geoCode)|\(d.dimension)|\(d.domain)"
            guard parts.contains(part) else { throw fail("domain_cells", "domain", "row \(i + 1): not a part listed in domain_units") }
            guard cellKeys.contains("\(r.tableName)|\(r.cell)") else {
                throw fail("domain_cells", "cell", "row \(i + 1): not a table and cell of codebook \(version)")
            }
            guard seenDomain.insert(part + "|\(r.tableName)|\(r.cell)").inserted else {
                throw fail("domain_cells", "cell", "row \(i + 1): appears twice")
            }
        }
        let width = data.units.count * (codebook.allCells.count + 1)
        for (i, r) in data.replicates.enumerated() where r.count != width {
            throw fail("replicates", "errors", "row \(i + 1): expected \(width) errors (units × (cells + 1))")
        }
    }
}

import Foundation
import MosaicCodebook
import MosaicDisclosure
import MosaicErrorModel
import MosaicReleaseFile

/// An aggregate query over one or several releases.
public struct QuerySpec: Sendable {
    /// The codebook table.
    public var table: String
    /// Grouping: `period`, a level (`region`, `province`, `country`) and/or dimension names of the table.
    public var by: [String]
    /// Filters: a dimension name, `region` or `province`, to the accepted values.
    public var filters: [String: Set<String>]
    /// The level whose cells are summed; by default the level named in `by`, else the country.
    public var level: Level?

    /// The levels whose cells an answer can hold: the level asked, else the one named in `by`,
    /// else the country (and the level a `region` or `province` filter names). Readers' ranges
    /// are computed for these only, so that a query solves only what it shows.
    public var levelsAnswered: Set<Level> {
        if let level { return [level] }
        if let named = by.compactMap({ Level(rawValue: $0) }).first { return [named] }
        var levels: Set<Level> = [.country]
        if filters["region"] != nil { levels.insert(.region) }
        if filters["province"] != nil { levels.insert(.province) }
        return levels
    }

    /// Makes the value from its parts.
    public init(table: String, by: [String] = [], filters: [String: Set<String>] = [:], level: Level? = nil) {
        self.table = table
        self.by = by
        self.filters = filters
        self.level = level
    }
}

/// One row of an answer.
public struct QueryAnswer: Sendable, Equatable {
    /// The grouping values, in the order of `by`.
    public var group: [String]
    /// The sum, when every cell in it was published.
    public var value: Int?
    /// Half-width of the 95 % interval (nil when a small area makes the sum unknowable).
    public var moe95: Double?
    /// With suppressed cells: the range the sum's published-scale value lies in.
    public var lower: Int?
    /// The upper end of the range a withheld value lies in.
    public var upper: Int?
    /// Cells summed, and how many of them were suppressed.
    public var cells: Int
    /// How many withheld cells are inside.
    public var suppressed: Int
    /// `exact` (one published cell, as released), `sum`, `bounded` (withheld cells inside:
    /// between `lower` and `upper`, `upper` empty when a complementary cell has no upper
    /// bound), `below_k` or `complementary` (one withheld cell, bounded likewise), or
    /// `unavailable` (a small area not published on its own).
    public var status: String
}

/// Runs queries on releases with margins from each release's error model.
public struct QueryEngine {
    struct Loaded {
        var data: ReleaseData
        var info: ReleaseMetadata
        var period: String
        var codebook: Codebook
        var geography: Geography
        var model: ErrorModel
        var k: Int
        /// (level, code) → unit index
        var unitIndex: [String: Int]
        /// (level|code|table|cell) → row
        var rows: [String: ReleaseRow]
        /// What a reader derives for each withheld value from the file (empty unless asked for).
        var derived: [ValueKey: DerivedInterval] = [:]
        /// (level|code|dimension|domain|table|cell) → a breakdown's row.
        var domainRows: [String: ReleaseRow] = [:]
    }

    /// The table name of the total of affected persons, and its one cell.
    static let totalTable = "total"
    static let totalCell = "persons"

    let releases: [Loaded]

    /// The breakdown dimensions the releases carry (registry attributes, as each file's
    /// `domain_units` names them), in the order they first appear.
    public var domainDimensions: [String] {
        var out: [String] = []
        for r in releases { for u in r.data.domainUnits where !out.contains(u.dimension) { out.append(u.dimension) } }
        return out
    }

    /// Loads release files (read-only).
    ///
    /// - Parameter readerRanges: bound the withheld cells it selects by the range a reader derives for it
    ///   from the whole file (``ReleaseData/readerIntervals(codebook:k:)``: the relations between
    ///   published values), not by its status alone. Tighter, and still post-processing of the
    ///   file; it solves a linear program per connected group of withheld values.
    public init(paths: [String], readerRanges: ((ValueKey) -> Bool)? = nil) throws {
        releases = try paths.map { path in
            // The reader has checked the file: every unit's level and parent, every group's noise.
            let (data, info) = try ReleaseReader.readChecked(path)
            let codebook = try Codebook.bundled(version: info.codebookVersion)
            let geography = Geography(release: data)
            var index: [String: Int] = [:]
            for (i, u) in geography.units.enumerated() { index[u.level.rawValue + "|" + u.code] = i }
            var sigma2: [String: [Level: Double]] = [:]
            for n in data.noise {
                let level = n.level
                sigma2[n.tableName, default: [:]][level] = Double(n.sigma2Num) / Double(n.sigma2Den)
            }
            let model: ErrorModel
            do { model = try ErrorModel(codebook: codebook, geography: geography, sigma2: sigma2) } catch {
                throw ReleaseFileError.invalidFile(path, table: "noise", column: nil, why: "\(error)")
            }
            var rows: [String: ReleaseRow] = [:]
            for r in data.rows { rows["\(r.level.rawValue)|\(r.geoCode)|\(r.tableName)|\(r.cell)"] = r }
            // A file whose published values admit no solution keeps the statuses' ranges.
            let derived =
                readerRanges.map { wanted in (try? data.readerIntervals(codebook: codebook, k: info.k, for: wanted)) ?? [:] } ?? [:]
            var domainRows: [String: ReleaseRow] = [:]
            for d in data.domainRows {
                domainRows["\(d.row.level.rawValue)|\(d.row.geoCode)|\(d.dimension)|\(d.domain)|\(d.row.tableName)|\(d.row.cell)"] = d.row
            }
            return Loaded(
                data: data, info: info, period: info.span.description, codebook: codebook, geography: geography,
                model: model, k: info.k,
                unitIndex: index, rows: rows, derived: derived, domainRows: domainRows)
        }
        // A quarter in two releases would be counted twice in any sum across them.
        for (i, a) in releases.enumerated() {
            for b in releases[(i + 1)...] where a.info.span.overlaps(b.info.span) {
                throw QueryError.invalid(
                    "releases \(a.info.releaseID) (\(a.period)) and \(b.info.releaseID) (\(b.period)) cover the same quarter: a sum across them would count it twice; give one release per quarter, or a pooled release alone"
                )
            }
        }
    }

    /// Answers a query: one row per group, sorted by group.
    public func run(_ spec: QuerySpec) throws -> [QueryAnswer] {
        guard let first = releases.first else { throw QueryError.invalid("no release given") }
        let domainKeys = Set(spec.by + Array(spec.filters.keys)).intersection(domainDimensions)
        if !domainKeys.isEmpty { return try runBreakdown(spec, dimensions: domainKeys) }
        // `total` is the total of affected persons: one value per unit (cell index −1, `persons`).
        let isTotal = spec.table == QueryEngine.totalTable
        let table = first.codebook.table(spec.table)
        guard isTotal || table != nil else {
            throw QueryError.invalid(
                "unknown table '\(spec.table)' (tables: total, \(first.codebook.tables.map(\.name).joined(separator: ", ")))")
        }
        let dimensions = table?.dimensions ?? []
        let cellList: [(index: Int, values: [String])] = table?.cells.map { ($0.index, $0.values) } ?? [(-1, [])]
        let geoKeys = Level.allCases.map(\.rawValue)
        let allowed = Set(dimensions + ["period"] + geoKeys)
        let tableHas = dimensions.isEmpty ? "" : " or a dimension of \(spec.table) (\(dimensions.joined(separator: ", ")))"
        for b in spec.by where !allowed.contains(b) {
            throw QueryError.invalid("cannot group by '\(b)': use period, country, region, province\(tableHas)")
        }
        for (key, values) in spec.filters {
            if let d = dimensions.firstIndex(of: key) {
                let known = Set(first.codebook.dimension(dimensions[d])!.values.map(\.code))
                if let bad = values.first(where: { !known.contains($0) }) {
                    throw QueryError.invalid("'\(bad)' is not a value of \(key) (values: \(known.sorted().joined(separator: ", ")))")
                }
            } else if !["region", "province", "period"].contains(key) {
                throw QueryError.invalid("cannot filter on '\(key)': use region, province, period\(tableHas)")
            }
        }
        // A value no release has is a typo, not an empty answer.
        for (key, values) in spec.filters {
            let known: Set<String>
            switch key {
            case "region", "province":
                known = Set(releases.flatMap { r in r.data.units.filter { $0.level.rawValue == key }.map(\.geoCode) })
            case "period": known = Set(releases.map(\.period))
            default: continue
            }
            if let bad = values.sorted().first(where: { !known.contains($0) }) {
                let list = known.sorted()
                throw QueryError.invalid(
                    "no \(key) '\(bad)' in the releases (\(key == "period" ? "quarters" : key + "s"): \(list.prefix(20).joined(separator: ", "))\(list.count > 20 ? ", …" : ""))"
                )
            }
        }
        let byLevels = spec.by.compactMap { Level(rawValue: $0) }
        guard byLevels.count <= 1 else { throw QueryError.invalid("group by at most one of country, region, province") }
        // A region or province filter names units of that level: their cells are what is asked.
        let level =
            spec.level ?? byLevels.first
            ?? (spec.filters["province"] != nil ? .province : spec.filters["region"] != nil ? .region : .country)
        if level == .country, spec.filters["region"] != nil || spec.filters["province"] != nil {
            throw QueryError.invalid("a region or province filter selects units below the country: use --level region or province")
        }
        if level == .region, spec.filters["province"] != nil {
            throw QueryError.invalid("a province filter selects provinces: use --level province")
        }
        if let b = byLevels.first, b != level {
            throw QueryError.invalid("--level \(level.rawValue) does not match grouping by \(b.rawValue)")
        }

        // Collect, per group and per release, the cells to sum.
        struct Acc { var cells: [(release: Int, unit: Int, cell: Int)] = [] }
        var groups: [[String]: Acc] = [:]
        for (ri, r) in releases.enumerated() {
            if let periods = spec.filters["period"], !periods.contains(r.period) { continue }
            for (ui, u) in r.geography.units.enumerated() where u.level == level {
                if let regions = spec.filters["region"] {
                    let regionCode = u.level == .region ? u.code : u.level == .province ? r.geography.units[u.parent!].code : nil
                    guard let regionCode, regions.contains(regionCode) else { continue }
                }
                if let provinces = spec.filters["province"], !(u.level == .province && provinces.contains(u.code)) { continue }
                for cell in cellList {
                    var keep = true
                    for (d, name) in dimensions.enumerated() {
                        if let values = spec.filters[name], !values.contains(cell.values[d]) { keep = false }
                    }
                    guard keep else { continue }
                    let key = spec.by.map { b -> String in
                        if b == "period" { return r.period }
                        if Level(rawValue: b) != nil { return u.code }
                        return cell.values[dimensions.firstIndex(of: b)!]
                    }
                    groups[key, default: Acc()].cells.append((ri, ui, cell.index))
                }
            }
        }
        return groups.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { key in
            answer(group: key, cells: groups[key]!.cells, table: spec.table)
        }
    }

    /// A query on the breakdowns by stage or sector (the release's `domain_cells`): one published
    /// value per release and group, summed over releases (their noise is independent, so the
    /// margins add in quadrature). Within one release a group must be one part's value: sums of
    /// parts are published themselves (the country's part, the part's total), and their
    /// covariances are not in the file.
    func runBreakdown(_ spec: QuerySpec, dimensions: Set<String>) throws -> [QueryAnswer] {
        guard dimensions.count == 1, let dimension = dimensions.first else {
            throw QueryError.invalid(
                "stage and sector are separate breakdowns (each a partition of its unit, not crossed): use one of them per query")
        }
        let first = releases[0]
        let isTotal = spec.table == "total"
        let table = first.codebook.table(spec.table)
        guard isTotal || table != nil else {
            throw QueryError.invalid("unknown table '\(spec.table)' (for a breakdown: total, or a table the release breaks down)")
        }
        let dims = table?.dimensions ?? []
        let allowed = Set(dims + ["period", "country", "region", dimension])
        for b in spec.by where !allowed.contains(b) {
            throw QueryError.invalid(
                "cannot group a breakdown by '\(b)': use period, country, region, \(dimension)\(dims.isEmpty ? "" : " or a dimension of \(spec.table)") (provinces are not broken down)"
            )
        }
        for key in spec.filters.keys where !(dims + ["period", "region", dimension]).contains(key) {
            throw QueryError.invalid(
                "cannot filter a breakdown on '\(key)': use period, region, \(dimension) or a dimension of \(spec.table)")
        }
        let byLevels = spec.by.compactMap { Level(rawValue: $0) }
        guard byLevels.count <= 1 else { throw QueryError.invalid("group by at most one of country, region") }
        // A region filter names regions: their parts are what is asked.
        let level = spec.level ?? byLevels.first ?? (spec.filters["region"] != nil ? .region : .country)
        guard level != .province else { throw QueryError.invalid("breakdowns by \(dimension) exist for the country and the regions only") }
        if let regions = spec.filters["region"] {
            let known = Set(first.data.units.filter { $0.level == .region }.map(\.geoCode))
            if let bad = regions.sorted().first(where: { !known.contains($0) }) {
                throw QueryError.invalid("'\(bad)' is not a region code of these releases")
            }
            guard level == .region else {
                throw QueryError.invalid("a region filter asks for regions' parts: use --level region (or group by region)")
            }
        }
        var parts: [[String]: [(release: Int, row: ReleaseRow)]] = [:]
        var anyBreakdown = false
        for (ri, r) in releases.enumerated() {
            if let periods = spec.filters["period"], !periods.contains(r.period) { continue }
            let values = Set(r.data.domainUnits.filter { $0.dimension == dimension }.map(\.domain))
            if let wanted = spec.filters[dimension], let bad = wanted.first(where: { !values.contains($0) && !values.isEmpty }) {
                throw QueryError.invalid(
                    "'\(bad)' is not a value of \(dimension) in release \(r.info.releaseID) (values: \(values.sorted().joined(separator: ", ")))"
                )
            }
            var perGroup: [[String]: Int] = [:]
            for d in r.data.domainRows where d.dimension == dimension && d.row.level == level && d.row.tableName == spec.table {
                anyBreakdown = true
                if let regions = spec.filters["region"], !(level == .region && regions.contains(d.row.geoCode)) { continue }
                if let wanted = spec.filters[dimension], !wanted.contains(d.domain) { continue }
                var cellValues: [String] = []
                if let table {
                    guard let cell = table.cells.first(where: { $0.code == d.row.cell }) else { continue }
                    var keep = true
                    for (i, name) in dims.enumerated() {
                        if let v = spec.filters[name], !v.contains(cell.values[i]) { keep = false }
                    }
                    guard keep else { continue }
                    cellValues = cell.values
                }
                let key = spec.by.map { b -> String in
                    if b == "period" { return r.period }
                    if b == dimension { return d.domain }
                    if Level(rawValue: b) != nil { return d.row.geoCode }
                    return cellValues[dims.firstIndex(of: b)!]
                }
                perGroup[key, default: 0] += 1
                parts[key, default: []].append((ri, d.row))
            }
            if let (key, n) = perGroup.first(where: { $0.value > 1 }) {
                throw QueryError.invalid(
                    "group \(key.isEmpty ? "(all)" : key.joined(separator: ", ")) would add \(n) values of one release's breakdown: group by \(dimension)\(level == .region ? " and region" : "")\(dims.isEmpty ? "" : " and every dimension of \(spec.table) you do not filter on"), or ask --table total for a part's total (sums of parts are published themselves)"
                )
            }
        }
        guard anyBreakdown else {
            let atCountry = releases.contains { r in
                r.data.domainRows.contains { $0.dimension == dimension && $0.row.tableName == spec.table && $0.row.level == .country }
            }
            if atCountry && level == .region {
                throw QueryError.invalid(
                    "\(spec.table) is broken down by \(dimension) at the country only (a region's parts are too small for its cells): ask for the country, or --table total for the regions' parts"
                )
            }
            throw QueryError.invalid(
                "the releases given have no breakdown of \(spec.table) by \(dimension) at the \(level.rawValue) level (see their domain_cells table; 'mosaic release create --domains' makes them)"
            )
        }
        return parts.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { key in
            let rows = parts[key]!
            if rows.count == 1, let only = rows.first?.row, only.status == .published {
                return QueryAnswer(
                    group: key, value: only.value, moe95: only.moe95, lower: nil, upper: nil, cells: 1, suppressed: 0, status: "exact")
            }
            var sum = 0
            var lowest = 0
            var highest: Int? = 0
            var variance = 0.0
            var withheld = 0
            var unavailable = false
            for (ri, row) in rows {
                if let v = row.value {
                    sum += v
                    variance += Margin.standardError(row.moe95 ?? 0) * Margin.standardError(row.moe95 ?? 0)
                } else {
                    withheld += 1
                    let k = releases[ri].k
                    switch row.status {
                    case .complementary:
                        highest = nil
                        lowest += k
                    case .smallArea: unavailable = true
                    default: highest = highest.map { $0 + k - 1 }
                    }
                }
            }
            if unavailable {
                return QueryAnswer(
                    group: key, value: nil, moe95: nil, lower: sum, upper: nil, cells: rows.count, suppressed: withheld,
                    status: "unavailable")
            }
            let moe: Double? = variance > 0 ? Margin.of(variance: variance) : nil
            if withheld > 0 {
                let status = rows.count == 1 ? (rows[0].row.status.reason?.rawValue ?? "bounded") : "bounded"
                return QueryAnswer(
                    group: key, value: nil, moe95: moe, lower: sum + lowest, upper: highest.map { sum + $0 }, cells: rows.count,
                    suppressed: withheld, status: status)
            }
            return QueryAnswer(
                group: key, value: sum, moe95: moe ?? 0, lower: nil, upper: nil, cells: rows.count, suppressed: 0, status: "sum")
        }
    }

    func answer(group: [String], cells: [(release: Int, unit: Int, cell: Int)], table: String) -> QueryAnswer {
        var sum = 0
        var suppressed = 0
        var smallArea = false
        var lowest = 0
        var highest: Int? = 0
        var variance = 0.0
        var largestCellMargin = 0.0
        var rowsFound: [ReleaseRow] = []
        for (ri, r) in releases.enumerated() {
            let mine = cells.filter { $0.release == ri }
            guard !mine.isEmpty else { continue }
            if table == QueryEngine.totalTable {
                variance += r.model.varianceOfTotalSum(units: mine.map(\.unit))
            } else {
                variance += r.model.varianceOfSum(table: table, cells: mine.map { (unit: $0.unit, cell: $0.cell) })
            }
            for c in mine {
                let u = r.geography.units[c.unit]
                let code = c.cell < 0 ? QueryEngine.totalCell : r.codebook.allCells[c.cell].code
                guard let row = r.rows["\(u.level.rawValue)|\(u.code)|\(table)|\(code)"] else { continue }
                rowsFound.append(row)
                if let v = row.value {
                    sum += v
                    largestCellMargin = max(largestCellMargin, row.moe95 ?? 0)
                } else {
                    suppressed += 1
                    // What the status says of the value: below_k 0 to k − 1 (a zero may be
                    // withheld to protect another value), complementary k or more, older files'
                    // "suppressed" 1 to k − 1.
                    var low = 0
                    var high: Int? = r.k - 1
                    switch row.status {
                    case .complementary: (low, high) = (r.k, nil)
                    case .suppressed: low = 1
                    case .smallArea: high = nil
                    default: break
                    }
                    // Narrowed to what the file's other values imply (never widened).
                    if let d = r.derived[ValueKey(level: row.level, geoCode: row.geoCode, tableName: row.tableName, cell: row.cell)] {
                        if let lo = d.wholeLower { low = max(low, lo) }
                        if let hi = d.wholeUpper { high = min(high ?? .max, hi) }
                        if let h = high, h < low { high = low }
                    }
                    lowest += low
                    highest = highest.flatMap { sum in high.map { sum + $0 } }
                    let total = r.rows["\(u.level.rawValue)|\(u.code)|total|persons"]
                    if total?.status == .smallArea { smallArea = true }
                }
            }
        }
        var moe = Margin.of(variance: variance)
        // With bootstrap replicates in every release involved, the margin of a sum is the 95th
        // percentile of its absolute replicate error (calibrated; see privacy-eval sums).
        let involved = releases.indices.filter { ri in cells.contains { $0.release == ri } }
        let counts = Set(involved.map { releases[$0].data.replicates.count })
        if counts.count == 1, let b = counts.first, b >= 20 {
            var errors = [Int](repeating: 0, count: b)
            for ri in involved {
                let r = releases[ri]
                let width = r.codebook.allCells.count + 1
                for c in cells where c.release == ri {
                    let index = c.unit * width + 1 + c.cell
                    for k in 0..<b { errors[k] += Int(r.data.replicates[k][index]) }
                }
            }
            let sorted = errors.map { abs($0) }.sorted()
            // Never below the largest margin of a published cell inside: near zero, clamping
            // makes most replicates exact, and "0 ± 0" would claim a certainty no reader has.
            moe = max(Double(sorted[min(b - 1, Int((0.95 * Double(b)).rounded(.up)) - 1)]), largestCellMargin)
        }
        if rowsFound.count == 1, let only = rowsFound.first, only.status == .published {
            return QueryAnswer(
                group: group, value: only.value, moe95: only.moe95, lower: nil, upper: nil, cells: 1, suppressed: 0, status: "exact")
        }
        if smallArea {
            return QueryAnswer(
                group: group, value: nil, moe95: nil, lower: sum, upper: nil, cells: cells.count, suppressed: suppressed,
                status: "unavailable")
        }
        if suppressed > 0 {
            // One withheld cell says why; a sum with withheld cells inside is bounded.
            let status = rowsFound.count == 1 ? (rowsFound[0].status.reason?.rawValue ?? "bounded") : "bounded"
            return QueryAnswer(
                group: group, value: nil, moe95: moe, lower: sum + lowest, upper: highest.map { sum + $0 },
                cells: cells.count, suppressed: suppressed, status: status)
        }
        return QueryAnswer(group: group, value: sum, moe95: moe, lower: nil, upper: nil, cells: cells.count, suppressed: 0, status: "sum")
    }
}

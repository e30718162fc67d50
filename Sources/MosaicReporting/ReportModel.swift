import Foundation
import MosaicCodebook
import MosaicErrorModel
import MosaicQuery
import MosaicReleaseFile

/// A published figure as a report shows it.
public struct Figure: Sendable, Equatable, Codable {
    public var value: Int?
    public var moe95: Double?
    /// `published`, `suppressed` (1 to k−1) or `bounded` (a sum with suppressed cells inside).
    public var status: String
    public var lower: Int?
    public var upper: Int?

    public static func from(_ row: ReleaseRow?) -> Figure {
        guard let row else { return Figure(value: nil, moe95: nil, status: "unavailable") }
        return Figure(value: row.value, moe95: row.moe95, status: row.status)
    }

    public static func from(_ a: QueryAnswer) -> Figure {
        // One suppressed cell reads "fewer than k", as in the release.
        if a.cells == 1, a.suppressed == 1 { return Figure(value: nil, moe95: nil, status: "suppressed") }
        return Figure(
            value: a.value, moe95: a.moe95, status: a.value != nil ? "published" : (a.status == "unavailable" ? "unavailable" : "bounded"),
            lower: a.lower, upper: a.upper)
    }
}

/// One quarter of one unit's series.
public struct Point: Sendable, Equatable, Codable {
    public var period: String
    public var persons: Figure
    public var registeredSchools: Int
    public var reportingSchools: Int
    public var reportingEnrolment: Int
    /// Affected persons per 10,000 pupils of reporting schools, and its margin.
    public var rate: Double?
    public var rateMoe95: Double?
}

/// A unit's quarterly series.
public struct Series: Sendable, Equatable, Codable {
    public var code: String
    public var name: String
    public var points: [Point]
}

/// Whether a change is larger than the noise.
public enum Verdict: String, Sendable, Codable { case rise, fall, within, unknown }

/// A change between two quarters of the scope.
public struct Change: Sendable, Equatable, Codable {
    public var against: String
    public var difference: Int?
    /// 95 % margin of the difference: the two releases' noises are independent.
    public var moe95: Double?
    public var verdict: Verdict
}

/// A category of a breakdown.
public struct Category: Sendable, Equatable, Codable {
    public var code: String
    public var label: String
    public var figure: Figure
    /// Share of affected persons (for responses), when known.
    public var share: Double?
}

/// A breakdown of the latest quarter.
public struct Breakdown: Sendable, Equatable, Codable {
    /// `kind`, `victims`, `channels`, `tools`, `perpetrators`, `responses`.
    public var key: String
    public var categories: [Category]
}

/// A unit whose latest quarter is significantly above its own recent average.
public struct NotableRise: Sendable, Equatable, Codable {
    public var code: String
    public var name: String
    public var latest: Int
    public var baseline: Double
    public var difference: Double
    public var moe95: Double
}

/// Everything a report shows, computed from release files only.
public struct ReportModel: Sendable, Codable {
    public var scopeLevel: String
    public var scopeCode: String
    public var scopeName: String
    public var periods: [String]
    public var scope: Series
    /// Regions (for the country) or provinces (for a region).
    public var subunits: [Series]
    public var changes: [Change]
    /// Sub-units of the latest quarter, highest rate first (unpublished ones last).
    public var ranking: [Series]
    public var breakdowns: [Breakdown]
    public var notable: [NotableRise]
    public var k: Int
    public var minimumSchools: Int
    public var rho: String
    public var epsilon: String
    public var releaseIDs: [String]

    /// Builds the model from one release per quarter, for the country (`region` nil) or a region.
    public static func build(releases paths: [String], region: String? = nil, language: String = "en") throws -> ReportModel {
        let loaded = try paths.map { p -> (path: String, data: ReleaseData, info: ReleaseMetadata) in
            let (data, info) = try ReleaseReader.readChecked(p)
            return (p, data, info)
        }.sorted { $0.info.period < $1.info.period }
        guard let latest = loaded.last else { throw QueryError.invalid("no release given") }
        let periods = loaded.map { $0.info.period.description }
        guard Set(periods).count == periods.count else {
            throw QueryError.invalid("give one release per quarter (a quarter appears twice)")
        }
        let codebook = try Codebook.bundled(version: latest.info.codebookVersion)
        let scopeLevel = region == nil ? "country" : "region"
        let scopeUnit = latest.data.units.first { $0.level == scopeLevel && (region == nil || $0.geoCode == region) }
        guard let scopeUnit else { throw QueryError.invalid("region '\(region ?? "")' is not in the releases") }
        let childLevel = region == nil ? "region" : "province"
        let children = latest.data.units.filter { $0.level == childLevel && $0.parentCode == scopeUnit.geoCode }

        func series(_ level: String, _ code: String, _ name: String) -> Series {
            Series(
                code: code, name: name,
                points: loaded.map { r in
                    let row = r.data.rows.first { $0.level == level && $0.geoCode == code && $0.tableName == "total" }
                    let cov = r.data.coverage.first { $0.level == level && $0.geoCode == code }
                    var p = Point(
                        period: r.info.period.description, persons: .from(row), registeredSchools: cov?.registeredSchools ?? 0,
                        reportingSchools: cov?.reportingSchools ?? 0, reportingEnrolment: cov?.reportingEnrolment ?? 0)
                    if let v = p.persons.value, p.reportingEnrolment > 0 {
                        p.rate = Double(v) / Double(p.reportingEnrolment) * 10_000
                        p.rateMoe95 = (p.persons.moe95 ?? 0) / Double(p.reportingEnrolment) * 10_000
                    }
                    return p
                })
        }
        let scope = series(scopeLevel, scopeUnit.geoCode, scopeUnit.geoName)
        let subunits = children.map { series(childLevel, $0.geoCode, $0.geoName) }

        func change(_ a: Point, _ b: Point?) -> Change? {
            guard let b else { return nil }
            guard let va = a.persons.value, let vb = b.persons.value, let ma = a.persons.moe95, let mb = b.persons.moe95 else {
                return Change(against: b.period, difference: nil, moe95: nil, verdict: .unknown)
            }
            let d = va - vb
            let moe = (ma * ma + mb * mb).squareRoot()
            return Change(against: b.period, difference: d, moe95: moe, verdict: Double(abs(d)) > moe ? (d > 0 ? .rise : .fall) : .within)
        }
        let points = scope.points
        var changes: [Change] = []
        if let last = points.last {
            if points.count >= 2, let c = change(last, points[points.count - 2]) { changes.append(c) }
            if points.count >= 5, let c = change(last, points[points.count - 5]) { changes.append(c) }
        }

        let ranking = subunits.sorted { a, b in
            switch (a.points.last?.rate, b.points.last?.rate) {
            case (let x?, let y?): return x > y
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a.code < b.code
            }
        }

        // Breakdowns of the latest quarter, with the query engine's sums and margins.
        let engine = try QueryEngine(paths: [latest.path])
        let filters: [String: Set<String>] = region.map { ["region": [$0]] } ?? [:]
        let level: Level = region == nil ? .country : .region
        func breakdown(_ key: String, table: String, by: [String], extra: [String: Set<String>] = [:]) throws -> Breakdown {
            let answers = try engine.run(QuerySpec(table: table, by: by, filters: filters.merging(extra) { $1 }, level: level))
            let t = codebook.table(table)!
            return Breakdown(
                key: key,
                categories: answers.map { a in
                    let label = zip(by, a.group).map { dim, code in codebook.dimension(dim)?.value(code)?.label.text(language) ?? code }
                        .joined(separator: " · ")
                    _ = t
                    return Category(code: a.group.joined(separator: "."), label: label, figure: .from(a))
                })
        }
        var breakdowns = [
            try breakdown("kind", table: "incidents", by: ["kind"]),
            try breakdown("victims", table: "incidents", by: ["victim_group", "gender"]),
            try breakdown("channels", table: "channels", by: ["channel"]),
            try breakdown("tools", table: "tools", by: ["tool"]),
            try breakdown("perpetrators", table: "perpetrators", by: ["perpetrator"]),
            try breakdown("responses", table: "responses", by: ["response"]),
        ]
        if let total = points.last?.persons.value, total > 0 {
            for i in breakdowns[5].categories.indices {
                breakdowns[5].categories[i].share = breakdowns[5].categories[i].figure.value.map { Double($0) / Double(total) }
            }
        }

        // Notable rises: latest quarter against the mean of up to four earlier ones.
        var notable: [NotableRise] = []
        for s in [scope] + subunits {
            guard let last = s.points.last, let v = last.persons.value, let m = last.persons.moe95 else { continue }
            let earlier = s.points.dropLast().suffix(4)
            guard earlier.count >= 2, earlier.allSatisfy({ $0.persons.value != nil && $0.persons.moe95 != nil }) else { continue }
            let n = Double(earlier.count)
            let baseline = earlier.reduce(0.0) { $0 + Double($1.persons.value!) } / n
            let varBaseline = earlier.reduce(0.0) { $0 + pow(Margin.standardError($1.persons.moe95 ?? 0), 2) } / (n * n)
            let moe = Margin.z95 * (pow(Margin.standardError(m), 2) + varBaseline).squareRoot()
            let d = Double(v) - baseline
            if d > moe { notable.append(NotableRise(code: s.code, name: s.name, latest: v, baseline: baseline, difference: d, moe95: moe)) }
        }
        notable.sort { ($0.difference / $0.moe95, $1.code) > ($1.difference / $1.moe95, $0.code) }

        return ReportModel(
            scopeLevel: scopeLevel, scopeCode: scopeUnit.geoCode, scopeName: scopeUnit.geoName, periods: periods, scope: scope,
            subunits: subunits, changes: changes, ranking: ranking, breakdowns: breakdowns, notable: notable,
            k: latest.info.k, minimumSchools: latest.info.minimumSchools, rho: latest.info.rho, epsilon: latest.info.epsilon,
            releaseIDs: loaded.map(\.info.releaseID))
    }
}

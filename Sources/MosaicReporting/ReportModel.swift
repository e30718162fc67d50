import Foundation
import MosaicCodebook
import MosaicDisclosure
import MosaicErrorModel
import MosaicQuery
import MosaicReleaseFile

/// Everything a report shows, computed from release files only.
public struct ReportModel: Sendable, Codable {
    /// The covered area's level (country or region).
    public var scopeLevel: Level
    /// The covered area's code.
    public var scopeCode: String
    /// The covered area's name.
    public var scopeName: String
    /// The quarters, oldest first.
    public var periods: [String]
    /// The area the report covers, over the quarters.
    public var scope: Series
    /// Regions (for the country) or provinces (for a region).
    public var subunits: [Series]
    /// The whole country over the quarters (the same as ``scope`` in a country report): what
    /// every unit's rate is compared with.
    public var national: Series
    /// The latest quarter against the previous one and a year earlier.
    public var changes: [Change]
    /// Sub-units of the latest quarter, highest rate first (unpublished ones last).
    public var ranking: [Series]
    /// The subunits at the end of ``ranking`` that are not ranked: their ranges straddle other rates.
    public var unrankedCodes: [String] = []
    /// Breakdowns of the latest quarter, one per table or dimension.
    public var breakdowns: [Breakdown]
    /// Units whose latest quarter rose beyond the margin above their recent mean.
    public var notable: [NotableRise]
    /// Units whose latest quarter fell beyond the margin below what their recent quarters (and,
    /// inside the country, the national trend) lead one to expect.
    public var notableFalls: [NotableRise] = []
    /// The last four quarters pooled, for the area and each sub-unit (empty with fewer than
    /// four quarters).
    public var pooled: [Pooled] = []
    /// Published values from 1 to k − 1 are suppressed.
    public var k: Int
    /// Units with fewer registered schools are not published on their own.
    public var minimumSchools: Int
    /// Units or parts with fewer reporting schools are not published on their own.
    public var reportingMinimumSchools: Int = 5
    /// ρ (zero-concentrated differential privacy).
    public var rho: String
    /// ε at δ = 10⁻⁶, as the release states it.
    public var epsilon: String
    /// The releases the report is built from.
    public var releaseIDs: [String]
    /// The day the latest release was made (`YYYY-MM-DD`), when its file says.
    public var releasedOn: String?
    /// What protects a person with one incident in each quarter of the report, over all its
    /// releases (``PersonLoss``: a pooled release of n quarters counts n² × its ρ).
    public var totalRho: Double?
    /// True when a pooled release is among them (its ρ counts n² times in ``totalRho``).
    public var pooledInLoss = false
    /// The pooled release whose figures the pooled section shows (nil: sums of quarterly releases).
    public var pooledRelease: String?
    /// The area broken down by school stage and by sector in the latest quarter (empty when the
    /// release has no breakdowns).
    public var domainBreakdowns: [DomainBreakdown] = []

    /// An upper bound on ε at δ for `rho` (ρ-zCDP implies (ρ + 2√(ρ ln(1/δ)), δ)-DP): simple
    /// and never understated; the releases state the tighter figure for one quarter.
    public static func epsilonBound(rho: Double, delta: Double = 1e-6) -> Double {
        rho + 2 * (rho * log(1 / delta)).squareRoot()
    }

    /// Builds the model from one release per quarter, for the country (`region` nil) or a region.
    public static func build(releases paths: [String], region: String? = nil, language: String = "en") throws -> ReportModel {
        let all = try paths.map { p -> (path: String, data: ReleaseData, info: ReleaseMetadata) in
            let (data, info) = try ReleaseReader.readChecked(p)
            return (p, data, info)
        }.sorted { $0.info.period < $1.info.period }
        // Quarterly releases make the series; a pooled one, the figures for the last quarters together.
        let loaded = all.filter { $0.info.span.isSingle }
        let pooledReleases = all.filter { !$0.info.span.isSingle }
        guard let latest = loaded.last else {
            throw QueryError.invalid(
                all.isEmpty ? "no release given" : "give the quarterly releases too: a pooled release alone has no trend")
        }
        guard pooledReleases.count <= 1 else { throw QueryError.invalid("give at most one pooled release (the last four quarters)") }
        let expectedSpan = PeriodSpan(first: latest.info.period.trailing(4).first ?? latest.info.period, last: latest.info.period)
        if let p = pooledReleases.first, p.info.span != expectedSpan {
            throw QueryError.invalid(
                "the pooled release \(p.info.releaseID) covers \(p.info.span); a report uses one covering the four quarters to its latest (\(expectedSpan.map(\.description) ?? "")): make it with 'mosaic release create --periods \(expectedSpan.map(\.description) ?? "")'"
            )
        }
        let periods = loaded.map { $0.info.period.description }
        guard Set(periods).count == periods.count else {
            throw QueryError.invalid("give one release per quarter (a quarter appears twice)")
        }
        let codebook = try Codebook.bundled(version: latest.info.codebookVersion)
        let scopeLevel: Level = region == nil ? .country : .region
        let scopeUnit = latest.data.units.first { $0.level == scopeLevel && (region == nil || $0.geoCode == region) }
        guard let scopeUnit else {
            if let region, let province = latest.data.units.first(where: { $0.level == .province && $0.geoCode == region }) {
                throw QueryError.invalid(
                    "\(region) is a province (\(province.geoName)) of region \(province.parentCode): a report covers the whole country or one region (--region \(province.parentCode))"
                )
            }
            throw QueryError.invalid("region '\(region ?? "")' is not in the releases")
        }
        let childLevel: Level = region == nil ? .region : .province
        let children = latest.data.units.filter { $0.level == childLevel && $0.parentCode == scopeUnit.geoCode }

        // What a reader can derive for each withheld value from each file (post-processing of
        // the file alone). A file whose published values admit no solution keeps the ranges its
        // statuses give.
        let derived = loaded.map { r -> [ValueKey: DerivedInterval] in
            guard let cb = try? Codebook.bundled(version: r.info.codebookVersion) else { return [:] }
            // Only the totals the report shows: the area's and its sub-units'.
            return
                (try? r.data.readerIntervals(codebook: cb, k: r.info.k) { key in
                    key.tableName == "total" && (key.level == scopeLevel ? key.geoCode == scopeUnit.geoCode : key.level == childLevel)
                }) ?? [:]
        }
        let margins = loaded.map(Self.withheldTotalMargins)
        let lookups = loaded.map { ReleaseLookup($0.data) }
        func series(_ level: Level, _ code: String, _ name: String) -> Series {
            Self.series(loaded, lookups: lookups, derived: derived, margins: margins, level, code, name)
        }
        let scope = series(scopeLevel, scopeUnit.geoCode, scopeUnit.geoName)
        let country = latest.data.units.first { $0.level == .country }
        let national = region == nil ? scope : series(.country, country?.geoCode ?? "", country?.geoName ?? "")
        let subunits = children.map { series(childLevel, $0.geoCode, $0.geoName) }
        let breakdowns = try Self.breakdowns(release: latest.path, codebook: codebook, region: region, language: language, scope: scope)
        var model = ReportModel(
            scopeLevel: scopeLevel, scopeCode: scopeUnit.geoCode, scopeName: scopeUnit.geoName, periods: periods, scope: scope,
            subunits: subunits, national: national, changes: changes(scope.points), ranking: ranking(subunits), breakdowns: breakdowns,
            notable: notableRises([scope] + subunits, national: national),
            k: latest.info.k, minimumSchools: latest.info.minimumSchools, rho: latest.info.rho, epsilon: latest.info.epsilon,
            releaseIDs: all.map(\.info.releaseID),
            releasedOn: latest.data.metadata.first { $0.key == "created_at" }.map { String($0.value.prefix(10)) })
        model.reportingMinimumSchools = latest.info.reportingMinimumSchools
        model.unrankedCodes = Self.rankedAndUnranked(subunits).unranked.map(\.code)
        model.pooled = ([scope] + subunits).compactMap(pooled)
        model.domainBreakdowns = Self.domainBreakdowns(
            latest.data, level: scopeLevel, code: scopeUnit.geoCode, language: language, k: latest.info.k)
        model.notableFalls = notableRises([scope] + subunits, national: national, falls: true)
        // A pooled release measured the four quarters' sum directly: one draw of noise, about
        // half the error of four quarterly releases added up. Its figures replace the sums.
        if let p = pooledReleases.first {
            let cb = try? Codebook.bundled(version: p.info.codebookVersion)
            let d =
                (try? cb.map { c in
                    try p.data.readerIntervals(codebook: c, k: p.info.k) { key in
                        key.tableName == "total" && (key.level == scopeLevel ? key.geoCode == scopeUnit.geoCode : key.level == childLevel)
                    }
                }) ?? nil
            let m = Self.withheldTotalMargins(p)
            let lookup = ReleaseLookup(p.data)
            for i in model.pooled.indices {
                let code = model.pooled[i].code
                let level = code == scopeUnit.geoCode ? scopeLevel : childLevel
                guard
                    let point = Self.series([p], lookups: [lookup], derived: [d ?? [:]], margins: [m], level, code, model.pooled[i].name)
                        .points.first
                else {
                    continue
                }
                model.pooled[i].persons = point.persons
                model.pooled[i].rate = point.rate
                model.pooled[i].rateMoe95 = point.rateMoe95
                model.pooled[i].ratePupils = point.ratePupils
                model.pooled[i].shareUncertainty = point.shareUncertainty
                // The change against the four quarters before, from their quarterly releases.
                if let a = point.persons.value, let ma = point.persons.moe95, let before = model.pooled[i].before, let b = before.value,
                    let mb = before.moe95, b > 0
                {
                    let ratio = Double(a) / Double(b)
                    model.pooled[i].changePercent = (ratio - 1) * 100
                    model.pooled[i].changePercentMoe95 = 100 * (ma * ma + ratio * ratio * mb * mb).squareRoot() / Double(b)
                } else {
                    model.pooled[i].changePercent = nil
                    model.pooled[i].changePercentMoe95 = nil
                }
            }
            model.pooledRelease = p.info.releaseID
        }
        // A person with one incident in each quarter of the report: every release adds its ρ
        // times the square of the incidents it counts (a pooled release of n quarters, n² × ρ).
        model.totalRho = PersonLoss.rho(all.map { ($0.info.span, $0.info.rhoValue) })
        model.pooledInLoss = all.contains { !$0.info.span.isSingle }
        return model
    }

    /// A unit's total of affected persons over the quarters, with its rate per 10,000 pupils of reporting schools.
    static func series(
        _ loaded: [(path: String, data: ReleaseData, info: ReleaseMetadata)], lookups: [ReleaseLookup],
        derived: [[ValueKey: DerivedInterval]] = [],
        margins: [[String: Double]] = [], _ level: Level, _ code: String, _ name: String
    ) -> Series {
        Series(
            code: code, name: name,
            points: zip(loaded.indices, loaded).map { i, r in
                let row = lookups[i].total(level, code)
                let cov = lookups[i].coverage(level, code)
                var p = Point(
                    period: r.info.period.description, persons: .from(row), registeredSchools: cov?.registeredSchools ?? 0,
                    registeredEnrolment: cov?.registeredEnrolment ?? 0, coverage: cov?.coverage ?? .withheld)
                let share = rateShare(lookups[i], level, code)
                let pupils = Double(p.registeredEnrolment) * (share?.share ?? 0)
                if pupils > 0 {
                    p.ratePupils = pupils
                    p.shareUncertainty = share?.relativeHalfWidth ?? 0
                }
                // A withheld value's range, from what its status says (never more).
                if p.persons.value == nil {
                    switch p.persons.status {
                    case "below_k", "suppressed":
                        // 0 to k − 1: a zero withheld to protect another figure reads the same.
                        p.persons.lower = 0
                        p.persons.upper = r.info.k - 1
                    case "complementary": p.persons.lower = r.info.k
                    default: break
                    }
                    // Narrowed to what the file's other figures imply (never widened).
                    if i < derived.count, let d = derived[i][.total(level, code)] {
                        p.persons.narrow(to: d)
                    }
                    // The noise on the withheld value, from the release's public parameters.
                    if p.persons.lower != nil, i < margins.count { p.persons.moe95 = margins[i][level.rawValue + "|" + code] }
                }
                if let v = p.persons.value, pupils > 0 {
                    let rate = Double(v) / pupils * 10_000
                    p.rate = rate
                    p.rateMoe95 = rateMargin(rate: rate, noise: (p.persons.moe95 ?? 0) / pupils * 10_000, share: p.shareUncertainty ?? 0)
                }
                return p
            })
    }

    /// The 95 % margin of each withheld unit total (`level|code`), from the release's noise
    /// table and hierarchy alone (public parameters): the noise on the withheld value, which
    /// comes on top of the range a reader derives for it.
    static func withheldTotalMargins(_ r: (path: String, data: ReleaseData, info: ReleaseMetadata)) -> [String: Double] {
        guard let codebook = try? Codebook.bundled(version: r.info.codebookVersion) else { return [:] }
        let geography = Geography(release: r.data)
        var sigma2: [String: [Level: Double]] = [:]
        for n in r.data.noise where n.sigma2Den > 0 {
            sigma2[n.tableName, default: [:]][n.level] = Double(n.sigma2Num) / Double(n.sigma2Den)
        }
        guard let model = try? ErrorModel(codebook: codebook, geography: geography, sigma2: sigma2) else { return [:] }
        let lookup = ReleaseLookup(r.data)
        var out: [String: Double] = [:]
        for (u, unit) in geography.units.enumerated() where lookup.total(unit.level, unit.code)?.status.isSuppressed == true {
            out[unit.level.rawValue + "|" + unit.code] = Margin.of(variance: model.totalCovariance(u, u))
        }
        return out
    }

    /// A rate's 95 % margin: the noise's margin and the reporting share's uncertainty (the share
    /// is published only as a band, so the pupils a rate divides by are known to within the
    /// band's half-width relative to its midpoint), combined as independent errors. The band's
    /// half-width is a bound, not a standard error, so this is the wider, safer reading.
    public static func rateMargin(rate: Double, noise: Double, share relativeHalfWidth: Double) -> Double {
        let band = abs(rate) * relativeHalfWidth
        return (noise * noise + band * band).squareRoot()
    }

    /// The reporting share a unit's rate divides by, with the relative half-width of its band
    /// (0 when complete): its own published share, else the nearest published one up the
    /// hierarchy (nil when none is).
    static func rateShare(_ data: ReleaseData, _ level: Level, _ code: String) -> (share: Double, relativeHalfWidth: Double)? {
        rateShare(ReleaseLookup(data), level, code)
    }

    /// ``rateShare(_:_:_:)`` through a release's lookup (constant time per step).
    static func rateShare(_ lookup: ReleaseLookup, _ level: Level, _ code: String) -> (share: Double, relativeHalfWidth: Double)? {
        var current: (Level, String)? = (level, code)
        while let (l, c) = current {
            if let published = lookup.coverage(l, c)?.coverage,
                let share = published.rateShare, share > 0
            {
                let half = published.status == .band ? Double((published.high ?? 0) - (published.low ?? 0)) / 200 : 0
                return (share, half / share)
            }
            guard let unit = lookup.unit(l, c), !unit.parentCode.isEmpty else { return nil }
            current = (l == .province ? .region : .country, unit.parentCode)
        }
        return nil
    }

    /// The latest quarter against the previous one and against a year earlier, each with its verdict.
    static func changes(_ points: [Point]) -> [Change] {
        func change(_ a: Point, _ b: Point) -> Change {
            guard let va = a.persons.value, let vb = b.persons.value, let ma = a.persons.moe95, let mb = b.persons.moe95 else {
                return Change(against: b.period, difference: nil, moe95: nil, verdict: .unknown)
            }
            let d = va - vb
            let moe = (ma * ma + mb * mb).squareRoot()
            var verdict: Verdict = Double(abs(d)) > moe ? (d > 0 ? .rise : .fall) : .within
            // A change in counts that more (or fewer) schools reporting could explain is not
            // one to be confident in: the rates, with the reporting bands' uncertainty, must
            // move the same way beyond their margin too.
            if verdict != .within, let ra = a.rate, let rb = b.rate, let rma = a.rateMoe95, let rmb = b.rateMoe95 {
                let rateMoe = (rma * rma + rmb * rmb).squareRoot()
                if abs(ra - rb) <= rateMoe || (ra - rb > 0) != (d > 0) { verdict = .reporting }
            }
            return Change(against: b.period, difference: d, moe95: moe, verdict: verdict)
        }
        guard let last = points.last else { return [] }
        var changes: [Change] = []
        if points.count >= 2 { changes.append(change(last, points[points.count - 2])) }
        if points.count >= 5 { changes.append(change(last, points[points.count - 5])) }
        return changes
    }

    /// A unit's rate against the national rate in the same quarter: above or below only when the
    /// difference exceeds the 95 % margin of the difference (the two margins combined as for
    /// independent estimates, which is wider than the truth for a unit inside the country).
    public static func againstNational(_ p: Point?, _ n: Point?) -> Verdict {
        guard let nr = n?.rate, let nm = n?.rateMoe95, let p else { return .unknown }
        // A withheld count with a closed range: above (below) only if its whole range is.
        if p.rate == nil, let range = p.rateRange, let hi = range.upper, let pupils = p.ratePupils {
            // The range is already widened by the reporting band: the noise's margin remains.
            let m = (p.persons.moe95 ?? 0) / pupils * 10_000
            let margin = (m * m + nm * nm).squareRoot()
            if range.lower - nr > margin { return .rise }
            if nr - hi > margin { return .fall }
            return .within
        }
        guard let r = p.rate, let m = p.rateMoe95 else { return .unknown }
        let margin = (m * m + nm * nm).squareRoot()
        if r - nr > margin { return .rise }
        if nr - r > margin { return .fall }
        return .within
    }

    /// Subunits by their latest rate, highest first. A withheld one, shown as a range, is ranked
    /// only where its whole range fits between two ranked rates (a range is never ranked by its
    /// middle: 7.9–12.5 is not "second" when its truth may be the lowest); the others are not
    /// ranked and come last, by code (``unrankedCodes`` tells which).
    static func ranking(_ subunits: [Series]) -> [Series] {
        let (ranked, unranked) = rankedAndUnranked(subunits)
        return ranked + unranked
    }

    /// ``ranking(_:)`` in two parts: the ranked, and those that cannot be ranked, by code.
    static func rankedAndUnranked(_ subunits: [Series]) -> (ranked: [Series], unranked: [Series]) {
        let rated = subunits.filter { $0.points.last?.rate != nil }.sorted { a, b in
            let (x, y) = (a.points.last?.rate ?? 0, b.points.last?.rate ?? 0)
            return x != y ? x > y : a.code < b.code
        }
        let rates = rated.map { $0.points.last?.rate ?? 0 }
        var slots: [Int: [Series]] = [:]
        var unranked: [Series] = []
        for s in subunits where s.points.last?.rate == nil {
            guard let range = s.points.last?.rateRange, let high = range.upper else {
                unranked.append(s)
                continue
            }
            // The slot before rated[i]: every rate above it at least the range's top, every rate
            // below it at most the range's bottom.
            let slot = (0...rates.count).first { i in
                (i == 0 || rates[i - 1] >= high) && (i == rates.count || rates[i] <= range.lower)
            }
            if let slot { slots[slot, default: []].append(s) } else { unranked.append(s) }
        }
        var out: [Series] = []
        for i in 0...rates.count {
            // Ranges sharing a slot: ranked among themselves only when they do not overlap.
            let here = (slots[i] ?? []).sorted { ($0.points.last?.rateRange?.lower ?? 0) > ($1.points.last?.rateRange?.lower ?? 0) }
            let overlap = zip(here, here.dropFirst()).contains { a, b in
                (b.points.last?.rateRange?.upper ?? .infinity) > (a.points.last?.rateRange?.lower ?? 0)
            }
            if overlap { unranked += here } else { out += here }
            if i < rated.count { out.append(rated[i]) }
        }
        return (out, unranked.sorted { $0.code < $1.code })
    }

    /// Breakdowns of the latest quarter, with the query engine's sums and margins.
    static func breakdowns(release: String, codebook: Codebook, region: String?, language: String, scope: Series) throws -> [Breakdown] {
        let level: Level = region == nil ? .country : .region
        // Withheld cells of the area bounded by what the file implies (not by their status alone).
        let engine = try QueryEngine(
            paths: [release], readerRanges: { $0.level == level && (region == nil || $0.geoCode == region) && $0.tableName != "total" })
        let filters: [String: Set<String>] = region.map { ["region": [$0]] } ?? [:]
        let strings = try? ReportStrings(language: language)
        func breakdown(_ key: String, table: String, by: [String]) throws -> Breakdown {
            let answers = try engine.run(QuerySpec(table: table, by: by, filters: filters, level: level))
            return Breakdown(
                key: key,
                categories: sortedBySize(
                    answers.map { a in
                        // The report's own wording of the whole combination (Spanish "Alumnas de 14 a
                        // 15 años"), else of each value, else the codebook's.
                        let label =
                            strings?.label(dimension: key, code: a.group.joined(separator: "."))
                            ?? zip(by, a.group).map { dim, code in
                                strings?.label(dimension: dim, code: code) ?? codebook.dimension(dim)?.value(code)?.label.text(language)
                                    ?? code
                            }
                            .joined(separator: " · ")
                        return Category(code: a.group.joined(separator: "."), label: label, figure: .from(a))
                    }))
        }
        // The codebook says how each table is shown: one breakdown per entry, in its order.
        var breakdowns: [Breakdown] = []
        for table in codebook.tables {
            for entry in table.report {
                var b = try breakdown(entry.key, table: table.name, by: entry.by)
                b.title = strings?.optionalText(entry.key) ?? table.label.text(language)
                b.shares = table.multiValued
                if entry.mainPoint { b.mainPoint = strings?.optionalText("mp_what_" + entry.key) ?? b.title.lowercased() }
                breakdowns.append(b)
            }
        }
        if let last = scope.points.last, let total = last.persons.value, total > 0 {
            let t = Double(total)
            let mt = last.persons.moe95 ?? 0
            for b in breakdowns.indices where breakdowns[b].shares {
                for i in breakdowns[b].categories.indices {
                    let f = breakdowns[b].categories[i].figure
                    // No share of a figure of low reliability: "100 % ± 60" reads as "all".
                    guard let v = f.value, !Figure.isUnreliable(value: v, moe95: f.moe95) else { continue }
                    let share = Double(v) / t
                    breakdowns[b].categories[i].share = share
                    breakdowns[b].categories[i].shareMoe95 = (pow(f.moe95 ?? 0, 2) + pow(share * mt, 2)).squareRoot() / t
                }
            }
        }
        return breakdowns
    }

    /// The area's parts by stage and by sector from the release's `domain_cells`, with rates per
    /// 10,000 pupils of each part (`domain_units`). The rate divides by all the part's registered
    /// pupils, with the area's reporting band in its margin: the reporting share of one stage or
    /// sector is not published.
    static func domainBreakdowns(_ data: ReleaseData, level: Level, code: String, language: String, k: Int) -> [DomainBreakdown] {
        let strings = try? ReportStrings(language: language)
        let share = rateShare(data, level, code)
        var out: [DomainBreakdown] = []
        // The dimensions the file breaks its units down by, in the order it lists them.
        var dimensions: [String] = []
        for u in data.domainUnits where !dimensions.contains(u.dimension) { dimensions.append(u.dimension) }
        for key in dimensions {
            let units = data.domainUnits.filter { $0.level == level && $0.geoCode == code && $0.dimension == key }
            guard !units.isEmpty else { continue }
            let categories = units.compactMap { u -> DomainCategory? in
                guard
                    let row = data.domainRows.first(where: {
                        $0.row.level == level && $0.row.geoCode == code && $0.dimension == key && $0.domain == u.domain
                            && $0.row.tableName == "total"
                    })?.row
                else { return nil }
                let figure = Figure.from(row)
                var rate: Double?
                var rateMoe: Double?
                if let v = figure.value, u.registeredEnrolment > 0 {
                    let pupils = Double(u.registeredEnrolment) * (share?.share ?? 1)
                    let r = Double(v) / pupils * 10_000
                    rate = r
                    rateMoe = rateMargin(rate: r, noise: (figure.moe95 ?? 0) / pupils * 10_000, share: share?.relativeHalfWidth ?? 0)
                }
                return DomainCategory(
                    code: u.domain, label: strings?.label(dimension: key, code: u.domain) ?? u.domain, figure: figure,
                    pupils: u.registeredEnrolment, rate: rate, rateMoe95: rateMoe)
            }
            guard !categories.isEmpty else { continue }
            var breakdown = DomainBreakdown(key: key, categories: categories)
            let unitTotal = data.rows.first { $0.level == level && $0.geoCode == code && $0.tableName == "total" }?.value
            if let unitTotal, categories.count == units.count {
                narrowWithheldParts(&breakdown.categories, unitTotal: unitTotal, k: k)
            }
            out.append(breakdown)
        }
        return out
    }

    /// The range a reader derives for each withheld part of a split from the split alone: the
    /// parts add up to the unit's published total, so the withheld ones share what the published
    /// ones leave, each within what its status says (below k: 0 to k − 1; complementary: k or
    /// more; small area: 0 or more). Pure post-processing of the file; never wider than the status.
    static func narrowWithheldParts(_ categories: inout [DomainCategory], unitTotal: Int, k: Int) {
        var left = unitTotal
        var bounds: [(Int, Int?)] = []  // per withheld part: what its status says
        var withheld: [Int] = []
        for (i, c) in categories.enumerated() {
            if let v = c.figure.value {
                left -= v
                continue
            }
            switch c.figure.status {
            case "complementary": bounds.append((k, nil))
            case "below_k", "suppressed": bounds.append((0, k - 1))
            case "small_area": bounds.append((0, nil))
            default: return
            }
            withheld.append(i)
        }
        guard !withheld.isEmpty, left >= 0 else { return }
        let lowSum = bounds.reduce(0) { $0 + $1.0 }
        for (j, i) in withheld.enumerated() where ["complementary", "small_area"].contains(categories[i].figure.status) {
            let (lo, hi) = bounds[j]
            // The others take at least their lows and at most their highs.
            let upper = min(hi ?? .max, left - (lowSum - lo))
            var lower = lo
            var othersHigh: Int? = 0
            for (m, b) in bounds.enumerated() where m != j { othersHigh = othersHigh.flatMap { o in b.1.map { o + $0 } } }
            if let othersHigh { lower = max(lo, left - othersHigh) }
            guard upper >= lower else { continue }
            categories[i].figure.lower = lower
            categories[i].figure.upper = upper
        }
    }

    /// The last four quarters of a series pooled, and their change against the four before.
    static func pooled(_ series: Series) -> Pooled? {
        let pts = series.points
        guard pts.count >= 4 else { return nil }
        func sum(_ window: ArraySlice<Point>) -> Figure {
            var value = 0
            var lower = 0
            var upper: Int? = 0
            var variance = 0.0
            var withheld = false
            for p in window {
                if let v = p.persons.value {
                    value += v
                    lower += v
                    upper = upper.map { $0 + v }
                    variance += pow(Margin.standardError(p.persons.moe95 ?? 0), 2)
                } else if let lo = p.persons.lower {
                    withheld = true
                    lower += lo
                    variance += pow(Margin.standardError(p.persons.moe95 ?? 0), 2)
                    if let u = upper, let pu = p.persons.upper { upper = u + pu } else { upper = nil }
                } else {
                    return Figure(value: nil, moe95: nil, status: "unavailable")
                }
            }
            let moe = Margin.z95 * variance.squareRoot()
            if withheld { return Figure(value: nil, moe95: moe, status: "bounded", lower: lower, upper: upper) }
            return Figure(value: value, moe95: moe, status: "published")
        }
        let window = pts.suffix(4)
        let persons = sum(window)
        var out = Pooled(
            code: series.code, name: series.name, first: window.first?.period ?? "", last: window.last?.period ?? "", persons: persons)
        let pupils = window.compactMap(\.ratePupils)
        if pupils.count == 4 { out.ratePupils = pupils.reduce(0, +) / 4 }
        let band = window.map { $0.shareUncertainty ?? 0 }.reduce(0, +) / 4
        out.shareUncertainty = band
        if let v = persons.value, pupils.count == 4 {
            let mean = pupils.reduce(0, +) / 4
            let rate = Double(v) / mean * 10_000
            out.rate = rate
            out.rateMoe95 = rateMargin(rate: rate, noise: (persons.moe95 ?? 0) / mean * 10_000, share: band)
        }
        if pts.count >= 8 { out.before = sum(pts.dropLast(4).suffix(4)) }
        if pts.count >= 8, let a = persons.value, let ma = persons.moe95 {
            let before = sum(pts.dropLast(4).suffix(4))
            if let b = before.value, let mb = before.moe95, b > 0 {
                let ratio = Double(a) / Double(b)
                out.changePercent = (ratio - 1) * 100
                out.changePercentMoe95 = 100 * (ma * ma + ratio * ratio * mb * mb).squareRoot() / Double(b)
            }
        }
        return out
    }

    /// Categories by size, largest first (a withheld one by the lower end of its range); the
    /// "other" and "unknown" categories last, in codebook order.
    static func sortedBySize(_ categories: [Category]) -> [Category] {
        func isResidual(_ c: Category) -> Bool {
            c.code.split(separator: ".").contains { ["other", "unknown", "other_platform"].contains($0) }
        }
        func size(_ c: Category) -> Double { Double(c.figure.value ?? c.figure.lower ?? 0) }
        let indexed = Array(categories.enumerated())
        return indexed.sorted { a, b in
            let (ra, rb) = (isResidual(a.element), isResidual(b.element))
            if ra != rb { return !ra }
            if ra { return a.offset < b.offset }
            if size(a.element) != size(b.element) { return size(a.element) > size(b.element) }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// Notable rises: the latest quarter against the mean of up to four earlier ones, beyond the
    /// margin. A unit inside the country (every one but the country itself) is measured against
    /// the national trend: its baseline is scaled by the country's own rise over the same
    /// quarters, so that a country-wide rise does not make every unit "notable".
    /// `falls`: the units below their expected level by more than the margin instead (the
    /// difference is then negative).
    static func notableRises(_ all: [Series], national: Series? = nil, falls: Bool = false) -> [NotableRise] {
        // The country's latest quarter over the mean of the same earlier quarters.
        func nationalGrowth(_ window: Int) -> (ratio: Double, relativeVariance: Double)? {
            guard let n = national, let last = n.points.last?.persons.value, let m = n.points.last?.persons.moe95 else { return nil }
            let earlier = n.points.dropLast().suffix(window)
            let values = earlier.compactMap(\.persons.value)
            guard values.count == earlier.count, !values.isEmpty else { return nil }
            let base = Double(values.reduce(0, +)) / Double(values.count)
            guard base > 0, last > 0 else { return nil }
            let varBase =
                earlier.compactMap(\.persons.moe95).reduce(0.0) { $0 + pow(Margin.standardError($1), 2) } / pow(Double(values.count), 2)
            return (Double(last) / base, pow(Margin.standardError(m), 2) / pow(Double(last), 2) + varBase / (base * base))
        }
        var notable: [NotableRise] = []
        for s in all {
            guard let last = s.points.last, let v = last.persons.value, let m = last.persons.moe95 else { continue }
            let earlier = s.points.dropLast().suffix(4)
            let values = earlier.compactMap(\.persons.value)
            let margins = earlier.compactMap(\.persons.moe95)
            guard earlier.count >= 2, values.count == earlier.count, margins.count == earlier.count else { continue }
            let n = Double(earlier.count)
            var baseline = values.reduce(0.0) { $0 + Double($1) } / n
            var varBaseline = margins.reduce(0.0) { $0 + pow(Margin.standardError($1), 2) } / (n * n)
            // Against the national trend, for a unit inside the country.
            if s.code != national?.code, let g = nationalGrowth(earlier.count) {
                let scaled = baseline * g.ratio
                varBaseline = g.ratio * g.ratio * varBaseline + scaled * scaled * g.relativeVariance
                baseline = scaled
            }
            let moe = Margin.z95 * (pow(Margin.standardError(m), 2) + varBaseline).squareRoot()
            let d = Double(v) - baseline
            if falls ? -d > moe : d > moe {
                notable.append(NotableRise(code: s.code, name: s.name, latest: v, baseline: baseline, difference: d, moe95: moe))
            }
        }
        notable.sort { (abs($0.difference) / $0.moe95, $1.code) > (abs($1.difference) / $1.moe95, $0.code) }
        return notable
    }
}

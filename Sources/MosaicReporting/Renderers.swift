import Foundation
import MosaicErrorModel
import MosaicText

/// What a report says about itself beyond the figures: when the next one comes and whom to ask.
public struct ReportSettings: Sendable, Equatable {
    /// The next release's date (`YYYY-MM-DD`), when announced.
    public var nextRelease: String?
    /// A contact for questions (a team's address or telephone; plain text, shown escaped).
    public var contact: String?

    /// Settings with the given parts (none by default).
    public init(nextRelease: String? = nil, contact: String? = nil) {
        self.nextRelease = nextRelease
        self.contact = contact
    }
}

/// Renders a report model in every format.
public struct ReportRenderer {
    /// The release's error model.
    public let model: ReportModel
    /// The strings of the chosen language.
    public let s: ReportStrings
    /// The next release and the contact.
    public let settings: ReportSettings

    /// Renders `model` in the language of `strings`.
    public init(model: ReportModel, strings: ReportStrings, settings: ReportSettings = ReportSettings()) {
        self.model = model
        self.s = strings
        self.settings = settings
    }

    var latest: String { model.periods.last ?? "" }
    var scopeName: String { model.scopeLevel == .country ? s.text("country_name") : model.scopeName }

    /// A figure in words: value ± margin, "fewer than k", bounds, or not published.
    /// `short`: the chart labels' form ("withheld" rather than the reason in full).
    ///
    /// A value withheld to protect another figure, or a small area's, reads as the range a
    /// reader can derive for it from the published figures (with the noise's margin); tables
    /// add its flag (see ``flagged(_:margin:)``) rather than repeating the reason in every cell.
    func figure(_ f: Figure, margin: Bool = true, short: Bool = false) -> String {
        func withMargin(_ t: String) -> String { margin ? t + (f.moe95.map { " ± \(s.decimal($0))" } ?? "") : t }
        if let v = f.value { return withMargin(s.number(v)) }
        switch f.status {
        case "suppressed", "below_k": return s.text("suppressed", ["k": String(model.k)])
        case "complementary", "small_area", "bounded":
            if let lo = f.lower, let hi = f.upper { return withMargin("\(s.number(lo))–\(s.number(hi))") }
            if let lo = f.lower, f.status != "small_area" || lo > 0 { return withMargin(s.text("at_least", ["value": s.number(lo)])) }
            if f.status == "complementary" { return s.text(short ? "withheld_short" : "withheld_complementary") }
            if f.status == "small_area" {
                return short
                    ? s.text("not_published_short")
                    : s.text("withheld_small_area", ["m": String(model.minimumSchools), "r": String(model.reportingMinimumSchools)])
            }
            return s.text("suppressed", ["k": String(model.k)])
        case "unavailable":
            return short
                ? s.text("not_published_short")
                : s.text("withheld_small_area", ["m": String(model.minimumSchools), "r": String(model.reportingMinimumSchools)])
        default: return s.text("not_published")
        }
    }

    /// The standard flags statistics offices print beside a figure.
    enum Flag: String, CaseIterable {
        /// Withheld to protect another figure (confidential); the range shown is what the published figures imply.
        case complementary
        /// Not published on its own: a unit of fewer than m schools.
        case smallArea
        /// Low reliability: the margin of error is as large as the value or larger.
        case unreliable
    }

    /// A figure's flag, if it has one.
    func flag(_ f: Figure) -> Flag? {
        if let v = f.value { return Figure.isUnreliable(value: v, moe95: f.moe95) ? .unreliable : nil }
        switch f.status {
        case "complementary": return .complementary
        case "small_area", "unavailable": return .smallArea
        default: return nil
        }
    }

    /// The letter of a flag in the report's language.
    func letter(_ flag: Flag) -> String { s.text("flag_" + flag.rawValue) }

    /// A table cell: the figure and, after a no-break space, its flag in brackets ("42–52 ± 6.2 (c)").
    /// `short`: "<5" for a value below k (a wide table of quarters).
    /// A part's rate per 10,000 pupils with its margin; "–" when the part is withheld.
    /// A rate of low reliability carries the figure's flag: "0.00 ± 13 (u)" must not read as "none".
    func domainRateText(_ c: DomainCategory) -> String {
        guard let r = c.rate else { return "–" }
        let text = "\(s.decimal(r, places: 2)) ± \(s.decimal(c.rateMoe95 ?? 0, places: 2))"
        guard flag(c.figure) == .unreliable else { return text }
        // A plain space: the rate with its margin is already unbreakable, and a phone's value
        // column must be able to put the flag on a line of its own.
        return text + " (" + letter(.unreliable) + ")"
    }

    /// The breakdowns' section text, with the small-area flag's letter of the report's language.
    var domainsText: String { s.text("domains_text", ["flag": letter(.smallArea), "k": String(model.minimumSchools)]) }

    func flagged(_ f: Figure, margin: Bool = true, short: Bool = false) -> String {
        if short, f.value == nil, ["below_k", "suppressed"].contains(f.status) { return "<\(model.k)" }
        let text = figure(f, margin: margin, short: flag(f) == .complementary || flag(f) == .smallArea)
        guard let flag = flag(f) else { return text }
        return text + Self.flagSeparator + "(" + letter(flag) + ")"
    }

    /// What separates a figure from its flag (a no-break space).
    static let flagSeparator = "\u{00A0}"

    /// The flags used in some table cells, as a legend ("c: withheld to protect …"), or nil.
    func flagLegend(_ rows: [[String]]) -> String? {
        let used = Flag.allCases.filter { f in rows.contains { $0.contains { $0.hasSuffix(Self.flagSeparator + "(" + letter(f) + ")") } } }
        guard !used.isEmpty else { return nil }
        return used.map { letter($0) + ": " + flagMeaning($0) }.joined(separator: " · ")
    }

    /// A flag's meaning in words.
    func flagMeaning(_ flag: Flag) -> String {
        switch flag {
        case .complementary: return s.text("flag_complementary_text")
        case .smallArea:
            return s.text(
                "flag_smallArea_text",
                [
                    "m": String(model.minimumSchools), "r": String(model.reportingMinimumSchools),
                    "parent": model.scopeLevel == .country ? s.text("country_name") : scopeName,
                ])
        case .unreliable: return s.text("flag_unreliable_text")
        }
    }

    /// The pooled section's rows: area, persons, rate, change in percent.
    var pooledRows: [[String]] {
        model.pooled.map { p in
            let rate =
                p.rate.map { "\(s.decimal($0, places: 2)) ± \(s.decimal(p.rateMoe95 ?? 0, places: 2))" } ?? p.rateRange.map(rangeText)
                ?? "–"
            let change =
                p.changePercent.map {
                    "\($0 >= 0 ? "+" : "")\(s.decimal($0, places: 0)) % ± \(s.decimal(p.changePercentMoe95 ?? 0, places: 0))"
                } ?? "–"
            return [p.code == model.scopeCode ? rowName : p.name, flagged(p.persons), rate, change]
        }
    }

    var pooledText: String {
        s.text(
            model.pooledRelease == nil ? "pooled_text" : "pooled_text_release",
            [
                "first": s.quarter(model.pooled.first?.first ?? ""), "last": s.quarter(model.pooled.first?.last ?? ""),
                "release": model.pooledRelease ?? "",
            ])
    }

    var pooledHeader: [String] {
        [s.text("column_unit"), s.text("column_pooled"), s.text("column_pooled_rate"), s.text("column_change_percent")]
    }

    /// A share with its margin, in percentage points ("82 % ± 2").
    func shareText(_ c: Category) -> String? {
        guard let share = c.share else { return nil }
        // A share whose margin is as large as itself says nothing: not shown as a number.
        if let m = c.shareMoe95, m >= share { return s.text("share_unreliable") }
        return s.percent(share) + (c.shareMoe95.map { " ± " + s.decimal($0 * 100, places: 0) } ?? "")
    }

    /// A rate in words: value ± margin; for a withheld count, the range its count's range gives
    /// (never the count's words: "fewer than 5" is not a rate), or "withheld".
    func rate(_ p: Point?, short: Bool = false) -> String {
        guard let p else { return "–" }
        if let r = p.rate { return "\(s.decimal(r, places: 2)) ± \(s.decimal(p.rateMoe95 ?? 0, places: 2))" }
        if let range = rateRange(p) {
            // With the noise's margin, in rate units: the range alone would look surer than it is.
            let noise = (p.persons.moe95 ?? 0) / (p.ratePupils ?? 1) * 10_000
            return rangeText(range) + (range.upper != nil && noise > 0 ? " ± \(s.decimal(noise, places: 2))" : "")
        }
        return s.text(short ? "withheld_short" : "rate_withheld")
    }

    /// The range a withheld count's rate lies in, from the count's range (nil when the count has
    /// none, or no reporting share is published).
    func rateRange(_ p: Point?) -> (lower: Double, upper: Double?)? {
        guard let p, p.rate == nil else { return nil }
        return p.rateRange
    }

    /// A range of rates in words: "0.27–1.06", or "at least 1.78" when it has no upper end.
    func rangeText(_ range: (lower: Double, upper: Double?)) -> String {
        if let hi = range.upper { return "\(s.decimal(range.lower, places: 2))–\(s.decimal(hi, places: 2))" }
        return s.text("at_least", ["value": s.decimal(range.lower, places: 2)])
    }

    func verdict(_ c: Change) -> String {
        switch c.verdict {
        case .rise: return s.text("rise_confident")
        case .fall: return s.text("fall_confident")
        case .within: return s.text("within_margin")
        case .reporting: return s.text((c.difference ?? 0) < 0 ? "change_reporting_fall" : "change_reporting")
        case .unknown: return s.text("change_unknown")
        }
    }

    /// A unit's latest rate against the national one, in words.
    func againstNational(_ series: Series) -> String {
        switch ReportModel.againstNational(series.points.last, model.national.points.last) {
        case .rise: return s.text("vs_national_above")
        case .fall: return s.text("vs_national_below")
        case .within, .reporting: return s.text("vs_national_within")
        case .unknown: return s.text("vs_national_unknown")
        }
    }

    /// In a regional report: the national rate, and where the region stands against it.
    var nationalLine: String? {
        guard model.scopeLevel != .country, let n = model.national.points.last, n.rate != nil else { return nil }
        return s.text(
            "national_line", ["quarter": s.quarter(latest), "rate": rate(n), "scope": scopeName, "verdict": againstNational(model.scope)])
    }

    /// Three to five plain sentences from the figures, each true under its margin: the level,
    /// the change against a year earlier, a category that leads beyond the margins, and (for the
    /// country) how many regions stand above or below the national rate.
    var mainPoints: [String] {
        var out: [String] = []
        if let p = model.scope.points.last {
            if let v = p.persons.value {
                out.append(
                    s.text(
                        "mp_level",
                        [
                            "scope": scopeName, "value": s.number(v), "moe": s.decimal(p.persons.moe95 ?? 0), "quarter": s.quarter(latest),
                            "rate": p.rate.map { s.decimal($0, places: 2) } ?? s.text("rate_withheld"),
                        ]))
            } else {
                out.append(s.text("mp_level_withheld", ["scope": scopeName, "quarter": s.quarter(latest), "why": figure(p.persons)]))
            }
        }
        if let c = model.changes.last, model.changes.count > 1 || model.periods.count >= 5, let d = c.difference, let m = c.moe95 {
            let change = "\(d >= 0 ? "+" : "")\(s.number(d)) ± \(s.decimal(m))"
            let key =
                c.verdict == .rise
                ? "mp_year_rise" : c.verdict == .fall ? "mp_year_fall" : c.verdict == .reporting ? "mp_year_reporting" : "mp_year_within"
            out.append(s.text(key, ["quarter": s.quarter(c.against), "change": change]))
        }
        for b in model.breakdowns where out.count < 4 {
            guard let what = b.mainPoint else { continue }
            // The leader's lowest plausible value above every other's highest plausible one.
            func low(_ f: Figure) -> Double { Double(f.value ?? f.lower ?? 0) - (f.moe95 ?? 0) }
            func high(_ f: Figure) -> Double? { (f.value ?? f.upper).map { Double($0) + (f.moe95 ?? 0) } }
            let sorted = b.categories.sorted { low($0.figure) > low($1.figure) }
            guard let top = sorted.first, sorted.count > 1, !top.code.contains("unknown"),
                sorted.dropFirst().allSatisfy({ high($0.figure).map { low(top.figure) > $0 } ?? false })
            else { continue }
            out.append(s.text("mp_top", ["what": what, "label": top.label, "figure": figure(top.figure)]))
        }
        if model.scopeLevel == .country, !model.subunits.isEmpty {
            let verdicts = model.subunits.map { ReportModel.againstNational($0.points.last, model.national.points.last) }
            out.append(
                s.text(
                    verdicts.contains(.unknown) ? "mp_regions_unknown" : "mp_regions",
                    [
                        "above": String(verdicts.filter { $0 == .rise }.count), "below": String(verdicts.filter { $0 == .fall }.count),
                        "within": String(verdicts.filter { $0 == .within }.count),
                        "unknown": String(verdicts.filter { $0 == .unknown }.count), "n": String(model.subunits.count),
                    ]))
        }
        return Array(out.prefix(5))
    }

    /// What a reader must know before using the figures.
    var thingsToKnow: [String] {
        ["ntk_counted", "ntk_rates", "ntk_margins", "ntk_seasons"].map { s.text($0) }
            + [s.text("ntk_withheld", ["k": String(model.k), "m": String(model.minimumSchools)])]
    }

    /// The release date, the next one and the contact, when known.
    var releaseLine: String {
        var parts: [String] = []
        if let d = model.releasedOn { parts.append(s.text("published", ["date": s.date(d)])) }
        if let d = settings.nextRelease { parts.append(s.text("next_release", ["date": s.date(d)])) }
        if let c = settings.contact { parts.append(s.text("contact", ["contact": c])) }
        return parts.joined(separator: " ")
    }

    /// The words a reader may not know.
    var glossary: [String] {
        ["gl_margin", "gl_range", "gl_rate", "gl_confident"].map { s.text($0) }
            + [
                s.text(
                    "gl_withheld",
                    [
                        "k": String(model.k), "kminus": String(model.k - 1), "m": String(model.minimumSchools),
                        "r": String(model.reportingMinimumSchools),
                    ]),
                s.text("gl_flags", ["m": String(model.minimumSchools)]),
                s.text("gl_privacy"),
            ]
    }

    var title: String { s.text(model.scopeLevel == .country ? "title_country" : "title_region", ["scope": scopeName]) }
    var subtitle: String { s.text("subtitle", ["first": s.quarter(model.periods.first ?? ""), "last": s.quarter(latest)]) }

    var headline: String {
        guard let p = model.scope.points.last else { return "" }
        if let v = p.persons.value {
            return s.text(
                "headline_text",
                [
                    "quarter": s.quarter(latest), "scope": scopeName, "value": s.number(v),
                    "moe": s.decimal(p.persons.moe95 ?? 0), "rate": s.decimal(p.rate ?? 0, places: 2),
                ])
        }
        switch p.persons.status {
        case "below_k", "suppressed":
            return s.text("headline_suppressed", ["quarter": s.quarter(latest), "scope": scopeName, "k": String(model.k)])
        default:
            // Withheld to protect another figure, or a small area: say so, never "fewer than k".
            return s.text("headline_withheld", ["quarter": s.quarter(latest), "scope": scopeName, "why": figure(p.persons)])
        }
    }

    func changeLine(_ c: Change, index: Int) -> String {
        let label = s.text(index == 0 ? "change_previous" : "change_year", ["quarter": s.quarter(c.against)])
        guard let d = c.difference, let m = c.moe95 else { return "\(label): \(verdict(c))" }
        return "\(label): \(d >= 0 ? "+" : "")\(s.number(d)) ± \(s.decimal(m)), \(verdict(c))."
    }

    var methodText: String {
        s.text(
            "method_text",
            [
                "rho": localDecimal(model.rho), "epsilon": localDecimal(model.epsilon), "k": String(model.k),
                "kminus": String(model.k - 1), "m": String(model.minimumSchools),
            ])
    }

    /// The privacy loss of all the report's releases together (nil for one quarter).
    var cumulativeText: String? {
        guard let total = model.totalRho, model.periods.count > 1 else { return nil }
        // Rounded up: a stated privacy loss is never understated.
        let eps = (ReportModel.epsilonBound(rho: total) * 10).rounded(.up) / 10
        return s.text(
            "method_cumulative",
            [
                "n": String(model.periods.count), "rho": localDecimal(String(format: "%g", total)), "epsilon": s.decimal(eps, places: 1),
                "pooled": model.pooledInLoss ? s.text("method_cumulative_pooled") : "",
            ])
    }

    /// A decimal written by the release (`7.766`) with the language's decimal separator
    /// (`7,766` in Spanish, where `7.766` reads as seven thousand).
    func localDecimal(_ text: String) -> String {
        text.replacingOccurrences(of: ".", with: s.text("decimal_separator"))
    }

    /// A series' name: the report's own area by its name in the report's language (the release
    /// names the country in English).
    func name(_ series: Series) -> String { series.code == model.scopeCode ? rowName : series.name }

    /// The report's own area as a table row ("Whole country", or the region's name).
    var rowName: String { model.scopeLevel == .country ? s.text("country_row") : model.scopeName }

    /// A notable rise in words: the latest value and how far above its own recent average.
    func notableText(_ n: NotableRise) -> String {
        let country = n.code == model.national.code
        let key =
            n.difference < 0 ? (country ? "notable_fall_country" : "notable_fall") : (country ? "notable_change_country" : "notable_change")
        return s.text(key, ["value": s.number(n.latest), "difference": s.decimal(abs(n.difference)), "moe": s.decimal(n.moe95)])
    }

    /// The notable falls in Markdown (a line each, or a sentence when there are none).
    var notableFallsMarkdown: String {
        "\n### \(s.text("notable_falls"))\n\n"
            + (model.notableFalls.isEmpty
                ? s.text("notable_falls_none") + "\n"
                : model.notableFalls.map { "- \(Markdown.escape($0.code == model.scopeCode ? rowName : $0.name)): \(notableText($0))" }
                    .joined(
                        separator: "\n") + "\n")
    }

    // MARK: Markdown

    /// The report as Markdown (place names escaped).
    public func markdown() -> String {
        var out = "# \(Markdown.escape(title))\n\n_\(Markdown.escape(subtitle))_\n\n"
        if !releaseLine.isEmpty { out += Markdown.escape(releaseLine) + "\n\n" }
        out += "## \(s.text("main_points"))\n\n" + mainPoints.map { "- \(Markdown.escape($0))\n" }.joined() + "\n"
        out += "## \(s.text("need_to_know"))\n\n" + thingsToKnow.map { "- \($0)\n" }.joined() + "\n"
        out += "## \(s.text("headline"))\n\n\(headline)\n\n"
        for (i, c) in model.changes.enumerated() { out += "- \(changeLine(c, index: i))\n" }
        if let line = nationalLine { out += "\n\(line)\n\n" }
        out += "\n## \(s.text("trend"))\n\n\(s.text("trend_text"))\n\n"
        out += mdTable(
            [s.text("column_quarter"), s.text("column_value"), s.text("column_rate")],
            model.scope.points.map { [s.quarter($0.period), flagged($0.persons), rate($0)] })
        if model.scopeLevel == .country {
            out += "\n### \(s.text("small_multiples"))\n\n\(s.text("small_multiples_table"))\n\n"
            out += mdTable(
                [s.text("column_unit")] + model.periods.map { s.quarter($0) },
                model.subunits.map { u in [Markdown.escape(u.name)] + u.points.map { flagged($0.persons, margin: false, short: true) } })
        }
        out += "\n## \(s.text("comparison"))\n\n\(Markdown.escape(comparisonTitle))\n\n\(s.text("rate_note"))\n\n"
        if let note = unrankedNote { out += Markdown.escape(note) + "\n\n" }
        out += mdTable(
            [s.text("column_unit"), s.text("column_rate"), s.text("column_vs_national"), s.text("column_value")],
            model.ranking.map { u in
                [Markdown.escape(u.name), rate(u.points.last), againstNational(u), u.points.last.map { flagged($0.persons) } ?? "–"]
            })
        if !model.pooled.isEmpty {
            out += "\n## \(s.text("pooled"))\n\n\(pooledText)\n\n"
            out += mdTable(pooledHeader, pooledRows.map { [Markdown.escape($0[0])] + $0.dropFirst() })
        }
        out += "\n## \(s.text("breakdowns", ["quarter": s.quarter(latest)]))\n\n\(s.text("range_note"))\n"
        for b in model.breakdowns {
            out += "\n### \(Markdown.escape(b.title))\n\n"
            out += mdTable(
                [s.text("column_category"), s.text("column_value")] + (b.shares ? [s.text("column_share")] : []),
                b.categories.map { c in [c.label, flagged(c.figure)] + (b.shares ? [shareText(c) ?? "–"] : []) }
            )
        }
        if !model.domainBreakdowns.isEmpty {
            out += "\n## \(s.text("domains", ["quarter": s.quarter(latest)]))\n\n\(domainsText)\n"
            for b in model.domainBreakdowns {
                out += "\n### \(s.text("domain_" + b.key))\n\n"
                out += mdTable(
                    [s.text("column_category"), s.text("column_value"), s.text("column_rate"), s.text("column_pupils")],
                    b.categories.map { [$0.label, flagged($0.figure), domainRateText($0), s.number($0.pupils)] })
            }
        }
        out += "\n## \(s.text("coverage"))\n\n\(s.text("coverage_text"))\n\n"
        out += mdTable(
            [s.text("column_quarter"), s.text("column_reporting")],
            model.scope.points.map { [s.quarter($0.period), coverageText($0)] })
        out += "\n## \(s.text("notable"))\n\n\(s.text("notable_text"))\n\n"
        out +=
            model.notable.isEmpty
            ? s.text("notable_none") + "\n"
            : model.notable.map {
                "- \(Markdown.escape($0.code == model.scopeCode ? rowName : $0.name)): \(notableText($0))"
            }.joined(separator: "\n") + "\n"
        out += notableFallsMarkdown
        out += "\n## \(s.text("glossary"))\n\n" + glossary.map { "- \($0)\n" }.joined()
        out +=
            "\n## \(s.text("method"))\n\n\(methodText)\n\n\(cumulativeText.map { $0 + "\n\n" } ?? "")_\(Markdown.escape(s.text("generated", ["releases": model.releaseIDs.joined(separator: ", ")])))_\n"
        return out
    }

    /// Which subunits are not ranked and why, when some are.
    var unrankedNote: String? {
        let names = model.ranking.filter { model.unrankedCodes.contains($0.code) }.map(\.name)
        return names.isEmpty ? nil : s.text("ranking_unranked", ["units": names.joined(separator: ", ")])
    }

    var comparisonTitle: String {
        model.scopeLevel == .country
            ? s.text("comparison_regions", ["quarter": s.quarter(latest)])
            : s.text("comparison_provinces", ["quarter": s.quarter(latest), "scope": scopeName])
    }

    func coverageText(_ p: Point) -> String {
        let n = s.number(p.registeredSchools)
        switch p.coverage.status {
        case .complete: return s.text("coverage_complete", ["schools": n])
        case .band:
            return s.text("coverage_band", ["low": String(p.coverage.low ?? 0), "high": String(p.coverage.high ?? 0), "schools": n])
        case .withheld: return s.text("coverage_withheld", ["schools": n])
        }
    }

    /// A Markdown table, with the legend of the flags its cells use under it.
    func mdTable(_ header: [String], _ rows: [[String]]) -> String {
        "| " + header.joined(separator: " | ") + " |\n|" + header.map { _ in "---|" }.joined() + "\n"
            + rows.map { "| " + $0.joined(separator: " | ") + " |" }.joined(separator: "\n") + "\n"
            + (flagLegend(rows).map { "\n_\(Markdown.escape($0))_\n" } ?? "")
    }

    // MARK: CSV and JSON

    /// The CSV's columns (codes; the header row is in the report's language).
    static let csvColumns = [
        "section", "unit", "unit_name", "period", "category", "category_label", "value", "moe95", "status", "lower", "upper",
        "rate_per_10000", "rate_moe95", "share", "change", "change_moe95", "section_label", "status_label", "flag",
    ]

    /// A CSV section code in words, in the report's language.
    func sectionLabel(_ code: String) -> String {
        switch code {
        case "trend": return s.text("trend")
        case "change": return s.text("change")
        case "vs_national": return s.text("column_vs_national")
        case "pooled_4q": return s.text("pooled")
        case "coverage": return s.text("coverage")
        case "notable_rise": return s.text("notable")
        case "notable_fall": return s.text("notable_falls")
        default: return s.text(code)
        }
    }

    /// A CSV status code in words, in the report's language.
    func statusLabel(_ code: String, section: String) -> String {
        switch (section, code) {
        case ("change", "rise"): return s.text("rise_confident")
        case ("change", "fall"): return s.text("fall_confident")
        case ("change", "within"): return s.text("within_margin")
        case ("change", "reporting"): return s.text("change_reporting")
        case ("change", _): return s.text("change_unknown")
        case ("vs_national", "above"): return s.text("vs_national_above")
        case ("vs_national", "below"): return s.text("vs_national_below")
        case ("vs_national", "within"): return s.text("vs_national_within")
        case ("vs_national", _): return s.text("vs_national_unknown")
        case ("coverage", let c): return s.text("status_" + c)
        case (_, "published"): return s.text("status_published")
        case (_, "bounded"): return s.text("status_range")
        default: return figure(Figure(value: nil, moe95: nil, status: code))
        }
    }

    /// Every figure the report shows, one per row: codes beside names and labels in the
    /// report's language, a withheld value's range in `lower`/`upper`, numbers with `.` decimals
    /// in every language (machine-readable).
    public func csv() -> String {
        var w = CSVWriter()
        w.write(Self.csvColumns.map { s.text("csv_" + $0) })
        func num(_ x: Double?, _ places: Int) -> String { x.map { String(format: "%.\(places)f", $0) } ?? "" }
        func row(
            _ section: String, _ unit: String, _ unitName: String, _ period: String, _ cat: String, _ label: String, _ f: Figure,
            rate: Double? = nil, rateMoe: Double? = nil, share: Double? = nil, change: Double? = nil, changeMoe: Double? = nil
        ) {
            w.write([
                section, unit, CSVWriter.spreadsheetSafe(unitName), period, cat, CSVWriter.spreadsheetSafe(label),
                f.value.map(String.init) ?? "", num(f.moe95, 1), f.status,
                f.lower.map(String.init) ?? "", f.upper.map(String.init) ?? "", num(rate, 3), num(rateMoe, 3), num(share, 4),
                num(change, 1), num(changeMoe, 1), sectionLabel(section), statusLabel(f.status, section: section),
                flag(f).map { ["complementary": "c", "smallArea": "s", "unreliable": "u"][$0.rawValue] ?? "" } ?? "",
            ])
        }
        let persons = s.text("column_value")
        for sr in [model.scope] + model.subunits {
            for p in sr.points {
                row("trend", sr.code, name(sr), p.period, "persons", persons, p.persons, rate: p.rate, rateMoe: p.rateMoe95)
            }
        }
        for (i, c) in model.changes.enumerated() {
            row(
                "change", model.scopeCode, rowName, latest, "against " + c.against,
                s.text(i == 0 ? "change_previous" : "change_year", ["quarter": s.quarter(c.against)]),
                Figure(value: nil, moe95: nil, status: c.verdict.rawValue), change: c.difference.map(Double.init), changeMoe: c.moe95)
        }
        for b in model.breakdowns {
            for c in b.categories { row(b.key, model.scopeCode, rowName, latest, c.code, c.label, c.figure, share: c.share) }
        }
        for b in model.domainBreakdowns {
            for c in b.categories {
                row("domain_" + b.key, model.scopeCode, rowName, latest, c.code, c.label, c.figure, rate: c.rate, rateMoe: c.rateMoe95)
            }
        }
        // Each unit's latest rate against the national rate: status above, below, within or unknown.
        for u in (model.scopeLevel == .country ? [] : [model.scope]) + model.subunits {
            let verdict = ReportModel.againstNational(u.points.last, model.national.points.last)
            let status = [Verdict.rise: "above", .fall: "below", .within: "within", .unknown: "unknown"][verdict] ?? "unknown"
            row(
                "vs_national", u.code, name(u), latest, "rate_per_10000", s.text("column_vs_national"),
                Figure(value: nil, moe95: nil, status: status), rate: u.points.last?.rate, rateMoe: u.points.last?.rateMoe95)
        }
        for p in model.pooled {
            row(
                "pooled_4q", p.code, p.code == model.scopeCode ? rowName : p.name, p.first + ".." + p.last, "persons",
                s.text("column_pooled"), p.persons, rate: p.rate, rateMoe: p.rateMoe95, change: p.changePercent,
                changeMoe: p.changePercentMoe95)
        }
        for p in model.scope.points {
            w.write(
                [
                    "coverage", model.scopeCode, rowName, p.period, "reporting_share_percent", s.text("column_reporting"), "", "",
                    p.coverage.status.rawValue, p.coverage.low.map(String.init) ?? "", p.coverage.high.map(String.init) ?? "", "", "",
                    num(p.coverage.rateShare, 4), "", "", sectionLabel("coverage"),
                    statusLabel(p.coverage.status.rawValue, section: "coverage"), "",
                ])
        }
        for n in model.notable {
            row(
                "notable_rise", n.code, n.code == model.scopeCode ? rowName : n.name, latest, "above_baseline", s.text("notable"),
                Figure(value: n.latest, moe95: nil, status: "published"), change: n.difference, changeMoe: n.moe95)
        }
        for n in model.notableFalls {
            row(
                "notable_fall", n.code, n.code == model.scopeCode ? rowName : n.name, latest, "below_expected", s.text("notable_falls"),
                Figure(value: n.latest, moe95: nil, status: "published"), change: n.difference, changeMoe: n.moe95)
        }
        return w.text
    }

    /// Every figure of the report as JSON.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: (try? encoder.encode(model)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
    }
}

import Foundation
import MosaicErrorModel
import MosaicText

/// Renders a report model in every format.
public struct ReportRenderer {
    /// The release's error model.
    public let model: ReportModel
    /// The strings of the chosen language.
    public let s: ReportStrings

    /// Renders `model` in the language of `strings`.
    public init(model: ReportModel, strings: ReportStrings) {
        self.model = model
        self.s = strings
    }

    var latest: String { model.periods.last ?? "" }
    var scopeName: String { model.scopeLevel == .country ? s.text("country_name") : model.scopeName }

    /// A figure in words: value ± margin, "fewer than k", bounds, or not published.
    /// `short`: the chart labels' form ("withheld" rather than the reason in full).
    func figure(_ f: Figure, margin: Bool = true, short: Bool = false) -> String {
        if let v = f.value { return margin && f.moe95 != nil ? "\(s.number(v)) ± \(s.decimal(f.moe95!))" : s.number(v) }
        switch f.status {
        case "suppressed", "below_k": return s.text("suppressed", ["k": String(model.k)])
        case "complementary": return s.text(short ? "withheld_short" : "withheld_complementary")
        case "small_area", "unavailable":
            return short ? s.text("withheld_short") : s.text("withheld_small_area", ["m": String(model.minimumSchools)])
        case "bounded":
            if let lo = f.lower, let hi = f.upper {
                return "\(s.number(lo))–\(s.number(hi))" + (f.moe95.map { " ± \(s.decimal($0))" } ?? "")
            }
            if let lo = f.lower { return s.text("at_least", ["value": s.number(lo)]) + (f.moe95.map { " ± \(s.decimal($0))" } ?? "") }
            return s.text("suppressed", ["k": String(model.k)])
        default: return s.text("not_published")
        }
    }

    func rate(_ p: Point?, short: Bool = false) -> String {
        guard let p else { return "–" }
        guard let r = p.rate else { return figure(p.persons, short: short) }
        return "\(s.decimal(r, places: 2)) ± \(s.decimal(p.rateMoe95 ?? 0, places: 2))"
    }

    func verdict(_ c: Change) -> String {
        switch c.verdict {
        case .rise: return s.text("rise_confident")
        case .fall: return s.text("fall_confident")
        case .within: return s.text("within_margin")
        case .unknown: return s.text("change_unknown")
        }
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
                "rho": model.rho, "epsilon": model.epsilon, "k": String(model.k), "kminus": String(model.k - 1),
                "m": String(model.minimumSchools),
            ])
    }

    // MARK: Markdown

    /// The report as Markdown (place names escaped).
    public func markdown() -> String {
        var out = "# \(Markdown.escape(title))\n\n_\(Markdown.escape(subtitle))_\n\n## \(s.text("headline"))\n\n\(headline)\n\n"
        for (i, c) in model.changes.enumerated() { out += "- \(changeLine(c, index: i))\n" }
        out += "\n## \(s.text("trend"))\n\n\(s.text("trend_text"))\n\n"
        out += mdTable(
            [s.text("column_quarter"), s.text("column_value"), s.text("column_rate")],
            model.scope.points.map { [s.quarter($0.period), figure($0.persons), rate($0)] })
        if model.scopeLevel == .country {
            out += "\n### \(s.text("small_multiples"))\n\n"
            out += mdTable(
                [s.text("column_unit")] + model.periods.map { s.quarter($0) },
                model.subunits.map { u in [Markdown.escape(u.name)] + u.points.map { figure($0.persons, margin: false) } })
        }
        out += "\n## \(s.text("comparison"))\n\n\(Markdown.escape(comparisonTitle))\n\n"
        out += mdTable(
            [s.text("column_unit"), s.text("column_rate"), s.text("column_value")],
            model.ranking.map { [Markdown.escape($0.name), rate($0.points.last), figure($0.points.last!.persons)] })
        out += "\n## \(s.text("breakdowns", ["quarter": s.quarter(latest)]))\n"
        for b in model.breakdowns {
            out += "\n### \(s.text(b.key))\n\n"
            out += mdTable(
                [s.text("column_category"), s.text("column_value")] + (b.key == "responses" ? [s.text("column_share")] : []),
                b.categories.map { c in [c.label, figure(c.figure)] + (b.key == "responses" ? [c.share.map { s.percent($0) } ?? "–"] : []) }
            )
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
                "- \(Markdown.escape($0.name)): \(s.number($0.latest)) (\(s.text("column_change")) +\(s.decimal($0.difference)) ± \(s.decimal($0.moe95)))"
            }.joined(separator: "\n") + "\n"
        out +=
            "\n## \(s.text("method"))\n\n\(methodText)\n\n_\(s.text("generated", ["releases": model.releaseIDs.joined(separator: ", ")]))_\n"
        return out
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

    func mdTable(_ header: [String], _ rows: [[String]]) -> String {
        "| " + header.joined(separator: " | ") + " |\n|" + header.map { _ in "---|" }.joined() + "\n"
            + rows.map { "| " + $0.joined(separator: " | ") + " |" }.joined(separator: "\n") + "\n"
    }

    // MARK: CSV and JSON

    /// Every figure the report shows, one per row.
    public func csv() -> String {
        var w = CSVWriter()
        w.write([
            "section", "unit", "period", "category", "value", "moe95", "status", "lower", "upper", "rate_per_10000", "rate_moe95", "share",
        ])
        func row(
            _ section: String, _ unit: String, _ period: String, _ cat: String, _ f: Figure, rate: Double? = nil, rateMoe: Double? = nil,
            share: Double? = nil
        ) {
            w.write([
                section, unit, period, cat, f.value.map(String.init) ?? "", f.moe95.map { String(format: "%.1f", $0) } ?? "", f.status,
                f.lower.map(String.init) ?? "", f.upper.map(String.init) ?? "", rate.map { String(format: "%.3f", $0) } ?? "",
                rateMoe.map { String(format: "%.3f", $0) } ?? "", share.map { String(format: "%.4f", $0) } ?? "",
            ])
        }
        for sr in [model.scope] + model.subunits {
            for p in sr.points { row("trend", sr.code, p.period, "persons", p.persons, rate: p.rate, rateMoe: p.rateMoe95) }
        }
        for c in model.changes {
            w.write([
                "change", model.scopeCode, latest, "against " + c.against, c.difference.map(String.init) ?? "",
                c.moe95.map { String(format: "%.1f", $0) } ?? "",
                c.verdict.rawValue, "", "", "", "", "",
            ])
        }
        for b in model.breakdowns {
            for c in b.categories { row(b.key, model.scopeCode, latest, c.code, c.figure, share: c.share) }
        }
        for p in model.scope.points {
            w.write([
                "coverage", model.scopeCode, p.period, "reporting_share_percent", "", "", p.coverage.status.rawValue,
                p.coverage.low.map(String.init) ?? "", p.coverage.high.map(String.init) ?? "", "", "",
                p.coverage.rateShare.map { String(format: "%.4f", $0) } ?? "",
            ])
        }
        for n in model.notable {
            w.write([
                "notable_rise", n.code, latest, "above_baseline", String(n.latest), String(format: "%.1f", n.moe95), "published", "", "",
                "", "", "",
            ])
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

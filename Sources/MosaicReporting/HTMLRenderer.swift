import Foundation
import MosaicErrorModel

extension ReportRenderer {
    /// One self-contained HTML page: inline CSS and SVG, no script, nothing fetched.
    public func html() -> String {
        var body = "<header><h1>\(esc(title))</h1><p class=\"sub\">\(esc(subtitle))</p>"
        if !releaseLine.isEmpty { body += "<p class=\"sub\">\(esc(releaseLine))</p>" }
        body += "</header>\n"
        body += "<section class=\"main-points\"><h2>\(esc(s.text("main_points")))</h2><ul>"
        body += mainPoints.map { "<li>\(esc($0))</li>" }.joined() + "</ul></section>\n"
        body += "<section><h2>\(esc(s.text("need_to_know")))</h2><ul>" + thingsToKnow.map { "<li>\(esc($0))</li>" }.joined()
        body += "</ul></section>\n"
        body += "<section><h2>\(esc(s.text("headline")))</h2><p class=\"headline\">\(esc(headline))</p><ul class=\"changes\">"
        for (i, c) in model.changes.enumerated() {
            body += "<li class=\"\(c.verdict.rawValue)\">\(esc(changeLine(c, index: i)))</li>"
        }
        body += "</ul>"
        if let line = nationalLine { body += "<p>\(esc(line))</p>" }
        body += "</section>\n"
        body += "<section><h2>\(esc(s.text("trend")))</h2><p>\(esc(s.text("trend_text")))</p>"
        body += lineChart(id: "trend", points: countPoints(model.scope), width: 640, height: 240, title: scopeName)
        // The rate too, with the country's rate dashed in a regional report.
        body += "<p>\(esc(s.text(model.scopeLevel == .country ? "trend_rate_text" : "trend_rate_text_region")))</p>"
        body += lineChart(
            id: "trend-rate", points: ratePoints(model.scope), width: 640, height: 200, title: scopeName,
            reference: model.scopeLevel == .country ? nil : ratePoints(model.national), decimals: 2)
        body += dataTable(
            [s.text("column_quarter"), s.text("column_value"), s.text("column_rate")],
            model.scope.points.map { [s.quarter($0.period), flagged($0.persons), rate($0)] })
        if model.scopeLevel == .country {
            // Every region on one scale, in rates, with the whole country's rate dashed.
            let national = ratePoints(model.scope)
            let shared =
                (model.subunits.flatMap(ratePoints) + national).compactMap { p in p.value.map { $0 + (p.moe ?? 0) } ?? p.upper }.max() ?? 1
            body +=
                "<h3>\(esc(s.text("small_multiples")))</h3><p class=\"small\">\(esc(s.text("small_multiples_text", ["k": String(model.k)])))</p><div class=\"multiples\">"
            for (i, u) in model.subunits.enumerated() {
                body +=
                    "<div><p class=\"panel-title\">\(esc(u.name))</p>"
                    + lineChart(
                        id: "m\(i)", points: ratePoints(u), width: 220, height: 110, title: u.name, compact: true, maximum: shared,
                        reference: national, decimals: 1) + "</div>"
            }
            body += "</div>"
            body += "<p class=\"small\">\(esc(s.text("small_multiples_table")))</p>"
            body += dataTable(
                [s.text("column_unit")] + model.periods.map { s.quarter($0) },
                model.subunits.map { u in [u.name] + u.points.map { flagged($0.persons, margin: false, short: true) } })
        }
        body +=
            "</section>\n<section><h2>\(esc(s.text("comparison")))</h2><h3>\(esc(comparisonTitle))</h3><p class=\"small\">\(esc(s.text("rate_note")))</p>"
        let rankingRows = model.ranking.map { u -> BarRow in
            let p = u.points.last
            let flag: String
            switch ReportModel.againstNational(p, model.national.points.last) {
            case .rise: flag = " ▲"
            case .fall: flag = " ▼"
            default: flag = ""
            }
            if let r = p?.rate { return BarRow(label: u.name, value: r, moe: p?.rateMoe95, text: rate(p, short: true) + flag) }
            let range = rateRange(p)
            let noise = range?.upper == nil ? nil : (p?.persons.moe95).map { $0 / (p?.ratePupils ?? 1) * 10_000 }
            return BarRow(
                label: u.name, value: nil, moe: noise, lower: range?.lower, upper: range?.upper, text: rate(p, short: true) + flag)
        }
        body += barChart(id: "ranking", rows: rankingRows, title: comparisonTitle, decimals: 2)
        if let note = unrankedNote { body += "<p class=\"small\">\(esc(note))</p>" }
        body +=
            "<p class=\"small\">▲ \(esc(s.text("vs_national_above"))) · ▼ \(esc(s.text("vs_national_below"))). \(esc(s.text("vs_national_note")))</p>"
        body += dataTable(
            [s.text("column_unit"), s.text("column_rate"), s.text("column_vs_national"), s.text("column_value")],
            model.ranking.map { u in [u.name, rate(u.points.last), againstNational(u), u.points.last.map { flagged($0.persons) } ?? "–"] })
        if !model.pooled.isEmpty {
            body += "</section>\n<section><h2>\(esc(s.text("pooled")))</h2><p>\(esc(pooledText))</p>"
            let rows = model.pooled.map { p -> BarRow in
                let name = p.code == model.scopeCode ? rowName : p.name
                if let r = p.rate {
                    return BarRow(label: name, value: r, moe: p.rateMoe95, text: pooledRows.first { $0[0] == name }?[2] ?? "")
                }
                if let range = p.rateRange {
                    return BarRow(label: name, value: nil, moe: nil, lower: range.lower, upper: range.upper, text: rangeText(range))
                }
                return BarRow(label: name, value: nil, moe: nil, text: s.text("rate_withheld"))
            }
            body += barChart(id: "pooled", rows: rows, title: s.text("column_pooled_rate"), decimals: 2)
            body += dataTable(pooledHeader, pooledRows)
        }
        body +=
            "</section>\n<section><h2>\(esc(s.text("breakdowns", ["quarter": s.quarter(latest)])))</h2><p class=\"small\">\(esc(s.text("range_note")))</p><div class=\"grid\">"
        for b in model.breakdowns {
            body += "<div><h3>\(esc(b.title))</h3>"
            let rows = b.categories.map { c -> BarRow in
                barRow(c.label, c.figure, text: figure(c.figure, short: true) + (shareText(c).map { " (\($0))" } ?? ""))
            }
            body += barChart(id: b.key, rows: rows, title: b.title, decimals: 0)
            body += dataTable([s.text("column_category"), s.text("column_value")], b.categories.map { [$0.label, flagged($0.figure)] })
            body += "</div>"
        }
        body += "</div></section>\n"
        if !model.domainBreakdowns.isEmpty {
            body +=
                "<section><h2>\(esc(s.text("domains", ["quarter": s.quarter(latest)])))</h2><p>\(esc(domainsText))</p><div class=\"grid\">"
            for b in model.domainBreakdowns {
                body += "<div><h3>\(esc(s.text("domain_" + b.key)))</h3>"
                let rows = b.categories.map { c -> BarRow in
                    BarRow(
                        label: c.label, value: c.rate, moe: c.rateMoe95,
                        text: c.rate == nil ? flagged(c.figure, short: true) : domainRateText(c))
                }
                body += barChart(id: "domain-" + b.key, rows: rows, title: s.text("domain_" + b.key), decimals: 2)
                body += dataTable(
                    [s.text("column_category"), s.text("column_value"), s.text("column_rate"), s.text("column_pupils")],
                    b.categories.map { [$0.label, flagged($0.figure), domainRateText($0), s.number($0.pupils)] })
                body += "</div>"
            }
            body += "</div></section>\n"
        }
        body += "<section><h2>\(esc(s.text("coverage")))</h2><p>\(esc(s.text("coverage_text")))</p>"
        body += "<table><thead><tr><th>\(esc(s.text("column_quarter")))</th><th>\(esc(s.text("column_reporting")))</th></tr></thead><tbody>"
        for p in model.scope.points { body += "<tr><td>\(esc(s.quarter(p.period)))</td><td>\(esc(coverageText(p)))</td></tr>" }
        body += "</tbody></table></section>\n"
        body += "<section><h2>\(esc(s.text("notable")))</h2><p>\(esc(s.text("notable_text")))</p>"
        if model.notable.isEmpty {
            body += "<p>\(esc(s.text("notable_none")))</p>"
        } else {
            body +=
                "<ul>"
                + model.notable.map {
                    "<li><strong>\(esc($0.code == model.scopeCode ? rowName : $0.name))</strong>: \(esc(notableText($0)))</li>"
                }.joined() + "</ul>"
        }
        body += "<h3>\(esc(s.text("notable_falls")))</h3>"
        body +=
            model.notableFalls.isEmpty
            ? "<p>\(esc(s.text("notable_falls_none")))</p>"
            : "<ul>"
                + model.notableFalls.map {
                    "<li><strong>\(esc($0.code == model.scopeCode ? rowName : $0.name))</strong>: \(esc(notableText($0)))</li>"
                }.joined() + "</ul>"
        body += "</section>\n<section><h2>\(esc(s.text("glossary")))</h2><dl class=\"glossary\">"
        body += glossary.map { entry -> String in
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            return parts.count == 2
                ? "<dt>\(esc(parts[0]))</dt><dd>\(esc(parts[1].trimmingCharacters(in: .whitespaces)))</dd>" : "<dd>\(esc(entry))</dd>"
        }.joined()
        body += "</dl>"
        body += "</section>\n<section><h2>\(esc(s.text("method")))</h2><p>\(esc(methodText))</p>"
        if let c = cumulativeText { body += "<p>\(esc(c))</p>" }
        body += "<p class=\"small\">\(esc(s.text("generated", ["releases": model.releaseIDs.joined(separator: ", ")])))</p></section>\n"
        // A figure and its margin, or a number and its unit, never split across lines.
        body = body.replacingOccurrences(of: " ± ", with: "\u{00A0}±\u{00A0}").replacingOccurrences(of: " %", with: "\u{00A0}%")
        return """
            <!DOCTYPE html>
            <html lang="\(s.code)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(esc(title))</title>
            <style>
            \(ReportRenderer.css)
            \(printFrame)
            </style>
            </head>
            <body>
            <main>
            \(body)</main>
            </body>
            </html>

            """
    }

    /// The printed page's frame: title and release date at the foot of every page, and page
    /// numbers (CSS page-margin boxes; the PDF is printed without the browser's own header).
    var printFrame: String {
        func cssString(_ t: String) -> String {
            "\""
                + t.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(
                    of: "\n", with: " ")
                + "\""
        }
        // Short enough for one line beside the page number: the area and the release date in words.
        let foot =
            scopeName.prefix(1).uppercased() + scopeName.dropFirst()
            + (model.releasedOn.map { " · " + s.text("released_on", ["date": s.date($0)]) } ?? "")
        let page = s.text("page_of")
        let parts = page.components(separatedBy: "{page}")
        let before = parts.first ?? ""
        let between = parts.count > 1 ? (parts[1].components(separatedBy: "{pages}").first ?? "") : " / "
        let after = parts.count > 1 ? (parts[1].components(separatedBy: "{pages}").dropFirst().first ?? "") : ""
        return """
            @media print {
              @page {
                @bottom-left { content: \(cssString(foot)); font: 8pt system-ui, sans-serif; color: #5a5a5a; }
                @bottom-right { content: \(cssString(before)) counter(page) \(cssString(between)) counter(pages) \(cssString(after)); font: 8pt system-ui, sans-serif; color: #5a5a5a; }
              }
            }
            """
    }

    static let css = """
        :root { --ink: #1b1b1b; --muted: #5a5a5a; --blue: #0072B2; --orange: #E69F00; --band: #cfe3f1; --gridline: #e3e3e3; }
        body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ink); margin: 0; background: #fff; }
        main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.6rem; line-height: 1.25; } h2 { font-size: 1.3rem; border-bottom: 2px solid var(--blue); margin-top: 2rem; }
        h3 { font-size: 1.05rem; }
        .sub, .small { color: var(--muted); } abbr.flag { text-decoration: none; color: var(--muted); cursor: help; } .small { font-size: .85rem; }
        .headline { font-size: 1.2rem; font-weight: 600; }
        .main-points ul { font-size: 1.05rem; } .main-points li { margin: .3rem 0; }
        .glossary dt { font-weight: 600; margin-top: .5rem; } .glossary dd { margin: 0 0 .25rem 0; }
        .changes li.rise, .changes li.fall { font-weight: 600; color: var(--blue); }
        svg { max-width: 100%; height: auto; display: block; }
        svg text { font: 11px system-ui, sans-serif; fill: var(--ink); }
        svg .gridline { stroke: var(--gridline); }
        .multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: .5rem; }
        .multiples svg text { font-size: 13px; }
        .panel-title { font-weight: 600; font-size: .85rem; margin: .25rem 0 0; line-height: 1.2; }
        .chart-title { font-weight: 600; margin: .5rem 0 .25rem; }
        .bars { margin: .5rem 0; }
        .bar-row { display: grid; grid-template-columns: minmax(7rem, 15rem) 1fr 8.5rem; gap: .5rem; align-items: center; min-height: 1.6rem; }
        .bar-label { font-size: .9rem; line-height: 1.2; overflow-wrap: anywhere; }
        .bar-value { font-size: .85rem; font-variant-numeric: tabular-nums; }
        .bar-track { position: relative; height: 1.1rem; }
        .bar-track .grid { position: absolute; top: -.25rem; bottom: -.25rem; width: 1px; background: var(--gridline); }
        .bar { position: absolute; top: .15rem; height: .8rem; left: 0; }
        .bar.solid { background: var(--blue); min-width: 1px; }
        .bar.hatch { background: repeating-linear-gradient(135deg, var(--blue) 0 2px, #fff 2px 5px); border: 1px solid var(--blue); box-sizing: border-box; }
        .bar.hatch.open { border-right: none; -webkit-mask-image: linear-gradient(to right, #000 40%, transparent); mask-image: linear-gradient(to right, #000 40%, transparent); }
        .whisker { position: absolute; top: .5rem; height: 0; border-top: 2px solid var(--orange); }
        .whisker::before, .whisker::after { content: ""; position: absolute; top: -.35rem; height: .6rem; border-left: 2px solid var(--orange); }
        .whisker::before { left: 0; } .whisker::after { right: 0; }
        .axis { min-height: 1.2rem; } .axis .bar-track { height: 1.2rem; }
        .tick { position: absolute; transform: translateX(-50%); font-size: .75rem; color: var(--muted); white-space: nowrap; }
        .tick.first { transform: none; } .tick.last { transform: translateX(-100%); }
        .bars, .bar, .whisker { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
        .grid2 { display: block; }
        table { border-collapse: collapse; font-size: .9rem; margin: .5rem 0; }
        th, td { border-bottom: 1px solid #ddd; padding: .2rem .5rem; text-align: left; } td.num { text-align: right; white-space: nowrap; }
        details { margin: .25rem 0 1rem; max-width: 100%; overflow-x: auto; } summary { cursor: pointer; color: var(--blue); }
        @media (max-width: 40rem) {
          main { padding: .6rem; }
          .bar-row { grid-template-columns: 1fr 6.5rem; row-gap: 0; }
          .bar-label { grid-column: 1 / -1; margin-top: .3rem; }
          .axis .bar-label { display: none; }
          svg.trend text { font-size: 20px; }
          svg.trend text.minor { display: none; }
          .multiples { grid-template-columns: 1fr 1fr; }
          .multiples svg text { font-size: 17px; }
        }
        @media print {
          @page { size: A4; margin: 15mm; }
          body { font-size: 10.5pt; } main { max-width: none; padding: 0; }
          details { display: block; overflow: visible; } details > summary { display: none; }
          details::details-content { content-visibility: visible; display: block; }
          .multiples { grid-template-columns: repeat(4, 1fr); }
          h2, h3, .chart-title, .panel-title { break-after: avoid; } .bar-row, tr, svg, .multiples > div { break-inside: avoid; }
          table { break-before: avoid; } p.small { break-after: avoid; }
          p, li, dd { orphans: 3; widows: 3; } .glossary dt { break-after: avoid; }
          section:last-of-type p { break-before: avoid; orphans: 3; widows: 4; }
        }
        """

    func esc(_ t: String) -> String {
        t.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A data table under its chart (folded on screen, printed open), each flag marked with its
    /// meaning and the legend of the flags used under it.
    func dataTable(_ header: [String], _ rows: [[String]]) -> String {
        "<details><summary>\(esc(s.text("data_table")))</summary><table><thead><tr>" + header.map { "<th>\(esc($0))</th>" }.joined()
            + "</tr></thead><tbody>"
            + rows.map { "<tr>" + $0.map { "<td\(Self.isNumeric($0) ? " class=\"num\"" : "")>\(cell($0))</td>" }.joined() + "</tr>" }
            .joined()
            + "</tbody></table>" + (flagLegend(rows).map { "<p class=\"small\">\(esc($0))</p>" } ?? "") + "</details>"
    }

    /// Whether a cell holds a figure (right-aligned) rather than words (left-aligned).
    static func isNumeric(_ text: String) -> Bool {
        guard let c = text.unicodeScalars.first else { return false }
        return CharacterSet.decimalDigits.contains(c) || ["<", "+", "−", "–"].contains(Character(c))
    }

    /// A table cell's text, its trailing flag (if any) marked with its meaning.
    func cell(_ text: String) -> String {
        for f in Flag.allCases {
            let suffix = Self.flagSeparator + "(" + letter(f) + ")"
            if text.hasSuffix(suffix) {
                return esc(String(text.dropLast(suffix.count))) + Self.flagSeparator
                    + "<abbr class=\"flag\" title=\"\(esc(flagMeaning(f)))\">(\(esc(letter(f))))</abbr>"
            }
        }
        return esc(text)
    }

    /// A point of a line chart: its value and margin, or why it is missing.
    struct LinePoint {
        var value: Double?
        var moe: Double?
        var status: String
        /// A withheld quarter's closed range (what the published figures imply), drawn in its gap.
        var lower: Double? = nil
        var upper: Double? = nil
    }

    /// The counts of a series as line points (a withheld one with its range when closed; a
    /// below-k one stays a marked gap).
    func countPoints(_ series: Series) -> [LinePoint] {
        series.points.map { p in
            let ranged = p.persons.value == nil && !["below_k", "suppressed"].contains(p.persons.status) && p.persons.upper != nil
            return LinePoint(
                value: p.persons.value.map(Double.init), moe: p.persons.moe95, status: p.persons.status,
                lower: ranged ? p.persons.lower.map(Double.init) : nil, upper: ranged ? p.persons.upper.map(Double.init) : nil)
        }
    }

    /// The rates of a series as line points (a withheld count has no rate: a gap, with the
    /// range of rates its count's range gives when that range is closed).
    func ratePoints(_ series: Series) -> [LinePoint] {
        series.points.map { p in
            let range = ["below_k", "suppressed"].contains(p.persons.status) ? nil : p.rateRange
            return LinePoint(
                value: p.rate, moe: p.rateMoe95, status: p.rate == nil ? p.persons.status : "published",
                lower: range?.upper == nil ? nil : range?.lower, upper: range?.upper)
        }
    }

    /// A line chart with its 95 % band, round ticks and light gridlines; withheld quarters leave
    /// a gap marked at the axis ("<k" for a value fewer than k, "–" otherwise; the table says
    /// why). `maximum` fixes the scale (small multiples share one); `reference` draws another
    /// series (the whole country's rate) as a dashed line.
    func lineChart(
        id: String, points pts: [LinePoint], width: Int, height: Int, title: String, compact: Bool = false, maximum: Double? = nil,
        reference: [LinePoint]? = nil, decimals: Int = 0
    ) -> String {
        let left = compact ? 34.0 : 70.0
        let right = compact ? 16.0 : 50.0
        let top = compact ? 8.0 : 12.0
        let bottom = compact ? 10.0 : 30.0
        let reach = maximum ?? max(1, pts.compactMap { p in p.value.map { $0 + (p.moe ?? 0) } ?? p.upper }.max() ?? 1)
        let ticks = Self.ticks(maximum: reach, count: compact ? 2 : 4)
        let maxY = ticks.last ?? reach
        let w = Double(width) - left - right
        let h = Double(height) - top - bottom
        func x(_ i: Int) -> Double { left + (pts.count > 1 ? w * Double(i) / Double(pts.count - 1) : w / 2) }
        func y(_ v: Double) -> Double { top + h - h * min(v, maxY) / maxY }
        func label(_ v: Double) -> String { tickLabel(v) }
        let desc = s.text("chart_desc_trend", ["first": s.quarter(model.periods.first ?? ""), "last": s.quarter(latest)])
        var svg =
            "<svg class=\"\(compact ? "multiple" : "trend")\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-labelledby=\"\(id)-t \(id)-d\"><title id=\"\(id)-t\">\(esc(title))</title><desc id=\"\(id)-d\">\(esc(desc))</desc>"
        // A withheld quarter: a light column the height of the plot (a gap, not a zero), drawn
        // first so that gridlines and labels stay on top; its mark is written at its top below.
        let half = min(10.0, pts.count > 1 ? w / Double(pts.count - 1) / 2.5 : 10)
        for (i, p) in pts.enumerated() where p.value == nil {
            let x0 = max(left, x(i) - half)
            let x1 = min(left + w, x(i) + half)
            svg += "<rect x=\"\(f(x0))\" y=\"\(f(top))\" width=\"\(f(x1 - x0))\" height=\"\(f(h))\" fill=\"#f0f0f0\"/>"
        }
        for t in ticks {
            svg += "<line class=\"gridline\" x1=\"\(f(left))\" y1=\"\(f(y(t)))\" x2=\"\(f(left + w))\" y2=\"\(f(y(t)))\"/>"
            svg += "<text x=\"\(f(left - 4))\" y=\"\(f(y(t) + 4))\" text-anchor=\"end\">\(esc(label(t)))</text>"
        }
        if let reference {
            let line = reference.enumerated().compactMap { i, p in p.value.map { "\(f(x(i))),\(f(y($0)))" } }
            if line.count > 1 {
                svg +=
                    "<polyline points=\"\(line.joined(separator: " "))\" fill=\"none\" stroke=\"#777\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>"
            }
        }
        // Runs of published quarters: a withheld quarter breaks the line and the band.
        var runs: [[Int]] = [[]]
        for (i, p) in pts.enumerated() {
            if p.value == nil { runs.append([]) } else { runs[runs.count - 1].append(i) }
        }
        for run in runs where !run.isEmpty {
            var upper: [String] = []
            var lower: [String] = []
            var line: [String] = []
            for i in run {
                guard let v = pts[i].value else { continue }
                let m = pts[i].moe ?? 0
                upper.append("\(f(x(i))),\(f(y(v + m)))")
                lower.insert("\(f(x(i))),\(f(y(max(0, v - m))))", at: 0)
                line.append("\(f(x(i))),\(f(y(v)))")
            }
            if run.count > 1 {
                svg += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"var(--band)\" fill-opacity=\"0.8\"/>"
                svg += "<polyline points=\"\(line.joined(separator: " "))\" fill=\"none\" stroke=\"var(--blue)\" stroke-width=\"2\"/>"
            }
        }
        for (i, p) in pts.enumerated() {
            if let v = p.value {
                svg += "<circle cx=\"\(f(x(i)))\" cy=\"\(f(y(v)))\" r=\"\(compact ? 2.5 : 3)\" fill=\"var(--blue)\"/>"
            } else if let lo = p.lower, let hi = p.upper {
                // The range the published figures imply: a hollow bar in the gap.
                let bw = compact ? 4.0 : 6.0
                svg +=
                    "<rect class=\"range\" x=\"\(f(x(i) - bw / 2))\" y=\"\(f(y(hi)))\" width=\"\(f(bw))\" height=\"\(f(max(1.5, y(lo) - y(hi))))\" fill=\"#fff\" stroke=\"var(--blue)\" stroke-width=\"1.5\"/>"
            } else {
                let mark = ["below_k", "suppressed"].contains(p.status) ? "&lt;\(model.k)" : "–"
                svg +=
                    "<text x=\"\(f(x(i)))\" y=\"\(f(top + (compact ? 12 : 14)))\" text-anchor=\"middle\" fill=\"var(--muted)\">\(mark)</text>"
            }
        }
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(top + h))\" x2=\"\(f(left + w))\" y2=\"\(f(top + h))\" stroke=\"#999\"/>"
        if !compact {
            for (i, p) in model.periods.enumerated() where i < pts.count {
                let minor = pts.count > 4 && (pts.count - 1 - i) % 2 == 1
                svg +=
                    "<text\(minor ? " class=\"minor\"" : "") x=\"\(f(x(i)))\" y=\"\(f(top + h + 18))\" text-anchor=\"middle\">\(esc(s.quarter(p)))</text>"
            }
        }
        return svg + "</svg>"
    }

    /// One row of a bar chart: a published value, a range (a withheld value, or a sum with
    /// withheld values inside), or a value nothing can be drawn for.
    struct BarRow {
        var label: String
        var value: Double?
        var moe: Double?
        var lower: Double?
        var upper: Double?
        var text: String
    }

    /// The bar row of a figure (counts) or of a rate (scaled by `perUnit`).
    func barRow(_ label: String, _ fig: Figure, text: String, scale: Double = 1) -> BarRow {
        BarRow(
            label: label, value: fig.value.map { Double($0) * scale }, moe: fig.moe95.map { $0 * scale },
            lower: fig.lower.map { Double($0) * scale }, upper: fig.upper.map { Double($0) * scale }, text: text)
    }

    /// Round axis ticks from 0 to at least `maximum`: 1, 2 or 5 times a power of ten apart.
    static func ticks(maximum: Double, count: Int = 5) -> [Double] {
        guard maximum > 0, maximum.isFinite else { return [0, 1] }
        let raw = maximum / Double(count)
        let exponent = floor(log10(raw))
        let power = pow(10, exponent)
        let mantissa = [1.0, 2, 2.5, 5, 10].first { $0 * power >= raw } ?? 10
        // i × mantissa ÷ 10^−e for steps below 1, so that 3 × 0.1 is written 0.3.
        func tick(_ i: Int) -> Double { exponent < 0 ? Double(i) * mantissa / pow(10, -exponent) : Double(i) * mantissa * power }
        var out: [Double] = []
        var i = 0
        while tick(i) < maximum + mantissa * power * 0.999 {
            out.append(tick(i))
            i += 1
        }
        return out
    }

    /// Horizontal bars in HTML (labels wrap, text stays readable at any width): a solid bar to
    /// the value, or to the lower end of a range with a hatched extension to its upper end (to
    /// the axis end when it has none); the 95 % whisker beyond; round ticks with light gridlines.
    /// A row with nothing to draw says why in its value text.
    func barChart(id: String, rows: [BarRow], title: String, decimals: Int) -> String {
        let reach =
            rows.compactMap { r -> Double? in
                let top = r.value ?? r.upper ?? r.lower
                return top.map { $0 + (r.moe ?? 0) }
            }.max() ?? 1
        let ticks = Self.ticks(maximum: max(reach, decimals == 0 ? 4 : 0.1))
        let axisMax = ticks.last ?? 1
        func pct(_ v: Double) -> String { String(format: "%.2f%%", min(100, max(0, 100 * v / axisMax))) }
        var out = "<div class=\"bars\" id=\"\(id)\" role=\"figure\" aria-label=\"\(esc(title))\">"
        let grid = ticks.dropFirst().map { "<span class=\"grid\" style=\"left:\(pct($0))\"></span>" }.joined()
        for r in rows {
            out +=
                "<div class=\"bar-row\"><span class=\"bar-label\">\(esc(r.label))</span><span class=\"bar-track\" aria-hidden=\"true\">\(grid)"
            if let v = r.value {
                out += "<span class=\"bar solid\" style=\"width:\(pct(v))\"></span>"
                if let m = r.moe, m > 0 {
                    out +=
                        "<span class=\"whisker\" style=\"left:\(pct(max(0, v - m)));width:calc(\(pct(min(axisMax, v + m))) - \(pct(max(0, v - m))))\"></span>"
                }
            } else if let lo = r.lower {
                // An open range ("at least"): a short fading extension, never a bar to the axis end.
                let hi = r.upper ?? min(axisMax, lo + 0.08 * axisMax)
                out += "<span class=\"bar solid\" style=\"width:\(pct(lo))\"></span>"
                out +=
                    "<span class=\"bar hatch\(r.upper == nil ? " open" : "")\" style=\"left:\(pct(lo));width:calc(\(pct(hi)) - \(pct(lo)))\"></span>"
                if let m = r.moe, m > 0 {
                    out +=
                        "<span class=\"whisker\" style=\"left:\(pct(max(0, lo - m)));width:calc(\(pct(min(axisMax, hi + m))) - \(pct(max(0, lo - m))))\"></span>"
                }
            } else {
                out += "<span class=\"bar none\"></span>"
            }
            out += "</span><span class=\"bar-value\">\(esc(r.text))</span></div>"
        }
        out += "<div class=\"bar-row axis\" aria-hidden=\"true\"><span class=\"bar-label\"></span><span class=\"bar-track\">"
        for (i, t) in ticks.enumerated() {
            let edge = i == 0 ? " first" : i == ticks.count - 1 ? " last" : ""
            out +=
                "<span class=\"tick\(edge)\" style=\"left:\(pct(t))\">\(esc(tickLabel(t)))</span>"
        }
        out += "</span><span class=\"bar-value\"></span></div>"
        return out + "</div>"
    }

    /// An axis tick: a whole number without decimals, else at most two, trailing zeros dropped.
    func tickLabel(_ v: Double) -> String {
        if abs(v - v.rounded()) < 1e-9 { return s.number(Int(v.rounded())) }
        var text = s.decimal(v, places: 2)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    func f(_ v: Double) -> String { String(format: "%.1f", v) }
}

import Foundation
import MosaicErrorModel

extension ReportRenderer {
    /// One self-contained HTML page: inline CSS and SVG, no script, nothing fetched.
    public func html() -> String {
        var body = "<header><h1>\(esc(title))</h1><p class=\"sub\">\(esc(subtitle))</p></header>\n"
        body += "<section><h2>\(esc(s.text("headline")))</h2><p class=\"headline\">\(esc(headline))</p><ul class=\"changes\">"
        for (i, c) in model.changes.enumerated() {
            body += "<li class=\"\(c.verdict.rawValue)\">\(esc(changeLine(c, index: i)))</li>"
        }
        body += "</ul></section>\n"
        body += "<section><h2>\(esc(s.text("trend")))</h2><p>\(esc(s.text("trend_text")))</p>"
        body += lineChart(id: "trend", series: model.scope, width: 640, height: 240, title: model.scope.name)
        body += dataTable(
            [s.text("column_quarter"), s.text("column_value"), s.text("column_rate")],
            model.scope.points.map { [s.quarter($0.period), figure($0.persons), rate($0)] })
        if model.scopeLevel == .country {
            body += "<h3>\(esc(s.text("small_multiples")))</h3><div class=\"multiples\">"
            for (i, u) in model.subunits.enumerated() {
                body += "<div>" + lineChart(id: "m\(i)", series: u, width: 200, height: 110, title: u.name, compact: true) + "</div>"
            }
            body += "</div>"
            body += dataTable(
                [s.text("column_unit")] + model.periods.map { s.quarter($0) },
                model.subunits.map { u in [u.name] + u.points.map { figure($0.persons, margin: false) } })
        }
        body += "</section>\n<section><h2>\(esc(s.text("comparison")))</h2><h3>\(esc(comparisonTitle))</h3>"
        let rankingRows = model.ranking.map { u -> (String, Double?, Double?, String) in
            (u.name, u.points.last?.rate, u.points.last?.rateMoe95, rate(u.points.last, short: true))
        }
        body += barChart(id: "ranking", rows: rankingRows, title: comparisonTitle, decimals: 2)
        body += dataTable(
            [s.text("column_unit"), s.text("column_rate"), s.text("column_value")],
            model.ranking.map { [$0.name, rate($0.points.last), figure($0.points.last!.persons)] })
        body += "</section>\n<section><h2>\(esc(s.text("breakdowns", ["quarter": s.quarter(latest)])))</h2><div class=\"grid\">"
        for b in model.breakdowns {
            body += "<div><h3>\(esc(s.text(b.key)))</h3>"
            let rows = b.categories.map { c -> (String, Double?, Double?, String) in
                (
                    c.label, c.figure.value.map(Double.init), c.figure.moe95,
                    figure(c.figure, short: true) + (c.share.map { " (\(s.percent($0)))" } ?? "")
                )
            }
            body += barChart(id: b.key, rows: rows, title: s.text(b.key), decimals: 0)
            body += dataTable([s.text("column_category"), s.text("column_value")], rows.map { [$0.0, $0.3] })
            body += "</div>"
        }
        body += "</div></section>\n"
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
                    "<li><strong>\(esc($0.name))</strong>: \(esc(s.number($0.latest))) (\(esc(s.text("column_change"))) +\(esc(s.decimal($0.difference))) ± \(esc(s.decimal($0.moe95))))</li>"
                }.joined() + "</ul>"
        }
        body += "</section>\n<section><h2>\(esc(s.text("method")))</h2><p>\(esc(methodText))</p>"
        body += "<p class=\"small\">\(esc(s.text("generated", ["releases": model.releaseIDs.joined(separator: ", ")])))</p></section>\n"
        return """
            <!DOCTYPE html>
            <html lang="\(s.code)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(esc(title))</title>
            <style>
            \(ReportRenderer.css)
            </style>
            </head>
            <body>
            <main>
            \(body)</main>
            </body>
            </html>

            """
    }

    static let css = """
        :root { --ink: #1b1b1b; --muted: #5a5a5a; --blue: #0072B2; --orange: #E69F00; --green: #009E73; --red: #D55E00; --band: #cfe3f1; }
        body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ink); margin: 0; background: #fff; }
        main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.6rem; line-height: 1.25; } h2 { font-size: 1.3rem; border-bottom: 2px solid var(--blue); margin-top: 2rem; }
        h3 { font-size: 1.05rem; }
        .sub, .small { color: var(--muted); } .small { font-size: .85rem; }
        .headline { font-size: 1.2rem; font-weight: 600; }
        .changes li.rise { color: var(--red); } .changes li.fall { color: var(--green); }
        svg { max-width: 100%; height: auto; display: block; }
        svg text { font: 11px system-ui, sans-serif; fill: var(--ink); }
        .multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); gap: .5rem; }
        .grid { display: block; }
        table { border-collapse: collapse; font-size: .9rem; margin: .5rem 0; }
        th, td { border-bottom: 1px solid #ddd; padding: .2rem .5rem; text-align: left; } td:not(:first-child) { text-align: right; }
        details { margin: .25rem 0 1rem; } summary { cursor: pointer; color: var(--blue); }
        @media print {
          @page { size: A4; margin: 15mm; }
          body { font-size: 10.5pt; } main { max-width: none; padding: 0; }
          details { display: block; } details > summary { display: none; } details > table { display: table; }
          section { break-inside: avoid-page; } h2 { break-after: avoid; }
        }
        """

    func esc(_ t: String) -> String {
        t.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    func dataTable(_ header: [String], _ rows: [[String]]) -> String {
        "<details><summary>\(esc(s.text("data_table")))</summary><table><thead><tr>" + header.map { "<th>\(esc($0))</th>" }.joined()
            + "</tr></thead><tbody>" + rows.map { "<tr>" + $0.map { "<td>\(esc($0))</td>" }.joined() + "</tr>" }.joined()
            + "</tbody></table></details>"
    }

    /// A line chart of a unit's series with its 95 % band; suppressed quarters leave a gap.
    func lineChart(id: String, series: Series, width: Int, height: Int, title: String, compact: Bool = false) -> String {
        let pts = series.points
        let left = compact ? 8.0 : 48.0
        let right = compact ? 12.0 : 36.0
        let top = compact ? 18.0 : 12.0
        let bottom = compact ? 8.0 : 28.0
        let maxY = max(1, pts.compactMap { p in p.persons.value.map { Double($0) + (p.persons.moe95 ?? 0) } }.max() ?? 1)
        let w = Double(width) - left - right
        let h = Double(height) - top - bottom
        func x(_ i: Int) -> Double { left + (pts.count > 1 ? w * Double(i) / Double(pts.count - 1) : w / 2) }
        func y(_ v: Double) -> Double { top + h - h * v / maxY }
        let desc = s.text("chart_desc_trend", ["first": s.quarter(model.periods.first ?? ""), "last": s.quarter(latest)])
        var svg =
            "<svg viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-labelledby=\"\(id)-t \(id)-d\"><title id=\"\(id)-t\">\(esc(title))</title><desc id=\"\(id)-d\">\(esc(desc))</desc>"
        if compact { svg += "<text x=\"\(left)\" y=\"12\">\(esc(title))</text>" }
        // Runs of published quarters: a suppressed quarter breaks the line and the band.
        var runs: [[Int]] = [[]]
        for (i, p) in pts.enumerated() {
            if p.persons.value == nil { runs.append([]) } else { runs[runs.count - 1].append(i) }
        }
        for run in runs where !run.isEmpty {
            var upper: [String] = []
            var lower: [String] = []
            var line: [String] = []
            for i in run {
                let v = Double(pts[i].persons.value!)
                let m = pts[i].persons.moe95 ?? 0
                upper.append("\(f(x(i))),\(f(y(v + m)))")
                lower.insert("\(f(x(i))),\(f(y(max(0, v - m))))", at: 0)
                line.append("\(f(x(i))),\(f(y(v)))")
            }
            if run.count > 1 {
                svg += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"var(--band)\"/>"
                svg += "<polyline points=\"\(line.joined(separator: " "))\" fill=\"none\" stroke=\"var(--blue)\" stroke-width=\"2\"/>"
            }
        }
        for (i, p) in pts.enumerated() {
            if let v = p.persons.value {
                svg += "<circle cx=\"\(f(x(i)))\" cy=\"\(f(y(Double(v))))\" r=\"\(compact ? 2 : 3)\" fill=\"var(--blue)\"/>"
            } else {
                // "<k" only for a value fewer than k; any other withheld value is a dash (the data
                // table says why).
                let mark = ["below_k", "suppressed"].contains(p.persons.status) ? "&lt;\(model.k)" : "–"
                svg += "<text x=\"\(f(x(i)))\" y=\"\(f(top + h))\" text-anchor=\"middle\">\(mark)</text>"
            }
        }
        if !compact {
            svg += "<line x1=\"\(left)\" y1=\"\(f(top + h))\" x2=\"\(f(left + w))\" y2=\"\(f(top + h))\" stroke=\"#999\"/>"
            svg +=
                "<text x=\"\(left - 6)\" y=\"\(f(top + 4))\" text-anchor=\"end\">\(esc(s.number(Int(maxY))))</text><text x=\"\(left - 6)\" y=\"\(f(top + h))\" text-anchor=\"end\">0</text>"
            for (i, p) in pts.enumerated() where pts.count <= 12 || i % 2 == 0 {
                svg += "<text x=\"\(f(x(i)))\" y=\"\(f(top + h + 16))\" text-anchor=\"middle\">\(esc(s.quarter(p.period)))</text>"
            }
        }
        return svg + "</svg>"
    }

    /// Horizontal bars with 95 % whiskers; missing values are written, not drawn.
    func barChart(id: String, rows: [(label: String, value: Double?, moe: Double?, text: String)], title: String, decimals: Int) -> String {
        let rowHeight = 22.0
        let labelWidth = 250.0
        let width = 640.0
        let valueWidth = 130.0
        let maxV = max(1e-9, rows.compactMap { r in r.value.map { $0 + (r.moe ?? 0) } }.max() ?? 1)
        let barSpace = width - labelWidth - valueWidth
        let height = rowHeight * Double(rows.count) + 8
        var svg =
            "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-labelledby=\"\(id)-t \(id)-d\"><title id=\"\(id)-t\">\(esc(title))</title><desc id=\"\(id)-d\">\(esc(s.text("chart_desc_bars")))</desc>"
        for (i, r) in rows.enumerated() {
            let yy = 4 + rowHeight * Double(i)
            svg += "<text x=\"\(f(labelWidth - 6))\" y=\"\(f(yy + 15))\" text-anchor=\"end\">\(esc(String(r.label.prefix(42))))</text>"
            if let v = r.value {
                let bw = barSpace * v / maxV
                svg += "<rect x=\"\(f(labelWidth))\" y=\"\(f(yy + 4))\" width=\"\(f(max(bw, 0.5)))\" height=\"14\" fill=\"var(--blue)\"/>"
                if let m = r.moe {
                    let x0 = labelWidth + barSpace * max(0, v - m) / maxV
                    let x1 = labelWidth + barSpace * (v + m) / maxV
                    svg +=
                        "<line x1=\"\(f(x0))\" y1=\"\(f(yy + 11))\" x2=\"\(f(x1))\" y2=\"\(f(yy + 11))\" stroke=\"var(--orange)\" stroke-width=\"2\"/>"
                }
            }
            svg += "<text x=\"\(f(width - valueWidth + 4))\" y=\"\(f(yy + 15))\">\(esc(r.text))</text>"
        }
        return svg + "</svg>"
    }

    func f(_ v: Double) -> String { String(format: "%.1f", v) }
}

import Foundation

/// A report language: its strings and number format, from `Resources/report-<code>.json`.
/// Adding a language is adding one such file.
public struct ReportStrings: Sendable {
    /// The code (stable; used in files and queries).
    public let code: String
    let table: [String: String]

    /// The shipped languages.
    public static let available = ["en", "es"]

    /// Loads the strings of `language` (`en`, `es`).
    public init(language: String) throws {
        guard let url = Bundle.module.url(forResource: "report-\(language)", withExtension: "json"),
            let data = try? Data(contentsOf: url), let json = try JSONSerialization.jsonObject(with: data) as? [String: String]
        else { throw ReportError.unknownLanguage(language) }
        code = language
        table = json
    }

    /// The catalogue's wording of `key`, or nil when it has none (a codebook table it does not know).
    public func optionalText(_ key: String) -> String? { table[key] }

    /// The string for `key` with `{name}` placeholders filled.
    public func text(_ key: String, _ values: [String: String] = [:]) -> String {
        var s = table[key] ?? key
        for (k, v) in values { s = s.replacingOccurrences(of: "{\(k)}", with: v) }
        return s
    }

    /// The report's own wording of a dimension value, where the codebook's (written for the
    /// school's form) reads badly in a table of published figures: image kinds said as such,
    /// responses as nouns, gender after an age group in lower case. Nil: use the codebook's.
    public func label(dimension: String, code: String) -> String? { table["label.\(dimension).\(code)"] }

    /// A whole number with the language's grouping separator.
    public func number(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += table["grouping_separator"] ?? "," }
            out.append(c)
        }
        return (n < 0 ? "−" : "") + out
    }

    /// A decimal number with `places` decimals and the language's separators.
    public func decimal(_ x: Double, places: Int = 1) -> String {
        let scaled = (abs(x) * pow(10, Double(places))).rounded()
        let whole = Int(scaled / pow(10, Double(places)))
        let frac = Int(scaled.truncatingRemainder(dividingBy: pow(10, Double(places))))
        let fracText = places > 0 ? (table["decimal_separator"] ?? ".") + String(format: "%0\(places)d", frac) : ""
        return (x < 0 && scaled > 0 ? "−" : "") + number(whole) + fracText
    }

    /// A day (`YYYY-MM-DD`) in words: "27 November 2026", "27 de noviembre de 2026".
    public func date(_ iso: String) -> String {
        let parts = iso.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1...12).contains(parts[1]) else { return iso }
        return text("date", ["day": String(parts[2]), "month": text("month_\(parts[1])"), "year": String(parts[0])])
    }

    /// A share as a percentage.
    public func percent(_ x: Double) -> String { decimal(x * 100, places: 0) + " %" }

    /// A quarter `YYYY-Qn` in the language's form.
    public func quarter(_ period: String) -> String {
        let parts = period.split(separator: "-")
        guard parts.count == 2 else { return period }
        return text("quarter", ["q": String(parts[1].dropFirst()), "year": String(parts[0])])
    }
}

/// Errors building a report.
public enum ReportError: Error, LocalizedError, Equatable {
    case unknownLanguage(String)
    case noChromium
    case pdfFailed(String)

    /// A message for people: what went wrong and, where it helps, what to do.
    public var errorDescription: String? {
        switch self {
        case .unknownLanguage(let l): return "no report language '\(l)' (available: \(ReportStrings.available.joined(separator: ", ")))"
        case .noChromium:
            return
                "PDF needs headless Chromium, which is not installed (Debian: apt-get install chromium); the HTML report prints to A4 from any browser"
        case .pdfFailed(let why): return "Chromium could not print the PDF: \(why)"
        }
    }
}

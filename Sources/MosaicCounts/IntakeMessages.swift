import Foundation
import MosaicCodebook

/// Intake's messages in the languages Mosaic ships (English and Spanish), from the language
/// files `intake-en.json` and `intake-es.json` (one key per message, `{name}` placeholders, the
/// same layout as the reports' language files).
///
/// Messages are written in English where they arise; ``translate(_:to:)`` recognises each by
/// its English template and fills the other language's template with the same values (a value
/// that is itself a message, such as a JSON syntax detail, or a cell label, is translated too).
/// A message no template matches stays in English: the tests check that none does.
public enum IntakeMessages {
    /// The languages with a language file.
    public static let languages = ["en", "es"]

    struct Template: @unchecked Sendable {
        var key: String
        var regex: NSRegularExpression
        var names: [String]
        /// Characters outside placeholders: longer templates are tried first.
        var literalLength: Int
    }

    static let files: [String: [String: String]] = {
        var out: [String: [String: String]] = [:]
        for language in languages {
            if let url = Bundle.module.url(forResource: "intake-\(language)", withExtension: "json"),
                let data = try? Data(contentsOf: url),
                let table = try? JSONDecoder().decode([String: String].self, from: data)
            {
                out[language] = table
            }
        }
        return out
    }()

    /// A language's table: key → template.
    public static func strings(_ language: String) -> [String: String] { files[language] ?? files["en"] ?? [:] }

    static let templates: [Template] = {
        strings("en").compactMap { key, text -> Template? in
            var pattern = "^"
            var names: [String] = []
            var literal = 0
            var rest = Substring(text)
            while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
                let before = String(rest[..<open])
                pattern += NSRegularExpression.escapedPattern(for: before)
                literal += before.count
                names.append(String(rest[rest.index(after: open)..<close]))
                pattern += "(.+?)"
                rest = rest[rest.index(after: close)...]
            }
            pattern += NSRegularExpression.escapedPattern(for: String(rest)) + "$"
            literal += rest.count
            guard let regex = try? NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators]) else { return nil }
            return Template(key: key, regex: regex, names: names, literalLength: literal)
        }.sorted { ($0.literalLength, $0.key) > ($1.literalLength, $1.key) }
    }()

    /// English cell labels → Spanish ones (messages name cells by their English label).
    static let cellLabels: [String: String] = {
        guard let codebook = try? Codebook.bundled() else { return [:] }
        var out: [String: String] = [:]
        for cell in codebook.allCells { out[codebook.label(of: cell, language: "en")] = codebook.label(of: cell, language: "es") }
        return out
    }()

    /// `message` (English, as intake writes it) in `language`; unchanged when the language is
    /// English or no template matches.
    public static func translate(_ message: String, to language: String) -> String {
        guard language != "en", let target = files[language] else { return message }
        let range = NSRange(message.startIndex..., in: message)
        for t in templates {
            guard let m = t.regex.firstMatch(in: message, range: range), var out = target[t.key] else { continue }
            for (i, name) in t.names.enumerated() {
                guard let r = Range(m.range(at: i + 1), in: message) else { continue }
                var value = String(message[r])
                if name == "detail" { value = translate(value, to: language) }
                if name == "label", language == "es" { value = cellLabels[value] ?? value }
                out = out.replacingOccurrences(of: "{\(name)}", with: value)
            }
            return out
        }
        return message
    }

    /// True when `message` has a template (so it has a translation).
    public static func isKnown(_ message: String) -> Bool {
        let range = NSRange(message.startIndex..., in: message)
        return templates.contains { $0.regex.firstMatch(in: message, range: range) != nil }
    }
}

extension IntakeError {
    /// The message for people in `language` (`en` or `es`): each problem on its line, file and
    /// line first, at most ``shown`` problems, then how many more.
    public func description(language: String) -> String {
        guard language != "en" else { return errorDescription ?? message }
        let words = IntakeMessages.strings(language)
        func line(_ e: IntakeError) -> String {
            var out = e.file
            if let l = e.line { out += ":\(l)" }
            out += ": "
            if let f = e.field { out += (words["frame_field"] ?? "field '{field}': ").replacingOccurrences(of: "{field}", with: f) }
            return out + IntakeMessages.translate(e.message, to: language)
        }
        let listed = all.prefix(Self.shown).map(line)
        let more = count - listed.count
        let moreText = (more == 1 ? words["frame_more_one"] : words["frame_more"]) ?? "and {n} more"
        let tail = more > 0 ? [file + ": " + moreText.replacingOccurrences(of: "{n}", with: "\(more)")] : []
        return (listed + tail).joined(separator: "\n")
    }
}

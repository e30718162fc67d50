import Foundation

/// Text in several languages, keyed by language code (`en`, `es`).
public struct LocalizedText: Codable, Sendable, Hashable {
    /// The translations, keyed by language code.
    public var translations: [String: String]

    /// Makes a text from its translations, by language code.
    public init(_ translations: [String: String]) { self.translations = translations }

    /// Decodes the value from its JSON form.
    public init(from decoder: Decoder) throws {
        translations = try decoder.singleValueContainer().decode([String: String].self)
    }

    /// Encodes the value in its JSON form.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(translations)
    }

    /// The text in `language`, falling back to English.
    public func text(_ language: String = "en") -> String {
        translations[language] ?? translations["en"] ?? translations.values.sorted().first ?? ""
    }
}

import Foundation

/// One value a dimension can take, such as `shared` for the dimension `kind`.
public struct DimensionValue: Codable, Sendable, Hashable {
    /// The machine code, lower case with underscores.
    public var code: String
    /// What people read.
    public var label: LocalizedText
}

/// A categorical variable, such as the kind of incident or the victim's gender.
public struct Dimension: Codable, Sendable, Hashable {
    /// The name.
    public var name: String
    /// The label in the chosen language.
    public var label: LocalizedText
    /// The values.
    public var values: [DimensionValue]

    /// The value with `code`, if the dimension has one.
    public func value(_ code: String) -> DimensionValue? { values.first { $0.code == code } }
}

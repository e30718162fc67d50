/// A registry attribute that releases may break units down by (a partition of every unit by its
/// schools' value): the one declaration of its name (also its registry column and store column),
/// its values and how a school's value is read. Store aggregation, release plans, the engine, the
/// release file, queries and reports take the dimensions from here or from the release file, never
/// from a list of their own.
public struct RegistryDimension: Sendable, Hashable {
    /// The name: the registry file's column, the store's column, and the release file's `dimension`.
    public let name: String
    /// Every value a school may have, in order.
    public let values: [String]
    /// A school's value.
    let read: @Sendable (School) -> String

    /// A dimension from its parts.
    public init(name: String, values: [String], read: @escaping @Sendable (School) -> String) {
        self.name = name
        self.values = values
        self.read = read
    }

    /// A school's value of this dimension.
    public func value(of school: School) -> String { read(school) }

    /// The school's stage (primary, secondary, combined, special, other).
    public static let stage = RegistryDimension(name: "stage", values: School.Stage.allCases.map(\.rawValue)) { $0.stage.rawValue }
    /// Who runs and funds the school (public, charter, private).
    public static let sector = RegistryDimension(name: "sector", values: School.Sector.allCases.map(\.rawValue)) {
        $0.sector.rawValue
    }
    /// Every dimension, in the order releases list them.
    public static let all: [RegistryDimension] = [stage, sector]

    /// The dimension called `name`.
    public static func named(_ name: String) -> RegistryDimension? { all.first { $0.name == name } }

    /// Equal when named alike (a name is declared once).
    public static func == (a: RegistryDimension, b: RegistryDimension) -> Bool { a.name == b.name }

    /// Hashes the name.
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

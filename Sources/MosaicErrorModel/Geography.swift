/// A level of the published hierarchy.
public enum Level: String, Sendable, Hashable, Codable, CaseIterable {
    case country, region, province
}

/// One unit of the hierarchy: the country, a region or a province.
public struct GeoUnit: Sendable, Hashable {
    /// The level: country, region or province.
    public var level: Level
    /// The code (stable; used in files and queries).
    public var code: String
    /// The name.
    public var name: String
    /// Index of the parent unit in ``Geography/units`` (nil for the country).
    public var parent: Int?
    /// Indices of the child units.
    public var children: [Int]
    /// Open schools registered in the unit (a public registry fact, for the small-area rule).
    public var schools: Int

    /// The small-area rule: a region or province with fewer than `minimumSchools` registered
    /// schools is not published on its own (its counts appear only inside its parent).
    public func isSmallArea(minimumSchools: Int) -> Bool { level != .country && schools < minimumSchools }

    /// Makes the value from its parts.
    public init(level: Level, code: String, name: String, parent: Int?, children: [Int], schools: Int) {
        self.level = level
        self.code = code
        self.name = name
        self.parent = parent
        self.children = children
        self.schools = schools
    }
}

/// The country ▸ region ▸ province hierarchy, built from the registry.
///
/// Units are stored root first, then regions, then provinces (each level sorted by code), so
/// that a pass in order visits parents before children.
public struct Geography: Sendable {
    /// The units, root first.
    public let units: [GeoUnit]
    /// The code and name of the country unit.
    public static let countryCode = "ALL"

    /// Indices of the provinces (the leaves).
    public var leaves: [Int] { units.indices.filter { units[$0].children.isEmpty && units[$0].level == .province } }

    /// A hierarchy from units listed root first, each parent before its children.
    public init(units: [GeoUnit]) { self.units = units }

    /// Values given per province, summed up the hierarchy: one value per unit, in ``units`` order.
    public func sumUp<T>(_ byProvince: [String: T], zero: T, _ add: (T, T) -> T) -> [T] {
        var out = [T](repeating: zero, count: units.count)
        for (i, u) in units.enumerated() where u.level == .province { out[i] = byProvince[u.code] ?? zero }
        for i in stride(from: units.count - 1, through: 0, by: -1) {
            for c in units[i].children { out[i] = add(out[i], out[c]) }
        }
        return out
    }

    /// Index of the unit with `code` at `level`.
    public func index(level: Level, code: String) -> Int? { units.firstIndex { $0.level == level && $0.code == code } }
}

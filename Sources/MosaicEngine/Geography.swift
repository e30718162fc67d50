import MosaicRegistry

/// A level of the published hierarchy.
public enum Level: String, Sendable, Hashable, Codable, CaseIterable {
    case country, region, province
}

/// One unit of the hierarchy: the country, a region or a province.
public struct GeoUnit: Sendable, Hashable {
    public var level: Level
    public var code: String
    public var name: String
    /// Index of the parent unit in ``Geography/units`` (nil for the country).
    public var parent: Int?
    /// Indices of the child units.
    public var children: [Int]
    /// Open schools registered in the unit (a public registry fact, for the small-area rule).
    public var schools: Int

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
    public let units: [GeoUnit]
    /// The code and name of the country unit.
    public static let countryCode = "ALL"

    /// Indices of the provinces (the leaves).
    public var leaves: [Int] { units.indices.filter { units[$0].children.isEmpty && units[$0].level == .province } }

    public init(units: [GeoUnit]) { self.units = units }

    /// Builds the hierarchy from registered schools: `open` schools count for the small-area
    /// rule; every school listed places its province in the hierarchy.
    public init(schools: [School], open: Set<String>? = nil, countryName: String = "All regions") {
        var regions: [String: (name: String, provinces: Set<String>)] = [:]
        var provinces: [String: (name: String, region: String, schools: Int)] = [:]
        for s in schools {
            regions[s.regionCode, default: (s.regionName, [])].provinces.insert(s.provinceCode)
            let counted = open?.contains(s.id) ?? true
            provinces[s.provinceCode, default: (s.provinceName, s.regionCode, 0)].schools += counted ? 1 : 0
        }
        var units = [GeoUnit(level: .country, code: Geography.countryCode, name: countryName, parent: nil, children: [], schools: 0)]
        let regionCodes = regions.keys.sorted()
        var regionIndex: [String: Int] = [:]
        for code in regionCodes {
            regionIndex[code] = units.count
            units.append(GeoUnit(level: .region, code: code, name: regions[code]!.name, parent: 0, children: [], schools: 0))
            units[0].children.append(units.count - 1)
        }
        for code in provinces.keys.sorted(by: { (provinces[$0]!.region, $0) < (provinces[$1]!.region, $1) }) {
            let p = provinces[code]!
            let r = regionIndex[p.region]!
            units.append(GeoUnit(level: .province, code: code, name: p.name, parent: r, children: [], schools: p.schools))
            units[r].children.append(units.count - 1)
            units[r].schools += p.schools
            units[0].schools += p.schools
        }
        self.units = units
    }

    /// Index of the unit with `code` at `level`.
    public func index(level: Level, code: String) -> Int? { units.firstIndex { $0.level == level && $0.code == code } }
}

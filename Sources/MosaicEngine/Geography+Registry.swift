import MosaicCodebook
import MosaicErrorModel
import MosaicRegistry

extension Geography {
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
        self.init(units: units)
    }
}

extension ErrorModel {
    /// The error model of a release plan (which has every table and level by construction).
    public init(codebook: Codebook, geography: Geography, groups: [ReleasePlan.Group]) {
        var sigma2: [String: [Level: Double]] = [:]
        for g in groups where g.dimension == nil { sigma2[g.table, default: [:]][g.level] = g.sigma2 }
        do { try self.init(codebook: codebook, geography: geography, sigma2: sigma2) } catch {
            preconditionFailure("a release plan covers every table at every level: \(error)")
        }
    }
}

extension Domains {
    /// The registry attributes a release can break down by.
    public static let knownDimensions: [String: [String]] = Dictionary(
        uniqueKeysWithValues: RegistryDimension.all.map { ($0.name, $0.values) })

    /// A school's value of a dimension (``RegistryDimension``).
    public static func value(of school: School, dimension: String) -> String? {
        RegistryDimension.named(dimension)?.value(of: school)
    }

    /// The parts of the country and its regions by `dimensions` (names in ``knownDimensions``),
    /// from the registry: a part exists where a listed school has that value; its schools and
    /// pupils count the `open` ones (all when nil).
    public init(schools: [School], geography: Geography, dimensions: [String], tables: [String], open: Set<String>? = nil) {
        let dims = dimensions.compactMap { name in Domains.knownDimensions[name].map { Domains.Dimension(name: name, values: $0) } }
        var regionOf: [String: Int] = [:]
        for r in geography.units[0].children { regionOf[geography.units[r].code] = r }
        struct Key: Hashable {
            var unit: Int
            var dimension: Int
            var value: Int
        }
        var found: [Key: (schools: Int, pupils: Int)] = [:]
        for s in schools {
            guard let r = regionOf[s.regionCode] else { continue }
            let counted = open?.contains(s.id) ?? true
            for (d, dim) in dims.enumerated() {
                guard let code = Domains.value(of: s, dimension: dim.name), let v = dim.values.firstIndex(of: code) else { continue }
                for u in [0, r] {
                    var entry = found[Key(unit: u, dimension: d, value: v)] ?? (0, 0)
                    if counted {
                        entry.schools += 1
                        entry.pupils += s.enrolment
                    }
                    found[Key(unit: u, dimension: d, value: v)] = entry
                }
            }
        }
        self.init(
            dimensions: dims, tables: tables,
            parts: found.map {
                Domains.Part(
                    unit: $0.key.unit, dimension: $0.key.dimension, value: $0.key.value, schools: $0.value.schools, pupils: $0.value.pupils)
            })
    }
}

extension TrueCounts {
    /// Adds one school's counts to the truth (province and every domain value it belongs to).
    public mutating func add(_ counts: [Int], school: School, dimensions: [String]) {
        func plus(_ a: [Int]?) -> [Int] {
            guard var a else { return counts }
            for i in a.indices where i < counts.count { a[i] += counts[i] }
            return a
        }
        byProvince[school.provinceCode] = plus(byProvince[school.provinceCode])
        for d in dimensions {
            guard let v = Domains.value(of: school, dimension: d) else { continue }
            byDomain[d, default: [:]][school.provinceCode, default: [:]][v] = plus(byDomain[d]?[school.provinceCode]?[v])
        }
    }
}

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
        for g in groups { sigma2[g.table, default: [:]][g.level] = g.sigma2 }
        do { try self.init(codebook: codebook, geography: geography, sigma2: sigma2) } catch {
            preconditionFailure("a release plan covers every table at every level: \(error)")
        }
    }
}

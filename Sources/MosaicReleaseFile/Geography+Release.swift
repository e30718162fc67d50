import MosaicErrorModel

extension Geography {
    /// The hierarchy a release file publishes, with each unit's registered schools from its
    /// coverage (0 where the file gives none). The reader has checked that every unit's parent is
    /// one level up and listed before it; a unit whose parent is missing becomes a root.
    public init(release data: ReleaseData) {
        var units: [GeoUnit] = []
        var index: [String: Int] = [:]
        var schools: [String: Int] = [:]
        for c in data.coverage { schools[c.level.rawValue + "|" + c.geoCode] = c.registeredSchools }
        for u in data.units {
            let parentLevel: Level = u.level == .province ? .region : .country
            let parent = u.parentCode.isEmpty ? nil : index[parentLevel.rawValue + "|" + u.parentCode]
            units.append(
                GeoUnit(
                    level: u.level, code: u.geoCode, name: u.geoName, parent: parent, children: [],
                    schools: schools[u.level.rawValue + "|" + u.geoCode] ?? 0))
            index[u.level.rawValue + "|" + u.geoCode] = units.count - 1
            if let parent { units[parent].children.append(units.count - 1) }
        }
        self.init(units: units)
    }
}

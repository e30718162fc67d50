/// A school as the authority's registry describes it.
///
/// Registry facts (which schools exist, where, their enrolment) are public or administrative;
/// a school's counts are not, and never live here.
public struct School: Sendable, Hashable, Codable {
    /// The identifier.
    public var id: String
    /// The name.
    public var name: String
    /// The region's code.
    public var regionCode: String
    /// The region's name.
    public var regionName: String
    /// The province's code.
    public var provinceCode: String
    /// The province's name.
    public var provinceName: String
    /// Empty when the registry does not record municipalities.
    public var municipalityCode: String
    /// The municipality's name (may be empty).
    public var municipalityName: String
    /// Pupils enrolled.
    public var enrolment: Int
    /// The school stage (primary, secondary, combined, special, other).
    public var stage: Stage
    /// The school sector (public, charter, private).
    public var sector: Sector

    /// Makes the value from its parts.
    public init(
        id: String, name: String, regionCode: String, regionName: String, provinceCode: String,
        provinceName: String, municipalityCode: String = "", municipalityName: String = "",
        enrolment: Int, stage: Stage, sector: Sector
    ) {
        self.id = id
        self.name = name
        self.regionCode = regionCode
        self.regionName = regionName
        self.provinceCode = provinceCode
        self.provinceName = provinceName
        self.municipalityCode = municipalityCode
        self.municipalityName = municipalityName
        self.enrolment = enrolment
        self.stage = stage
        self.sector = sector
    }

    /// The stages of education a school offers.
    public enum Stage: String, Sendable, Hashable, Codable, CaseIterable {
        case primary, secondary, combined, special, other
    }

    /// Who runs and funds a school.
    public enum Sector: String, Sendable, Hashable, Codable, CaseIterable {
        /// Run and funded by a public authority.
        case `public`
        /// Privately run, publicly funded (for example Spain's centros concertados).
        case charter
        /// Privately run and funded.
        case `private`
    }
}

/// Rules for identifiers in the registry and in counts files.
public enum Identifier {
    /// Letters, digits, `-` and `_`, 1 to 40 characters.
    public static func isValid(_ text: some StringProtocol) -> Bool {
        let u = text.utf8
        return (1...40).contains(u.count)
            && u.allSatisfy {
                ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 95
            }
    }
}

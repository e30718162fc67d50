import Foundation
import MosaicCodebook
import MosaicRegistry
import MosaicText

/// Settings for a synthetic country.
public struct SynthConfig: Sendable {
    /// How many schools to register.
    public var schools = 4_000
    /// The quarters to make counts for.
    public var periods: [Period] = Period(year: 2026, quarter: 3)!.trailing(8)
    /// Seed of the synthetic data (not of any privacy noise).
    public var seed: UInt64 = 2023
    /// Victims per 10,000 pupils per quarter in the first period (an assumption; see README).
    public var baseRatePer10k = 2.5
    /// Growth of the rate from one quarter to the next (0.08 is 8 % a quarter).
    public var growthPerQuarter = 0.08
    /// Share of schools that miss a given quarter.
    public var missingShare = 0.05
    /// Plant one cluster of 20-30 victims at one school (as in Almendralejo, 2023).
    public var hotspot = true
    /// A country shaped like Spain (17 regions, 50 provinces; `schools` shared by population),
    /// or one regional authority (``SynthConfig/authority()``).
    public var layout: Layout = .country

    /// The shape of the registry.
    public enum Layout: String, Sendable, CaseIterable {
        /// Spain's regions and provinces, `schools` shared by population.
        case country
        /// One authority of 300 schools: 3 districts (as regions) and 9 zones (as provinces) of
        /// 3 to 90 schools; `schools` is ignored.
        case authority
    }

    /// The defaults: about 4,000 schools, 8 quarters to 2026-Q3, seed 2023, one hotspot.
    public init() {}

    /// A regional authority's registry: 300 schools, 3 districts, 9 zones (one of 3 schools),
    /// about 50 affected persons a quarter, no planted cluster.
    public static func authority() -> SynthConfig {
        var c = SynthConfig()
        c.layout = .authority
        c.baseRatePer10k = 3.2
        c.hotspot = false
        return c
    }
}

/// The planted cluster: which school and quarter (for tests and the demo's own check).
public struct Hotspot: Sendable, Equatable {
    /// The school's id in the registry.
    public var schoolID: String
    /// The quarter, `YYYY-Qn`.
    public var period: Period
    /// Affected persons in the cluster.
    public var victims: Int
}

/// A made-up country with Spain's 17 regions and 50 provinces, several thousand schools and
/// quarterly counts with a rising trend, clusters, zeros and missing reports.
///
/// Rates are assumptions anchored on published prevalence figures (see the README's
/// "Synthetic data" section): Thorn (2025) found about 6 % of 13-20 year-olds had been targeted
/// at some point; only a small share of cases ever reaches a school's records in a quarter.
/// Girls are the great majority of victims (Internet Matters 2024: 99 % of nude deepfakes
/// depict women or girls; CDT 2024: girls depicted far more often than boys).
public struct SyntheticCountry: Sendable {
    /// What to make: size, quarters, seed.
    public let config: SynthConfig
    /// The codebook the counts follow.
    public let codebook: Codebook
    /// The schools.
    public let schools: [School]
    /// The planted local cluster, if any.
    public let hotspot: Hotspot?
    /// The one region whose rate rises 25 % a quarter faster than the rest over the last three quarters.
    public let risingRegion: String
    private let regionFactor: [String: Double]
    private let chronicMissing: Set<String>

    /// Generates the registry (deterministic for a given seed).
    public init(config: SynthConfig = SynthConfig(), codebook: Codebook) throws {
        self.config = config
        self.codebook = codebook
        var rng = SeededGenerator(seed: config.seed)
        let geography = config.layout == .authority ? SyntheticCountry.authorityGeography : try SyntheticCountry.geography()
        let totalPop = geography.reduce(0) { $0 + $1.population }
        var schools: [School] = []
        let minimumPerProvince = 6
        var serial = 0
        for g in geography {
            let share = Double(g.population) / Double(totalPop)
            let n =
                config.layout == .authority
                ? g.population : max(minimumPerProvince, Int((share * Double(config.schools)).rounded()))
            for _ in 0..<n {
                serial += 1
                let stage = School.Stage.allCases[rng.pick([55, 25, 15, 3, 2])]
                let sector = School.Sector.allCases[rng.pick([67, 25, 8])]
                let median: Double =
                    switch stage {
                    case .primary: 280
                    case .secondary: 620
                    case .combined: 850
                    case .special: 90
                    case .other: 200
                    }
                let enrolment = max(15, Int((median * _exp(0.45 * rng.normal())).rounded()))
                schools.append(
                    School(
                        id: String(format: config.layout == .authority ? "AU-%04d" : "ES-%06d", serial), name: "Centro sintético \(serial)",
                        regionCode: g.regionCode, regionName: g.regionName, provinceCode: g.provinceCode,
                        provinceName: g.provinceName, enrolment: enrolment, stage: stage, sector: sector))
            }
        }
        self.schools = schools
        var factors: [String: Double] = [:]
        for r in Set(geography.map(\.regionCode)).sorted() { factors[r] = _exp(0.25 * rng.normal()) }
        self.regionFactor = factors
        self.risingRegion = "ES-VC"
        var chronic = Set<String>()
        for s in schools where rng.chance(0.01) { chronic.insert(s.id) }
        self.chronicMissing = chronic
        if config.hotspot, config.periods.count >= 3,
            let school = schools.filter({
                $0.provinceCode == "ES-06" && $0.stage != .primary && $0.stage != .special && !chronic.contains($0.id)
            }).first
        {
            let period = config.periods[config.periods.count - 5 >= 0 ? config.periods.count - 5 : 1]
            self.hotspot = Hotspot(schoolID: school.id, period: period, victims: 20 + Int(rng.next() % 11))
        } else {
            self.hotspot = nil
        }
    }

    /// The submissions of one quarter: one per reporting school (schools that miss the quarter
    /// have none). Deterministic for a given seed and period.
    public func submissions(for period: Period) -> [Submission] {
        let q = config.periods.firstIndex(of: period) ?? 0
        var rng = SeededGenerator(seed: config.seed &* 31 &+ UInt64(period.year * 4 + period.quarter))
        var out: [Submission] = []
        for school in schools {
            if chronicMissing.contains(school.id) || rng.chance(config.missingShare) { continue }
            var trend = _pow(1 + config.growthPerQuarter, Double(q))
            let surgeStart = config.periods.count - 4
            if school.regionCode == risingRegion, q > surgeStart { trend *= _pow(1.25, Double(q - surgeStart)) }
            let victimsExpected = Double(school.enrolment) * config.baseRatePer10k / 10_000 * trend * (regionFactor[school.regionCode] ?? 1)
            let meanVictimsPerIncident = 1.0 / 0.6
            let incidents = rng.poisson(victimsExpected / meanVictimsPerIncident)
            var counts = [Int](repeating: 0, count: codebook.allCells.count)
            for _ in 0..<incidents { addIncident(to: &counts, school: school, rng: &rng) }
            if let h = hotspot, h.schoolID == school.id, h.period == period { addHotspot(h, to: &counts, rng: &rng) }
            out.append(Submission(schoolID: school.id, period: period, codebookVersion: codebook.version, counts: counts))
        }
        return out
    }

    /// The tables this model draws from evidence; another codebook's others get one uniformly
    /// drawn cell per person where each person counts once (none where several may apply).
    static let modelledTables: Set<String> = ["incidents", "channels", "tools", "perpetrators", "responses"]

    /// One person in each table the model does not know (a later codebook's).
    private func recordUnmodelled(_ counts: inout [Int], rng: inout SeededGenerator) {
        for t in codebook.tables
        where !SyntheticCountry.modelledTables.contains(t.name) && !t.multiValued && codebook.rules.equalTotals.contains(t.name) {
            let cell = t.cells[rng.pick(t.cells.map { _ in 1 })]
            counts[cell.index] += 1
        }
    }

    private func bump(_ counts: inout [Int], _ table: String, _ cell: String) {
        if let i = codebook.cellIndex(table: table, cell: cell) { counts[i] += 1 }
    }

    private func addIncident(to counts: inout [Int], school: School, rng: inout SeededGenerator) {
        var victims = 1
        while rng.chance(0.4) && victims < 8 { victims += 1 }
        let kind = ["created", "shared", "extortion"][rng.pick([25, 65, 10])]
        let channel: String =
            kind == "created"
            ? ["not_shared", "unknown"][rng.pick([80, 20])]
            : ["whatsapp", "telegram", "instagram", "snapchat", "tiktok", "discord", "other_platform", "offline", "unknown"][
                rng.pick([35, 10, 15, 15, 8, 4, 5, 3, 5])]
        let tool = ["nudify", "face_swap", "general_generator", "unknown"][rng.pick([60, 20, 10, 10])]
        let perpetrator =
            kind == "extortion"
            ? ["pupil_same_school", "pupil_other_school", "adult_known", "adult_stranger", "unknown"][rng.pick([30, 10, 10, 35, 15])]
            : ["pupil_same_school", "pupil_other_school", "adult_known", "adult_stranger", "unknown"][rng.pick([70, 12, 4, 6, 8])]
        let groups = ["pupil_11_under", "pupil_12_13", "pupil_14_15", "pupil_16_17", "pupil_18_over", "staff"]
        let groupWeights: [Double] =
            switch school.stage {
            case .primary: [70, 26, 0, 0, 0, 4]
            case .secondary: [0, 30, 40, 24, 3, 3]
            case .combined: [15, 28, 30, 22, 2, 3]
            case .special, .other: [20, 25, 25, 20, 5, 5]
            }
        for _ in 0..<victims {
            let group = groups[rng.pick(groupWeights)]
            let gender = ["female", "male", "other"][rng.pick([85, 12, 3])]
            recordVictim(
                &counts, kind: kind, group: group, gender: gender, channel: channel, tool: tool, perpetrator: perpetrator, rng: &rng)
        }
    }

    private func recordVictim(
        _ counts: inout [Int], kind: String, group: String, gender: String, channel: String,
        tool: String, perpetrator: String, rng: inout SeededGenerator
    ) {
        bump(&counts, "incidents", "\(kind).\(group).\(gender)")
        bump(&counts, "channels", channel)
        bump(&counts, "tools", tool)
        bump(&counts, "perpetrators", perpetrator)
        var any = false
        let police = rng.chance(kind == "extortion" ? 0.8 : 0.4)
        if police {
            bump(&counts, "responses", "police_report")
            any = true
        }
        let removal = kind != "created" && rng.chance(0.3)
        if removal {
            bump(&counts, "responses", "removal_request")
            any = true
        }
        if removal && rng.chance(0.55) { bump(&counts, "responses", "content_removed") }
        if rng.chance(0.6) {
            bump(&counts, "responses", "support_referral")
            any = true
        }
        if perpetrator == "pupil_same_school" && rng.chance(0.6) {
            bump(&counts, "responses", "disciplinary_action")
            any = true
        }
        if group != "staff" && rng.chance(0.85) {
            bump(&counts, "responses", "parents_informed")
            any = true
        }
        if !any { bump(&counts, "responses", "no_further_action") }
        recordUnmodelled(&counts, rng: &rng)
    }

    private func addHotspot(_ h: Hotspot, to counts: inout [Int], rng: inout SeededGenerator) {
        // Modelled on Almendralejo (2023): girls aged 11-17, a nudify app on social-media photos,
        // spread on WhatsApp and Telegram by boys of the same school, one extortion attempt.
        for v in 0..<h.victims {
            let group = ["pupil_11_under", "pupil_12_13", "pupil_14_15", "pupil_16_17"][rng.pick([10, 35, 40, 15])]
            let kind = v == 0 ? "extortion" : "shared"
            let channel = ["whatsapp", "telegram"][rng.pick([70, 30])]
            bump(&counts, "incidents", "\(kind).\(group).female")
            bump(&counts, "channels", channel)
            bump(&counts, "tools", "nudify")
            bump(&counts, "perpetrators", "pupil_same_school")
            for r in ["police_report", "support_referral", "parents_informed", "disciplinary_action"] { bump(&counts, "responses", r) }
            if rng.chance(0.5) { bump(&counts, "responses", "removal_request") }
            recordUnmodelled(&counts, rng: &rng)
        }
    }

    struct GeoRow {
        var regionCode, regionName, provinceCode, provinceName: String
        var population: Int
    }

    /// The authority's districts and zones; `population` holds each zone's schools.
    static let authorityGeography: [GeoRow] = [
        GeoRow(regionCode: "AU-N", regionName: "Distrito Norte", provinceCode: "AU-N1", provinceName: "Zona Sierra", population: 3),
        GeoRow(regionCode: "AU-N", regionName: "Distrito Norte", provinceCode: "AU-N2", provinceName: "Zona Valle Alto", population: 25),
        GeoRow(regionCode: "AU-N", regionName: "Distrito Norte", provinceCode: "AU-N3", provinceName: "Zona Ribera", population: 40),
        GeoRow(regionCode: "AU-C", regionName: "Distrito Centro", provinceCode: "AU-C1", provinceName: "Zona Ciudad", population: 90),
        GeoRow(regionCode: "AU-C", regionName: "Distrito Centro", provinceCode: "AU-C2", provinceName: "Zona Ensanche", population: 30),
        GeoRow(regionCode: "AU-C", regionName: "Distrito Centro", provinceCode: "AU-C3", provinceName: "Zona Vega", population: 12),
        GeoRow(regionCode: "AU-S", regionName: "Distrito Sur", provinceCode: "AU-S1", provinceName: "Zona Campiña", population: 45),
        GeoRow(regionCode: "AU-S", regionName: "Distrito Sur", provinceCode: "AU-S2", provinceName: "Zona Llanos", population: 35),
        GeoRow(regionCode: "AU-S", regionName: "Distrito Sur", provinceCode: "AU-S3", provinceName: "Zona Dehesa", population: 20),
    ]

    static func geography() throws -> [GeoRow] {
        guard let url = Bundle.module.url(forResource: "geography-es", withExtension: "csv"),
            let data = FileManager.default.contents(atPath: url.path)
        else { throw SynthError.missingResource("geography-es.csv") }
        var reader = try CSVReader(bytes: Array(data))
        _ = try reader.next()
        var rows: [GeoRow] = []
        while let r = try reader.next() {
            if r.isBlank { continue }
            rows.append(
                GeoRow(
                    regionCode: r.fields[0], regionName: r.fields[1], provinceCode: r.fields[2], provinceName: r.fields[3],
                    population: Int(r.fields[4]) ?? 0))
        }
        return rows
    }
}

/// Errors making synthetic data.
public enum SynthError: Error, LocalizedError {
    case missingResource(String)
    /// A message for people: what went wrong and, where it helps, what to do.
    public var errorDescription: String? {
        switch self {
        case .missingResource(let n): return "the resource \(n) is missing from this build"
        }
    }
}

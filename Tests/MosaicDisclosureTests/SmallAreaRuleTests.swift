import MosaicErrorModel
import MosaicSynth
import Testing

@testable import MosaicDisclosure

/// A registry for the reporting rule: schools listed by region, province, stage and sector.
struct TinyRegistry {
    struct Entry {
        var region: String
        var province: String
        var stage: Int
        var sector: Int
    }
    var entries: [Entry]

    var geography: Geography {
        var units = [GeoUnit(level: .country, code: "ALL", name: "All", parent: nil, children: [], schools: entries.count)]
        let regions = Set(entries.map(\.region)).sorted()
        for r in regions {
            units.append(
                GeoUnit(level: .region, code: r, name: r, parent: 0, children: [], schools: entries.filter { $0.region == r }.count))
            units[0].children.append(units.count - 1)
        }
        for (ri, r) in regions.enumerated() {
            for p in Set(entries.filter { $0.region == r }.map(\.province)).sorted() {
                units.append(
                    GeoUnit(
                        level: .province, code: p, name: p, parent: 1 + ri, children: [], schools: entries.filter { $0.province == p }.count
                    ))
                units[1 + ri].children.append(units.count - 1)
            }
        }
        return Geography(units: units)
    }

    static let dimensions = [
        Domains.Dimension(name: "stage", values: ["a", "b", "c"]), Domains.Dimension(name: "sector", values: ["x", "y"]),
    ]

    func domains(_ count: Int) -> Domains {
        let g = geography
        let dims = Array(TinyRegistry.dimensions.prefix(count))
        var parts: [Domains.Part] = []
        for u in g.units.indices where g.units[u].level != .province {
            for (d, dim) in dims.enumerated() {
                for v in dim.values.indices {
                    let n = entries.filter { e in
                        (g.units[u].level == .country || e.region == g.units[u].code) && (d == 0 ? e.stage : e.sector) == v
                    }.count
                    if n > 0 { parts.append(Domains.Part(unit: u, dimension: d, value: v, schools: n, pupils: 100 * n)) }
                }
            }
        }
        return Domains(dimensions: dims, tables: ["total"], parts: parts)
    }

    func schools(_ count: Int) -> [SmallAreaRule.School] {
        let g = geography
        return entries.map { e in
            let p = g.units.firstIndex { $0.level == .province && $0.code == e.province } ?? 0
            return SmallAreaRule.School(province: p, values: Array([e.stage, e.sector].prefix(count)))
        }
    }

    func rule(minimum: Int, dimensions: Int = 0, separating: Bool = true) -> SmallAreaRule {
        SmallAreaRule(
            geography: geography, domains: domains(dimensions), schools: schools(dimensions), minimumSchools: minimum,
            separating: separating)
    }

    /// A random registry: 1–4 regions of 1–4 provinces, most of 1–19 schools, some of 20–60.
    static func random(using g: inout SeededGenerator) -> TinyRegistry {
        var entries: [Entry] = []
        for r in 0..<Int.random(in: 1...4, using: &g) {
            for p in 0..<Int.random(in: 1...4, using: &g) {
                let n = Int.random(in: 0..<4, using: &g) == 0 ? Int.random(in: 20...60, using: &g) : Int.random(in: 1...19, using: &g)
                for _ in 0..<n {
                    entries.append(
                        Entry(
                            region: "R\(r)", province: "R\(r)P\(p)", stage: Int.random(in: 0..<3, using: &g),
                            sector: Int.random(in: 0..<2, using: &g)))
                }
            }
        }
        return TinyRegistry(entries: entries)
    }
}

@Suite struct SmallAreaRuleTests {
    /// Schools whose absence, alone, gives statuses that no other single absence (nor none)
    /// gives: a reader who sees them knows which school missed (up to its indistinguishable
    /// twins, who would give the same; a school with no twin is named).
    static func singledOut(_ rule: SmallAreaRule, schools: Int) throws -> [Int] {
        let everyone = try rule.publish(reported: [Bool](repeating: true, count: schools))
        // One school of each atom stands for it; twins publish alike by construction.
        var byAtom: [Int: Int] = [:]
        for s in 0..<schools where byAtom[rule.atomOfSchool[s]] == nil { byAtom[rule.atomOfSchool[s]] = s }
        var publication: [Int: SmallAreas] = [:]
        for (atom, s) in byAtom {
            var reported = [Bool](repeating: true, count: schools)
            reported[s] = false
            // A refused release publishes nothing (safeguard 2 may refuse where safeguard 1 is off).
            publication[atom] = try? rule.publish(reported: reported)
        }
        var out: [Int] = []
        for (atom, s) in byAtom where rule.atomSchools[atom] < max(2, rule.minimumSchools) {
            guard let mine = publication[atom] else { continue }
            if mine == everyone { continue }
            // Enough other schools whose absence reads the same.
            let alike = publication.filter { $0.value == mine }.keys.reduce(0) { $0 + rule.atomSchools[$1] }
            if alike >= max(2, rule.minimumSchools) { continue }
            out.append(s)
        }
        return out.sorted()
    }

    /// The registry: region RB is province PB1 (one school, X) and PB2 (five), beside
    /// a region of 40 schools.
    static let rb = TinyRegistry(
        entries: (0..<20).map { _ in .init(region: "RA", province: "PA1", stage: 0, sector: 0) }
            + (0..<20).map { _ in .init(region: "RA", province: "PA2", stage: 0, sector: 0) }
            + [.init(region: "RB", province: "PB1", stage: 0, sector: 0)]
            + (0..<5).map { _ in .init(region: "RB", province: "PB2", stage: 0, sector: 0) })

    @Test func noStatusSinglesOutTheSchoolMissingFromRegionRB() throws {
        let registry = Self.rb
        let rule = registry.rule(minimum: 5)
        #expect(try Self.singledOut(rule, schools: registry.entries.count) == [])
        // X's absence leaves every status as it is; a PB2 school's turns PB2 (five schools,
        // exactly the minimum) into a small area, which says "one of these five".
        var reported = [Bool](repeating: true, count: registry.entries.count)
        let everyone = try rule.publish(reported: reported)
        reported[40] = false
        #expect(try rule.publish(reported: reported) == everyone)
        // A unit of 6 (RB) with one of them missing is published: 5 reported.
        let rbIndex = registry.geography.units.firstIndex { $0.code == "RB" } ?? -1
        #expect(try !rule.publish(reported: reported).units[rbIndex])
    }

    /// A registry where one school's absence would show on its own: a region's stage-a part and
    /// its sector-x part have exactly the minimum (5) schools and share one school, S.
    static let crossing = TinyRegistry(
        entries: [.init(region: "R1", province: "P1", stage: 0, sector: 0)]
            + (0..<4).map { _ in .init(region: "R1", province: "P1", stage: 0, sector: 1) }
            + (0..<4).map { _ in .init(region: "R1", province: "P1", stage: 1, sector: 0) }
            + (0..<12).map { _ in .init(region: "R1", province: "P1", stage: 2, sector: 1) }
            + (0..<30).map { _ in .init(region: "R2", province: "P2", stage: 0, sector: 0) })

    @Test func aSchoolInTwoPartsOfTheMinimumIsNotNamedByTheirStatuses() throws {
        let registry = Self.crossing
        // Without safeguard 1: S's absence turns both parts into small areas, and no other
        // single absence does.
        let naive = registry.rule(minimum: 5, dimensions: 2, separating: false)
        #expect(try Self.singledOut(naive, schools: registry.entries.count).contains(0))
        let rule = registry.rule(minimum: 5, dimensions: 2)
        #expect(try Self.singledOut(rule, schools: registry.entries.count) == [])
        #expect(rule.alwaysSmall.parts.contains(true))
    }

    @Test func noSingleAbsenceIsVisibleInRandomRegistries() throws {
        var generator = SeededGenerator(seed: 24)
        var missing = SeededGenerator(seed: 25)
        var naiveFailures = 0
        var withheldByRule = 0
        var patterns = 0
        var refused = 0
        for trial in 0..<120 {
            let registry = TinyRegistry.random(using: &generator)
            let minimum = [3, 5, 5, 10][trial % 4]
            let dimensions = trial % 3
            let rule = registry.rule(minimum: minimum, dimensions: dimensions)
            let named = try Self.singledOut(rule, schools: registry.entries.count)
            #expect(named.isEmpty, "trial \(trial): schools \(named) singled out")
            let naive = try? Self.singledOut(
                registry.rule(minimum: minimum, dimensions: dimensions, separating: false), schools: registry.entries.count)
            if naive?.isEmpty != true { naiveFailures += 1 }
            for _ in 0..<10 {
                let reported = registry.entries.map { _ in Int.random(in: 0..<10, using: &missing) != 0 }
                patterns += 1
                if (try? rule.publish(reported: reported)) == nil { refused += 1 }
            }
            let registryOnly = SmallAreas.registry(
                geography: registry.geography, domains: registry.domains(dimensions), minimumSchools: minimum)
            withheldByRule +=
                zip(rule.alwaysSmall.units + rule.alwaysSmall.parts, registryOnly.units + registryOnly.parts).filter {
                    $0.0 && !$0.1
                }.count
        }
        // The property is not vacuous: without safeguard 1 it fails on some of these registries.
        #expect(naiveFailures >= 3)
        // Several absences at random (10 %) are refused rarely on registries like these.
        #expect(refused * 100 <= patterns)
        print(
            "MEASURE random registries: 120; singled out without safeguard 1: \(naiveFailures); groups withheld by it: \(withheldByRule); 10 % missing at random: \(refused) of \(patterns) refused"
        )
    }

    /// Every reporting pattern of a tiny registry, and what a reader who knows the rule learns
    /// from each: for each school that missed, some pattern with the same statuses has it
    /// reporting; for each small area, some pattern has all of it reporting.
    @Test func aReaderWhoKnowsTheRuleProvesNoAbsenceInTinyRegistries() throws {
        var generator = SeededGenerator(seed: 7)
        var patterns = 0
        var refused = 0
        var twinProofs = 0
        var pairs = 0
        var provenPairs = 0
        var smallAreaProofs = 0
        for trial in 0..<40 {
            var entries: [TinyRegistry.Entry] = []
            let count = Int.random(in: 5...11, using: &generator)
            for _ in 0..<count {
                let r = Int.random(in: 0..<2, using: &generator)
                entries.append(
                    .init(
                        region: "R\(r)", province: "R\(r)P\(Int.random(in: 0..<2, using: &generator))",
                        stage: Int.random(in: 0..<3, using: &generator), sector: Int.random(in: 0..<2, using: &generator)))
            }
            let registry = TinyRegistry(entries: entries)
            let minimum = [2, 3][trial % 2]
            let rule = registry.rule(minimum: minimum, dimensions: trial % 3)
            var byPublication: [SmallAreas: [[Bool]]] = [:]
            for mask in 0..<(1 << count) {
                let reported = (0..<count).map { mask & (1 << $0) != 0 }
                guard let p = try? rule.publish(reported: reported) else {
                    refused += 1
                    continue
                }
                byPublication[p, default: []].append(reported)
            }
            let units = registry.geography.units
            for (_, worlds) in byPublication {
                for w in worlds {
                    patterns += 1
                    let missing = (0..<count).filter { !w[$0] }
                    for s in missing {
                        let proven = !worlds.contains { $0[s] }
                        // One absence: never provable. Several: counted (safeguard 2 withholds
                        // data-dependently, which a reader who knows the rule can read).
                        if missing.count == 1 { #expect(!proven, "trial \(trial): school \(s), alone missing, proven missing") }
                        pairs += 1
                        provenPairs += proven ? 1 : 0
                    }
                }
                // An atom of fewer than max(2, m) schools of which a reader proves that some school
                // missed (two twins: "one of these two"): counted, not refused (see `strictAtoms`).
                for a in rule.atomSchools.indices where rule.atomSchools[a] < max(2, minimum) && rule.atomSchools[a] > 1 {
                    let members = (0..<count).filter { rule.atomOfSchool[$0] == a }
                    if !worlds.contains(where: { w in members.allSatisfy { w[$0] } }) { twinProofs += 1 }
                }
                for unit in units where unit.level != .country && unit.schools < minimum {
                    let members = entries.indices.filter { entries[$0].province == unit.code || entries[$0].region == unit.code }
                    if !worlds.contains(where: { w in members.allSatisfy { w[$0] } }) { smallAreaProofs += 1 }
                }
            }
        }
        #expect(patterns > 10_000)
        // Measured: 346 of 119,008 (pattern, missing school) pairs of these tiny registries (0.3 %;
        // groups of 2–3 schools, most patterns with several absences); a bound above it, so that
        // a change that makes it much worse fails.
        #expect(provenPairs * 100 <= pairs)
        print(
            "MEASURE tiny registries: \(patterns) reporting patterns published, \(refused) refused; (pattern, missing school) pairs: \(pairs), provable to a reader who knows the rule: \(provenPairs); classes where one of two or more twins is proven missing: \(twinProofs); where a registry small area is proven to miss: \(smallAreaProofs)"
        )
    }

    @Test func aProvinceOfSixWithFourReportingIsASmallArea() throws {
        let registry = TinyRegistry(
            entries: (0..<6).map { _ in .init(region: "R1", province: "P1", stage: 0, sector: 0) }
                + (0..<30).map { _ in .init(region: "R1", province: "P2", stage: 0, sector: 0) })
        let rule = registry.rule(minimum: 5)
        let p1 = registry.geography.units.firstIndex { $0.code == "P1" } ?? -1
        #expect(!rule.alwaysSmall.units[p1])
        var reported = [Bool](repeating: true, count: 36)
        reported[0] = false
        reported[1] = false
        #expect(try rule.publish(reported: reported).units[p1])
        reported[1] = true
        #expect(try !rule.publish(reported: reported).units[p1])
    }
}

import MosaicErrorModel

/// The units and breakdown parts whose figures a release withholds as `small_area`.
///
/// A unit or part is a small area when fewer than the release's minimum number of schools are
/// registered in it, when fewer than that many *reported* (its figures would come from a
/// handful of schools), or when the ``SmallAreaRule`` withholds it whatever reports (a group of
/// exactly the minimum whose status alone would single out a school that did not report). The
/// country is never a small area: it is the release itself.
public struct SmallAreas: Sendable, Hashable {
    /// Per unit of the geography (``Geography/units`` order).
    public var units: [Bool]
    /// Per domain part (``Domains/parts`` order).
    public var parts: [Bool]

    /// Small areas from their flags.
    public init(units: [Bool], parts: [Bool]) {
        self.units = units
        self.parts = parts
    }

    /// The registry's rule alone: fewer than `minimumSchools` registered (a unit's own count, or
    /// a part's, or the part's unit's).
    public static func registry(geography: Geography, domains: Domains, minimumSchools: Int) -> SmallAreas {
        let units = geography.units.map { $0.isSmallArea(minimumSchools: minimumSchools) }
        return SmallAreas(units: units, parts: domains.parts.map { $0.schools < minimumSchools || units[$0.unit] })
    }
}

/// Which units and parts a release withholds as small areas, decided so that the statuses never
/// single out a school that did not report.
///
/// A unit or breakdown part is a small area when fewer than the minimum number of schools are
/// registered in it or *reported* in it: its figures would come from a handful of schools. The
/// second half depends on who reported, so a `small_area` status on a unit with enough
/// registered schools tells a reader that some of its schools missed. Two safeguards:
///
/// 1. **No school's absence is visible on its own.** From the registry alone, the rule takes
///    every group (unit or part) whose status changes when one of its schools misses (those of
///    exactly the minimum) and checks that each school shares the set of such groups it belongs
///    to with at least `max(2, minimumSchools)` schools in all. Where fewer would, it withholds,
///    cheapest first (a region's part, then a province, then a region), a group of exactly the
///    minimum whatever reports, until none is left alone. So when one school misses, the
///    release's statuses are exactly what they would be had another school (of at least the
///    minimum) missed instead. Property-tested on random registries.
/// 2. **A check for several absences.** A reader's linear program over the schools' groups (a
///    province's schools of one stage and sector are interchangeable to a reader), with every
///    status as a constraint (fewer than the minimum reported, or at least the minimum), must
///    neither prove that every school of a group missed, nor that any school of a group of
///    fewer than the minimum did; if it could, the groups whose "at least the minimum" statuses
///    feed the proof are withheld too (and say nothing), until it cannot. That decision depends
///    on who reported; a reader who knows the rule can read it (measured in the tests).
///
/// Coverage (how many schools reported) is not decided here: it is published from noisy counts
/// (``CoverageRule`` in the engine), which prove nothing.
public struct SmallAreaRule: Sendable {
    /// A registered open school as the rule sees it: its province and its value of each
    /// breakdown dimension of the release (indices into ``Domains/Dimension/values``; -1 when
    /// it has none).
    public struct School: Sendable, Hashable {
        /// The province's index in the geography.
        public var province: Int
        /// Per dimension of the release's domains, the value's index.
        public var values: [Int]

        /// A school from its facts.
        public init(province: Int, values: [Int]) {
            self.province = province
            self.values = values
        }
    }

    /// The hierarchy.
    public let geography: Geography
    /// The breakdowns of the release.
    public let domains: Domains
    /// The small-area threshold.
    public let minimumSchools: Int
    /// Groups withheld as `small_area` whatever reports (registry small areas, and groups the
    /// rule withholds so that no school stands alone).
    public private(set) var alwaysSmall: SmallAreas

    /// Groups are numbered: units first (``Geography/units`` order), then domain parts.
    let groupCount: Int
    /// Registered schools per group.
    let groupSchools: [Int]
    /// Atoms: the schools a reader cannot tell apart (one province, one value of each dimension).
    let atomSchools: [Int]
    /// Per atom, the groups it belongs to.
    let atomGroups: [[Int]]
    /// Per school given to ``init(geography:domains:schools:minimumSchools:)``, its atom.
    let atomOfSchool: [Int]

    /// The rule for a release of `domains` over `geography`, from its open schools. Reads no
    /// reporting.
    public init(geography: Geography, domains: Domains, schools: [School], minimumSchools: Int) {
        self.init(geography: geography, domains: domains, schools: schools, minimumSchools: minimumSchools, separating: true)
    }

    /// The rule without safeguard 1: for a test that shows what it prevents.
    init(geography: Geography, domains: Domains, schools: [School], minimumSchools: Int, separating: Bool) {
        self.geography = geography
        self.domains = domains
        self.minimumSchools = minimumSchools
        let units = geography.units
        groupCount = units.count + domains.parts.count
        var atomIndex: [School: Int] = [:]
        var atomSchools: [Int] = []
        var atomGroups: [[Int]] = []
        var atomOfSchool: [Int] = []
        atomOfSchool.reserveCapacity(schools.count)
        for s in schools {
            if let a = atomIndex[s] {
                atomSchools[a] += 1
                atomOfSchool.append(a)
                continue
            }
            var groups: [Int] = []
            var u: Int? = s.province
            while let unit = u, units.indices.contains(unit) {
                groups.append(unit)
                if units[unit].level == .region || units[unit].level == .country {
                    for (d, v) in s.values.enumerated() where v >= 0 {
                        if let p = domains.part(unit: unit, dimension: d, value: v) { groups.append(units.count + p) }
                    }
                }
                u = units[unit].parent
            }
            atomIndex[s] = atomSchools.count
            atomOfSchool.append(atomSchools.count)
            atomSchools.append(1)
            atomGroups.append(groups)
        }
        self.atomSchools = atomSchools
        self.atomGroups = atomGroups
        self.atomOfSchool = atomOfSchool
        var groupSchools = [Int](repeating: 0, count: groupCount)
        for (a, groups) in atomGroups.enumerated() { for g in groups { groupSchools[g] += atomSchools[a] } }
        self.groupSchools = groupSchools

        // Registry small areas.
        var small = [Bool](repeating: false, count: groupCount)
        for (i, u) in units.enumerated() { small[i] = u.level != .country && groupSchools[i] < minimumSchools }
        for (p, part) in domains.parts.enumerated() {
            small[units.count + p] = groupSchools[units.count + p] < minimumSchools || small[part.unit]
        }
        if separating {
            SmallAreaRule.separate(
                units: units, atomSchools: atomSchools, atomGroups: atomGroups, groupSchools: groupSchools,
                minimumSchools: minimumSchools, small: &small)
        }
        alwaysSmall = SmallAreas(units: Array(small[0..<units.count]), parts: Array(small[units.count...]))
    }

    /// Whether safeguard 2 also refuses a proof that some school of a small atom missed (see
    /// ``audit(small:reporting:)``).
    var strictAtoms = false

    /// The fewest schools that must share a signature.
    var crowd: Int { max(2, minimumSchools) }

    /// The fixed point of safeguard 1: until every signature is shared by ``crowd`` schools,
    /// withhold the cheapest group that merges an undersized signature with another.
    static func separate(
        units: [GeoUnit], atomSchools: [Int], atomGroups: [[Int]], groupSchools: [Int], minimumSchools: Int, small: inout [Bool]
    ) {
        let crowd = max(2, minimumSchools)
        // A group's cost of withholding whatever reports: a region's part, then a province, then
        // a region (the country's status never changes).
        func cost(_ g: Int) -> Int {
            if g >= units.count { return 1 }
            switch units[g].level {
            case .province: return 2
            case .region: return 8
            case .country: return 1000
            }
        }
        // A group belongs to a signature when its status changes with one school's absence.
        func flips(_ g: Int) -> Bool {
            if g < units.count, units[g].level == .country { return false }
            return !small[g] && groupSchools[g] == minimumSchools
        }
        func withhold(_ g: Int) { small[g] = true }
        for _ in 0...(groupSchools.count + 1) {
            var classes: [[Int]: Int] = [:]
            var signatures: [[Int]] = []
            for (a, groups) in atomGroups.enumerated() {
                let signature = groups.filter(flips).sorted()
                signatures.append(signature)
                classes[signature, default: 0] += atomSchools[a]
            }
            // Undersized signatures in a fixed order (the first is mended, then all are recounted).
            let undersized = classes.filter { !$0.key.isEmpty && $0.value < crowd }.keys.sorted { $0.lexicographicallyPrecedes($1) }
            guard let s = undersized.first else { return }
            let mine = Set(s)
            var best: (cost: Int, groups: [Int])?
            func consider(_ groups: [Int]) {
                let c = groups.reduce(0) { $0 + cost($1) }
                if let b = best, b.cost < c || (b.cost == c && !groups.lexicographicallyPrecedes(b.groups)) { return }
                best = (c, groups)
            }
            for g in s { consider([g]) }
            for other in classes.keys where other.count > s.count {
                let set = Set(other)
                guard mine.isSubset(of: set) else { continue }
                consider(other.filter { !mine.contains($0) })
            }
            guard let chosen = best?.groups else { return }
            for g in chosen { withhold(g) }
        }
    }

    /// The release's small areas for `reported` (one flag per school given to the
    /// initializer), checked by safeguard 2.
    ///
    /// - Throws: ``SuppressionError/cannotProtect(_:)`` when a reader could prove an absence
    ///   from the statuses (several schools missed in a pattern the statuses pin down).
    public func publish(reported: [Bool]) throws -> SmallAreas {
        var atomReporting = [Int](repeating: 0, count: atomSchools.count)
        for (s, r) in reported.enumerated() where r && atomOfSchool.indices.contains(s) { atomReporting[atomOfSchool[s]] += 1 }
        var groupReporting = [Int](repeating: 0, count: groupCount)
        for (a, groups) in atomGroups.enumerated() { for g in groups { groupReporting[g] += atomReporting[a] } }
        let units = geography.units
        var small = [Bool](repeating: false, count: groupCount)
        for g in 0..<groupCount {
            let isCountry = g < units.count && units[g].level == .country
            let always = g < units.count ? alwaysSmall.units[g] : alwaysSmall.parts[g - units.count]
            small[g] = always || (!isCountry && groupReporting[g] < minimumSchools)
        }
        // A part of a small unit is small too.
        for (p, part) in domains.parts.enumerated() where small[part.unit] { small[units.count + p] = true }
        // Safeguard 2: where the statuses would prove an absence, the groups whose "at least the
        // minimum" statuses feed the proof (those meeting a failing unit's small groups) are
        // withheld too, and say nothing more; refused only if that cannot end it.
        var members = [[Int]](repeating: [], count: groupCount)
        for (a, groups) in atomGroups.enumerated() { for g in groups { members[g].append(a) } }
        var silent = [Bool](repeating: false, count: groupCount)
        for _ in 0...groupCount {
            let failing = try audit(small: small, silent: silent, reporting: atomReporting)
            if failing.isEmpty {
                return SmallAreas(units: Array(small[0..<units.count]), parts: Array(small[units.count...]))
            }
            var hit = Set<Int>()
            for u in failing { hit.formUnion(members[u]) }
            for g in 0..<groupCount where small[g] && !silent[g] && !members[g].allSatisfy({ !hit.contains($0) }) {
                hit.formUnion(members[g])
            }
            var changed = false
            for g in 0..<groupCount where !small[g] && !(g < units.count && units[g].level == .country) {
                guard members[g].contains(where: { hit.contains($0) }) else { continue }
                small[g] = true
                silent[g] = true
                changed = true
            }
            for (p, part) in domains.parts.enumerated() where small[part.unit] && !small[units.count + p] {
                small[units.count + p] = true
                silent[units.count + p] = true
            }
            guard changed else { break }
        }
        throw SuppressionError.cannotProtect(
            "which schools reported: the small-area statuses would let a reader prove that a school did not report")
    }

    /// Safeguard 2: the units (a failing atom's province, or a failing group's unit) where a
    /// reader's linear program proves that every school of an atom missed, or that some school
    /// of an atom of fewer than ``crowd`` schools, or of a group of fewer than the minimum, did.
    func audit(small: [Bool], silent: [Bool]? = nil, reporting: [Int]) throws -> [Int] {
        let units = geography.units
        var members = [[Int]](repeating: [], count: groupCount)
        for (a, groups) in atomGroups.enumerated() { for g in groups { members[g].append(a) } }
        // What each status says: fewer than the minimum reported, or at least the minimum.
        var constraints: [(group: Int, lower: Int, upper: Int)] = []
        for g in 0..<groupCount where !members[g].isEmpty {
            let isCountry = g < units.count && units[g].level == .country
            let always = g < units.count ? alwaysSmall.units[g] : alwaysSmall.parts[g - units.count]
            // A part of a small unit is small whatever reported in it: its status says nothing more.
            let partOfSmallUnit = g >= units.count && small[domains.parts[g - units.count].unit]
            // A group withheld by safeguard 2 says nothing (its status is not "fewer than m").
            let quiet = silent.map { $0.indices.contains(g) && $0[g] } ?? false
            guard !isCountry, !always, !partOfSmallUnit, !quiet else { continue }
            constraints.append(small[g] ? (g, 0, minimumSchools - 1) : (g, minimumSchools, groupSchools[g]))
        }
        // Only a status "fewer than the minimum" bounds reporting from above. An atom, or a group
        // under the minimum, in no such group can be all reporting (raise it in the true pattern:
        // every other status still holds), so only those meeting one need a program.
        let flagged = constraints.filter { small[$0.group] }.map(\.group)
        guard !flagged.isEmpty else { return [] }
        var touched = Set<Int>()
        for g in flagged { touched.formUnion(members[g]) }
        let targetAtoms = touched.sorted()
        let targetGroups = (0..<groupCount).filter { g in
            groupSchools[g] < minimumSchools && !members[g].isEmpty && !(g < units.count && units[g].level == .country)
                && members[g].contains { touched.contains($0) }
        }
        // First a small program: the touched atoms and every atom of their provinces free, the
        // rest fixed where they are (its solutions are the full program's, so a pass holds);
        // the full program only for what it cannot clear.
        var provinces = Set<Int>()
        for a in touched { if let p = atomGroups[a].first { provinces.insert(p) } }
        let free = atomGroups.indices.filter { a in atomGroups[a].first.map { provinces.contains($0) } ?? false }
        func program(freeAtoms: [Int]) -> (lp: LinearProgram, column: [Int: Int]) {
            let lp = LinearProgram()
            var column: [Int: Int] = [:]
            for (i, a) in freeAtoms.enumerated() { column[a] = i }
            _ = lp.addColumns(freeAtoms.map { (0, Double(atomSchools[$0])) })
            var rows: [(terms: [(column: Int, coefficient: Double)], lower: Double, upper: Double)] = []
            for c in constraints {
                var terms: [(column: Int, coefficient: Double)] = []
                var fixed = 0
                for a in members[c.group] {
                    if let j = column[a] { terms.append((j, 1)) } else { fixed += reporting[a] }
                }
                guard !terms.isEmpty else { continue }
                rows.append((terms, Double(c.lower - fixed), Double(c.upper - fixed)))
            }
            lp.addRows(rows)
            return (lp, column)
        }
        func maximum(_ p: (lp: LinearProgram, column: [Int: Int]), _ atoms: [Int]) throws -> Double {
            let terms = atoms.compactMap { a in p.column[a].map { (column: $0, coefficient: 1.0) } }
            let fixed = atoms.filter { p.column[$0] == nil }.reduce(0) { $0 + reporting[$1] }
            switch p.lp.optimize(terms, maximize: true) {
            case .optimal(let m): return m + Double(fixed)
            case .unbounded: return .infinity
            case .infeasible, .failed: throw SuppressionError.cannotProtect("which schools reported (the audit found no solution)")
            }
        }
        let near = program(freeAtoms: free)
        var full: (lp: LinearProgram, column: [Int: Int])?
        func passes(_ atoms: [Int], needed: Double) throws -> Bool {
            if try maximum(near, atoms) >= needed - IntervalAudit.tolerance { return true }
            let whole = full ?? program(freeAtoms: Array(atomGroups.indices))
            full = whole
            return try maximum(whole, atoms) >= needed - IntervalAudit.tolerance
        }
        var failing: [Int] = []
        // Not every school of an atom proven missing. (Stricter — none of an atom of fewer than
        // max(2, m) schools proven missing, so that two twins are never "one of these two" —
        // refused releases of a 500-school synthetic country: `strictAtoms`, off.)
        for a in targetAtoms where atomSchools[a] > 0 {
            let needed = strictAtoms && atomSchools[a] < crowd ? Double(atomSchools[a]) : 1
            if try !passes([a], needed: needed), let unit = atomGroups[a].first { failing.append(unit) }
        }
        for g in targetGroups where try !passes(members[g], needed: Double(groupSchools[g])) {
            failing.append(g < units.count ? g : domains.parts[g - units.count].unit)
        }
        return failing
    }
}

import MosaicCodebook
import MosaicErrorModel

/// Everything a reader of a release knows about how its values hang together, as linear
/// relations between them: the hierarchy (a parent is the sum of its children, value by value),
/// the tables that count each person once (their cells sum to the unit's total of affected
/// persons), and the tables bounded by that total (each cell at most the total).
///
/// Values are numbered unit by unit: slot 0 is the unit's total of affected persons, slot
/// `1 + i` the codebook cell `allCells[i]`. After every unit's values come the domain parts'
/// (``Domains``): part by part, one value per slot the part has (``slots(ofPart:)``: every slot
/// of ``domainSlots`` at the country, the total only at a region). A part is a piece of its
/// unit's partition by stage or sector: the parts of a unit add up to the unit, value by value;
/// the regions' parts add up to the country's part of the same value; and within a part the
/// cells of a table that counts each person once add up to the part's total. Together with
/// non-negativity these are the constraints of the attacker's linear program in ``IntervalAudit``.
public struct TableRelations: Sendable {
    /// One term of a relation: `coefficient × value`.
    public struct Term: Sendable, Hashable {
        /// The value's index (see ``TableRelations/index(unit:slot:)``).
        public var value: Int
        /// +1 or −1.
        public var coefficient: Int
    }

    /// A relation `Σ terms = 0` (`equal`) or `Σ terms ≤ 0` (`atMost`).
    public struct Relation: Sendable {
        /// Whether the sum is zero or at most zero.
        public var isEquality: Bool
        /// The terms.
        public var terms: [Term]
    }

    /// The units of the hierarchy, root first.
    public let geography: Geography
    /// Values per unit: the total and every codebook cell.
    public let slotsPerUnit: Int
    /// Every relation a reader knows.
    public let relations: [Relation]
    /// The breakdowns by stage and sector (``Domains/none`` when the release has none).
    public let domains: Domains
    /// The slots of the domain tables (0 for the total, `1 + i` for the cell `allCells[i]`): a
    /// country's part has all of them, a region's part those of ``Domains/levels(ofTable:)``.
    public let domainSlots: [Int]
    /// The slots a region's part has.
    public let regionDomainSlots: [Int]
    /// The number of values of the units (before the domain parts').
    public let unitValueCount: Int
    /// The index of each domain part's first value.
    let partOffsets: [Int]
    /// The number of values: units × slots, then every part's slots.
    public let valueCount: Int
    /// For each value, the relations it appears in.
    public let relationsOf: [[Int]]

    /// The slot of a unit's total of affected persons.
    public static let totalSlot = 0

    /// The index of a unit's value in slot `slot`.
    public func index(unit: Int, slot: Int) -> Int { unit * slotsPerUnit + slot }

    /// The index of a domain part's value in slot `slot`; nil when parts have no such slot.
    public func index(part: Int, slot: Int) -> Int? {
        slots(ofPart: part).firstIndex(of: slot).map { partOffsets[part] + $0 }
    }

    /// The slots a domain part has: all of ``domainSlots`` for a country's part, those of
    /// ``regionDomainSlots`` for a region's.
    public func slots(ofPart part: Int) -> [Int] {
        geography.units[domains.parts[part].unit].level == .country ? domainSlots : regionDomainSlots
    }

    /// The domain part a value belongs to; nil for a unit's own value.
    public func part(of value: Int) -> Int? {
        guard value >= unitValueCount else { return nil }
        // The last part starting at or before the value.
        var lo = 0
        var hi = partOffsets.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if partOffsets[mid] <= value { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// The unit a value belongs to (for a part's value, the unit it is part of).
    public func unit(of value: Int) -> Int {
        if let p = part(of: value) { return domains.parts[p].unit }
        return value / slotsPerUnit
    }

    /// The slot of a value within its unit (0 the total, `1 + i` the cell `allCells[i]`).
    public func slot(of value: Int) -> Int {
        if let p = part(of: value) { return slots(ofPart: p)[value - partOffsets[p]] }
        return value % slotsPerUnit
    }

    /// The value a value is a part of: the parent unit's same value for a unit's, the unit's
    /// same value for a domain part's; nil for the country's own values.
    public func whole(of value: Int) -> Int? {
        if part(of: value) != nil { return index(unit: unit(of: value), slot: slot(of: value)) }
        return geography.units[unit(of: value)].parent.map { index(unit: $0, slot: slot(of: value)) }
    }

    /// Whether a value falls under the small-area rule: its unit has fewer than
    /// `minimumSchools` registered schools (not the country), or, for a domain part, the part has.
    public func isSmallArea(_ value: Int, minimumSchools: Int) -> Bool {
        if let p = part(of: value) {
            return domains.parts[p].schools < minimumSchools
                || geography.units[domains.parts[p].unit].isSmallArea(minimumSchools: minimumSchools)
        }
        return geography.units[unit(of: value)].isSmallArea(minimumSchools: minimumSchools)
    }

    /// Whether a value is withheld as a small area: its unit is one of `small`'s, or, for a domain
    /// part's value, its part is.
    public func isSmallArea(_ value: Int, small: SmallAreas) -> Bool {
        if let p = part(of: value) {
            return (small.parts.indices.contains(p) && small.parts[p]) || small.units[domains.parts[p].unit]
        }
        return small.units[unit(of: value)]
    }

    /// Every value of the given units, their domain parts' included.
    public func values(ofUnits units: [Int]) -> [Int] {
        let wanted = Set(units)
        var out: [Int] = []
        for u in units { for s in 0..<slotsPerUnit { out.append(index(unit: u, slot: s)) } }
        for (p, part) in domains.parts.enumerated() where wanted.contains(part.unit) {
            for s in slots(ofPart: p) { if let v = index(part: p, slot: s) { out.append(v) } }
        }
        return out
    }

    /// The slots of the domain tables: the total, and the cells of the codebook tables broken
    /// down; at `level`, only those of the tables broken down there (``Domains/levels(ofTable:)``).
    public static func domainSlots(codebook: Codebook, domains: Domains, level: Level = .country) -> [Int] {
        guard !domains.isEmpty else { return [] }
        var slots = Domains.levels(ofTable: ErrorModel.totalName).contains(level) ? [totalSlot] : []
        for name in domains.tables where Domains.levels(ofTable: name).contains(level) {
            guard let t = codebook.tableIndex(name) else { continue }
            slots += codebook.tableRanges[t].map { 1 + $0 }
        }
        return slots
    }

    /// The relations of a release of `codebook` over `geography`, with its domain parts.
    public init(codebook: Codebook, geography: Geography, domains: Domains = .none) {
        self.geography = geography
        let slots = codebook.allCells.count + 1
        self.slotsPerUnit = slots
        self.domains = domains
        let domainSlots = TableRelations.domainSlots(codebook: codebook, domains: domains)
        self.domainSlots = domainSlots
        let regionSlots = TableRelations.domainSlots(codebook: codebook, domains: domains, level: .region)
        self.regionDomainSlots = regionSlots
        let unitValues = geography.units.count * slots
        self.unitValueCount = unitValues
        func slotsOf(_ p: Int) -> [Int] { geography.units[domains.parts[p].unit].level == .country ? domainSlots : regionSlots }
        var offsets: [Int] = []
        var next = unitValues
        for p in domains.parts.indices {
            offsets.append(next)
            next += slotsOf(p).count
        }
        self.partOffsets = offsets
        self.valueCount = next
        var relations: [Relation] = []
        let units = geography.units
        func at(_ u: Int, _ s: Int) -> Int { u * slots + s }
        // The hierarchy: parent = Σ children, value by value.
        for (p, unit) in units.enumerated() where !unit.children.isEmpty {
            for s in 0..<slots {
                relations.append(
                    Relation(
                        isEquality: true,
                        terms: [Term(value: at(p, s), coefficient: 1)] + unit.children.map { Term(value: at($0, s), coefficient: -1) }))
            }
        }
        // Tables that count each person once: Σ cells = total.
        let linked = codebook.rules.equalTotals.compactMap { codebook.tableIndex($0) }
        for u in units.indices {
            for t in linked {
                relations.append(
                    Relation(
                        isEquality: true,
                        terms: codebook.tableRanges[t].map { Term(value: at(u, 1 + $0), coefficient: 1) }
                            + [Term(value: at(u, TableRelations.totalSlot), coefficient: -1)]))
            }
        }
        // Tables bounded by a total: each cell ≤ the total (the unit's total when that table is
        // one of the linked ones, else the sum of its cells).
        let bound = codebook.rules.atMostTotal
        if let of = codebook.tableIndex(bound.totalOf) {
            for name in bound.tables {
                guard let t = codebook.tableIndex(name) else { continue }
                for u in units.indices {
                    let cap: [Term] =
                        linked.contains(of)
                        ? [Term(value: at(u, TableRelations.totalSlot), coefficient: -1)]
                        : codebook.tableRanges[of].map { Term(value: at(u, 1 + $0), coefficient: -1) }
                    for j in codebook.tableRanges[t] {
                        relations.append(Relation(isEquality: false, terms: [Term(value: at(u, 1 + j), coefficient: 1)] + cap))
                    }
                }
            }
        }
        // Domain parts: each dimension partitions its unit; regions' parts add up to the
        // country's; within a part, a table that counts each person once adds up to its total.
        func partValue(_ p: Int, _ s: Int) -> Int {
            offsets[p] + (slotsOf(p).firstIndex(of: s) ?? 0)
        }
        for u in units.indices where Domains.levels.contains(units[u].level) {
            for d in domains.dimensions.indices {
                let parts = domains.parts(unit: u, dimension: d)
                guard !parts.isEmpty else { continue }
                for s in units[u].level == .country ? domainSlots : regionSlots {
                    relations.append(
                        Relation(
                            isEquality: true,
                            terms: [Term(value: at(u, s), coefficient: 1)] + parts.map { Term(value: partValue($0, s), coefficient: -1) }))
                }
                guard units[u].level == .country else { continue }
                for value in domains.dimensions[d].values.indices {
                    guard let whole = domains.part(unit: u, dimension: d, value: value) else { continue }
                    let pieces = units[u].children.compactMap { domains.part(unit: $0, dimension: d, value: value) }
                    for s in regionSlots {
                        relations.append(
                            Relation(
                                isEquality: true,
                                terms: [Term(value: partValue(whole, s), coefficient: 1)]
                                    + pieces.map { Term(value: partValue($0, s), coefficient: -1) }))
                    }
                }
            }
        }
        for (p, _) in domains.parts.enumerated() {
            let has = Set(slotsOf(p))
            for name in domains.tables {
                guard let t = codebook.tableIndex(name), linked.contains(t), has.contains(1 + codebook.tableRanges[t].lowerBound)
                else { continue }
                relations.append(
                    Relation(
                        isEquality: true,
                        terms: codebook.tableRanges[t].map { Term(value: partValue(p, 1 + $0), coefficient: 1) }
                            + [Term(value: partValue(p, TableRelations.totalSlot), coefficient: -1)]))
            }
        }
        self.relations = relations
        var of = [[Int]](repeating: [], count: next)
        for (r, relation) in relations.enumerated() { for t in relation.terms { of[t.value].append(r) } }
        self.relationsOf = of
    }

    /// Whether `values` satisfies every relation (and non-negativity).
    public func holds(_ values: [Int]) -> Bool {
        guard values.count == valueCount, values.allSatisfy({ $0 >= 0 }) else { return false }
        for r in relations {
            let s = r.terms.reduce(0) { $0 + $1.coefficient * values[$1.value] }
            if r.isEquality ? s != 0 : s > 0 { return false }
        }
        return true
    }

    /// The units whose values may move first when a value of `unit` moves, in the search for
    /// complementary cells: its parent's subtree (the parent itself held fixed by the rows above
    /// it), so that a province is protected within its region when it can be; the whole
    /// hierarchy for the country and the regions.
    func neighbourhood(of unit: Int) -> [Int] {
        let units = geography.units
        guard let parent = units[unit].parent, units[parent].parent != nil else { return Array(units.indices) }
        var out: [Int] = []
        var stack = [parent]
        while let u = stack.popLast() {
            out.append(u)
            stack.append(contentsOf: units[u].children)
        }
        return out
    }
}

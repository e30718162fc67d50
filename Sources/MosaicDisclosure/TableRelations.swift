import MosaicCodebook
import MosaicErrorModel

/// Everything a reader of a release knows about how its values hang together, as linear
/// relations between them: the hierarchy (a parent is the sum of its children, value by value),
/// the tables that count each person once (their cells sum to the unit's total of affected
/// persons), and the tables bounded by that total (each cell at most the total).
///
/// Values are numbered unit by unit: slot 0 is the unit's total of affected persons, slot
/// `1 + i` the codebook cell `allCells[i]`. Together with non-negativity these are the
/// constraints of the attacker's linear program in ``IntervalAudit``.
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
    /// For each value, the relations it appears in.
    public let relationsOf: [[Int]]

    /// The slot of a unit's total of affected persons.
    public static let totalSlot = 0

    /// The number of values: units × slots.
    public var valueCount: Int { geography.units.count * slotsPerUnit }

    /// The index of a unit's value in slot `slot`.
    public func index(unit: Int, slot: Int) -> Int { unit * slotsPerUnit + slot }

    /// The unit a value belongs to.
    public func unit(of value: Int) -> Int { value / slotsPerUnit }

    /// The slot of a value within its unit (0 the total, `1 + i` the cell `allCells[i]`).
    public func slot(of value: Int) -> Int { value % slotsPerUnit }

    /// The relations of a release of `codebook` over `geography`.
    public init(codebook: Codebook, geography: Geography) {
        self.geography = geography
        let slots = codebook.allCells.count + 1
        self.slotsPerUnit = slots
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
        self.relations = relations
        var of = [[Int]](repeating: [], count: units.count * slots)
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

/// Breakdowns of the country and its regions by registry facts of the schools (their stage,
/// their sector): each dimension is a partition of every unit it breaks down.
///
/// A part is one value of one dimension in one unit (`secondary` schools in region `ES-EX`).
/// Only parts with at least one listed school exist: a region without private schools has
/// no `private` part (its value is known to be zero, so it is neither measured nor published).
/// Parts are listed unit by unit (the country first, then the regions in ``Geography`` order),
/// then by dimension, then by value.
///
/// Registered schools and pupils per part are public registry facts, like the units' own.
public struct Domains: Sendable, Equatable {
    /// A dimension (`stage`, `sector`) with its values in a fixed order.
    public struct Dimension: Sendable, Equatable, Hashable {
        /// The registry attribute.
        public var name: String
        /// Its values, in the order parts list them.
        public var values: [String]

        /// A dimension from its name and values.
        public init(name: String, values: [String]) {
            self.name = name
            self.values = values
        }
    }

    /// One part: a dimension's value within a unit.
    public struct Part: Sendable, Equatable, Hashable {
        /// The unit's index in the geography (the country or a region).
        public var unit: Int
        /// The dimension's index in ``Domains/dimensions``.
        public var dimension: Int
        /// The value's index in the dimension's values.
        public var value: Int
        /// Registered open schools in the part (for the small-area rule; a part may have none
        /// open when every school listed in it has closed).
        public var schools: Int
        /// Registered pupils in the part.
        public var pupils: Int

        /// A part from its parts.
        public init(unit: Int, dimension: Int, value: Int, schools: Int, pupils: Int) {
            self.unit = unit
            self.dimension = dimension
            self.value = value
            self.schools = schools
            self.pupils = pupils
        }
    }

    /// The dimensions.
    public let dimensions: [Dimension]
    /// The tables broken down: `total` (affected persons), and at most one codebook table that
    /// counts each person once (its cells then add up to the part's total).
    public let tables: [String]
    /// Every part with a registered school, in canonical order.
    public let parts: [Part]
    private let index: [Key: Int]

    struct Key: Hashable {
        var unit: Int
        var dimension: Int
        var value: Int
    }

    /// Domains from their parts (kept in canonical order).
    public init(dimensions: [Dimension], tables: [String], parts: [Part]) {
        self.dimensions = dimensions
        self.tables = tables
        let kept = parts.sorted { ($0.unit, $0.dimension, $0.value) < ($1.unit, $1.dimension, $1.value) }
        self.parts = kept
        var index: [Key: Int] = [:]
        for (i, p) in kept.enumerated() { index[Key(unit: p.unit, dimension: p.dimension, value: p.value)] = i }
        self.index = index
    }

    /// No breakdowns.
    public static let none = Domains(dimensions: [], tables: [], parts: [])

    /// Whether there are no parts.
    public var isEmpty: Bool { parts.isEmpty }

    /// The index of a part in ``parts``, nil when it has no school.
    public func part(unit: Int, dimension: Int, value: Int) -> Int? {
        index[Key(unit: unit, dimension: dimension, value: value)]
    }

    /// The parts of one unit and dimension (indices into ``parts``).
    public func parts(unit: Int, dimension: Int) -> [Int] {
        dimensions[dimension].values.indices.compactMap { part(unit: unit, dimension: dimension, value: $0) }
    }

    /// The levels broken down.
    public static let levels: [Level] = [.country, .region]

    /// The levels at which a table is broken down: the total of affected persons at the
    /// country and every region; a codebook table (`incidents`) at the country only, where the
    /// parts are large (a region's part of one stage has a few schools of one kind, and its
    /// dozens of cells would be nearly all below the threshold: withheld, and each withheld
    /// cell a constraint more for complementary suppression).
    public static func levels(ofTable table: String) -> [Level] {
        table == ErrorModel.totalName ? levels : [.country]
    }

    /// A part's value code (`secondary`).
    public func valueCode(_ p: Part) -> String { dimensions[p.dimension].values[p.value] }

    /// A part's dimension name (`stage`).
    public func dimensionName(_ p: Part) -> String { dimensions[p.dimension].name }
}

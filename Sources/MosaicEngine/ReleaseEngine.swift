import Foundation
import MosaicCodebook
import MosaicDisclosure
import MosaicErrorModel
import MosaicPrivacy
import MosaicSamplers

/// The true counts of one quarter: per province, the sum over current submissions of every
/// cell (indexed like ``Codebook/allCells``). Lives only in memory, inside the engine.
public struct TrueCounts: Sendable {
    /// Per province code: counts indexed like `Codebook.allCells`.
    public var byProvince: [String: [Int]]
    /// Per domain dimension (`stage`), province code and value (`secondary`): counts indexed
    /// like `Codebook.allCells` (empty for a release without domains).
    public var byDomain: [String: [String: [String: [Int]]]]
    /// True counts per province code, indexed like `Codebook.allCells`, and per domain value.
    public init(byProvince: [String: [Int]], byDomain: [String: [String: [String: [Int]]]] = [:]) {
        self.byProvince = byProvince
        self.byDomain = byDomain
    }
}

/// The noisy measurements of one release: for every unit, every cell and the total of affected
/// persons. They are drawn once and stored; everything else is computed from them.
public struct Measurements: Sendable, Equatable {
    /// [unit][cell]
    public var cells: [[Int64]]
    /// [unit]
    public var totals: [Int64]
    /// [domain part][position in the part's slots, ``ReleaseEngine/domainSlots(ofPart:)``]
    public var domainCells: [[Int64]] = []
}

/// The post-processed, consistent release before thresholds: whole numbers and the variances
/// of the least-squares estimates they come from.
public struct Estimates: Sendable {
    /// Least-squares estimates, consistent (real): [unit][cell] and [unit].
    public var cells: [[Double]]
    /// Per unit: the total of affected persons.
    public var totals: [Double]
    /// Non-negative whole numbers, consistent: [unit][cell] and [unit].
    public var integerCells: [[Int]]
    /// Non-negative whole totals per unit.
    public var integerTotals: [Int]
    /// Variance of each least-squares estimate: [unit][cell] and [unit].
    public var cellVariances: [[Double]]
    /// Variance of each unit's total estimate.
    public var totalVariances: [Double]
    /// Per domain part and each of its slots (``ReleaseEngine/domainSlots(ofPart:)``):
    /// least-squares estimates; whole numbers and variances follow.
    public var domainCells: [[Double]] = []
    /// Whole numbers of the domain parts, consistent with the units' and with each other.
    public var domainIntegers: [[Int]] = []
    /// Variances of the domain parts' least-squares estimates.
    public var domainVariances: [[Double]] = []
}

/// A published (or suppressed) value of a release.
public struct ReleasedValue: Sendable, Hashable {
    /// The unit index.
    public var unit: Int
    /// The codebook table, or ``ReleasePlan/totalName``.
    public var table: String
    /// The cell code, or `persons` for the total.
    public var cell: String
    /// nil when suppressed.
    public var value: Int?
    /// Half-width of the 95 % interval; nil when suppressed.
    public var moe95: Double?
    /// Why the value is withheld; nil when published.
    public var reason: SuppressionReason?
    /// The domain part (index into ``Domains/parts``) for a breakdown by stage or sector; nil
    /// for the unit's own value.
    public var part: Int? = nil
    /// Whether the value is withheld.
    public var suppressed: Bool { value == nil }

    /// A value as a release shows it (`value` and `moe95` nil when suppressed, with a reason).
    public init(unit: Int, table: String, cell: String, value: Int?, moe95: Double?, reason: SuppressionReason? = nil) {
        self.unit = unit
        self.table = table
        self.cell = cell
        self.value = value
        self.moe95 = moe95
        self.reason = value == nil ? (reason ?? .belowK) : nil
    }
}

/// The privacy engine: noisy measurements, then consistent non-negative whole numbers, then the
/// k-threshold and small-area rules. Measurement is the only step that touches true counts or
/// randomness; the rest is post-processing of the measurements and public parameters.
public struct ReleaseEngine: Sendable {
    /// The codebook the counts follow.
    public let codebook: Codebook
    /// The published hierarchy.
    public let geography: Geography
    /// The budget split and noise scales.
    public let plan: ReleasePlan
    /// The measurement groups with their exact noise.
    public let groups: [ReleasePlan.Group]
    /// The covariances of the estimates (and the tree estimator they share).
    public let errorModel: ErrorModel
    /// The breakdowns by stage and sector (``Domains/none`` without).
    public let domains: Domains
    /// The variance of every domain part's estimate per slot (public parameters only).
    public private(set) var domainVarianceTable: [[Double]] = []
    /// The units and parts withheld as small areas. The registry's rule until the release sets
    /// the ``ReportingRule``'s, which also withholds groups with too few schools reporting.
    public var smallAreas: SmallAreas

    /// The z-value of a two-sided 95 % interval.
    public static let z95 = Margin.z95

    /// An engine for one codebook, hierarchy and plan; it draws no noise until `measure`.
    ///
    /// - Precondition: `domains` breaks down the plan's dimensions and tables, or is empty when
    ///   the plan has none.
    public init(codebook: Codebook, geography: Geography, plan: ReleasePlan, domains: Domains = .none) {
        precondition(
            plan.hasDomains
                ? domains.dimensions.map(\.name) == plan.domainDimensions && domains.tables == plan.domainTables : domains.isEmpty,
            "the domains must match the plan")
        self.codebook = codebook
        self.geography = geography
        self.plan = plan
        self.domains = domains
        self.smallAreas = SmallAreas.registry(geography: geography, domains: domains, minimumSchools: plan.minimumSchools)
        self.groups = plan.groups(codebook: codebook)
        self.errorModel = ErrorModel(codebook: codebook, geography: geography, groups: groups)
        if !domains.isEmpty { self.domainVarianceTable = domainVariances() }
    }

    func group(_ table: String, _ level: Level, dimension: String? = nil) -> ReleasePlan.Group {
        groups.first { $0.table == table && $0.level == level && $0.dimension == dimension }!
    }

    static func samplerKey(_ g: ReleasePlan.Group) -> String { "\(g.table)/\(g.level)/\(g.dimension ?? "")" }

    /// True values of every unit: provinces from `truth`, summed upward.
    public func aggregate(_ truth: TrueCounts) -> [[Int]] {
        let zero = [Int](repeating: 0, count: codebook.allCells.count)
        return geography.sumUp(truth.byProvince, zero: zero) { a, b in zip(a, b).map { $0 + $1 } }
    }

    /// Draws the noisy measurements: discrete Gaussian noise on every cell and total of every
    /// unit, and on every domain part's values.
    public func measure<E: EntropySource>(_ truth: TrueCounts, entropy: E) -> Measurements {
        measure(truth, entropy: entropy, includeDomains: true)
    }

    func measure<E: EntropySource>(_ truth: TrueCounts, entropy: E, includeDomains: Bool) -> Measurements {
        let values = aggregate(truth)
        let totalTable = codebook.rules.equalTotals.first ?? codebook.tables[0].name
        var cells = [[Int64]]()
        var totals = [Int64]()
        let samplers = Dictionary(
            uniqueKeysWithValues: groups.map {
                (ReleaseEngine.samplerKey($0), DiscreteGaussian(sigma2Num: $0.sigma2Num, sigma2Den: $0.sigma2Den))
            })
        for (i, u) in geography.units.enumerated() {
            var row = [Int64](repeating: 0, count: codebook.allCells.count)
            for cell in codebook.allCells {
                row[cell.index] = Int64(values[i][cell.index]) + samplers["\(cell.table)/\(u.level)/"]!.sample(entropy)
            }
            cells.append(row)
            let total = codebook.total(of: totalTable, in: values[i])
            totals.append(Int64(total) + samplers["\(ReleasePlan.totalName)/\(u.level)/"]!.sample(entropy))
        }
        var m = Measurements(cells: cells, totals: totals)
        if includeDomains && !domains.isEmpty {
            let truths = domainTruth(truth)
            m.domainCells = domains.parts.enumerated().map { p, part in
                let dimension = domains.dimensionName(part)
                let level = geography.units[part.unit].level
                return zip(domainSlots(ofPart: p), truths[p]).map { slot, value in
                    let table = slot == TableRelations.totalSlot ? ReleasePlan.totalName : codebook.allCells[slot - 1].table
                    return Int64(value) + samplers["\(table)/\(level)/\(dimension)"]!.sample(entropy)
                }
            }
        }
        return m
    }

    /// Consistent estimates and whole numbers from the measurements (post-processing only).
    public func estimate(_ m: Measurements) -> Estimates {
        var e = estimateUnits(m)
        if !domains.isEmpty && m.domainCells.count == domains.parts.count { estimateDomains(m.domainCells, into: &e) }
        return e
    }

    func estimateUnits(_ m: Measurements) -> Estimates {
        let units = geography.units
        let n = units.count
        let tree = errorModel.tree
        func scale(_ table: String) -> Double { errorModel.scale[table]! }

        var cells = [[Double]](repeating: [Double](repeating: 0, count: codebook.allCells.count), count: n)
        var variances = cells
        // 1. Least squares on the hierarchy, cell by cell (the same estimator for every table:
        //    the per-level variances have the same shape, only the scale differs).
        for cell in codebook.allCells {
            let est = tree.estimate(m.cells.map { Double($0[cell.index]) })
            for i in 0..<n { cells[i][cell.index] = est[i] }
        }
        let totalEstimate = tree.estimate(m.totals.map(Double.init))
        // 2. Tables that count each person once share one total: combine the tables' sums and the
        //    total's own measurement by generalised least squares, then move each table's cells
        //    equally so that they sum to it.
        let linked = codebook.rules.equalTotals.compactMap { codebook.tableIndex($0) }
        var precision: [(Int?, Double)] = [(nil, 1.0)]  // (table index, 1/(n_τ·c_τ)); nil = the total
        for t in linked {
            let table = codebook.tables[t]
            precision.append((t, 1 / (Double(table.cells.count) * scale(table.name))))
        }
        let w = errorModel.w
        var totals = [Double](repeating: 0, count: n)
        var tableSums = [[Double]](repeating: [Double](repeating: 0, count: n), count: codebook.tables.count)
        for t in linked {
            for i in 0..<n { tableSums[t][i] = codebook.tableRanges[t].reduce(0) { $0 + cells[i][$1] } }
        }
        for i in 0..<n {
            var s = totalEstimate[i] * precision[0].1
            for (t, p) in precision.dropFirst() { s += tableSums[t!][i] * p }
            totals[i] = s / w
        }
        for t in linked {
            let nt = Double(codebook.tables[t].cells.count)
            for i in 0..<n {
                let shift = (totals[i] - tableSums[t][i]) / nt
                for j in codebook.tableRanges[t] { cells[i][j] += shift }
            }
        }
        // Variances of the estimates, from public parameters only (the error model).
        let totalVariances = (0..<n).map { errorModel.totalCovariance($0, $0) }
        for cell in codebook.allCells {
            for i in 0..<n { variances[i][cell.index] = errorModel.variance(table: cell.table, unit: i, cell: cell.index) }
        }

        // 3. Non-negative whole numbers, top-down: fix each parent, then split it among its children.
        var intTotals = [Int](repeating: 0, count: n)
        var ints = [[Int]](repeating: [Int](repeating: 0, count: codebook.allCells.count), count: n)
        intTotals[0] = max(0, Int(totals[0].rounded()))
        for t in linked {
            let r = Array(codebook.tableRanges[t])
            let split = Integerize.round(Integerize.project(r.map { cells[0][$0] }, total: Double(intTotals[0])), total: intTotals[0])
            for (k, j) in r.enumerated() { ints[0][j] = split[k] }
        }
        for (t, _) in codebook.tables.enumerated() where !linked.contains(t) {
            for j in codebook.tableRanges[t] { ints[0][j] = min(max(0, Int(cells[0][j].rounded())), intTotals[0]) }
        }
        for p in 0..<n where !units[p].children.isEmpty {
            let kids = units[p].children
            let kidTotals = Integerize.round(Integerize.project(kids.map { totals[$0] }, total: Double(intTotals[p])), total: intTotals[p])
            for (k, c) in kids.enumerated() { intTotals[c] = kidTotals[k] }
            for t in linked {
                let r = Array(codebook.tableRanges[t])
                let matrix = Integerize.matrix(
                    kids.map { c in r.map { cells[c][$0] } }, rowSums: kidTotals, columnSums: r.map { ints[p][$0] })
                for (k, c) in kids.enumerated() { for (q, j) in r.enumerated() { ints[c][j] = matrix[k][q] } }
            }
            for (t, _) in codebook.tables.enumerated() where !linked.contains(t) {
                for j in codebook.tableRanges[t] {
                    let caps = kidTotals.map(Double.init)
                    let real = Integerize.project(kids.map { cells[$0][j] }, total: Double(ints[p][j]), caps: caps)
                    let split = Integerize.round(real, total: ints[p][j], caps: kidTotals)
                    for (k, c) in kids.enumerated() { ints[c][j] = split[k] }
                }
            }
        }
        return Estimates(
            cells: cells, totals: totals, integerCells: ints, integerTotals: intTotals,
            cellVariances: variances, totalVariances: totalVariances)
    }

    /// The relations a reader of this release knows (hierarchy, table sums, bounds).
    public var relations: TableRelations { TableRelations(codebook: codebook, geography: geography, domains: domains) }

    /// The slots of the domain tables; a country's part has them all (see
    /// ``TableRelations/domainSlots``).
    public var domainSlots: [Int] { TableRelations.domainSlots(codebook: codebook, domains: domains) }

    /// The suppression rule of the plan.
    public var suppressionRule: SuppressionRule { SuppressionRule(k: plan.k, smallAreaPercent: plan.smallAreaPercent) }

    /// The consistent whole numbers as one vector indexed like ``TableRelations`` (slot 0 the
    /// unit's total, slot 1 + i the cell `allCells[i]`, then the domain parts').
    public func valueVector(_ e: Estimates) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(geography.units.count * (codebook.allCells.count + 1))
        for i in geography.units.indices {
            out.append(e.integerTotals[i])
            out.append(contentsOf: e.integerCells[i])
        }
        if !domains.isEmpty {
            for row in e.domainIntegers { out.append(contentsOf: row) }
        }
        return out
    }

    /// Applies the small-area rule and the k-threshold (primary suppression), then
    /// complementary suppression checked by the interval audit, and attaches margins of error.
    ///
    /// Throws ``SuppressionError`` when no protected release could be found or the audit fails:
    /// nothing may then be published.
    public func publish(_ e: Estimates) throws -> [ReleasedValue] {
        try publishWithOutcome(e).values
    }

    /// ``publish(_:)``, with the suppressor's outcome (counts per reason, programs solved).
    public func publishWithOutcome(_ e: Estimates) throws -> (values: [ReleasedValue], outcome: Suppressor.Outcome) {
        try publishWithOutcome(e, complementary: true)
    }

    /// With `complementary` false, primary suppression only: for tests of what does not depend
    /// on the suppression pattern (margins, replicates). Not reachable from the CLI.
    func publishWithOutcome(_ e: Estimates, complementary: Bool) throws -> (values: [ReleasedValue], outcome: Suppressor.Outcome) {
        let relations = self.relations
        let suppressor = Suppressor(relations: relations, rule: suppressionRule, small: smallAreas)
        let values = valueVector(e)
        let outcome =
            complementary
            ? try suppressor.suppress(values)
            : Suppressor.Outcome(reasons: suppressor.primary(values), counts: [:], programs: 0)
        var out: [ReleasedValue] = []
        for (i, _) in geography.units.enumerated() {
            func value(_ slot: Int, _ table: String, _ cell: String, _ v: Int, _ variance: Double) -> ReleasedValue {
                if let reason = outcome.reasons[relations.index(unit: i, slot: slot)] {
                    return ReleasedValue(unit: i, table: table, cell: cell, value: nil, moe95: nil, reason: reason)
                }
                return ReleasedValue(unit: i, table: table, cell: cell, value: v, moe95: ReleaseEngine.margin(variance))
            }
            out.append(value(TableRelations.totalSlot, ReleasePlan.totalName, "persons", e.integerTotals[i], e.totalVariances[i]))
            for cell in codebook.allCells {
                out.append(value(1 + cell.index, cell.table, cell.code, e.integerCells[i][cell.index], e.cellVariances[i][cell.index]))
            }
        }
        for (p, part) in domains.parts.enumerated() where e.domainIntegers.count == domains.parts.count {
            for (q, slot) in domainSlots(ofPart: p).enumerated() {
                let cell = slot == TableRelations.totalSlot ? nil : codebook.allCells[slot - 1]
                var v: ReleasedValue
                if let reason = outcome.reasons[relations.index(part: p, slot: slot)!] {
                    v = ReleasedValue(
                        unit: part.unit, table: cell?.table ?? ReleasePlan.totalName, cell: cell?.code ?? "persons", value: nil, moe95: nil,
                        reason: reason)
                } else {
                    v = ReleasedValue(
                        unit: part.unit, table: cell?.table ?? ReleasePlan.totalName, cell: cell?.code ?? "persons",
                        value: e.domainIntegers[p][q], moe95: ReleaseEngine.margin(e.domainVariances[p][q]))
                }
                v.part = p
                out.append(v)
            }
        }
        return (out, outcome)
    }

    /// The 95 % margin of error for a variance, rounded up to one decimal.
    public static func margin(_ variance: Double) -> Double {
        Margin.of(variance: variance)
    }
}

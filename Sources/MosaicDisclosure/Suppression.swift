import Foundation
import MosaicErrorModel

/// Why a value of a release is withheld.
public enum SuppressionReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// The k-threshold: the value is fewer than k. Values from 1 to k − 1 are always withheld;
    /// a zero is withheld under this reason when it protects another value, so a reader knows
    /// only "from 0 to k − 1".
    case belowK = "below_k"
    /// The small-area rule: the unit has too few registered schools to be shown on its own.
    case smallArea = "small_area"
    /// Withheld so that another withheld value cannot be computed by subtraction. Such a value
    /// is never below k (zeros and values below k are never chosen), which a reader may know.
    case complementary
}

/// The protection a withheld value must keep against a reader who combines everything a
/// release publishes (see ``IntervalAudit``).
///
/// - A value shown as fewer than k (`below_k`): the reader's interval must still reach 1 and
///   k − 1, so that no value the threshold hides can be ruled out.
/// - A value of a small area (`small_area`): the interval must reach at least
///   `d = max(k, ⌈smallAreaPercent % of the value⌉)` below it (or 0) and as far above it, or
///   up to the parent unit's value when that is less (k − 1 when the parent is itself from 1
///   to k − 1): a part cannot exceed its whole, and a zero in a region that has none is not
///   hidden.
/// - A complementary value protects others; it needs no interval of its own.
public struct SuppressionRule: Sendable, Hashable {
    /// Values from 1 to k − 1 are withheld.
    public var k: Int
    /// The small-area margin as a share of the value, in percent (default 20).
    public var smallAreaPercent: Int

    /// A rule for threshold `k` and the small-area margin `smallAreaPercent` % (at least k).
    public init(k: Int, smallAreaPercent: Int = 20) {
        self.k = k
        self.smallAreaPercent = smallAreaPercent
    }

    /// The half-width a withheld small-area value keeps: `max(k, ⌈p % · value⌉)`.
    public func smallAreaMargin(_ value: Int) -> Int {
        let share = value.multipliedReportingOverflow(by: smallAreaPercent)
        let p = share.overflow ? Int.max / 100 : (share.partialValue + 99) / 100
        return max(k, p)
    }

    /// The interval a reader must not be able to narrow, for `value` withheld for `reason`;
    /// nil for a complementary value. `parent` is the same value of the parent unit (a small
    /// area's value can never be shown to exceed what its parent holds: the upper end is capped
    /// at the parent's value, or at k − 1 when the parent is itself from 1 to k − 1).
    public func protectedInterval(value: Int, reason: SuppressionReason, parent: Int? = nil) -> (low: Int, high: Int)? {
        switch reason {
        case .belowK: return (1, k - 1)
        case .smallArea:
            let d = smallAreaMargin(value)
            let high = value + d
            // What a reader knows of the parent caps the part: its value when published (0, or k
            // or more), k − 1 when it is itself fewer than k.
            let cap = parent.map { p in max(value, (1..<k).contains(p) ? k - 1 : p) }
            return (max(0, value - d), cap.map { min(high, $0) } ?? high)
        case .complementary: return nil
        }
    }

    /// The reason a value would carry if it were withheld to protect another: fewer than k
    /// (zeros included) or complementary.
    public func reasonIfWithheld(_ value: Int) -> SuppressionReason { value < k ? .belowK : .complementary }

    /// What the reason alone tells a reader about the value (bounds of the attacker's LP).
    public func knownBounds(_ reason: SuppressionReason) -> (lower: Double, upper: Double) {
        switch reason {
        case .belowK: return (0, Double(k - 1))
        case .smallArea: return (0, .infinity)
        case .complementary: return (Double(k), .infinity)
        }
    }
}

/// A release's suppression could not be completed; nothing may be written.
public enum SuppressionError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The linear-programming solver failed (a code from GLPK), or found no way to protect a
    /// value; the message names the level and table, never a value.
    case cannotProtect(String)
    /// The audit found withheld values a reader can narrow (how many).
    case auditFailed(Int)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .cannotProtect(let what): return "suppression could not protect \(what); nothing was released"
        case .auditFailed(let n):
            return "the interval audit found \(n) withheld value(s) a reader could narrow by subtraction; nothing was released"
        }
    }

    /// The same as ``description``.
    public var errorDescription: String? { description }
}

/// Primary and complementary suppression of a release's consistent whole numbers.
///
/// Primary suppression withholds values from 1 to k − 1 and every value of a small area.
/// Complementary suppression then withholds further values so that every primary value keeps
/// its ``SuppressionRule`` interval against a reader who solves the linear program over
/// everything published. It is post-processing of published values and public parameters:
/// it spends no privacy budget.
///
/// For each primary value not yet protected (checked with the attacker's own LP), and for each
/// direction, a second LP looks for the cheapest way to move the value to the end of its
/// interval while keeping every published value fixed and every relation true: a "perturbation"
/// of the table supported on withheld values. Each published value the cheapest perturbation
/// moves is withheld as complementary; the perturbation then proves the reader cannot rule
/// that end out (Fischetti and Salazar-González 2000; the same network idea as τ-Argus and
/// sdcTable). The cost of moving a published value is 1 + its size (k for a zero, which must
/// then be protected in turn), so few and small values are chosen. A zero may be chosen (it then reads "fewer than k", which is true, and is
/// protected in turn); a published value of k or more becomes `complementary` and keeps k or
/// more in every table the reader must consider. The search runs over the whole hierarchy
/// (``Search``); values the final audit's optima never move are published again.
public struct Suppressor: Sendable {
    /// The relations a reader knows.
    public let relations: TableRelations
    /// The thresholds.
    public let rule: SuppressionRule
    /// Units under the small-area rule.
    public let smallUnits: [Bool]
    /// Values under the small-area rule (their unit's, or their domain part's).
    public let smallValues: [Bool]
    /// Where the search for complementary values looks.
    public var search: Search = .wholeHierarchy
    /// How much more withholding a unit's total of affected persons costs than a cell of the
    /// same size, on top of ``totalPriority``.
    public var totalWeight: Double = 1
    /// What an authority publishes first: withholding a unit's total of affected persons costs
    /// this many times a cell of the same size, by the unit's level — a cell goes before a
    /// province's total, a province's total before a region's, a region's before the whole's
    /// (which goes only when nothing else can protect). Breakdown parts' totals weigh as cells.
    public var totalPriority: [Level: Double] = [.province: 10, .region: 100, .country: 1000]

    /// Where the search for complementary values looks.
    public enum Search: String, Sendable, CaseIterable {
        /// Every value of the release may move: fewest values withheld, slower.
        case wholeHierarchy = "whole"
        /// A province's value first within its region (the region itself fixed), then the
        /// whole hierarchy: faster, more values withheld.
        case regionFirst = "region-first"
    }

    /// A suppressor for the units of `relations`, with the registry's small-area rule for
    /// `minimumSchools` (no reporting taken into account: for tests and plans).
    public init(relations: TableRelations, rule: SuppressionRule, minimumSchools: Int) {
        self.init(
            relations: relations, rule: rule,
            small: SmallAreas.registry(geography: relations.geography, domains: relations.domains, minimumSchools: minimumSchools))
    }

    /// A suppressor for the units of `relations`, with the release's small areas (``ReportingRule``).
    public init(relations: TableRelations, rule: SuppressionRule, small: SmallAreas) {
        self.relations = relations
        self.rule = rule
        self.smallUnits = small.units
        self.smallValues = (0..<relations.valueCount).map { relations.isSmallArea($0, small: small) }
    }

    /// Per value, the weight of moving it when published: ``totalWeight`` × ``totalPriority``
    /// for a unit's total, 1 for every other value.
    var costWeights: [Double] {
        (0..<relations.valueCount).map { v in
            guard relations.part(of: v) == nil, relations.slot(of: v) == TableRelations.totalSlot else { return 1 }
            return totalWeight * (totalPriority[relations.geography.units[relations.unit(of: v)].level] ?? 1)
        }
    }

    /// Audit-and-protect rounds before giving up.
    static let maximumRounds = 20

    /// The outcome: a reason for each withheld value (nil: published), and counts.
    public struct Outcome: Sendable {
        /// Per value (indexed like ``TableRelations``): why it is withheld, or nil.
        public var reasons: [SuppressionReason?]
        /// Withheld values per reason.
        public var counts: [SuppressionReason: Int]
        /// Linear programs built or solved (perturbations, audits).
        public var programs: Int

        /// An outcome from its parts.
        public init(reasons: [SuppressionReason?], counts: [SuppressionReason: Int], programs: Int) {
            self.reasons = reasons
            self.counts = counts
            self.programs = programs
        }
    }

    /// Primary suppression: the k-threshold and the small-area rule.
    public func primary(_ values: [Int]) -> [SuppressionReason?] {
        values.indices.map { v in
            if smallValues[v] { return .smallArea }
            return values[v] >= 1 && values[v] < rule.k ? .belowK : nil
        }
    }

    /// Primary and complementary suppression of `values` (consistent non-negative whole
    /// numbers, indexed like ``TableRelations``), checked by the interval audit.
    public func suppress(_ values: [Int]) throws -> Outcome {
        precondition(values.count == relations.valueCount, "one value per unit and slot")
        let primaryReasons = primary(values)
        var reasons = primaryReasons
        var programs = 0
        let units = relations.geography.units
        let audit = IntervalAudit(relations: relations, rule: rule)
        // Rounds: audit; for each value a reader can narrow, withhold the published values the
        // cheapest perturbation moves. Later suppression only widens intervals, and zeros
        // withheld as complements ("fewer than k") are audited in the next round.
        var remaining = 0
        let programs0 = PerturbationPrograms(suppressor: self, values: values, reasons: reasons)
        programs += 1
        for _ in 0..<Suppressor.maximumRounds {
            let report = try audit.run(values: values, reasons: reasons)
            programs += report.programs
            remaining = report.findings.count
            if report.findings.contains(where: \.reasonIsFalse) { throw SuppressionError.auditFailed(remaining) }
            if report.findings.isEmpty {
                let (pruned, extra) = try prune(values: values, primary: primaryReasons, reasons: reasons, report: report)
                programs += extra
                var counts: [SuppressionReason: Int] = [:]
                for r in pruned.compactMap({ $0 }) { counts[r, default: 0] += 1 }
                return Outcome(reasons: pruned, counts: counts, programs: programs)
            }
            let findings = report.findings.sorted {
                (units[relations.unit(of: $0.value)].level.depth, $0.value) < (units[relations.unit(of: $1.value)].level.depth, $1.value)
            }
            let before = reasons
            let whole = programs0
            for f in findings {
                var added: [Int] = []
                // Upward first: it needs values that can shrink (k or more), which the downward
                // move can then reuse at no cost.
                if f.derived.upper < f.required.upperBound - IntervalAudit.tolerance {
                    try perturb(f.value, to: f.required.upperBound, values: values, reasons: &reasons, added: &added, whole: whole)
                    programs += 1
                }
                if f.derived.lower > f.required.lowerBound + IntervalAudit.tolerance {
                    try perturb(f.value, to: f.required.lowerBound, values: values, reasons: &reasons, added: &added, whole: whole)
                    programs += 1
                }
            }
            if reasons == before {
                let unit = units[relations.unit(of: findings[0].value)]
                throw SuppressionError.cannotProtect("a value at \(unit.level.rawValue) level")
            }
        }
        throw SuppressionError.auditFailed(remaining)
    }

    /// Publishes again the complementary values (and withheld zeros) that no optimum of the
    /// final audit moves: every optimum stays a table the reader cannot rule out, so no
    /// interval narrows. Repeated while it frees values; each step is audited, and a step that
    /// fails the audit is not taken.
    func prune(
        values: [Int], primary: [SuppressionReason?], reasons: [SuppressionReason?], report: IntervalAudit.Report
    ) throws -> ([SuppressionReason?], Int) {
        var current = reasons
        var moved = report.moved
        var programs = 0
        let audit = IntervalAudit(relations: relations, rule: rule)
        for _ in 0..<3 {
            var next = current
            for v in next.indices where primary[v] == nil && next[v] != nil && !moved.contains(v) { next[v] = nil }
            if next == current { break }
            let check = try audit.run(values: values, reasons: next)
            programs += check.programs
            guard check.findings.isEmpty else { break }
            current = next
            moved = check.moved
        }
        return (current, programs)
    }

    /// Finds the cheapest perturbation that moves value `p` to `target` with every published
    /// value fixed, and withholds the published values it moves.
    func perturb(
        _ p: Int, to target: Double, values: [Int], reasons: inout [SuppressionReason?], added: inout [Int],
        whole: PerturbationPrograms
    ) throws {
        if search == .regionFirst, let local = whole.local(for: p, reasons: reasons),
            let moved = try local.solve(p, to: target, reasons: reasons)
        {
            withhold(moved, values: values, reasons: &reasons, added: &added, programs: whole)
            return
        }
        if let moved = try whole.whole.solve(p, to: target, reasons: reasons) {
            withhold(moved, values: values, reasons: &reasons, added: &added, programs: whole)
            return
        }
        let unit = relations.geography.units[relations.unit(of: p)]
        throw SuppressionError.cannotProtect("a value at \(unit.level.rawValue) level")
    }

    private func withhold(
        _ moved: [Int], values: [Int], reasons: inout [SuppressionReason?], added: inout [Int], programs: PerturbationPrograms
    ) {
        for v in moved where reasons[v] == nil {
            let reason = rule.reasonIfWithheld(values[v])
            reasons[v] = reason
            added.append(v)
            programs.update(v, reason: reason)
        }
    }
}

/// The perturbation programs of one suppression: the whole hierarchy's, and one per region
/// (built when first needed) for the region-first search; all kept up to date as values are
/// withheld.
final class PerturbationPrograms {
    let suppressor: Suppressor
    let values: [Int]
    let whole: PerturbationProgram
    let weights: [Double]
    private var locals: [Int: PerturbationProgram] = [:]

    init(suppressor: Suppressor, values: [Int], reasons: [SuppressionReason?]) {
        self.suppressor = suppressor
        self.values = values
        let weights = suppressor.costWeights
        self.weights = weights
        self.whole = PerturbationProgram(
            relations: suppressor.relations, rule: suppressor.rule, values: values, reasons: reasons, weights: weights)
    }

    /// The program of the region holding `p`'s province (nil for the country and the regions).
    func local(for p: Int, reasons: [SuppressionReason?]) -> PerturbationProgram? {
        let relations = suppressor.relations
        let units = relations.geography.units
        guard let parent = units[relations.unit(of: p)].parent, units[parent].parent != nil else { return nil }
        if let program = locals[parent] { return program }
        let program = PerturbationProgram(
            relations: relations, rule: suppressor.rule, values: values, reasons: reasons,
            units: relations.neighbourhood(of: relations.unit(of: p)), weights: weights)
        locals[parent] = program
        return program
    }

    /// Records in every program that `v` is now withheld for `reason`.
    func update(_ v: Int, reason: SuppressionReason?) {
        whole.update(v, reason: reason)
        for program in locals.values { program.update(v, reason: reason) }
    }
}

/// The perturbation program: for every value that may move, y⁺ and y⁻ ≥ 0 within what its
/// status allows (published values of k or more may shrink to k, published zeros grow to
/// k − 1, withheld values stay within their status); every relation holds for x + y; the cost
/// of moving a published value is 1 + its size (k for a zero, which must then be protected in
/// turn), 0.001 for a withheld one. Built once and updated as values are withheld; each solve
/// fixes one value's shift and starts from the previous basis.
final class PerturbationProgram {
    let lp = LinearProgram()
    let rule: SuppressionRule
    let values: [Int]
    /// Value → its y⁺ column (y⁻ is the next one); absent when the value cannot move.
    var column: [Int: Int] = [:]

    let relations: TableRelations
    /// Per value, what moving it costs beyond its size (``Suppressor/costWeights``).
    let weights: [Double]

    init(
        relations: TableRelations, rule: SuppressionRule, values: [Int], reasons: [SuppressionReason?], units: [Int]? = nil,
        weights: [Double]
    ) {
        self.rule = rule
        self.values = values
        self.relations = relations
        self.weights = weights
        lp.dual = true
        var bounds: [(lower: Double, upper: Double)] = []
        var costs: [Double] = []
        for v in relations.values(ofUnits: units ?? Array(relations.geography.units.indices)) {
            do {
                guard let m = PerturbationProgram.movement(values[v], reasons[v], rule) else { continue }
                column[v] = bounds.count
                bounds.append((0, m.up))
                bounds.append((0, m.down))
                let cost = m.cost * (reasons[v] == nil ? weights[v] : 1)
                costs.append(cost)
                costs.append(cost)
            }
        }
        lp.addColumns(bounds)
        var rows: [(terms: [(column: Int, coefficient: Double)], lower: Double, upper: Double)] = []
        var seen = Set<Int>()
        for v in column.keys.sorted() {
            for r in relations.relationsOf[v] where seen.insert(r).inserted {
                let relation = relations.relations[r]
                var terms: [(column: Int, coefficient: Double)] = []
                var current = 0
                for t in relation.terms {
                    current += t.coefficient * values[t.value]
                    guard let c = column[t.value] else { continue }
                    terms.append((c, Double(t.coefficient)))
                    terms.append((c + 1, -Double(t.coefficient)))
                }
                rows.append(relation.isEquality ? (terms, 0, 0) : (terms, -.infinity, -Double(current)))
            }
        }
        lp.addRows(rows)
        for (c, cost) in costs.enumerated() { lp.setObjective(c, cost) }
    }

    /// How far a value may move up and down, and what moving it costs; nil when it cannot move.
    static func movement(_ value: Int, _ reason: SuppressionReason?, _ rule: SuppressionRule) -> (up: Double, down: Double, cost: Double)? {
        let x = Double(value)
        let k = Double(rule.k)
        switch reason {
        case .belowK?: return (k - 1 - x, x, 0.001)
        case .smallArea?: return (.infinity, x, 0.001)
        case .complementary?: return (.infinity, x - k, 0.001)
        case nil where value == 0: return (k - 1, 0, k)
        case nil where value >= rule.k: return (.infinity, x - k, 1 + x)
        case nil: return nil
        }
    }

    /// Records that `v` is now withheld for `reason`.
    func update(_ v: Int, reason: SuppressionReason?) {
        guard let c = column[v], let m = PerturbationProgram.movement(values[v], reason, rule) else { return }
        lp.setColumnBounds(c, lower: 0, upper: m.up)
        lp.setColumnBounds(c + 1, lower: 0, upper: m.down)
        let cost = m.cost * (reason == nil ? weights[v] : 1)
        lp.setObjective(c, cost)
        lp.setObjective(c + 1, cost)
    }

    /// The published values the cheapest perturbation moving `p` to `target` moves; nil when
    /// no perturbation within this program can.
    func solve(_ p: Int, to target: Double, reasons: [SuppressionReason?]) throws -> [Int]? {
        guard let c = column[p] else { return nil }
        let delta = target - Double(values[p])
        lp.setColumnBounds(c, lower: max(delta, 0), upper: max(delta, 0))
        lp.setColumnBounds(c + 1, lower: max(-delta, 0), upper: max(-delta, 0))
        let outcome = lp.optimize(maximize: false)
        defer { update(p, reason: reasons[p]) }
        switch outcome {
        case .optimal:
            let y = lp.values()
            return column.compactMap { v, j in reasons[v] == nil && y[j] + y[j + 1] > 1e-7 ? v : nil }
        case .infeasible, .unbounded: return nil
        case .failed(let code): throw SuppressionError.cannotProtect("a value (GLPK stopped with code \(code))")
        }
    }
}

extension Level {
    /// 0 for the country, 1 for regions, 2 for provinces.
    var depth: Int {
        switch self {
        case .country: return 0
        case .region: return 1
        case .province: return 2
        }
    }
}

/// An interval a reader can derive for a withheld value: `lower ≤ value ≤ upper`
/// (`upper` is `+infinity` when nothing bounds it).
public struct DerivedInterval: Sendable, Equatable {
    /// The least value consistent with everything published.
    public var lower: Double
    /// The greatest value consistent with everything published.
    public var upper: Double

    /// An interval from its ends.
    public init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    /// The least whole number in the interval (with the solver's slack); nil when the lower end
    /// is not finite or beyond any count a release can hold.
    public var wholeLower: Int? { DerivedInterval.whole((lower - 1e-6).rounded(.up)) }

    /// The greatest whole number in the interval (with the solver's slack); nil when the upper
    /// end is not finite or beyond any count a release can hold.
    public var wholeUpper: Int? { DerivedInterval.whole((upper + 1e-6).rounded(.down)) }

    static func whole(_ x: Double) -> Int? {
        guard x.isFinite, abs(x) < 1e15 else { return nil }
        return Int(x)
    }
}

/// The attacker's linear program around one withheld value: the withheld values connected to it
/// through the relations are the unknowns, bounded by what their reasons say; published values
/// are constants.
struct AttackerProgram {
    let lp = LinearProgram()
    /// Value index → column.
    var column: [Int: Int] = [:]
    /// The withheld values of the component, in column order.
    var members: [Int] = []
    /// The columns' bounds from the reasons, in column order.
    var bounds: [(lower: Double, upper: Double)] = []
    /// The relations among the members: Σ terms in [lower, upper].
    var rows: [(terms: [(column: Int, coefficient: Double)], lower: Double, upper: Double)] = []

    /// The component of withheld values connected to `start` (by relations), as an LP.
    init(relations: TableRelations, rule: SuppressionRule, values: [Int?], reasons: [SuppressionReason?], around start: Int) {
        var stack = [start]
        column[start] = 0
        members = [start]
        var used = Set<Int>()
        while let v = stack.popLast() {
            for r in relations.relationsOf[v] where used.insert(r).inserted {
                for t in relations.relations[r].terms where reasons[t.value] != nil && column[t.value] == nil {
                    column[t.value] = members.count
                    members.append(t.value)
                    stack.append(t.value)
                }
            }
        }
        bounds = members.map { v in reasons[v].map { rule.knownBounds($0) } ?? (0, .infinity) }
        lp.addColumns(bounds)
        for r in used.sorted() {
            let relation = relations.relations[r]
            var terms: [(column: Int, coefficient: Double)] = []
            var constant = 0.0
            for t in relation.terms {
                if let c = column[t.value] {
                    terms.append((c, Double(t.coefficient)))
                } else {
                    constant += Double(t.coefficient) * Double(values[t.value] ?? 0)
                }
            }
            rows.append(relation.isEquality ? (terms, -constant, -constant) : (terms, -.infinity, -constant))
        }
        lp.addRows(rows)
    }

    /// Convenience: the component around `start` when `values` holds every value (withheld
    /// ones are never read).
    init(relations: TableRelations, rule: SuppressionRule, values: [Int], reasons: [SuppressionReason?], around start: Int) {
        self.init(
            relations: relations, rule: rule, values: values.indices.map { reasons[$0] == nil ? values[$0] : nil }, reasons: reasons,
            around: start)
    }

    /// The least (or greatest) value of `v`, and the optimum's values of every member.
    func optimum(of v: Int, maximize: Bool) throws -> (Double, [Double]) {
        guard let c = column[v] else { throw SuppressionError.cannotProtect("a value outside its component") }
        switch lp.optimize([(c, 1)], maximize: maximize) {
        case .optimal(let x): return (x, lp.values())
        case .unbounded: return (maximize ? .infinity : -.infinity, [])
        case .infeasible: throw SuppressionError.cannotProtect("a value (the published values admit no solution)")
        case .failed(let code): throw SuppressionError.cannotProtect("a value (GLPK stopped with code \(code))")
        }
    }

    /// The least and greatest value of `v` consistent with the published values.
    func interval(of v: Int) throws -> DerivedInterval {
        DerivedInterval(lower: try optimum(of: v, maximize: false).0, upper: try optimum(of: v, maximize: true).0)
    }

    /// Bounds for every member by propagation instead of linear programming: each relation
    /// bounds each of its terms by the others' bounds, repeated until nothing moves (at most
    /// `rounds` times). Each round is linear in the relations' terms; the bounds are valid (every
    /// solution of the program lies within them) and contain the program's exact intervals.
    ///
    /// - Throws: ``SuppressionError/cannotProtect(_:)`` when the bounds cross (no solution).
    func propagatedIntervals(rounds: Int = 50) throws -> (intervals: [DerivedInterval], rounds: Int) {
        var low = bounds.map(\.lower)
        var high = bounds.map(\.upper)
        let slack = IntervalAudit.tolerance
        var done = 0
        for _ in 0..<rounds {
            done += 1
            var moved = false
            for row in rows {
                // The least and greatest of Σ terms, counting infinite ends apart.
                var minSum = 0.0
                var maxSum = 0.0
                var minInfinite = 0
                var maxInfinite = 0
                for t in row.terms {
                    let (a, b) = t.coefficient > 0 ? (low[t.column], high[t.column]) : (high[t.column], low[t.column])
                    if a.isInfinite { minInfinite += 1 } else { minSum += t.coefficient * a }
                    if b.isInfinite { maxInfinite += 1 } else { maxSum += t.coefficient * b }
                }
                for t in row.terms {
                    let c = t.coefficient
                    let (a, b) = c > 0 ? (low[t.column], high[t.column]) : (high[t.column], low[t.column])
                    // The others' least and greatest sums.
                    let othersMin: Double? =
                        a.isInfinite ? (minInfinite == 1 ? minSum : nil) : (minInfinite == 0 ? minSum - c * a : nil)
                    let othersMax: Double? =
                        b.isInfinite ? (maxInfinite == 1 ? maxSum : nil) : (maxInfinite == 0 ? maxSum - c * b : nil)
                    // c·x ≤ upper − othersMin and c·x ≥ lower − othersMax.
                    var newLow = low[t.column]
                    var newHigh = high[t.column]
                    if let m = othersMin, row.upper.isFinite {
                        let bound = (row.upper - m) / c
                        if c > 0 { newHigh = min(newHigh, bound) } else { newLow = max(newLow, bound) }
                    }
                    if let m = othersMax, row.lower.isFinite {
                        let bound = (row.lower - m) / c
                        if c > 0 { newLow = max(newLow, bound) } else { newHigh = min(newHigh, bound) }
                    }
                    if newLow > low[t.column] + slack || newHigh < high[t.column] - slack {
                        guard newLow <= newHigh + slack else {
                            throw SuppressionError.cannotProtect("a value (the published values admit no solution)")
                        }
                        low[t.column] = max(low[t.column], newLow)
                        high[t.column] = min(high[t.column], newHigh)
                        moved = true
                    }
                }
            }
            if !moved { break }
        }
        return (zip(low, high).map { DerivedInterval(lower: $0, upper: $1) }, done)
    }
}

/// The interval audit: the linear program a reader would solve, for every withheld value.
///
/// The reader knows every published value, the relations of ``TableRelations``, non-negativity,
/// and what each reason says (`below_k`: 1 to k − 1; `complementary`: k or more; `small_area`:
/// 0 or more). For each value withheld by the k-threshold or the small-area rule, the audit
/// minimises and maximises it over everything consistent with that knowledge and compares the
/// result with ``SuppressionRule/protectedInterval(value:reason:parent:)``. The LP is the relaxation a
/// reader with a linear-programming solver uses (as in τ-Argus and sdcTable audits); an attacker
/// who also uses that values are whole numbers can at most round the bounds inward.
public struct IntervalAudit: Sendable {
    /// The relations a reader knows.
    public let relations: TableRelations
    /// The protection asked of each withheld value.
    public let rule: SuppressionRule
    /// Slack for the solver's floating point.
    public static let tolerance = 1e-6

    /// An audit for a release's relations and rule.
    public init(relations: TableRelations, rule: SuppressionRule) {
        self.relations = relations
        self.rule = rule
    }

    /// A withheld value a reader can narrow beyond the rule.
    public struct Finding: Sendable, Equatable {
        /// The value's index.
        public var value: Int
        /// Why it was withheld.
        public var reason: SuppressionReason
        /// What the reader can derive.
        public var derived: DerivedInterval
        /// What the rule asks the reader's interval to reach (the rule's interval, within what
        /// the reasons alone already imply).
        public var required: ClosedRange<Double>
        /// The value contradicts its own reason (a value below k marked complementary, say):
        /// the reader's bounds from the reason would be false.
        public var reasonIsFalse = false
    }

    /// The audit's outcome.
    public struct Report: Sendable {
        /// Values narrowed beyond the rule (empty: the release passes).
        public var findings: [Finding]
        /// For every value withheld by the threshold or the small-area rule, an interval the
        /// reader cannot narrow: exact on a side the rule is not met, and on a side it is met,
        /// the furthest value a table found along the way reaches (the reader's own interval
        /// may be wider; ``derivedIntervals(published:reasons:)`` gives it exactly).
        public var intervals: [Int: DerivedInterval]
        /// Linear programs built.
        public var programs: Int
        /// Values whose interval is narrower than the rule only where the reasons alone imply it
        /// (two provinces "fewer than 5" make their region at most 8, whatever else is withheld).
        public var limitedByReasons: Int
        /// Withheld values that some optimum of the reader's program moves: the others can be
        /// published without narrowing any interval (each optimum stays a table the reader
        /// cannot rule out).
        public var moved: Set<Int>
    }

    /// The same slot's value in the parent unit (nil for the country).
    func parentValue(_ v: Int, _ values: [Int]) -> Int? {
        guard let whole = relations.whole(of: v) else { return nil }
        return values[whole]
    }

    /// Audits withheld values of `values` (every value, withheld ones included, so that the
    /// small-area margins and the reasons' claims can be checked).
    public func run(values: [Int], reasons: [SuppressionReason?]) throws -> Report {
        var findings: [Finding] = []
        var intervals: [Int: DerivedInterval] = [:]
        var done = Set<Int>()
        var programs = 0
        var labelsOnly: AttackerProgram?
        var limitedByReasons = 0
        var moved = Set<Int>()
        // A reason must be true of the value, or the reader's bounds would be wrong (and the
        // reader's program could have no solution at all).
        for v in values.indices {
            guard let reason = reasons[v] else { continue }
            let known = rule.knownBounds(reason)
            if Double(values[v]) < known.lower || Double(values[v]) > known.upper {
                findings.append(
                    Finding(
                        value: v, reason: reason, derived: DerivedInterval(lower: known.lower, upper: known.upper), required: 0...0,
                        reasonIsFalse: true))
            }
        }
        if !findings.isEmpty { return Report(findings: findings, intervals: [:], programs: 0, limitedByReasons: 0, moved: []) }
        for v in values.indices {
            guard let reason = reasons[v] else { continue }
            guard rule.protectedInterval(value: values[v], reason: reason, parent: parentValue(v, values)) != nil, !done.contains(v)
            else { continue }
            let program = AttackerProgram(relations: relations, rule: rule, values: values, reasons: reasons, around: v)
            programs += 1
            // The truth is a table the reader cannot rule out, and so is every optimum found:
            // the least and greatest value each member takes in them bound its interval from
            // inside, and a side they already reach needs no program.
            var seenLow = program.members.map { Double(values[$0]) }
            var seenHigh = seenLow
            func solve(_ m: Int, maximize: Bool) throws -> Double {
                let (x, y) = try program.optimum(of: m, maximize: maximize)
                if !y.isEmpty {
                    for (j, member) in program.members.enumerated() {
                        if abs(y[j] - Double(values[member])) > 1e-7 { moved.insert(member) }
                        seenLow[j] = min(seenLow[j], y[j])
                        seenHigh[j] = max(seenHigh[j], y[j])
                    }
                }
                return x
            }
            for (j, m) in program.members.enumerated() where !done.contains(m) {
                guard let r = reasons[m], let t = rule.protectedInterval(value: values[m], reason: r, parent: parentValue(m, values))
                else { continue }
                done.insert(m)
                let lower = seenLow[j] <= Double(t.low) + IntervalAudit.tolerance ? seenLow[j] : try solve(m, maximize: false)
                let upper = seenHigh[j] >= Double(t.high) - IntervalAudit.tolerance ? seenHigh[j] : try solve(m, maximize: true)
                let d = DerivedInterval(lower: lower, upper: upper)
                intervals[m] = d
                func reaches(_ low: Double, _ high: Double) -> Bool {
                    d.lower <= low + IntervalAudit.tolerance && d.upper >= high - IntervalAudit.tolerance
                }
                if reaches(Double(t.low), Double(t.high)) { continue }
                // What the reasons alone imply, were every value withheld: the rule cannot ask more.
                if labelsOnly == nil || labelsOnly?.column[m] == nil {
                    labelsOnly = AttackerProgram(
                        relations: relations, rule: rule, values: [Int?](repeating: nil, count: values.count),
                        reasons: values.indices.map { reasons[$0] ?? rule.reasonIfWithheld(values[$0]) }, around: m)
                    programs += 1
                }
                guard let best = try labelsOnly?.interval(of: m) else { continue }
                let low = max(Double(t.low), best.lower)
                let high = min(Double(t.high), best.upper)
                if reaches(low, high) {
                    limitedByReasons += 1
                } else {
                    findings.append(Finding(value: m, reason: r, derived: d, required: low...max(low, high)))
                }
            }
        }
        return Report(
            findings: findings, intervals: intervals, programs: programs, limitedByReasons: limitedByReasons, moved: moved)
    }

    /// The intervals a reader derives for the values withheld by the threshold or the
    /// small-area rule (and, with `includingComplementary`, for complementary ones too), from
    /// the published values alone (nil: withheld) and the reasons, as anyone holding the
    /// release file can compute them.
    ///
    /// - Parameters:
    ///   - only: when given, the values whose intervals are wanted (others are not solved for:
    ///     each interval is two linear programs).
    ///   - largestProgram: a component of more withheld values than this gets its intervals by
    ///     propagation (``AttackerProgram/propagatedIntervals(rounds:)``: valid, possibly wider),
    ///     not by two linear programs per value, so that the time stays linear in the file's
    ///     values however the withheld values connect (nil: always linear programs).
    public func derivedIntervals(
        published: [Int?], reasons: [SuppressionReason?], includingComplementary: Bool = false, only: Set<Int>? = nil,
        largestProgram: Int? = nil
    ) throws -> [Int: DerivedInterval] {
        try derivedIntervalsAndWork(
            published: published, reasons: reasons, includingComplementary: includingComplementary, only: only,
            largestProgram: largestProgram
        ).intervals
    }

    /// ``derivedIntervals(published:reasons:includingComplementary:only:largestProgram:)`` with a
    /// count of the work done, for tests of its growth: per linear program its columns, per
    /// propagation round the terms of its relations.
    public func derivedIntervalsAndWork(
        published: [Int?], reasons: [SuppressionReason?], includingComplementary: Bool = false, only: Set<Int>? = nil,
        largestProgram: Int? = nil
    ) throws -> (intervals: [Int: DerivedInterval], work: Int) {
        func wanted(_ v: Int) -> Bool {
            reasons[v] != nil && (includingComplementary || reasons[v] != .complementary) && (only?.contains(v) ?? true)
        }
        var out: [Int: DerivedInterval] = [:]
        var work = 0
        var visited = Set<Int>()
        for v in published.indices where wanted(v) && !visited.contains(v) {
            let program = AttackerProgram(relations: relations, rule: rule, values: published, reasons: reasons, around: v)
            visited.formUnion(program.members)
            if let largest = largestProgram, program.members.count > largest {
                let (intervals, rounds) = try program.propagatedIntervals()
                work += rounds * program.rows.reduce(0) { $0 + $1.terms.count }
                for (j, m) in program.members.enumerated() where wanted(m) { out[m] = intervals[j] }
                continue
            }
            for m in program.members where wanted(m) && out[m] == nil {
                out[m] = try program.interval(of: m)
                work += 2 * program.members.count
            }
        }
        return (out, work)
    }
}

import Foundation
import MosaicCodebook
import MosaicDisclosure
import MosaicErrorModel
import MosaicPrivacy

/// Chooses a release plan's weights by optimisation rather than from a grid of candidates.
///
/// The plan's budget split has a product form: group (table t, level l) gets the share
/// p_t · q_l of ρ, so its noise is σ²_{t,l} = Δ²_t / (2ρ p_t q_l) (the error model and the
/// least-squares estimator rely on this form: one table's noise is the same multiple of the
/// total's at every level). The objective is the workload's accuracy after least squares:
///
///     F(p, q) = Σ_l Σ_t  λ_l · μ_t · V_{t,l}(p, q) / V_{t,l}(default plan)
///
/// where V_{t,l} is the mean variance, over every unit of level l, of the released estimates
/// of table t (its cells; the total of affected persons counts as a table of its own), from
/// ``ErrorModel`` — exact variances of the least-squares estimates for this geography, not a
/// proxy — λ_l the level's weight (1 each by default) and μ_t the table's (the report's
/// workload by default: the total 3, `incidents` 2, others 1). Each group counts relative to
/// today's plan, so the objective is scale-free: a group of large variances cannot drown the
/// others.
/// F is smooth and convex along each coordinate in the log-shares; the search is gradient descent
/// on the log-shares (softmax keeps them positive and summing to 1) with a backtracking line
/// search, then the shares are written as whole-number weights out of 100 (each at least 1), and
/// the rounded plan is kept only if it is no worse than the default.
///
/// It reads only the public geography (registered schools per unit) and the codebook: no count,
/// no noise, no budget.
public struct PlanOptimizer: Sendable {
    /// The codebook the plan measures.
    public let codebook: Codebook
    /// The published hierarchy.
    public let geography: Geography
    /// Each level's weight in the objective (λ_l).
    public var levelImportance: [Level: Double] = [.country: 1, .region: 1, .province: 1]
    /// Each table's weight in the objective (μ_t; 1 when not listed). By default the report's
    /// workload: the total of affected persons is the headline of every section (level, trend,
    /// ranking, pooled figures, notable rises) and weighs 3; each table weighs its codebook
    /// ``CodebookTable/importance`` (in version 1, `incidents` feeds two breakdowns and weighs 2).
    public var tableImportance: [String: Double]

    /// An optimiser for one codebook and hierarchy.
    public init(codebook: Codebook, geography: Geography) {
        self.codebook = codebook
        self.geography = geography
        var importance = [ReleasePlan.totalName: 3.0]
        for t in codebook.tables { importance[t.name] = t.importance }
        tableImportance = importance
    }

    /// The tables of a plan, the total last.
    var tables: [String] { codebook.tables.map(\.name) + [ReleasePlan.totalName] }

    /// The mean variance of the released estimates per (table, level) under `plan` (the total
    /// of affected persons as the table `total`), and per level over every estimate.
    public func levelVariances(_ plan: ReleasePlan) -> [Level: Double] {
        meanPerLevel(tableVariances(plan))
    }

    /// The mean variance of the released estimates of each table (and the total) per level.
    public func tableVariances(_ plan: ReleasePlan) -> [Key: Double] {
        var sigma2: [String: [Level: Double]] = [:]
        for g in plan.groups(codebook: codebook) where g.dimension == nil { sigma2[g.table, default: [:]][g.level] = g.sigma2 }
        return tableVariances(sigma2: sigma2)
    }

    /// A (table, level) pair.
    public struct Key: Sendable, Hashable {
        /// The table, or `total`.
        public var table: String
        /// The level.
        public var level: Level

        /// A key from its parts.
        public init(table: String, level: Level) {
            self.table = table
            self.level = level
        }
    }

    /// The mean variance per (table, level) for noise variances σ² per (table, level) (empty
    /// when a group is missing).
    func tableVariances(sigma2: [String: [Level: Double]]) -> [Key: Double] {
        guard let model = try? ErrorModel(codebook: codebook, geography: geography, sigma2: sigma2) else { return [:] }
        var sum: [Key: Double] = [:]
        var n: [Key: Double] = [:]
        for (u, unit) in geography.units.enumerated() {
            for cell in codebook.allCells {
                let key = Key(table: cell.table, level: unit.level)
                sum[key, default: 0] += model.variance(table: cell.table, unit: u, cell: cell.index)
                n[key, default: 0] += 1
            }
            let key = Key(table: ReleasePlan.totalName, level: unit.level)
            sum[key, default: 0] += model.totalCovariance(u, u)
            n[key, default: 0] += 1
        }
        var out: [Key: Double] = [:]
        for (k, s) in sum { out[k] = s / (n[k] ?? 1) }
        return out
    }

    /// The mean over the tables of each level.
    func meanPerLevel(_ v: [Key: Double]) -> [Level: Double] {
        var sum: [Level: Double] = [:]
        var n: [Level: Double] = [:]
        for (k, x) in v {
            sum[k.level, default: 0] += x
            n[k.level, default: 0] += 1
        }
        var out: [Level: Double] = [:]
        for (l, x) in sum { out[l] = x / (n[l] ?? 1) }
        return out
    }

    /// The objective of `plan` against a reference plan's variances: each (table, level)
    /// group's mean variance relative to the reference's, weighted by its level's importance.
    public func objective(_ plan: ReleasePlan, reference: [Key: Double]) -> Double {
        objective(variances: tableVariances(plan), reference: reference)
    }

    func objective(variances v: [Key: Double], reference: [Key: Double]) -> Double {
        var f = 0.0
        for (k, ref) in reference where ref > 0 {
            f += (levelImportance[k.level] ?? 0) * (tableImportance[k.table] ?? 1) * (v[k] ?? .infinity) / ref
        }
        return f
    }

    /// Shares as whole-number weights that sum to exactly `total`, each at least 1 (largest
    /// remainders): with both sums 100, every group's ρ is ρ·w·v/10⁴, exact in nano-ρ for any ρ
    /// that is a multiple of 10⁻⁵, so the groups add up to exactly the ρ asked for.
    static func weights(_ shares: [Double], total: Int) -> [UInt64] {
        let n = shares.count
        guard n > 0, total >= n else { return [UInt64](repeating: 1, count: n) }
        let sum = shares.reduce(0, +)
        let free = Double(total - n)
        let exact = shares.map { sum > 0 ? $0 / sum * free : free / Double(n) }
        var w = exact.map { Int($0.rounded(.down)) }
        var left = total - n - w.reduce(0, +)
        for i in exact.indices.sorted(by: { exact[$0] - Double(w[$0]) > exact[$1] - Double(w[$1]) }) where left > 0 {
            w[i] += 1
            left -= 1
        }
        return w.map { UInt64($0 + 1) }
    }

    /// A plan with real-valued shares, written as whole-number weights summing to `resolution`.
    func plan(tableShares: [Double], levelShares: [Double], like base: ReleasePlan, resolution: Int) -> ReleasePlan {
        var tw: [String: UInt64] = [:]
        for (t, w) in zip(tables, Self.weights(tableShares, total: resolution)) { tw[t] = w }
        var lw: [Level: UInt64] = [:]
        for (l, w) in zip(Level.allCases, Self.weights(levelShares, total: resolution)) { lw[l] = w }
        var p = ReleasePlan(rho: base.rho, tableWeights: tw, levelWeights: lw, k: base.k, minimumSchools: base.minimumSchools)
        p.smallAreaPercent = base.smallAreaPercent
        return p
    }

    /// The result of an optimisation.
    public struct Result: Sendable {
        /// The optimised plan (whole-number weights out of 100).
        public var plan: ReleasePlan
        /// Its objective (the number of (table, level) groups at the default plan, with level
        /// weights 1; lower is better).
        public var objective: Double
        /// The default plan's objective.
        public var defaultObjective: Double
        /// Mean variance per (table, level): the optimised plan's.
        public var variances: [Key: Double]
        /// Mean variance per (table, level): the default plan's.
        public var defaultVariances: [Key: Double]
        /// Gradient steps taken.
        public var steps: Int
    }

    /// The weights that minimise the objective for `base`'s ρ, k and minimum schools.
    public func optimize(base: ReleasePlan, maxSteps: Int = 60) -> Result {
        let reference = tableVariances(base)
        let nt = tables.count
        let nl = Level.allCases.count
        func softmax(_ x: ArraySlice<Double>) -> [Double] {
            let m = x.max() ?? 0
            let e = x.map { exp($0 - m) }
            let s = e.reduce(0, +)
            return e.map { $0 / s }
        }
        // Start from the default weights.
        let tw = tables.map { Double(base.tableWeights[$0] ?? 1) }
        let lw = Level.allCases.map { Double(base.levelWeights[$0] ?? 1) }
        var x = tw.map { log($0 / tw.reduce(0, +)) } + lw.map { log($0 / lw.reduce(0, +)) }
        // Squared sensitivity per table: the number of cells of a multi-valued table, else 1.
        let d2 = codebook.tables.map { $0.multiValued ? Double($0.cells.count) : 1 } + [1]
        let rho = base.rho.value
        func f(_ x: [Double]) -> Double {
            let p = softmax(x[0..<nt])
            let q = softmax(x[nt..<(nt + nl)])
            var sigma2: [String: [Level: Double]] = [:]
            for (i, t) in tables.enumerated() {
                for (j, l) in Level.allCases.enumerated() { sigma2[t, default: [:]][l] = d2[i] / (2 * rho * p[i] * q[j]) }
            }
            return objective(variances: tableVariances(sigma2: sigma2), reference: reference)
        }
        var fx = f(x)
        var step = 1.0
        var steps = 0
        for _ in 0..<maxSteps {
            // Central differences in the log-shares.
            let h = 1e-4
            var g = [Double](repeating: 0, count: x.count)
            for i in x.indices {
                var a = x
                var b = x
                a[i] += h
                b[i] -= h
                g[i] = (f(a) - f(b)) / (2 * h)
            }
            let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 1e-7 else { break }
            // Backtracking: halve the step until the objective falls.
            var improved = false
            var t = step
            while t > 1e-4 {
                let candidate = zip(x, g).map { $0 - t * $1 / norm }
                let fc = f(candidate)
                if fc < fx - 1e-9 {
                    x = candidate
                    fx = fc
                    improved = true
                    step = min(2, t * 1.5)
                    break
                }
                t /= 2
            }
            steps += 1
            if !improved { break }
        }
        // Whole-number weights out of 100, each at least 1.
        var best = plan(tableShares: softmax(x[0..<nt]), levelShares: softmax(x[nt..<(nt + nl)]), like: base, resolution: 100)
        var bestF = objective(best, reference: reference)
        let defaultF = objective(base, reference: reference)
        if bestF > defaultF {
            best = base
            bestF = defaultF
        }
        return Result(
            plan: best, objective: bestF, defaultObjective: defaultF, variances: tableVariances(best), defaultVariances: reference,
            steps: steps)
    }
}

extension PlanOptimizer {
    /// The mean variance and objective weight of every group's released estimates under `plan`:
    /// the geography's (table, level) from ``ErrorModel``, and each breakdown group
    /// (table, dimension, level) over its parts from the engine (public parameters only).
    public func groupVariances(_ plan: ReleasePlan, domains: Domains) -> [String: (variance: Double, weight: Double)] {
        var out: [String: (variance: Double, weight: Double)] = [:]
        func weight(_ table: String, _ level: Level) -> Double { (tableImportance[table] ?? 1) * (levelImportance[level] ?? 1) }
        for (k, v) in tableVariances(plan) { out["\(k.table)/\(k.level)"] = (v, weight(k.table, k.level)) }
        guard plan.hasDomains, !domains.isEmpty else { return out }
        let engine = ReleaseEngine(codebook: codebook, geography: geography, plan: plan, domains: domains)
        var sums: [String: (sum: Double, count: Double, weight: Double)] = [:]
        for (i, part) in domains.parts.enumerated() {
            let level = geography.units[part.unit].level
            for (q, slot) in engine.domainSlots(ofPart: i).enumerated() {
                let table = slot == TableRelations.totalSlot ? ReleasePlan.totalName : codebook.allCells[slot - 1].table
                let key = "\(table)/\(domains.dimensionName(part))/\(level)"
                let old = sums[key] ?? (0, 0, weight(table, level))
                sums[key] = (old.sum + engine.domainVarianceTable[i][q], old.count + 1, old.weight)
            }
        }
        for (k, s) in sums where s.count > 0 { out[k] = (s.sum / s.count, s.weight) }
        return out
    }

    /// The workload objective over every group, the breakdowns' included: Σ weight × mean
    /// variance relative to `reference`'s (``groupVariances(_:domains:)``); groups missing from
    /// either side are left out.
    public func objective(_ plan: ReleasePlan, domains: Domains, reference: [String: (variance: Double, weight: Double)]) -> Double {
        groupVariances(plan, domains: domains).reduce(0.0) { sum, g in
            guard let r = reference[g.key], r.variance > 0 else { return sum }
            return sum + g.value.weight * g.value.variance / r.variance
        }
    }

    /// The breakdowns' share of ρ, chosen by the workload objective: the geography's weight G
    /// against each breakdown dimension's (``ReleasePlan/geographyWeight``), in closed form.
    ///
    /// With A = W·V the geography's shares per unit of G and B the breakdowns' shares, the total
    /// is S = G·A + B; a geographic group's noise scales as S/G = A + B/G and a breakdown group's
    /// as S = G·A + B. A part's variance has two parts, its own noise's N and its unit's U
    /// (``ReleaseEngine/domainVarianceParts()``), which scale the same two ways. The objective of
    /// the geography's optimiser, with every breakdown group (table, dimension, level) added with
    /// its table's and level's weights, each group relative to the base plan, is then
    /// F(G) = P·(A + B/G) + Q·(G·A + B) with P, Q ≥ 0, minimised at G* = √(P·B/(Q·A)).
    /// G is written as a whole weight against dimension weights of 10 (a tenth's resolution).
    ///
    /// Reads only public parameters (the hierarchy, the registry's parts, the plan).
    ///
    /// - Returns: the plan with the chosen weights, and G* (nil when the plan has no breakdowns).
    public func optimizeDomainShare(_ base: ReleasePlan, domains: Domains) -> (plan: ReleasePlan, g: Double?) {
        guard base.hasDomains, !domains.isEmpty else { return (base, nil) }
        let engine = ReleaseEngine(codebook: codebook, geography: geography, plan: base, domains: domains)
        let groups = engine.groups
        let geoShares = groups.filter { $0.dimension == nil }
        // A and B from the groups' ρ: ρ_g = ρ·share_g/S.
        let rhoGeo = geoShares.reduce(0.0) { $0 + $1.rho.value }
        let rhoDom = groups.filter { $0.dimension != nil }.reduce(0.0) { $0 + $1.rho.value }
        guard rhoGeo > 0, rhoDom > 0 else { return (base, nil) }
        let g0 = Double(base.geographyWeight)
        // S·(ρ_geo/ρ) = G₀·A and S·(ρ_dom/ρ) = B; only the ratio B/A matters: B/A = G₀·ρ_dom/ρ_geo.
        let a = 1.0
        let b = g0 * rhoDom / rhoGeo
        let sGeo0 = a + b / g0
        let sDom0 = g0 * a + b
        func weight(_ table: String, _ level: Level) -> Double { (tableImportance[table] ?? 1) * (levelImportance[level] ?? 1) }
        // The geographic groups: each (table, level) relative to itself.
        var p = 0.0
        for g in geoShares { p += weight(g.table, g.level) / sGeo0 }
        // The breakdown groups: mean noise and unit parts of their parts' variances.
        let (noise, units) = engine.domainVarianceParts()
        var sums: [String: (n: Double, u: Double, count: Double, table: String, level: Level)] = [:]
        for (i, part) in domains.parts.enumerated() {
            let level = geography.units[part.unit].level
            for (q, slot) in engine.domainSlots(ofPart: i).enumerated() {
                let table = slot == TableRelations.totalSlot ? ReleasePlan.totalName : codebook.allCells[slot - 1].table
                let key = "\(table)/\(domains.dimensionName(part))/\(level)"
                let old = sums[key] ?? (0, 0, 0, table, level)
                sums[key] = (old.n + noise[i][q], old.u + units[i][q], old.count + 1, table, level)
            }
        }
        var q = 0.0
        for (_, s) in sums where s.count > 0 {
            let n = s.n / s.count
            let u = s.u / s.count
            guard n + u > 0 else { continue }
            let w = weight(s.table, s.level)
            p += w * u / ((n + u) * sGeo0)
            q += w * n / ((n + u) * sDom0)
        }
        guard p > 0, q > 0 else { return (base, nil) }
        let best = (p * b / (q * a)).squareRoot()
        var plan = base
        for d in plan.domainDimensions { plan.domainWeights[d] = 10 * (base.domainWeights[d] ?? 1) }
        plan.geographyWeight = UInt64(max(1, min(100_000, (10 * best).rounded())))
        return (plan, best)
    }
}

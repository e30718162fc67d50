/// Least-squares estimation on the hierarchy: the best linear unbiased estimates of every unit's
/// value from independent noisy measurements of every unit, such that children sum to their
/// parent (Hay, Rastogi, Miklau, Suciu 2010, generalised to unequal variances per level).
///
/// Upward pass: each unit combines its own measurement with the sum of its children's
/// estimates, weighting each by its inverse variance. Downward pass: the root keeps its
/// estimate; each parent's final value minus the sum of its children's upward estimates is
/// shared among the children in proportion to their variances.
public struct TreeEstimator: Sendable {
    /// The published hierarchy.
    public let geography: Geography
    /// Variance of each unit's measurement, for unit scale.
    public let variances: [Double]
    /// The variance of each unit's final estimate, for unit scale (the diagonal of Σ₀).
    public let estimateVariances: [Double]
    /// The variance of each unit's upward estimate (its own measurement and its subtree's).
    let upward: [Double]
    /// Per unit, the sum of its children's upward variances (0 for a leaf).
    let childrenUpward: [Double]

    /// Memory and time are linear in the units: nothing of size units² is built. The estimator
    /// is the generalised-least-squares projection A = X(XᵀD⁻¹X)⁻¹XᵀD⁻¹ (X maps leaf values to
    /// every unit, D the measurement variances), so Σ₀ = A·D·Aᵀ = A·D: a column of Σ₀ is the
    /// estimator applied to a scaled impulse, and a quadratic form xᵀΣ₀x is x · A(D·x), one
    /// estimation (the derivation is in Analysis/PROOFS.md).
    ///
    /// - Parameter levelVariances: the measurement variance at each level, up to a common factor.
    public init(geography: Geography, levelVariances: [Level: Double]) {
        self.geography = geography
        let units = geography.units
        let variances = units.map { levelVariances[$0.level] ?? 1 }
        self.variances = variances
        let n = units.count
        var u = variances
        var us = [Double](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) where !units[i].children.isEmpty {
            us[i] = units[i].children.reduce(0.0) { $0 + u[$1] }
            u[i] = 1 / (1 / variances[i] + 1 / us[i])
        }
        // The final variances, root down (the Rauch–Tung–Striebel smoother on the tree): a child
        // c of p with gain g = u_c / us_p has V_c = u_c + g²·(V_p − us_p).
        var v = u
        for i in 0..<n where !units[i].children.isEmpty {
            for c in units[i].children {
                let g = u[c] / us[i]
                v[c] = u[c] + g * g * (v[i] - us[i])
            }
        }
        self.upward = u
        self.childrenUpward = us
        self.estimateVariances = v
    }

    /// Σ₀[a, b]: the covariance of two units' estimates, for unit scale; time proportional to
    /// the depth of the hierarchy.
    public func covariance(_ a: Int, _ b: Int) -> Double {
        if a == b { return estimateVariances[a] }
        return variances[b] * impulseResponse(at: a, impulse: b)
    }

    /// Entry (a, b) of the estimator's matrix A: unit a's estimate for a unit measurement at b
    /// and zero elsewhere, following only the two units' paths to the root.
    func impulseResponse(at a: Int, impulse b: Int) -> Double {
        let units = geography.units
        // Upward: only b and its ancestors see the impulse; chainB[k] is b's k-th ancestor.
        var chainB: [Int] = [b]
        var zB: [Double] = [units[b].children.isEmpty ? 1.0 : upward[b] / variances[b]]
        while let p = units[chainB[chainB.count - 1]].parent {
            zB.append(zB[zB.count - 1] * upward[p] / childrenUpward[p])
            chainB.append(p)
        }
        func upwardEstimate(_ unit: Int) -> Double { chainB.firstIndex(of: unit).map { zB[$0] } ?? 0 }
        // Downward along a's path, from the root.
        var pathA: [Int] = [a]
        while let p = units[pathA[pathA.count - 1]].parent { pathA.append(p) }
        var x = upwardEstimate(pathA[pathA.count - 1])
        for step in stride(from: pathA.count - 1, to: 0, by: -1) {
            let parent = pathA[step]
            let child = pathA[step - 1]
            // The children's upward sum: nonzero only where a child is on b's chain.
            let k = chainB.firstIndex(of: parent)
            let sum = k.map { $0 > 0 ? zB[$0 - 1] : 0 } ?? 0
            x = upwardEstimate(child) + (x - sum) * upward[child] / childrenUpward[parent]
        }
        return x
    }

    /// xᵀΣ₀x for a vector given by its nonzero entries (unit → weight): pairwise where there
    /// are few of them, else one estimation over the whole hierarchy (linear in the units).
    public func quadraticForm(_ x: [Int: Double]) -> Double {
        let entries = x.filter { $0.value != 0 }
        if entries.count * entries.count <= 4 * geography.units.count {
            var s = 0.0
            for (a, xa) in entries {
                for (b, xb) in entries { s += xa * xb * covariance(a, b) }
            }
            return s
        }
        var dx = [Double](repeating: 0, count: geography.units.count)
        for (u, w) in entries { dx[u] = w * variances[u] }
        let ax = estimate(dx)
        var s = 0.0
        for (u, w) in entries { s += w * ax[u] }
        return s
    }

    /// Consistent estimates from one measurement per unit.
    public func estimate(_ y: [Double]) -> [Double] { TreeEstimator.estimate(y, geography: geography, variances: variances) }

    static func estimate(_ y: [Double], geography: Geography, variances: [Double]) -> [Double] {
        let units = geography.units
        let n = units.count
        var z = y
        var u = variances
        for i in stride(from: n - 1, through: 0, by: -1) where !units[i].children.isEmpty {
            var s = 0.0
            var us = 0.0
            for c in units[i].children {
                s += z[c]
                us += u[c]
            }
            let wOwn = 1 / variances[i]
            let wKids = 1 / us
            z[i] = (y[i] * wOwn + s * wKids) / (wOwn + wKids)
            u[i] = 1 / (wOwn + wKids)
        }
        var x = z
        for i in 0..<n where !units[i].children.isEmpty {
            var s = 0.0
            var us = 0.0
            for c in units[i].children {
                s += z[c]
                us += u[c]
            }
            let d = x[i] - s
            for c in units[i].children { x[c] = z[c] + d * u[c] / us }
        }
        return x
    }
}

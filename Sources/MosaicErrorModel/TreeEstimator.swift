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
    /// The estimator's matrix, by column: `columns[u][i]` is unit i's estimate for a unit impulse at u.
    let columns: [[Double]]

    /// - Parameter levelVariances: the measurement variance at each level, up to a common factor.
    public init(geography: Geography, levelVariances: [Level: Double]) {
        self.geography = geography
        let variances = geography.units.map { levelVariances[$0.level] ?? 1 }
        self.variances = variances
        // The estimator is linear: column u of its matrix is its answer to a unit impulse at u.
        let n = geography.units.count
        var v = [Double](repeating: 0, count: n)
        var impulse = [Double](repeating: 0, count: n)
        var columns: [[Double]] = []
        for u in 0..<n {
            impulse[u] = 1
            let column = TreeEstimator.estimate(impulse, geography: geography, variances: variances)
            for i in 0..<n { v[i] += column[i] * column[i] * variances[u] }
            columns.append(column)
            impulse[u] = 0
        }
        self.estimateVariances = v
        self.columns = columns
    }

    /// Σ₀[a, b]: the covariance of two units' estimates, for unit scale.
    public func covariance(_ a: Int, _ b: Int) -> Double {
        var s = 0.0
        for u in columns.indices { s += columns[u][a] * columns[u][b] * variances[u] }
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

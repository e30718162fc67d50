import Foundation
import MosaicCodebook
import Testing

@testable import MosaicErrorModel

/// The tree estimator against the textbook: generalised least squares with a dense matrix solve,
/// on random small trees with unequal variances per unit.
@Suite struct TreeEstimatorGLSTests {
    /// A small deterministic generator (SplitMix64) for shapes and measurements.
    struct Gen {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func double() -> Double { Double(next() >> 11) / Double(1 << 53) }
    }

    /// A random country ▸ regions ▸ provinces tree.
    static func tree(_ g: inout Gen) -> Geography {
        var units = [GeoUnit(level: .country, code: "C", name: "C", parent: nil, children: [], schools: 10)]
        let regions = g.int(1...4)
        var regionIndex: [Int] = []
        for r in 0..<regions {
            units.append(GeoUnit(level: .region, code: "R\(r)", name: "R\(r)", parent: 0, children: [], schools: 10))
            units[0].children.append(units.count - 1)
            regionIndex.append(units.count - 1)
        }
        for r in regionIndex {
            for p in 0..<g.int(1...4) {
                units.append(GeoUnit(level: .province, code: "P\(r)-\(p)", name: "P", parent: r, children: [], schools: 10))
                units[r].children.append(units.count - 1)
            }
        }
        return Geography(units: units)
    }

    /// The Cholesky factor L (A = L Lᵀ) of a symmetric positive definite A.
    static func cholesky(_ a: [[Double]]) -> [[Double]] {
        let n = a.count
        var l = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in 0...i {
                var s = a[i][j]
                for k in 0..<j { s -= l[i][k] * l[j][k] }
                l[i][j] = i == j ? s.squareRoot() : s / l[j][j]
            }
        }
        return l
    }

    /// Solves L Lᵀ x = b.
    static func solve(factor l: [[Double]], _ b: [Double]) -> [Double] {
        let n = b.count
        var y = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var s = b[i]
            for k in 0..<i { s -= l[i][k] * y[k] }
            y[i] = s / l[i][i]
        }
        var x = [Double](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = y[i]
            for k in (i + 1)..<n { s -= l[k][i] * x[k] }
            x[i] = s / l[i][i]
        }
        return x
    }

    /// Solves A x = b for a symmetric positive definite A (Cholesky).
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double] { solve(factor: cholesky(a), b) }

    /// Dense GLS: parameters are the leaves; each unit measures the sum of its leaves with
    /// variance v_u. Returns (estimates of every unit, covariance of every pair of units).
    static func dense(_ geo: Geography, variances v: [Double], y: [Double]) -> (estimates: [Double], covariance: [[Double]]) {
        let leaves = geo.leaves
        let n = geo.units.count
        let p = leaves.count
        // A[u][j] = 1 when leaf j lies under unit u.
        var a = [[Double]](repeating: [Double](repeating: 0, count: p), count: n)
        for (j, leaf) in leaves.enumerated() {
            var u: Int? = leaf
            while let x = u {
                a[x][j] = 1
                u = geo.units[x].parent
            }
        }
        var normal = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        var rhs = [Double](repeating: 0, count: p)
        for u in 0..<n {
            for i in 0..<p where a[u][i] != 0 {
                rhs[i] += y[u] / v[u]
                for j in 0..<p where a[u][j] != 0 { normal[i][j] += 1 / v[u] }
            }
        }
        let beta = solve(normal, rhs)
        let estimates = (0..<n).map { u in (0..<p).reduce(0.0) { $0 + a[u][$1] * beta[$1] } }
        // Cov(β̂) = (AᵀV⁻¹A)⁻¹, column by column; Cov(unit estimates) = A Cov(β̂) Aᵀ.
        var inverse = [[Double]](repeating: [], count: p)
        for j in 0..<p {
            var e = [Double](repeating: 0, count: p)
            e[j] = 1
            inverse[j] = solve(normal, e)
        }
        var cov = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for u in 0..<n {
            for w in 0..<n {
                var s = 0.0
                for i in 0..<p where a[u][i] != 0 { for j in 0..<p where a[w][j] != 0 { s += inverse[i][j] } }
                cov[u][w] = s
            }
        }
        return (estimates, cov)
    }

    @Test(arguments: 1...40) func treeEqualsDenseGLS(seed: Int) {
        var g = Gen(state: UInt64(seed))
        let geo = Self.tree(&g)
        let levelVariances: [Level: Double] = [
            .country: 0.5 + 4 * g.double(), .region: 0.5 + 4 * g.double(), .province: 0.5 + 4 * g.double(),
        ]
        let tree = TreeEstimator(geography: geo, levelVariances: levelVariances)
        let y = geo.units.map { _ in 20 * g.double() - 5 }
        let (estimates, covariance) = Self.dense(geo, variances: tree.variances, y: y)
        let x = tree.estimate(y)
        for u in geo.units.indices {
            #expect(abs(x[u] - estimates[u]) < 1e-9, "seed \(seed), unit \(u): \(x[u]) vs \(estimates[u])")
            #expect(abs(tree.estimateVariances[u] - covariance[u][u]) < 1e-9, "seed \(seed), variance of unit \(u)")
            for w in geo.units.indices { #expect(abs(tree.covariance(u, w) - covariance[u][w]) < 1e-9) }
        }
        // Consistent: every parent equals the sum of its children.
        for (u, unit) in geo.units.enumerated() where !unit.children.isEmpty {
            #expect(abs(x[u] - unit.children.reduce(0.0) { $0 + x[$1] }) < 1e-9)
        }
    }

    /// xᵀΣ₀x by both of its paths (pairwise for few entries, one estimation for many) against the
    /// dense covariance, for random sparse and dense weight vectors.
    @Test(arguments: 1...20) func quadraticFormsEqualTheDenseCovariance(seed: Int) {
        var g = Gen(state: UInt64(1000 + seed))
        let geo = Self.tree(&g)
        let tree = TreeEstimator(geography: geo, levelVariances: [.country: 1 + g.double(), .region: 2 * g.double() + 0.5, .province: 3])
        let (_, covariance) = Self.dense(geo, variances: tree.variances, y: geo.units.map { _ in 0 })
        for take in [1, 2, geo.units.count] {
            var x: [Int: Double] = [:]
            for _ in 0..<take { x[g.int(0...(geo.units.count - 1)), default: 0] += Double(g.int(1...3)) }
            var expected = 0.0
            for (a, xa) in x { for (b, xb) in x { expected += xa * xb * covariance[a][b] } }
            #expect(abs(tree.quadraticForm(x) - expected) < 1e-9 * max(1, expected), "seed \(seed), \(x)")
        }
    }

    /// Nothing of size units² is built (before, 20,000 provinces needed 3.2 GB for the estimator's
    /// matrix): the estimator keeps vectors of the units' length, and quadratic forms over every
    /// province agree with the closed form (the provinces' estimates add up to the country's).
    @Test func aLargeHierarchyIsLinear() {
        var units = [GeoUnit(level: .country, code: "C", name: "C", parent: nil, children: [], schools: 1)]
        for r in 0..<10 {
            units.append(GeoUnit(level: .region, code: "R\(r)", name: "R", parent: 0, children: [], schools: 1))
            units[0].children.append(units.count - 1)
        }
        for p in 0..<20_000 {
            let r = 1 + p % 10
            units.append(GeoUnit(level: .province, code: "P\(p)", name: "P", parent: r, children: [], schools: 1))
            units[r].children.append(units.count - 1)
        }
        let geo = Geography(units: units)
        let tree = TreeEstimator(geography: geo, levelVariances: [.country: 2, .region: 3, .province: 5])
        #expect(tree.estimateVariances.count == geo.units.count)
        // The sum of every province is the country's estimate (the estimates are consistent).
        let provinces = Dictionary(uniqueKeysWithValues: geo.leaves.map { ($0, 1.0) })
        let sum = tree.quadraticForm(provinces)
        #expect(abs(sum - tree.estimateVariances[0]) < 1e-6 * tree.estimateVariances[0])
        // Likewise a region's provinces and the region.
        let region = Dictionary(uniqueKeysWithValues: geo.units[1].children.map { ($0, 1.0) })
        #expect(abs(tree.quadraticForm(region) - tree.estimateVariances[1]) < 1e-6 * tree.estimateVariances[1])
    }

    @Test func marginsAreOneFormula() {
        #expect(Margin.of(variance: 1) == 2.0)
        #expect(Margin.of(variance: 4) == 4.0)
        #expect(Margin.of(variance: 0) == 0)
        #expect(abs(Margin.standardError(Margin.z95) - 1) < 1e-12)
    }
}

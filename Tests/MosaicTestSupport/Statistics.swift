import Foundation
import MosaicSamplers

/// A seeded entropy source (SplitMix64) for reproducible tests. It lives in this test-support
/// target, which only test targets depend on: no production code path can construct it.
public final class SeededEntropy: EntropySource {
    private var state: UInt64
    /// A source for `seed`.
    public init(seed: UInt64) { state = seed }
    /// The next 64 bits.
    public func nextWord() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Upper critical value of the chi-square distribution with `df` degrees of freedom at
/// significance 1e-6 (Wilson-Hilferty approximation; z = 4.753).
public func chiSquareCritical(df: Int) -> Double {
    let k = Double(df)
    let z = 4.753
    let a = 2.0 / (9.0 * k)
    return k * pow(1 - a + z * a.squareRoot(), 3)
}

/// Pearson's chi-square statistic of `samples` against the probability mass function `pmf`
/// (integers), pooling values until each bin expects at least 20; returns (statistic, df).
public func chiSquare(_ samples: [Int64], pmf: (Int64) -> Double, range: ClosedRange<Int64>) -> (Double, Int) {
    let n = Double(samples.count)
    var observed: [Int64: Int] = [:]
    for s in samples { observed[s, default: 0] += 1 }
    var bins: [(expected: Double, observed: Int)] = []
    var accE = 0.0
    var accO = 0
    var x = range.lowerBound
    // Everything below the range is pooled into the first bin, above into the last.
    accO = samples.filter { $0 < range.lowerBound }.count
    accE = 0
    while x <= range.upperBound {
        accE += pmf(x) * n
        accO += observed[x] ?? 0
        if accE >= 20 {
            bins.append((accE, accO))
            accE = 0
            accO = 0
        }
        x += 1
    }
    accO += samples.filter { $0 > range.upperBound }.count
    let tailMass = 1 - bins.reduce(0) { $0 + $1.expected } / n
    accE = max(accE, tailMass * n)
    if accE > 0 || accO > 0 {
        if accE < 20, let last = bins.popLast() {
            bins.append((last.expected + accE, last.observed + accO))
        } else {
            bins.append((accE, accO))
        }
    }
    let stat = bins.reduce(0.0) { $0 + pow(Double($1.observed) - $1.expected, 2) / $1.expected }
    return (stat, bins.count - 1)
}

/// The exact, normalised discrete Gaussian pmf for σ².
public func gaussianPMF(sigma2: Double) -> (Int64) -> Double {
    let bound = Int64((sigma2.squareRoot() * 40).rounded(.up)) + 10
    var z = 0.0
    for x in -bound...bound { z += exp(-Double(x * x) / (2 * sigma2)) }
    return { x in exp(-Double(x * x) / (2 * sigma2)) / z }
}

/// The exact discrete Laplace pmf for scale t.
public func laplacePMF(scale t: Double) -> (Int64) -> Double {
    let c = (exp(1 / t) - 1) / (exp(1 / t) + 1)
    return { x in c * exp(-Double(abs(x)) / t) }
}

/// Mean and variance of a pmf over a symmetric range.
public func moments(_ pmf: (Int64) -> Double, bound: Int64) -> (mean: Double, variance: Double, fourth: Double) {
    var m = 0.0
    var v = 0.0
    var f = 0.0
    for x in -bound...bound {
        let p = pmf(x)
        m += p * Double(x)
        v += p * Double(x * x)
        f += p * pow(Double(x), 4)
    }
    return (m, v - m * m, f)
}

import BigInt
import Foundation
import MosaicTestSupport
import Testing

@testable import MosaicSamplers

/// Statistical tests of the exact samplers: chi-square against the exact pmf with ≥ 100,000
/// draws, mean, variance and symmetry, all at significance about 1e-6 so that they do not flake.
@Suite struct SamplerTests {
    static let draws = 100_000
    static let z = 5.0  // two-sided, about 6e-7

    func checkDistribution(_ samples: [Int64], pmf: @escaping (Int64) -> Double, bound: Int64, label: String) {
        let (stat, df) = chiSquare(samples, pmf: pmf, range: -bound...bound)
        #expect(stat < chiSquareCritical(df: df), "\(label): chi-square \(stat) with \(df) df")
        let exact = moments(pmf, bound: bound * 4)
        let n = Double(samples.count)
        let mean = samples.reduce(0.0) { $0 + Double($1) } / n
        #expect(abs(mean - exact.mean) < Self.z * (exact.variance / n).squareRoot(), "\(label): mean \(mean)")
        let variance = samples.reduce(0.0) { $0 + pow(Double($1) - mean, 2) } / (n - 1)
        let varianceSE = ((exact.fourth - exact.variance * exact.variance) / n).squareRoot()
        #expect(abs(variance - exact.variance) < Self.z * varianceSE, "\(label): variance \(variance) vs \(exact.variance)")
        let positive = samples.filter { $0 > 0 }.count
        let negative = samples.filter { $0 < 0 }.count
        let m = Double(positive + negative)
        #expect(abs(Double(positive) - m / 2) < Self.z * (m / 4).squareRoot(), "\(label): \(positive) positive vs \(negative) negative")
    }

    @Test(arguments: [(1, 4), (1, 1), (5, 2), (4, 1), (100, 1), (12345, 100)] as [(UInt64, UInt64)])
    func discreteGaussianMatchesItsPMF(num: UInt64, den: UInt64) {
        let e = SeededEntropy(seed: num &* 1_000_003 &+ den)
        let g = DiscreteGaussian(sigma2Num: num, sigma2Den: den)
        let samples = (0..<Self.draws).map { _ in g.sample(e) }
        let sigma2 = Double(num) / Double(den)
        checkDistribution(samples, pmf: gaussianPMF(sigma2: sigma2), bound: Int64(sigma2.squareRoot() * 8) + 3, label: "σ²=\(num)/\(den)")
    }

    @Test(arguments: [(1, 2), (1, 1), (3, 2), (10, 1)] as [(UInt64, UInt64)])
    func discreteLaplaceMatchesItsPMF(num: UInt64, den: UInt64) {
        let e = SeededEntropy(seed: num &* 7_919 &+ den)
        let l = DiscreteLaplace(scaleNum: num, scaleDen: den)
        let samples = (0..<Self.draws).map { _ in l.sample(e) }
        let t = Double(num) / Double(den)
        checkDistribution(samples, pmf: laplacePMF(scale: t), bound: Int64(t * 14) + 3, label: "t=\(num)/\(den)")
    }

    /// The checks must be able to fail: samples of σ² = 4 are not accepted as σ² = 4.4, nor
    /// Laplace samples as Gaussian ones of the same variance.
    @Test func theChecksRejectANearbyWrongDistribution() {
        let e = SeededEntropy(seed: 5)
        let g = DiscreteGaussian(sigma2Num: 4)
        let samples = (0..<Self.draws).map { _ in g.sample(e) }
        let (stat, df) = chiSquare(samples, pmf: gaussianPMF(sigma2: 4.4), range: -18...18)
        #expect(stat > chiSquareCritical(df: df))
        let l = DiscreteLaplace(scaleNum: 3, scaleDen: 2)  // variance ≈ 4.4
        let laplace = (0..<Self.draws).map { _ in l.sample(e) }
        let (stat2, df2) = chiSquare(
            laplace, pmf: gaussianPMF(sigma2: moments(laplacePMF(scale: 1.5), bound: 60).variance), range: -18...18)
        #expect(stat2 > chiSquareCritical(df: df2))
    }

    @Test func theOperatingSystemSourceGivesTheSameDistribution() {
        let e = SystemEntropy()
        let g = DiscreteGaussian(sigma2Num: 4)
        checkDistribution((0..<Self.draws).map { _ in g.sample(e) }, pmf: gaussianPMF(sigma2: 4), bound: 18, label: "OS σ=2")
    }

    /// σ² given with a huge denominator overflows 64 bits (128-bit path) or 128 bits (arbitrary
    /// precision); the distribution must not change.
    @Test(arguments: [(UInt64(4) << 40, UInt64(1) << 40), (UInt64(4) << 61, UInt64(1) << 61), (UInt64.max - 2, (UInt64.max - 2) / 9)])
    func wideArithmeticPathsGiveTheSameDistribution(num: UInt64, den: UInt64) {
        let e = SeededEntropy(seed: num ^ den)
        let g = DiscreteGaussian(sigma2Num: num, sigma2Den: den)
        let sigma2 = Double(num) / Double(den)
        let samples = (0..<Self.draws).map { _ in g.sample(e) }
        checkDistribution(samples, pmf: gaussianPMF(sigma2: sigma2), bound: Int64(sigma2.squareRoot() * 8) + 3, label: "σ²=\(num)/\(den)")
    }

    @Test func theWidePathsAreTakenWhereSixtyFourBitsOverflow() {
        let e = SeededEntropy(seed: 1)
        let narrow = DiscreteGaussian(sigma2Num: 4, sigma2Den: 1)
        #expect(narrow.accept64(3, 4, 1, e) != nil)
        let mid = DiscreteGaussian(sigma2Num: UInt64(4) << 40, sigma2Den: UInt64(1) << 40)
        #expect(mid.accept64(3, UInt64(4) << 40, UInt64(1) << 40, e) == nil)
        #expect(mid.accept128(3, UInt64(4) << 40, UInt64(1) << 40, e) != nil)
        let wide = DiscreteGaussian(sigma2Num: UInt64(4) << 61, sigma2Den: UInt64(1) << 61)
        #expect(wide.accept128(3, UInt64(4) << 61, UInt64(1) << 61, e) == nil)
    }

    @Test(arguments: [(1, 2), (1, 1), (3, 2), (5, 1), (0, 1)] as [(UInt64, UInt64)])
    func bernoulliExpHasProbabilityExpMinusGamma(num: UInt64, den: UInt64) {
        let p = exp(-Double(num) / Double(den))
        let n = 200_000
        for width in ["64", "128", "big"] {
            let e = SeededEntropy(seed: num &* 31 &+ den)
            var hits = 0
            for _ in 0..<n {
                let b: Bool
                switch width {
                case "64": b = BernoulliExp.sample(num, den, e)
                case "128": b = BernoulliExp.sample(UInt128(num), UInt128(den), e)
                default: b = BernoulliExp.sample(BigUInt(num), BigUInt(den), e)
                }
                if b { hits += 1 }
            }
            let se = (p * (1 - p) / Double(n)).squareRoot()
            #expect(abs(Double(hits) / Double(n) - p) <= Self.z * se + 1e-12, "γ=\(num)/\(den) on \(width) bits: \(hits)")
        }
    }

    @Test func bernoulliExpContinuesInArbitraryPrecisionWhenTheDenominatorOverflows() {
        // γ = 1/2 written with a denominator near 2^63: den·k overflows 64 bits from k = 2 on.
        let den = UInt64(1) << 63
        let num = UInt64(1) << 62
        let e = SeededEntropy(seed: 9)
        let n = 100_000
        let hits = (0..<n).filter { _ in BernoulliExp.sample(num, den, e) }.count
        let p = exp(-0.5)
        #expect(abs(Double(hits) / Double(n) - p) < Self.z * (p * (1 - p) / Double(n)).squareRoot())
    }

    @Test func uniformDrawsAreUniformOnEveryWidth() {
        let e = SeededEntropy(seed: 3)
        let n = 70_000
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<n { counts[Int(Uniform.below(UInt64(7), e))] += 1 }
        var big = [Int](repeating: 0, count: 7)
        let huge = (BigUInt(1) << 100) * 7
        for _ in 0..<n { big[Int(Uniform.below(huge, e) % 7)] += 1 }
        var wide = [Int](repeating: 0, count: 7)
        let w = (UInt128(1) << 100) * 7
        for _ in 0..<n { wide[Int(Uniform.below(w, e) % 7)] += 1 }
        for c in [counts, big, wide] {
            let stat = c.reduce(0.0) { $0 + pow(Double($1) - 10_000, 2) / 10_000 }
            #expect(stat < chiSquareCritical(df: 6), "\(c)")
        }
        #expect((0..<1000).allSatisfy { _ in Uniform.below(huge, e) < huge })
    }

    @Test func integerSquareRootIsExact() {
        for n: UInt64 in [0, 1, 2, 3, 4, 15, 16, 17, 1 << 62, UInt64.max, 999_999_999_999] {
            let r = integerSquareRoot(n)
            #expect(r.multipliedFullWidth(by: r).high == 0 && r * r <= n)
            let r1 = r + 1
            let sq = r1.multipliedFullWidth(by: r1)
            #expect(sq.high > 0 || sq.low > n)
        }
    }

    @Test func systemEntropyIsNotConstant() {
        let e = SystemEntropy()
        let words = Set((0..<10_000).map { _ in e.nextWord() })
        #expect(words.count == 10_000)
    }
}

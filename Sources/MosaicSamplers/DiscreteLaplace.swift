import BigInt

/// The discrete Laplace distribution on the integers with scale t > 0:
/// P(x) = (e^(1/t) − 1)/(e^(1/t) + 1) · e^(−|x|/t).
///
/// Sampled exactly by Canonne, Kamath and Steinke (2020), Algorithm 2, with the scale a
/// rational `scaleNum/scaleDen` (their t and s), integer arithmetic only, and all randomness
/// from an ``EntropySource``.
///
/// Privacy (stated in `MosaicPrivacy`): adding it to an integer query of L1 sensitivity Δ is
/// ε-DP with ε = Δ/t, and (ε²/2)-zCDP.
public struct DiscreteLaplace: Sendable, Hashable {
    /// The scale t = scaleNum/scaleDen.
    public let scaleNum: UInt64
    /// The denominator of the noise scale.
    public let scaleDen: UInt64

    /// - Precondition: both positive.
    public init(scaleNum: UInt64, scaleDen: UInt64 = 1) {
        precondition(scaleNum > 0 && scaleDen > 0, "the scale must be positive")
        self.scaleNum = scaleNum
        self.scaleDen = scaleDen
    }

    /// One draw.
    @inlinable
    public func sample<E: EntropySource>(_ e: E) -> Int64 {
        DiscreteLaplace.sample(t: scaleNum, s: scaleDen, e)
    }

    /// A draw from the discrete Laplace with scale t/s.
    @inlinable
    public static func sample<T: SamplerInteger, E: EntropySource>(t: T, s: T, _ e: E) -> Int64 {
        while true {
            let u = T.uniform(below: t, e)
            if !BernoulliExp.sample(u, t, e) { continue }
            var v: T = 0
            while BernoulliExp.sample(T(1), T(1), e) { v += 1 }
            // X = U + t·V, Y = ⌊X/s⌋, in arbitrary precision if the width overflows.
            let (tv, o1) = t.times(v)
            let (x, o2) = o1 ? (T(0), true) : tv.plus(u)
            let y: UInt64? = (o1 || o2) ? UInt64(exactly: (u.big + t.big * v.big) / s.big) : UInt64(exactly: x / s)
            guard let y, let magnitude = Int64(exactly: y) else { preconditionFailure("discrete Laplace draw beyond 64 bits") }
            let negative = Uniform.coin(e)
            if negative && magnitude == 0 { continue }
            return negative ? -magnitude : magnitude
        }
    }
}

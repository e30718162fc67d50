import BigInt

/// The discrete Gaussian distribution on the integers with scale parameter σ:
/// P(x) ∝ exp(−x²/(2σ²)).
///
/// Sampled exactly by Canonne, Kamath and Steinke (2020), Algorithm 3, with σ² a rational
/// `sigma2Num/sigma2Den`: with t = ⌊σ⌋ + 1, draw Y from the discrete Laplace with scale t and
/// accept it with probability exp(−(|Y| − σ²/t)²/(2σ²)). Integer arithmetic only: the
/// acceptance exponent is the rational (|Y|·t·d − n)² / (2·n·d·t²) for σ² = n/d, computed in
/// 64 bits when it fits, else in 128 bits, else in arbitrary precision.
///
/// Privacy (stated in `MosaicPrivacy`): adding it to an integer query of L2 sensitivity Δ is
/// ρ-zCDP with ρ = Δ²/(2σ²).
public struct DiscreteGaussian: Sendable, Hashable {
    /// σ² = sigma2Num/sigma2Den.
    public let sigma2Num: UInt64
    /// The denominator of σ², exactly.
    public let sigma2Den: UInt64
    /// t = ⌊σ⌋ + 1, the scale of the discrete Laplace proposal.
    public let t: UInt64

    /// - Precondition: both positive.
    public init(sigma2Num: UInt64, sigma2Den: UInt64 = 1) {
        precondition(sigma2Num > 0 && sigma2Den > 0, "σ² must be positive")
        self.sigma2Num = sigma2Num
        self.sigma2Den = sigma2Den
        // ⌊√(n/d)⌋ = ⌊√⌊n/d⌋⌋
        self.t = integerSquareRoot(sigma2Num / sigma2Den) + 1
    }

    /// One draw.
    @inlinable
    public func sample<E: EntropySource>(_ e: E) -> Int64 {
        let n = sigma2Num
        let d = sigma2Den
        while true {
            let y = DiscreteLaplace.sample(t: t, s: UInt64(1), e)
            let magnitude = y.magnitude
            if accept64(magnitude, n, d, e) ?? accept128(magnitude, n, d, e) ?? acceptBig(magnitude, n, d, e) { return y }
        }
    }

    /// The acceptance draw on 64 bits, or nil when a product overflows.
    @inlinable
    func accept64<E: EntropySource>(_ y: UInt64, _ n: UInt64, _ d: UInt64, _ e: E) -> Bool? {
        let (ytd, o1) = y.times(t)
        guard !o1 else { return nil }
        let (a, o2) = ytd.times(d)
        guard !o2 else { return nil }
        let diff = a >= n ? a - n : n - a
        let (num, o3) = diff.times(diff)
        let (nd, o4) = n.times(d)
        let (tt, o5) = t.times(t)
        guard !o3, !o4, !o5 else { return nil }
        let (nd2, o6) = nd.times(2)
        guard !o6 else { return nil }
        let (den, o7) = nd2.times(tt)
        guard !o7 else { return nil }
        return BernoulliExp.sample(num, den, e)
    }

    /// The acceptance draw on 128 bits, or nil when a product overflows.
    @inlinable
    func accept128<E: EntropySource>(_ y: UInt64, _ n: UInt64, _ d: UInt64, _ e: E) -> Bool? {
        let y = UInt128(y)
        let t = UInt128(t)
        let n = UInt128(n)
        let d = UInt128(d)
        // Products of two 64-bit values always fit in 128 bits; the others are checked.
        let (ytd, o1) = (y * t).times(d)
        let diff = ytd >= n ? ytd - n : n - ytd
        let (num, o2) = diff.times(diff)
        let (nd2, o3) = (n * d).times(2)
        let (den, o4) = nd2.times(t * t)
        guard !o1, !o2, !o3, !o4 else { return nil }
        return BernoulliExp.sample(num, den, e)
    }

    /// The acceptance draw in arbitrary precision.
    @usableFromInline
    func acceptBig<E: EntropySource>(_ y: UInt64, _ n: UInt64, _ d: UInt64, _ e: E) -> Bool {
        let y = BigUInt(y)
        let t = BigUInt(t)
        let n = BigUInt(n)
        let d = BigUInt(d)
        let a = y * t * d
        let diff = a >= n ? a - n : n - a
        return BernoulliExp.sample(diff * diff, 2 * n * d * t * t, e)
    }
}

import BigInt

/// Bernoulli(exp(−γ)) for a rational γ = num/den ≥ 0, exactly.
///
/// Canonne, Kamath and Steinke (2020), "The Discrete Gaussian for Differential Privacy",
/// Algorithm 1. For γ ≤ 1: draw A_k ~ Bernoulli(γ/k) for k = 1, 2, … until the first A_k = 0;
/// return 1 when that k is odd. The probability that the loop stops at k is
/// γ^(k−1)/(k−1)! − γ^k/k!, so P(k odd) = Σ (−γ)^j / j! = exp(−γ). For γ > 1, exp(−γ) =
/// exp(−1)^⌊γ⌋ · exp(−(γ − ⌊γ⌋)): ⌊γ⌋ independent draws with γ = 1, then one with the
/// fractional part, returning 0 at the first 0.
///
/// Only integer arithmetic; when a product would overflow the current width, the draw
/// continues in arbitrary precision with the same state, so the distribution is unchanged.
public enum BernoulliExp {
    /// True with probability exp(−num/den). `den > 0`.
    @inlinable
    public static func sample<T: SamplerInteger, E: EntropySource>(_ num: T, _ den: T, _ e: E) -> Bool {
        precondition(den > 0, "den must be positive")
        if num <= den { return atMostOne(num, den, e) }
        var whole = num / den
        while whole > 0 {
            if !atMostOne(T(1), T(1), e) { return false }
            whole -= 1
        }
        return atMostOne(num % den, den, e)
    }

    /// exp(−num/den) for num ≤ den.
    @inlinable
    static func atMostOne<T: SamplerInteger, E: EntropySource>(_ num: T, _ den: T, _ e: E) -> Bool {
        if num == 0 { return true }
        var k: T = 1
        while true {
            let (dk, overflow) = den.times(k)
            if overflow { return atMostOneBig(num.big, den.big, k.big, e) }
            // P(A = 1) = γ/k = num / (den·k); certain when num ≥ den·k (γ = 1, k = 1).
            if num < dk, T.uniform(below: dk, e) >= num { break }
            k += 1
        }
        return k & 1 == 1
    }

    @usableFromInline
    static func atMostOneBig<E: EntropySource>(_ num: BigUInt, _ den: BigUInt, _ start: BigUInt, _ e: E) -> Bool {
        var k = start
        while Uniform.below(den * k, e) < num { k += 1 }
        return k & 1 == 1
    }
}

import BigInt

/// Exact uniform and Bernoulli draws, the building blocks of the noise samplers.
///
/// Every function takes its randomness from an ``EntropySource`` and uses integer arithmetic
/// only. Generic functions work on `UInt64` (the fast path), `UInt128` and `BigUInt`.
public enum Uniform {
    /// A uniform draw from `0..<n` (`n > 0`), by Lemire's nearly divisionless method.
    @inlinable
    public static func below<E: EntropySource>(_ n: UInt64, _ e: E) -> UInt64 {
        precondition(n > 0)
        if n == 1 { return 0 }
        if n <= UInt64(UInt32.max) { return UInt64(below32(UInt32(n), e)) }
        var m = e.nextWord().multipliedFullWidth(by: n)
        if m.low < n {
            let threshold = (0 &- n) % n
            while m.low < threshold { m = e.nextWord().multipliedFullWidth(by: n) }
        }
        return m.high
    }

    /// A uniform draw from `0..<n` (`0 < n < 2^32`) from 32 random bits, by Lemire's method.
    @inlinable
    static func below32<E: EntropySource>(_ n: UInt32, _ e: E) -> UInt32 {
        var m = UInt64(e.nextHalfWord()) &* UInt64(n)
        if UInt32(truncatingIfNeeded: m) < n {
            let threshold = (0 &- n) % n
            while UInt32(truncatingIfNeeded: m) < threshold { m = UInt64(e.nextHalfWord()) &* UInt64(n) }
        }
        return UInt32(truncatingIfNeeded: m >> 32)
    }

    /// A uniform draw from `0..<n` (`n > 0`) on 128 bits, by masked rejection.
    @inlinable
    public static func below<E: EntropySource>(_ n: UInt128, _ e: E) -> UInt128 {
        precondition(n > 0)
        if n <= UInt128(UInt64.max) { return UInt128(below(UInt64(n), e)) }
        let bits = 128 - (n - 1).leadingZeroBitCount
        let mask: UInt128 = bits == 128 ? .max : (UInt128(1) << bits) - 1
        while true {
            let x = ((UInt128(e.nextWord()) << 64) | UInt128(e.nextWord())) & mask
            if x < n { return x }
        }
    }

    /// A uniform draw from `0..<n` (`n > 0`) in arbitrary precision, by masked rejection.
    public static func below<E: EntropySource>(_ n: BigUInt, _ e: E) -> BigUInt {
        precondition(n > 0)
        if n.bitWidth <= 64, let small = UInt64(exactly: n) { return BigUInt(below(small, e)) }
        let bits = (n - 1).bitWidth
        let words = (bits + 63) / 64
        let topBits = bits - (words - 1) * 64
        let topMask: UInt64 = topBits == 64 ? .max : (UInt64(1) << topBits) - 1
        while true {
            var w = (0..<words).map { _ in e.nextWord() }
            w[words - 1] &= topMask
            let x = BigUInt(words: w.map { UInt($0) })
            if x < n { return x }
        }
    }

    /// True with probability `num / den` (`den > 0`, `num <= den`).
    @inlinable
    public static func bernoulli<E: EntropySource>(_ num: UInt64, _ den: UInt64, _ e: E) -> Bool {
        if num == 0 { return false }
        if num >= den { return true }
        return below(den, e) < num
    }

    /// True with probability `num / den` on 128 bits.
    @inlinable
    public static func bernoulli<E: EntropySource>(_ num: UInt128, _ den: UInt128, _ e: E) -> Bool {
        below(den, e) < num
    }

    /// True with probability `num / den` in arbitrary precision.
    public static func bernoulli<E: EntropySource>(_ num: BigUInt, _ den: BigUInt, _ e: E) -> Bool {
        below(den, e) < num
    }

    /// A fair coin.
    @inlinable
    public static func coin<E: EntropySource>(_ e: E) -> Bool { e.nextBit() }
}

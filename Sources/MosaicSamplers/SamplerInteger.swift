import BigInt

/// The unsigned integer types the samplers compute in: `UInt64` (the fast path), `UInt128`
/// (when 64 bits would overflow) and `BigUInt` (arbitrary precision, never overflows).
public protocol SamplerInteger: UnsignedInteger, Sendable {
    /// A uniform draw from `0..<n`.
    static func uniform<E: EntropySource>(below n: Self, _ e: E) -> Self
    /// The product, and whether it overflowed (then the product is meaningless).
    func times(_ other: Self) -> (Self, overflow: Bool)
    /// The sum, and whether it overflowed.
    func plus(_ other: Self) -> (Self, overflow: Bool)
    /// The value in arbitrary precision.
    var big: BigUInt { get }
}

extension UInt64: SamplerInteger {
    /// A uniform draw from 0 to n − 1.
    @inlinable public static func uniform<E: EntropySource>(below n: UInt64, _ e: E) -> UInt64 { Uniform.below(n, e) }
    /// The product, and whether it overflowed.
    @inlinable public func times(_ other: UInt64) -> (UInt64, overflow: Bool) {
        let r = multipliedReportingOverflow(by: other)
        return (r.partialValue, r.overflow)
    }
    /// The sum, and whether it overflowed.
    @inlinable public func plus(_ other: UInt64) -> (UInt64, overflow: Bool) {
        let r = addingReportingOverflow(other)
        return (r.partialValue, r.overflow)
    }
    /// The value as an arbitrary-precision integer.
    public var big: BigUInt { BigUInt(self) }
}

extension UInt128: SamplerInteger {
    /// A uniform draw from 0 to n − 1.
    @inlinable public static func uniform<E: EntropySource>(below n: UInt128, _ e: E) -> UInt128 { Uniform.below(n, e) }
    /// The product, and whether it overflowed.
    @inlinable public func times(_ other: UInt128) -> (UInt128, overflow: Bool) {
        let r = multipliedReportingOverflow(by: other)
        return (r.partialValue, r.overflow)
    }
    /// The sum, and whether it overflowed.
    @inlinable public func plus(_ other: UInt128) -> (UInt128, overflow: Bool) {
        let r = addingReportingOverflow(other)
        return (r.partialValue, r.overflow)
    }
    /// The value as an arbitrary-precision integer.
    public var big: BigUInt { (BigUInt(UInt64(truncatingIfNeeded: self >> 64)) << 64) | BigUInt(UInt64(truncatingIfNeeded: self)) }
}

extension BigUInt: SamplerInteger {
    /// A uniform draw from 0 to n − 1.
    public static func uniform<E: EntropySource>(below n: BigUInt, _ e: E) -> BigUInt { Uniform.below(n, e) }
    /// The product (never overflows).
    public func times(_ other: BigUInt) -> (BigUInt, overflow: Bool) { (self * other, false) }
    /// The sum (never overflows).
    public func plus(_ other: BigUInt) -> (BigUInt, overflow: Bool) { (self + other, false) }
    /// The value as an arbitrary-precision integer.
    public var big: BigUInt { self }
}

/// The integer square root: the largest `r` with `r * r <= n` (Newton's method, integers only).
@inlinable
public func integerSquareRoot(_ n: UInt64) -> UInt64 {
    if n < 2 { return n }
    // Start above the root (2^⌈bits/2⌉ ≥ √n) and descend; every step stays within 64 bits.
    let bits = 64 - n.leadingZeroBitCount
    var x = UInt64(1) << ((bits + 1) / 2)
    while true {
        let y = (x + n / x) / 2
        if y >= x { break }
        x = y
    }
    return x
}

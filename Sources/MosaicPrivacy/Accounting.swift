import Foundation

/// A privacy budget in zero-concentrated differential privacy (ρ-zCDP), held as an exact whole
/// number of nano-ρ (ρ × 10⁹) so that sums and comparisons with a cap are exact.
///
/// Conversions from a real number round up: a budget is never understated.
public struct Rho: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// ρ × 10⁹.
    public let nano: UInt64

    /// Nano-units per unit of ρ (10⁹).
    public static let scale: UInt64 = 1_000_000_000

    /// ρ from nano-units (ρ × 10⁹).
    public init(nano: UInt64) { self.nano = nano }

    /// ρ from a decimal text such as `0.5` or `2`, exactly (up to 9 decimals), or nil.
    public init?(_ text: String) {
        guard !text.isEmpty, text != "." else { return nil }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = UInt64(parts[0].isEmpty ? "0" : parts[0]) else { return nil }
        var frac: UInt64 = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy(\.isASCII), let f = UInt64(digits) else { return nil }
            frac = f * UInt64(pow(10, Double(9 - digits.count)))
        }
        let (w, o) = whole.multipliedReportingOverflow(by: Rho.scale)
        guard !o, whole < 1_000_000 else { return nil }
        nano = w + frac
    }

    /// ρ as a real number (for display and conversions only).
    public var value: Double { Double(nano) / Double(Rho.scale) }

    /// The sum of two budgets (composition).
    public static func + (a: Rho, b: Rho) -> Rho { Rho(nano: a.nano + b.nano) }
    /// What is left of `a` after `b` (never below zero).
    public static func - (a: Rho, b: Rho) -> Rho { Rho(nano: a.nano >= b.nano ? a.nano - b.nano : 0) }
    /// Smaller budgets come first.
    public static func < (a: Rho, b: Rho) -> Bool { a.nano < b.nano }
    /// The value zero.
    public static let zero = Rho(nano: 0)

    /// Up to 9 decimals, trailing zeros removed: `0.5`, `1`, `0.333333334`.
    public var description: String {
        let whole = nano / Rho.scale
        let frac = nano % Rho.scale
        if frac == 0 { return "\(whole)" }
        var f = String(frac)
        f = String(repeating: "0", count: 9 - f.count) + f
        while f.hasSuffix("0") { f.removeLast() }
        return "\(whole).\(f)"
    }
}

/// Privacy maps and conversions.
///
/// - Discrete Gaussian noise with variance parameter σ² on a query of L2 sensitivity Δ is
///   ρ-zCDP with ρ = Δ²/(2σ²) (Canonne, Kamath, Steinke 2020, Theorem 14).
/// - Discrete Laplace noise with scale t on a query of L1 sensitivity Δ is ε-DP with ε = Δ/t,
///   and therefore (ε²/2)-zCDP (Bun, Steinke 2016, Proposition 1.4).
/// - zCDP composes by addition (Bun, Steinke 2016, Lemma 2.3).
/// - ρ-zCDP implies (ε, δ)-DP for ε = inf over α > 1 of
///   αρ + [α·ln(1 − 1/α) − ln(α − 1) − ln δ]/(α − 1) (Canonne, Kamath, Steinke 2020,
///   Corollary 13), which is tighter than the classical ρ + 2√(ρ ln(1/δ)).
public enum Accounting {
    /// ρ of the discrete Gaussian mechanism, rounded up to a whole nano-ρ:
    /// Δ²/(2σ²) with σ² = sigma2Num/sigma2Den, exactly in integers.
    public static func gaussianRho(sensitivitySquared: UInt64, sigma2Num: UInt64, sigma2Den: UInt64) -> Rho {
        // ρ·10⁹ = Δ²·d·10⁹ / (2n), rounded up.
        let num = UInt128(sensitivitySquared) * UInt128(sigma2Den) * UInt128(Rho.scale)
        let den = 2 * UInt128(sigma2Num)
        return Rho(nano: UInt64((num + den - 1) / den))
    }

    /// ε of the discrete Laplace mechanism: Δ/t.
    public static func laplaceEpsilon(sensitivity: Double, scale: Double) -> Double { sensitivity / scale }

    /// The zCDP that an ε-DP mechanism satisfies: ε²/2.
    public static func rho(ofPureEpsilon epsilon: Double) -> Double { epsilon * epsilon / 2 }

    /// ε for people to read: three decimals, rounded up (a stated privacy loss is never
    /// understated; 7.766217 reads 7.767).
    public static func formatEpsilon(_ epsilon: Double) -> String {
        let thousandths = (epsilon * 1000 - 1e-9).rounded(.up)
        return String(format: "%.3f", thousandths > 0 ? thousandths / 1000 : 0)
    }

    /// The smallest ε for which ρ-zCDP implies (ε, δ)-DP, by the CKS bound, rounded up in the
    /// sixth decimal (never understated).
    public static func epsilon(rho: Double, delta: Double) -> Double {
        precondition(delta > 0 && delta < 1)
        if rho <= 0 { return 0 }
        func eps(_ a: Double) -> Double {
            a * rho + (a * log1p(-1 / a) - log(a - 1) - log(delta)) / (a - 1)
        }
        // The function is convex in α on (1, ∞): a log grid, then golden-section refinement.
        var best = Double.infinity
        var bestA = 2.0
        var a = 1.0 + 1e-6
        while a < 1e7 {
            let v = eps(a)
            if v < best {
                best = v
                bestA = a
            }
            a *= 1.05
        }
        var lo = max(1 + 1e-9, bestA / 1.05)
        var hi = bestA * 1.05
        let g = (5.0.squareRoot() - 1) / 2
        for _ in 0..<200 {
            let m1 = hi - g * (hi - lo)
            let m2 = lo + g * (hi - lo)
            if eps(m1) < eps(m2) { hi = m2 } else { lo = m1 }
        }
        best = min(best, eps((lo + hi) / 2))
        let classical = rho + 2 * (rho * log(1 / delta)).squareRoot()
        return (min(best, classical) * 1e6).rounded(.up) / 1e6
    }
}

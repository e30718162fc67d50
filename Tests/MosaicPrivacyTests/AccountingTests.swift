import Foundation
import Testing

@testable import MosaicPrivacy

@Suite struct AccountingTests {
    @Test func rhoOneDeltaOneInAMillionIsAboutEpsilonSevenPointSevenSixSix() {
        let e = Accounting.epsilon(rho: 1, delta: 1e-6)
        #expect(abs(e - 7.766) < 0.001, "ε = \(e)")
    }

    @Test func theCKSBoundIsTighterThanTheClassicalOne() {
        for rho in [0.01, 0.1, 0.5, 1, 2, 10] {
            let classical =
                rho + 2
                * (rho * log(1e6))
                .squareRoot()
            #expect(Accounting.epsilon(rho: rho, delta: 1e-6) <= classical)
        }
    }

    @Test func epsilonGrowsWithRhoAndShrinksWithDelta() {
        #expect(Accounting.epsilon(rho: 0.5, delta: 1e-6) < Accounting.epsilon(rho: 1, delta: 1e-6))
        #expect(Accounting.epsilon(rho: 1, delta: 1e-5) < Accounting.epsilon(rho: 1, delta: 1e-6))
        #expect(Accounting.epsilon(rho: 0, delta: 1e-6) == 0)
    }

    @Test func gaussianRhoIsExactAndRoundsUp() {
        // Δ² = 1, σ² = 1/2: ρ = 1.
        #expect(Accounting.gaussianRho(sensitivitySquared: 1, sigma2Num: 1, sigma2Den: 2) == Rho(nano: 1_000_000_000))
        // Δ² = 7, σ² = 3: ρ = 7/6 = 1.1666…67 (rounded up).
        #expect(Accounting.gaussianRho(sensitivitySquared: 7, sigma2Num: 3, sigma2Den: 1) == Rho(nano: 1_166_666_667))
        // Huge σ² gives a tiny but non-zero ρ.
        #expect(Accounting.gaussianRho(sensitivitySquared: 1, sigma2Num: UInt64.max, sigma2Den: 1).nano == 1)
    }

    @Test(
        arguments: [
            ("0.5", 500_000_000), ("1", 1_000_000_000), ("2.25", 2_250_000_000), (".1", 100_000_000),
            ("0.000000001", 1),
        ] as [(String, UInt64)])
    func rhoParsesDecimalsExactly(text: String, nano: UInt64) {
        #expect(Rho(text)?.nano == nano)
    }

    @Test(arguments: ["", "-1", "1e3", "0.0000000001", "abc", "1.2.3", "1,5", "2000000"])
    func rhoRefusesMalformedText(text: String) {
        #expect(Rho(text) == nil)
    }

    @Test func rhoPrintsWithoutTrailingZeros() {
        #expect(Rho("0.50")!.description == "0.5")
        #expect(Rho("3")!.description == "3")
        #expect((Rho("0.1")! + Rho("0.2")!).description == "0.3")
        #expect((Rho("0.1")! - Rho("0.2")!) == .zero)
    }

    @Test func pureEpsilonConvertsToRho() {
        #expect(Accounting.rho(ofPureEpsilon: 1) == 0.5)
        #expect(Accounting.laplaceEpsilon(sensitivity: 2, scale: 4) == 0.5)
    }

    @Test func epsilonIsStatedRoundedUp() {
        #expect(Accounting.formatEpsilon(7.766217) == "7.767")
        #expect(Accounting.formatEpsilon(7.7661) == "7.767")
        #expect(Accounting.formatEpsilon(2.0) == "2.000")
        #expect(Accounting.formatEpsilon(0) == "0.000")
        #expect(Accounting.formatEpsilon(Accounting.epsilon(rho: 1, delta: 1e-6)) == "7.767")
    }
}

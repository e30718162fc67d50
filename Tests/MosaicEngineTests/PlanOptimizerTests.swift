import Foundation
import MosaicCodebook
import MosaicErrorModel
import MosaicPrivacy
import Testing

@testable import MosaicEngine

/// The optimised budget split: never worse than the standard one, better than any random
/// alternative, and spending exactly the ρ asked for.
@Suite struct PlanOptimizerTests {
    let codebook = try! Codebook.bundled()

    func setup() throws -> (PlanOptimizer, ReleasePlan) {
        let f = try ReleaseFixture(schools: 400)
        let optimizer = PlanOptimizer(codebook: codebook, geography: Geography(schools: f.country.schools))
        return (optimizer, ReleasePlan.defaults(codebook: codebook, rho: Rho("1")!))
    }

    @Test func theOptimumIsNoWorseThanTheStandardSplitAndSpendsExactlyRho() throws {
        let (optimizer, base) = try setup()
        let r = optimizer.optimize(base: base)
        #expect(r.objective <= r.defaultObjective)
        #expect(abs(r.defaultObjective - 27) < 1e-9, "the standard plan scores the weights' sum: 6 groups + 2 + 1, per level")
        #expect(r.plan.tableWeights.values.reduce(0, +) == 100 && r.plan.levelWeights.values.reduce(0, +) == 100)
        #expect(r.plan.spent(codebook: codebook) == Rho("1")!)
        for rho in ["0.5", "2", "0.25"] {
            var p = r.plan
            p.rho = Rho(rho)!
            #expect(p.spent(codebook: codebook) == Rho(rho)!, "exact at ρ = \(rho)")
        }
    }

    @Test func theOptimumBeatsRandomSplits() throws {
        let (optimizer, base) = try setup()
        let r = optimizer.optimize(base: base)
        let reference = optimizer.tableVariances(base)
        var g = SystemRandomNumberGenerator()
        let tables = codebook.tables.map(\.name) + [ReleasePlan.totalName]
        for _ in 0..<40 {
            var tw: [String: UInt64] = [:]
            for t in tables { tw[t] = UInt64.random(in: 1...40, using: &g) }
            var lw: [Level: UInt64] = [:]
            for l in Level.allCases { lw[l] = UInt64.random(in: 1...40, using: &g) }
            let p = ReleasePlan(rho: base.rho, tableWeights: tw, levelWeights: lw, k: 5, minimumSchools: 5)
            // Rounding the optimum to whole weights out of 100 costs at most a fraction of a percent.
            #expect(optimizer.objective(p, reference: reference) >= r.objective * 0.995, "\(tw) \(lw)")
        }
    }

    @Test func wholeWeightsKeepTheirSumAndAreNeverZero() {
        #expect(PlanOptimizer.weights([0.5, 0.3, 0.2], total: 100) == [50, 30, 20])
        #expect(PlanOptimizer.weights([1e-9, 1, 1], total: 100).first == 1)
        #expect(PlanOptimizer.weights([0.3333, 0.3333, 0.3334], total: 100).reduce(0, +) == 100)
    }

    @Test func aMoreImportantTableGetsMoreOfTheBudget() throws {
        var (optimizer, base) = try setup()
        let plain = optimizer.optimize(base: base).plan
        optimizer.tableImportance["channels"] = 10
        let channels = optimizer.optimize(base: base).plan
        #expect(channels.tableWeights["channels"]! > plain.tableWeights["channels"]!)
        base.rho = Rho("1")!
    }

    /// The breakdowns' share: the closed-form G* minimises the workload objective computed
    /// directly (every group's mean variance from the engine, relative to the base plan's), so
    /// moving G either way makes it worse; and the plan still spends exactly ρ.
    @Test func theBreakdownsShareMinimisesTheObjective() throws {
        let f = try ReleaseFixture(schools: 300)
        let geography = Geography(schools: f.country.schools)
        let optimizer = PlanOptimizer(codebook: codebook, geography: geography)
        var base = ReleasePlan.defaults(codebook: codebook, rho: Rho("1")!)
        base.addDefaultDomains(codebook: codebook)
        let domains = Domains(
            schools: f.country.schools, geography: geography, dimensions: base.domainDimensions, tables: base.domainTables)
        let reference = optimizer.groupVariances(base, domains: domains)
        #expect(reference.count == 18 + 6)  // 6 tables (the total too) × 3 levels; 2 dimensions × (total × 2 levels + incidents)
        func objective(_ plan: ReleasePlan) -> Double { optimizer.objective(plan, domains: domains, reference: reference) }
        let (chosen, gStar) = optimizer.optimizeDomainShare(base, domains: domains)
        let g = try #require(gStar)
        #expect(g > 0.2 && g < 50)
        #expect(chosen.spent(codebook: codebook) == Rho("1")!)
        let best = objective(chosen)
        for factor in [0.6, 0.8, 1.25, 1.6] {
            var other = chosen
            other.geographyWeight = UInt64(max(1, (Double(chosen.geographyWeight) * factor).rounded()))
            #expect(objective(other) > best, "G × \(factor)")
        }
        #expect(best <= objective(base) + 1e-9)
    }
}

import Foundation
import MosaicCodebook
import MosaicErrorModel
import MosaicPrivacy
import MosaicRegistry
import MosaicSynth
import MosaicTestSupport
import Testing

@testable import MosaicEngine

/// A synthetic country and one quarter of its submissions, without a store: the engine's input.
struct ReleaseFixture {
    let country: SyntheticCountry
    let period = Period("2026-Q3")!
    let codebook = try! Codebook.bundled()

    init(schools: Int = 400) throws {
        var config = SynthConfig()
        config.schools = schools
        config.periods = [Period("2026-Q2")!, period]
        country = try SyntheticCountry(config: config, codebook: codebook)
    }
}

@Suite struct EngineTests {
    static let codebook = try! Codebook.bundled()

    static func engine(rho: String = "1", schools: Int = 400) throws -> (ReleaseEngine, TrueCounts) {
        let f = try ReleaseFixture(schools: schools)
        let geography = Geography(schools: f.country.schools)
        var byProvince: [String: [Int]] = [:]
        let province = Dictionary(uniqueKeysWithValues: f.country.schools.map { ($0.id, $0.provinceCode) })
        for s in f.country.submissions(for: f.period) {
            var v = byProvince[province[s.schoolID]!] ?? [Int](repeating: 0, count: codebook.allCells.count)
            for i in v.indices { v[i] += s.counts[i] }
            byProvince[province[s.schoolID]!] = v
        }
        let plan = ReleasePlan.defaults(codebook: codebook, rho: Rho(rho)!)
        return (ReleaseEngine(codebook: codebook, geography: geography, plan: plan), TrueCounts(byProvince: byProvince))
    }

    @Test func theBudgetSplitAddsUpToTheRequestedRho() {
        for rho in ["0.1", "0.5", "1", "2.5", "7"] {
            let plan = ReleasePlan.defaults(codebook: Self.codebook, rho: Rho(rho)!)
            let spent = plan.spent(codebook: Self.codebook)
            // Each group is rounded up to a whole nano-ρ: at most one nano-ρ per group above.
            #expect(spent >= Rho(rho)! && spent.nano - Rho(rho)!.nano <= UInt64(plan.groups(codebook: Self.codebook).count))
        }
        let groups = ReleasePlan.defaults(codebook: Self.codebook, rho: Rho("1")!).groups(codebook: Self.codebook)
        #expect(groups.count == 6 * 3)
        #expect(groups.first { $0.table == "responses" }!.sensitivitySquared == 7)
        #expect(groups.first { $0.table == "incidents" }!.sensitivitySquared == 1)
    }

    @Test func childrenSumToParentsAndCellsToTotalsInEveryRelease() throws {
        let (engine, truth) = try Self.engine()
        let e = SeededEntropy(seed: 11)
        let units = engine.geography.units
        for rho in ["0.1", "1"] {
            let eng = ReleaseEngine(
                codebook: Self.codebook, geography: engine.geography, plan: ReleasePlan.defaults(codebook: Self.codebook, rho: Rho(rho)!))
            for _ in 0..<5 {
                let est = eng.estimate(eng.measure(truth, entropy: e))
                for (i, u) in units.enumerated() {
                    #expect(est.integerTotals[i] >= 0)
                    #expect(est.integerCells[i].allSatisfy { $0 >= 0 })
                    for name in Self.codebook.rules.equalTotals {
                        #expect(Self.codebook.total(of: name, in: est.integerCells[i]) == est.integerTotals[i], "\(name) at \(u.code)")
                    }
                    for j in Self.codebook.tableRanges[Self.codebook.tableIndex("responses")!] {
                        #expect(est.integerCells[i][j] <= est.integerTotals[i])
                    }
                    guard !u.children.isEmpty else { continue }
                    #expect(u.children.reduce(0) { $0 + est.integerTotals[$1] } == est.integerTotals[i])
                    for j in 0..<Self.codebook.allCells.count {
                        #expect(u.children.reduce(0) { $0 + est.integerCells[$1][j] } == est.integerCells[i][j])
                        #expect(abs(u.children.reduce(0.0) { $0 + est.cells[$1][j] } - est.cells[i][j]) < 1e-6)
                    }
                }
            }
        }
    }

    @Test func withoutNoiseTheEstimatesAreTheTruth() throws {
        let (engine, truth) = try Self.engine()
        let values = engine.aggregate(truth)
        let totals = values.map { Int64(Self.codebook.total(of: "incidents", in: $0)) }
        let exact = Measurements(cells: values.map { $0.map(Int64.init) }, totals: totals)
        let est = engine.estimate(exact)
        #expect(est.integerCells == values)
        #expect(est.integerTotals == totals.map(Int.init))
    }

    @Test func marginsDependOnPublicParametersOnly() throws {
        let (engine, truth) = try Self.engine()
        var other = truth
        for k in other.byProvince.keys { other.byProvince[k] = other.byProvince[k]!.map { $0 * 3 + 1 } }
        let a = engine.estimate(engine.measure(truth, entropy: SeededEntropy(seed: 1)))
        let b = engine.estimate(engine.measure(other, entropy: SeededEntropy(seed: 2)))
        #expect(a.cellVariances == b.cellVariances)
        #expect(a.totalVariances == b.totalVariances)
    }

    @Test func theConsistentReleaseIsMoreAccurateThanEachLevelAlone() throws {
        let (engine, truth) = try Self.engine()
        let values = engine.aggregate(truth)
        let e = SeededEntropy(seed: 3)
        var consistent = [Level: Double]()
        var independent = [Level: Double]()
        for _ in 0..<30 {
            let m = engine.measure(truth, entropy: e)
            let est = engine.estimate(m)
            for (i, u) in engine.geography.units.enumerated() {
                for j in 0..<Self.codebook.allCells.count {
                    consistent[u.level, default: 0] += abs(Double(est.integerCells[i][j] - values[i][j]))
                    independent[u.level, default: 0] += abs(Double(max(0, m.cells[i][j])) - Double(values[i][j]))
                }
            }
        }
        for level in Level.allCases { #expect(consistent[level]! < independent[level]!, "\(level)") }
    }

    /// Two countries whose releases publish the same rows but hide different values: a
    /// `responses` cell is 2 in one province and 3 in a sibling, or the other way round (both
    /// withheld at k = 5, each protecting the other; their region shows 5 either way).
    /// Measured without noise.
    static func twoCountriesWithTheSameRows() throws -> (ReleaseEngine, [ReleasedValue], [ReleasedValue], Int, Int) {
        let (engine, base) = try engine()
        let units = engine.geography.units
        let j = codebook.tableRanges[codebook.tableIndex("responses")!].first!
        // The pattern of complementary values depends on the values (as in τ-Argus): look for a
        // region where both countries get the same one.
        for region in units.indices where units[region].level == .region && units[region].children.count >= 2 {
            let (p1, p2) = (units[region].children[0], units[region].children[1])
            func published(_ a: Int, _ b: Int) -> [ReleasedValue] {
                var truth = base
                for p in units[region].children { truth.byProvince[units[p].code]![j] = 0 }
                for p in [p1, p2] {
                    // Enough affected persons for four responses.
                    truth.byProvince[units[p].code]![0] = max(truth.byProvince[units[p].code]![0], 4)
                }
                truth.byProvince[units[p1].code]![j] = a
                truth.byProvince[units[p2].code]![j] = b
                let values = engine.aggregate(truth)
                let exact = Measurements(
                    cells: values.map { $0.map(Int64.init) }, totals: values.map { Int64(codebook.total(of: "incidents", in: $0)) })
                return try! engine.publish(engine.estimate(exact))
            }
            let (a, b) = (published(2, 3), published(3, 2))
            if a == b { return (engine, a, b, p1, j) }
        }
        Issue.record("no region where both countries publish the same rows")
        throw CancellationError()
    }

    @Test func replicatesRevealNoSuppressedValue() throws {
        // The replicates are published: built from the hidden whole numbers, their smallest error
        // at a suppressed cell would be minus its value. Built from the published rows only, two
        // releases with the same rows get the same replicates, whatever they hide.
        let (engine, a, b, p1, _) = try Self.twoCountriesWithTheSameRows()
        #expect(a == b)
        #expect(a.contains { $0.unit == p1 && $0.table == "responses" && $0.suppressed })
        let ra = engine.replicateErrors(published: a, count: 4, entropy: SeededEntropy(seed: 9))
        let rb = engine.replicateErrors(published: b, count: 4, entropy: SeededEntropy(seed: 9))
        #expect(ra == rb)
        #expect(ra.count == 4 && ra[0].count == engine.geography.units.count * (Self.codebook.allCells.count + 1))
    }

    @Test func theBootstrapWorldHoldsPublishedValuesStandInsAndShares() throws {
        let (engine, a, _, p1, j) = try Self.twoCountriesWithTheSameRows()
        let units = engine.geography.units
        let world = engine.world(from: a)
        // A suppressed value becomes ⌊k/2⌋; a published one stays.
        #expect(engine.suppressedStandIn == 2)
        #expect(world.byProvince[units[p1].code]![j] == 2)
        let shown = a.filter { units[$0.unit].level == .province && $0.table != "total" && $0.value != nil }.max { $0.value! < $1.value! }!
        #expect(shown.value! >= 5)
        #expect(world.byProvince[units[shown.unit].code]![Self.codebook.cellIndex(table: shown.table, cell: shown.cell)!] == shown.value!)
        // Small areas share what their parent leaves after the siblings: with m above every
        // region's size, every region and province is a small area and the country's value is
        // split equally down the hierarchy.
        let plan = ReleasePlan(
            rho: engine.plan.rho, tableWeights: engine.plan.tableWeights, levelWeights: engine.plan.levelWeights,
            k: 5, minimumSchools: 100_000)
        let small = ReleaseEngine(codebook: Self.codebook, geography: engine.geography, plan: plan)
        var rows = try small.publishWithOutcome(
            small.estimate(small.measure(TrueCounts(byProvince: [:]), entropy: SeededEntropy(seed: 1))), complementary: false
        ).values
        let w = Self.codebook.cellIndex(table: "channels", cell: "whatsapp")!
        for (i, v) in rows.enumerated() where v.unit == 0 && v.table == "channels" && v.cell == "whatsapp" { rows[i].value = 100 }
        let split = small.world(from: rows)
        let regions = units[0].children.map { r in units[r].children.reduce(0) { $0 + split.byProvince[units[$1].code]![w] } }
        #expect(regions.reduce(0, +) == 100)
        #expect(regions.max()! - regions.min()! <= 1)
        let shares = units[units[0].children[0]].children.map { split.byProvince[units[$0].code]![w] }
        #expect(shares.max()! - shares.min()! <= 1)
    }

    @Test func publishedMarginsCoverEveryTrueValueAndReachTheFloor() throws {
        // 40 releases: published values whose true value is at least k are inside value ± moe95
        // at least 93 % of the time (a margin too small fails), and, per level, the share of all
        // published values inside is within 2 points above the floor s₀·q + (1 − s₀)·95 %
        // (Analysis/PROOFS.md §5; a margin far too large fails).
        let (engine, truth) = try Self.engine()
        let values = engine.aggregate(truth)
        let e = SeededEntropy(seed: 17)
        var big = (inside: 0, all: 0)
        var perLevel: [Level: (inside: Int, all: Int, zeros: Int, zerosAsZero: Int)] = [:]
        for _ in 0..<40 {
            // Margins do not depend on which values are withheld: primary suppression only, for speed.
            let published = try engine.publishWithOutcome(engine.estimate(engine.measure(truth, entropy: e)), complementary: false).values
            for v in published where v.table != ReleasePlan.totalName {
                guard let value = v.value, let moe = v.moe95 else { continue }
                let t = values[v.unit][Self.codebook.cellIndex(table: v.table, cell: v.cell)!]
                let hit = Double(abs(value - t)) <= moe
                let level = engine.geography.units[v.unit].level
                var l = perLevel[level] ?? (0, 0, 0, 0)
                l.all += 1
                if hit { l.inside += 1 }
                if t == 0 {
                    l.zeros += 1
                    if value == 0 { l.zerosAsZero += 1 }
                }
                perLevel[level] = l
                if t >= engine.plan.k {
                    big.all += 1
                    if hit { big.inside += 1 }
                }
            }
        }
        #expect(big.all > 1500)
        #expect(Double(big.inside) / Double(big.all) >= 0.93, "true ≥ k: \(big)")
        for (level, l) in perLevel {
            let s0 = Double(l.zeros) / Double(l.all)
            let q = Double(l.zerosAsZero) / Double(l.zeros)
            let floor = s0 * q + (1 - s0) * 0.95
            let share = Double(l.inside) / Double(l.all)
            #expect(share >= floor - 0.01 && share <= floor + 0.02, "\(level): \(share) against floor \(floor)")
        }
    }

    @Test func leastSquaresIntervalsCoverNinetyFivePercent() throws {
        // 40 releases × 68 units × 80 cells: the share of least-squares estimates inside their
        // stated 95 % interval must be within 93.5-96.5 %.
        let (engine, truth) = try Self.engine()
        let values = engine.aggregate(truth)
        let e = SeededEntropy(seed: 5)
        var inside = 0
        var all = 0
        for _ in 0..<40 {
            let est = engine.estimate(engine.measure(truth, entropy: e))
            for i in values.indices {
                for j in values[i].indices {
                    if abs(est.cells[i][j] - Double(values[i][j])) <= ReleaseEngine.z95 * est.cellVariances[i][j].squareRoot() {
                        inside += 1
                    }
                    all += 1
                }
            }
        }
        let share = Double(inside) / Double(all)
        #expect(share > 0.935 && share < 0.965, "coverage \(share)")
    }
}

@Suite struct IntegerizeTests {
    @Test func projectionOntoTheSimplexIsNonNegativeWithTheRightSum() {
        let x = Integerize.project([3, -1, 0.5, 2], total: 4)
        #expect(x.allSatisfy { $0 >= 0 })
        #expect(abs(x.reduce(0, +) - 4) < 1e-9)
        #expect(abs(x[0] - 2.5) < 1e-9 && x[1] == 0 && x[2] == 0)
        #expect(Integerize.project([1, 2], total: 0) == [0, 0])
    }

    @Test func cappedProjectionRespectsCaps() {
        let x = Integerize.project([5, 5, 0], total: 6, caps: [2, 10, 10])
        #expect(abs(x[0] - 2) < 1e-6 && abs(x.reduce(0, +) - 6) < 1e-6)
    }

    @Test func roundingKeepsTheSum() {
        #expect(Integerize.round([0.5, 0.5, 1.0], total: 2) == [1, 0, 1])
        #expect(Integerize.round([2.7, 0.3], total: 3) == [3, 0])
        #expect(Integerize.round([1.2, 1.2], total: 2, caps: [1, 1]) == [1, 1])
    }

    @Test func matrixRoundingKeepsRowAndColumnSums() {
        let e = SeededEntropy(seed: 8)
        for _ in 0..<50 {
            let rows = Int(e.nextWord() % 6) + 1
            let cols = Int(e.nextWord() % 8) + 1
            let a = (0..<rows).map { _ in (0..<cols).map { _ in Double(Int(e.nextWord() % 1000)) / 100 - 3 } }
            let rowSums = (0..<rows).map { _ in Int(e.nextWord() % 20) }
            var colSums = [Int](repeating: 0, count: cols)
            var left = rowSums.reduce(0, +)
            while left > 0 {
                colSums[Int(e.nextWord() % UInt64(cols))] += 1
                left -= 1
            }
            let m = Integerize.matrix(a, rowSums: rowSums, columnSums: colSums)
            #expect(m.map { $0.reduce(0, +) } == rowSums)
            #expect((0..<cols).map { j in m.reduce(0) { $0 + $1[j] } } == colSums)
            #expect(m.allSatisfy { $0.allSatisfy { $0 >= 0 } })
        }
    }
}

@Suite struct TreeEstimatorTests {
    @Test func exactMeasurementsAreKeptAndVariancesShrinkUpward() throws {
        let f = try ReleaseFixture(schools: 200)
        let g = Geography(schools: f.country.schools)
        let tree = TreeEstimator(geography: g, levelVariances: [.country: 4, .region: 4, .province: 2])
        var y = [Double](repeating: 0, count: g.units.count)
        for i in stride(from: g.units.count - 1, through: 0, by: -1) {
            if g.units[i].children.isEmpty { y[i] = Double(i % 7) } else { y[i] = g.units[i].children.reduce(0) { $0 + y[$1] } }
        }
        let x = tree.estimate(y)
        for i in y.indices { #expect(abs(x[i] - y[i]) < 1e-9) }
        // Combining measurements can only reduce variance below the unit's own.
        for (i, u) in g.units.enumerated() { #expect(tree.estimateVariances[i] <= tree.variances[i] + 1e-12, "\(u.code)") }
        #expect(tree.estimateVariances[0] < 4)
    }
}

@Suite struct ErrorModelTests {
    /// The error model's own correctness is checked against dense GLS (ErrorModelGLSTests);
    /// here, its margins of sums are checked against simulated releases.
    @Test func marginsOfSumsAreCalibrated() throws {
        let (engine, truth) = try EngineTests.engine()
        let codebook = EngineTests.codebook
        let model = ErrorModel(codebook: codebook, geography: engine.geography, groups: engine.groups)
        let values = engine.aggregate(truth)
        let e = SeededEntropy(seed: 21)
        // Sums: female victims per region (18 incidents cells at each region), and one cell summed
        // over the provinces of each region (correlated estimates).
        let female = codebook.table("incidents")!.cells.filter { $0.values[2] == "female" }.map(\.index)
        let regions = engine.geography.units.indices.filter { engine.geography.units[$0].level == .region }
        let whatsapp = codebook.cellIndex(table: "channels", cell: "whatsapp")!
        var insideLS = 0
        var insidePublished = 0
        var all = 0
        for _ in 0..<60 {
            let est = engine.estimate(engine.measure(truth, entropy: e))
            for r in regions {
                let cells = female.map { (unit: r, cell: $0) }
                let sd = model.varianceOfSum(table: "incidents", cells: cells).squareRoot()
                let truthSum = Double(female.reduce(0) { $0 + values[r][$1] })
                if abs(female.reduce(0.0) { $0 + est.cells[r][$1] } - truthSum) <= 1.96 * sd { insideLS += 1 }
                if abs(Double(female.reduce(0) { $0 + est.integerCells[r][$1] }) - truthSum) <= 1.96 * sd { insidePublished += 1 }
                let kids = engine.geography.units[r].children
                let sd2 = model.varianceOfSum(table: "channels", cells: kids.map { (unit: $0, cell: whatsapp) }).squareRoot()
                let t2 = Double(kids.reduce(0) { $0 + values[$1][whatsapp] })
                if abs(kids.reduce(0.0) { $0 + est.cells[$1][whatsapp] } - t2) <= 1.96 * sd2 { insideLS += 1 }
                if abs(Double(kids.reduce(0) { $0 + est.integerCells[$1][whatsapp] }) - t2) <= 1.96 * sd2 { insidePublished += 1 }
                all += 2
            }
        }
        let ls = Double(insideLS) / Double(all)
        let published = Double(insidePublished) / Double(all)
        print("sum coverage: least squares \(ls), published \(published)")
        #expect(ls > 0.93 && ls < 0.97, "least-squares sums covered \(ls)")
        #expect(published > 0.93, "published sums covered \(published)")
    }
}

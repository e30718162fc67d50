import Foundation
import GRDB
import MosaicCodebook
import MosaicPrivacy
import MosaicReleaseFile
import MosaicStore
import MosaicTestSupport
import Testing

@testable import MosaicEngine
@testable import MosaicRelease

/// Releases that pool consecutive quarters: one measurement of their sum, ρ spent on every
/// quarter covered, refused when any of their caps would be exceeded.
@Suite struct PooledReleaseTests {
    let span = PeriodSpan("2026-Q2..2026-Q3")!

    /// The fixture with its second quarter's submissions too.
    func fixture(schools: Int = 200) throws -> ReleaseFixture {
        let f = try ReleaseFixture(schools: schools)
        let q2 = Period("2026-Q2")!
        _ = try f.store.record(
            f.country.submissions(for: q2).map {
                IncomingSubmission(submission: $0, sourceName: "\($0.schoolID)-q2.csv", sourceFormat: "csv")
            })
        return f
    }

    func pooled(_ f: ReleaseFixture, rho: String = "1", seed: UInt64 = 7, first: String = "2026-Q2") throws -> ReleaseData {
        var r = ReleaseRequest(period: f.period, rho: Rho(rho)!).with(replicates: 3)
        r.firstPeriod = Period(first)!
        return try f.releaser.create(r, entropy: SeededEntropy(seed: seed))
    }

    func spends(_ f: ReleaseFixture) throws -> [String] {
        try f.store.database.read { db in
            try Row.fetchAll(db, sql: "SELECT release_id, period, rho_nano FROM release_spend ORDER BY release_id, period").map(
                \.description)
        }
    }

    @Test func aPooledReleaseSpendsOnEveryQuarterItCovers() throws {
        let f = try fixture()
        let data = try pooled(f)
        #expect(data.metadata("release_id") == "2026-Q2..2026-Q3-R1")
        #expect(data.metadata("period") == "2026-Q2..2026-Q3")
        #expect(data.rows.allSatisfy { $0.period == "2026-Q2..2026-Q3" })
        #expect(data.metadata("budget_spent_rho") == "2026-Q2=1; 2026-Q3=1")
        for q in span.quarters { #expect(try f.releaser.budget(period: q).spent == Rho("1")!) }
        #expect(try spends(f).count == 2)
        // The file reads back with its span, and export reproduces it exactly.
        let path = f.folder + "/pooled.sqlite"
        try ReleaseFile.write(data, to: path)
        let (_, info) = try ReleaseReader.readChecked(path)
        #expect(info.span == span && info.period == f.period)
        #expect(try f.releaser.data(ofRelease: "2026-Q2..2026-Q3-R1") == data)
        #expect(try f.releaser.list().contains { $0.id == "2026-Q2..2026-Q3-R1" })
    }

    @Test func aQuartersCapCountsPooledSpending() throws {
        let f = try fixture()
        _ = try pooled(f)
        // 1 of 2 spent on 2026-Q3 by the pooled release: a quarterly release of 1.5 no longer fits.
        #expect(throws: ReleaseError.overBudget(period: "2026-Q3", spent: Rho("1")!, asked: Rho("1.5")!, cap: Rho("2")!)) {
            _ = try f.create(rho: "1.5")
        }
        _ = try f.create(rho: "1")
        #expect(try f.releaser.budget(period: f.period).spent == Rho("2")!)
    }

    @Test func aPooledReleaseIsRefusedWhenAnyQuarterWouldExceedItsCapAndChangesNothing() throws {
        let f = try fixture()
        var q2 = ReleaseRequest(period: Period("2026-Q2")!, rho: Rho("1.5")!).with(replicates: 0)
        q2.replicates = 0
        _ = try f.releaser.create(q2, entropy: SeededEntropy(seed: 3))
        let before = try spends(f)
        #expect(throws: ReleaseError.overBudget(period: "2026-Q2", spent: Rho("1.5")!, asked: Rho("1")!, cap: Rho("2")!)) {
            _ = try pooled(f)
        }
        #expect(try spends(f) == before)
        #expect(try f.releaser.budget(period: f.period).spent == .zero, "the quarter that had room spent nothing either")
        #expect(try f.releaser.list().count == 1)
    }

    @Test func everyPooledQuarterMustHaveSubmissions() throws {
        let f = try fixture()
        #expect(throws: ReleaseError.noSubmissions("2026-Q1..2026-Q3")) { _ = try pooled(f, first: "2026-Q1") }
        #expect(try spends(f).isEmpty)
        var backwards = ReleaseRequest(period: Period("2026-Q2")!)
        backwards.firstPeriod = f.period
        #expect(throws: ReleaseError.self) { _ = try f.releaser.create(backwards, entropy: SeededEntropy(seed: 1)) }
    }

    @Test func aPooledReleaseMeasuresTheSumOfItsQuarters() throws {
        let f = try fixture(schools: 400)
        let data = try pooled(f, seed: 11)
        // The true total over both quarters, from the submissions.
        let truth = try [Period("2026-Q2")!, f.period].reduce(0) { sum, q in
            sum + f.country.submissions(for: q).reduce(0) { $0 + f.codebook.total(of: "incidents", in: $1.counts) }
        }
        let country = try #require(data.rows.first { $0.level == .country && $0.tableName == "total" })
        let value = try #require(country.value)
        let moe = try #require(country.moe95)
        // Within four margins (about eight standard errors): a failure is not chance.
        #expect(abs(Double(value - truth)) <= 4 * moe, "\(value) against \(truth) ± \(moe)")
        #expect(truth > 2 * (f.country.submissions(for: f.period).reduce(0) { $0 + f.codebook.total(of: "incidents", in: $1.counts) }) / 3)
    }
}

import Foundation
import GRDB
import MosaicCodebook
import MosaicRegistry
import Testing

@testable import MosaicStore

/// The registry keeps its history: a new registry holds from a quarter, never rewrites a
/// released one, and every quarter is read with the registry as of that quarter.
@Suite struct RegistryHistoryTests {
    /// A store with schools A, B, C (C of 800 pupils) reporting in 2026-Q1 and 2026-Q2, and a
    /// release of 2026-Q1 recorded (so the next registry holds from 2026-Q2).
    static func store() throws -> Store {
        let store = try Store.create(at: temporaryPath())
        _ = try store.importRegistry([school("A"), school("B"), school("C", province: "P2", enrolment: 800)], source: "r1.csv")
        for q in ["2026-Q1", "2026-Q2"] {
            for id in ["A", "B", "C"] {
                _ = try store.record([
                    IncomingSubmission(submission: submission(id, q, persons: 1), sourceName: "\(id)-\(q).csv", sourceFormat: "csv")
                ])
            }
        }
        try store.database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO release (id, period, created_at, codebook_version, rho_nano, k, min_schools, metadata_json)
                    VALUES ('2026-Q1-R1', '2026-Q1', '2026-04-01T00:00:00Z', 1, 1000000000, 5, 5, '{}')
                    """)
        }
        return store
    }

    @Test func aNewRegistryLeavesAReleasedQuarterAsItWas() throws {
        let store = try Self.store()
        let q1 = Period("2026-Q1")!
        let q2 = Period("2026-Q2")!
        let before = try store.status(period: q1)
        #expect(before.first?.registered == 3 && before.first?.submitted == 3)
        // B closes (gone from the file), D opens, C moves to province P1 with 900 pupils.
        let summary = try store.importRegistry(
            [school("A"), school("C", province: "P1", enrolment: 900), school("D")], source: "r2.csv")
        #expect(summary.effectiveFrom == "2026-Q2" && summary.latestReleased == "2026-Q1")
        #expect(summary.added == 1 && summary.closed == 1 && summary.updated == 1)
        // The released quarter reads exactly as before.
        #expect(try store.status(period: q1) == before)
        #expect(try store.registrySummary(asOf: q1).first?.openSchools == 3)
        // The next quarter is read with the new registry: D missing, B not counted.
        let after = try #require(try store.status(period: q2).first)
        #expect(after.registered == 3 && after.submitted == 2 && after.missing == ["D"])
        // Its values and its pupils alike: B's submission is not counted, C counts in P1 with 900 pupils.
        let (byProvince, submissions, _) = try store.database.read { db in
            try Store.provinceTotals(period: q2, codebook: Codebook.bundled(), db: db)
        }
        #expect(submissions == 2)
        #expect(byProvince["P2"] == nil)
        let coverage = try store.database.read { db in try Store.coverageByProvince(period: q2, db: db) }
        #expect(coverage["P1"]?.registeredSchools == 3 && coverage["P1"]?.registeredEnrolment == 300 + 900 + 300)
        #expect(coverage["P2"] == nil)
        // Quarter 1 keeps B and C's old province in values and coverage.
        let old = try store.database.read { db in try Store.coverageByProvince(period: q1, db: db) }
        #expect(old["P2"]?.registeredEnrolment == 800 && old["P1"]?.registeredSchools == 2)
    }

    @Test func aRegistryCannotTakeEffectFromAReleasedQuarter() throws {
        let store = try Self.store()
        #expect(throws: RegistryHistoryError.releasedQuarter("2026-Q1", "2026-Q1")) {
            try store.importRegistry([school("A")], source: "r2.csv", from: Period("2026-Q1")!)
        }
        // Nothing changed: the refused import left no row.
        #expect(try store.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM registry_import") } == 1)
        #expect(try store.registrySummary().first?.openSchools == 3)
        // A later quarter named explicitly: the quarters between keep the old registry.
        let s = try store.importRegistry([school("A")], source: "r3.csv", from: Period("2026-Q4")!)
        #expect(s.effectiveFrom == "2026-Q4")
        #expect(try store.status(period: Period("2026-Q3")!).first?.registered == 3)
        #expect(try store.status(period: Period("2026-Q4")!).first?.registered == 1)
    }

    @Test func aLateFileOfASchoolClosedSinceIsReadWithItsQuartersFacts() throws {
        let store = try Self.store()
        _ = try store.importRegistry([school("A"), school("C", province: "P2", enrolment: 800)], source: "r2.csv")
        let facts = try store.schoolFactsHistory()
        let b = try #require(facts["B"])
        #expect(b.map(\.from) == [Store.beginning, "2026-Q2"])
        #expect(b.first?.facts.isOpen == true && b.last?.facts.isOpen == false)
        #expect(try store.schoolFacts(asOf: Period("2026-Q1")!)["B"]?.isOpen == true)
        #expect(try store.schoolFacts(asOf: Period("2026-Q2")!)["B"]?.isOpen == false)
    }

    @Test func theMigrationSeedsTheHistoryWithoutChangingAnyQuarter() throws {
        let store = try Self.store()
        // The same store as one made before the history was kept.
        try store.database.write { db in
            try db.execute(sql: "DROP TABLE school_history; DELETE FROM grdb_migrations WHERE identifier = 'keepTheRegistrysHistory'")
        }
        // Status as the store read it then: the registry table, whatever the quarter.
        func oldStatus(_ q: String) throws -> [[String]] {
            try store.database.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT s.region_code, s.id, (c.id IS NOT NULL) FROM school s
                        LEFT JOIN submission c ON c.school_id = s.id AND c.period = ? AND c.superseded_by IS NULL
                        WHERE s.is_open = 1 ORDER BY s.region_code, s.id
                        """, arguments: [q]
                ).map { [$0[0], $0[1], ($0[2] as Bool) ? "1" : "0"] }
            }
        }
        let before = try ["2026-Q1", "2026-Q2"].map(oldStatus)
        let path = store.path
        try store.database.close()
        let reopened = try Store.open(at: path)
        for (i, q) in ["2026-Q1", "2026-Q2"].enumerated() {
            let st = try reopened.status(period: Period(q)!)
            let rows = st.flatMap { r in
                (r.missing.map { [r.regionCode, $0, "0"] })
            }
            #expect(st.reduce(0) { $0 + $1.registered } == before[i].count)
            #expect(rows == before[i].filter { $0[2] == "0" })
        }
        #expect(
            try reopened.database.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT from_period FROM school_history") } == [
                Store.beginning
            ])
    }

    /// A release whose plan read the registry before an import is refused in its ledger
    /// transaction, before it sees a count: it would mix two registries.
    @Test func aReleaseRefusesARegistryImportedSinceItsPlan() throws {
        let store = try Self.store()
        let version = try store.registryVersion()
        _ = try store.importRegistry([school("A"), school("B")], source: "r2.csv")
        #expect(try store.registryVersion() != version)
        #expect(throws: LedgerError.registryChanged) {
            try store.recordRelease(
                span: PeriodSpan(Period("2026-Q2")!), askingNano: 1, codebook: Codebook.bundled(), k: 5, minimumSchools: 5,
                createdAt: "2026-07-01T00:00:00Z", registryVersion: version,
                make: { _ in
                    Issue.record("the true counts were handed out")
                    throw LedgerError.noSubmissions
                }, beforeCommit: { _ in })
        }
    }

    /// An import's summary counts what changed from the quarter it holds from, and says which
    /// scheduled registry it replaces.
    @Test func theSummaryComparesWithTheRegistryItReplaces() throws {
        let store = try Self.store()
        _ = try store.importRegistry([school("A")], source: "future.csv", from: Period("2030-Q1")!)
        let s = try store.importRegistry([school("A"), school("B"), school("C", province: "P2", enrolment: 800)], source: "same.csv")
        #expect(s.effectiveFrom == "2026-Q2")
        #expect(s.replaced == ["2030-Q1"])
        #expect(s.unchanged == 3 && s.updated == 0 && s.reopened == 0 && s.closed == 0 && s.added == 0)
    }
}

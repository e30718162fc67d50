import Foundation
import GRDB
import MosaicCodebook
import MosaicRegistry
import Testing

@testable import MosaicStore

func temporaryPath(_ name: String = "store.sqlite") -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mosaic-tests-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent(name).path
}

func school(_ id: String, region: String = "R1", province: String = "P1", enrolment: Int = 300) -> School {
    School(
        id: id, name: "School \(id)", regionCode: region, regionName: "Region \(region)", provinceCode: province,
        provinceName: "Province \(province)", enrolment: enrolment, stage: .secondary, sector: .public)
}

/// A consistent submission with `n` affected persons.
func submission(_ schoolID: String, _ period: String = "2026-Q2", persons n: Int) -> Submission {
    let codebook = try! Codebook.bundled()
    var v = [Int](repeating: 0, count: codebook.allCells.count)
    for (t, c) in [
        ("incidents", "shared.pupil_14_15.female"), ("channels", "whatsapp"), ("tools", "nudify"),
        ("perpetrators", "pupil_same_school"), ("responses", "parents_informed"),
    ] {
        v[codebook.cellIndex(table: t, cell: c)!] = n
    }
    return Submission(schoolID: schoolID, period: Period(period)!, codebookVersion: 1, counts: v)
}

@Suite struct StoreTests {
    @Test func createMakesAPrivateWALStore() throws {
        let path = temporaryPath()
        let store = try Store.create(at: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber
        #expect(mode.intValue & 0o777 == 0o600)
        let journal = try store.database.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
        #expect(Store.isStore(at: path))
    }

    @Test func createRefusesAnExistingFileAndOpenRefusesAMissingOne() throws {
        let path = temporaryPath()
        _ = try Store.create(at: path)
        #expect(throws: StoreError.alreadyExists(path)) { _ = try Store.create(at: path) }
        let missing = temporaryPath()
        #expect(throws: StoreError.missing(missing)) { _ = try Store.open(at: missing) }
    }

    @Test func openRefusesAnotherSQLiteFile() throws {
        let path = temporaryPath()
        let q = try DatabaseQueue(path: path)
        try q.write { try $0.execute(sql: "CREATE TABLE t(x)") }
        #expect(throws: StoreError.notAStore(path)) { _ = try Store.open(at: path) }
        #expect(!Store.isStore(at: path))
    }

    @Test func registryReimportAddsUpdatesClosesAndReopens() throws {
        let store = try Store.create(at: temporaryPath())
        var s = try store.importRegistry([school("A"), school("B"), school("C")], source: "r1.csv")
        #expect(s == RegistryImportSummary(added: 3, updated: 0, unchanged: 0, closed: 0, reopened: 0))
        _ = try store.record([IncomingSubmission(submission: submission("C", persons: 2), sourceName: "c.csv", sourceFormat: "csv")])
        var changedB = school("B")
        changedB.enrolment = 500
        s = try store.importRegistry([school("A"), changedB, school("D")], source: "r2.csv")
        #expect(s == RegistryImportSummary(added: 1, updated: 1, unchanged: 1, closed: 1, reopened: 0))
        let facts = try store.schoolFacts()
        #expect(facts["C"] == SchoolFacts(enrolment: 300, isOpen: false))
        #expect(facts["B"]?.enrolment == 500)
        // The closed school's submission is still there.
        #expect(try store.history(school: "C", period: Period("2026-Q2")!).count == 1)
        s = try store.importRegistry([school("A"), changedB, school("C"), school("D")], source: "r3.csv")
        #expect(s.reopened == 1 && s.closed == 0 && s.added == 0)
    }

    @Test func aCorrectionSupersedesAndTheHistoryKeepsBoth() throws {
        let store = try Store.create(at: temporaryPath())
        _ = try store.importRegistry([school("A")], source: "r.csv")
        let first = try store.record([
            IncomingSubmission(submission: submission("A", persons: 2), sourceName: "a1.csv", sourceFormat: "csv")
        ])
        guard case .stored(let firstID) = first[0] else {
            Issue.record("not stored: \(first)")
            return
        }
        let second = try store.record([
            IncomingSubmission(submission: submission("A", persons: 3), sourceName: "a2.csv", sourceFormat: "csv")
        ])
        guard case .corrected(let secondID, let replaced) = second[0] else {
            Issue.record("not a correction: \(second)")
            return
        }
        #expect(replaced == firstID)
        let history = try store.history(school: "A", period: Period("2026-Q2")!)
        #expect(history.map(\.id) == [firstID, secondID])
        #expect(history.map(\.supersededBy) == [secondID, nil])
        #expect(history.map(\.persons) == [2, 3])
        #expect(try store.counts(ofSubmission: firstID) == submission("A", persons: 2).counts)
        #expect(try store.submissionCounts() == (all: 2, current: 1))
    }

    @Test func theSameCountsTwiceChangeNothing() throws {
        let store = try Store.create(at: temporaryPath())
        _ = try store.importRegistry([school("A")], source: "r.csv")
        let item = IncomingSubmission(submission: submission("A", persons: 2), sourceName: "a.csv", sourceFormat: "csv")
        let first = try store.record([item])
        let again = try store.record([item])
        guard case .stored(let id) = first[0] else {
            Issue.record("not stored")
            return
        }
        #expect(again == [.unchanged(id: id)])
        #expect(try store.submissionCounts() == (all: 1, current: 1))
    }

    @Test func anUnsealedRepeatOfASupersededSubmissionRestoresItsCounts() throws {
        // Unsealed files are ordered by ingest, never by content: the first counts again are a
        // correction that goes back to them (the school's earlier numbers were right after all).
        let store = try Store.create(at: temporaryPath())
        _ = try store.importRegistry([school("A")], source: "r.csv")
        let old = IncomingSubmission(submission: submission("A", persons: 2), sourceName: "a1.csv", sourceFormat: "csv")
        _ = try store.record([old])
        _ = try store.record([IncomingSubmission(submission: submission("A", persons: 3), sourceName: "a2.csv", sourceFormat: "csv")])
        let outcome = try store.record([old])
        guard case .corrected = outcome[0] else {
            Issue.record("a restoring correction was not stored: \(outcome)")
            return
        }
        #expect(try store.submissionCounts() == (all: 3, current: 1))
        #expect(try store.record([old]).first.map { if case .unchanged = $0 { true } else { false } } == true)
    }

    @Test func onlyNonZeroCountsAreStored() throws {
        let store = try Store.create(at: temporaryPath())
        _ = try store.importRegistry([school("A")], source: "r.csv")
        _ = try store.record([IncomingSubmission(submission: submission("A", persons: 1), sourceName: "a.csv", sourceFormat: "csv")])
        let rows = try store.database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM submission_count") }
        #expect(rows == 5)
    }

    @Test func aSubmissionForAnUnregisteredSchoolIsRefusedByTheSchema() throws {
        let store = try Store.create(at: temporaryPath())
        _ = try store.importRegistry([school("A")], source: "r.csv")
        let outcome = try store.record([
            IncomingSubmission(submission: submission("ZZ", persons: 1), sourceName: "z.csv", sourceFormat: "csv"),
            IncomingSubmission(submission: submission("A", persons: 1), sourceName: "a.csv", sourceFormat: "csv"),
        ])
        guard case .refused = outcome[0] else {
            Issue.record("stored an unregistered school: \(outcome)")
            return
        }
        guard case .stored = outcome[1] else {
            Issue.record("the valid one was lost: \(outcome)")
            return
        }
        #expect(try store.submissionCounts() == (all: 1, current: 1))
    }

    @Test func statusCountsSubmittedAndListsMissingSchoolsPerRegion() throws {
        let store = try Store.create(at: temporaryPath())
        _ = try store.importRegistry([school("A"), school("B"), school("C", region: "R2"), school("D", region: "R2")], source: "r.csv")
        _ = try store.record([
            IncomingSubmission(submission: submission("A", persons: 0), sourceName: "a.csv", sourceFormat: "csv"),
            IncomingSubmission(submission: submission("C", persons: 1), sourceName: "c.csv", sourceFormat: "csv"),
            IncomingSubmission(submission: submission("D", "2026-Q1", persons: 1), sourceName: "d.csv", sourceFormat: "csv"),
        ])
        let status = try store.status(period: Period("2026-Q2")!)
        #expect(status.map(\.regionCode) == ["R1", "R2"])
        #expect(status.map(\.registered) == [2, 2])
        #expect(status.map(\.submitted) == [1, 1])
        #expect(status.map(\.missing) == [["B"], ["D"]])
    }
}

@Suite struct StoreMigrationTests {
    @Test func replicatesMadeBeforeTheFixAreDeletedOnOpening() throws {
        // A store at the version before the fix, holding a release with replicates: opening it
        // with this version deletes them (they were simulated from values the k-threshold hides).
        let path = temporaryPath()
        let old = try DatabaseQueue(path: path)
        try Store.migrator.migrate(old, upTo: "createReleaseReplicates")
        try old.write { db in
            try db.execute(
                sql: """
                    INSERT INTO release (id, period, created_at, codebook_version, rho_nano, k, min_schools, metadata_json)
                    VALUES ('2026-Q3-R1', '2026-Q3', '2026-10-01T00:00:00Z', 1, 1000000000, 5, 5, '{}');
                    INSERT INTO release_replicate VALUES ('2026-Q3-R1', 0, x'0100'), ('2026-Q3-R1', 1, x'feff');
                    """)
        }
        try old.close()
        let store = try Store.open(at: path)
        #expect(try store.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM release_replicate") } == 0)
        #expect(try store.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM release") } == 1)
    }
}

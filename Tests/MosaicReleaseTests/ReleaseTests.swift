import Foundation
import GRDB
import MosaicCodebook
import MosaicDisclosure
import MosaicErrorModel
import MosaicFiles
import MosaicPrivacy
import MosaicReleaseFile
import MosaicStore
import MosaicTestSupport
import MosaicText
import Testing

@testable import MosaicEngine
@testable import MosaicRelease

@Suite struct LedgerTests {
    @Test func aReleaseOverTheCapIsRefusedWithTheFigures() throws {
        let f = try ReleaseFixture()
        _ = try f.create(rho: "1.5")
        let before = try f.store.database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM release_row") }
        #expect(throws: ReleaseError.overBudget(period: "2026-Q3", spent: Rho("1.5")!, asked: Rho("1")!, cap: Rho("2")!)) {
            _ = try f.create(rho: "1")
        }
        let message = ReleaseError.overBudget(period: "2026-Q3", spent: Rho("1.5")!, asked: Rho("1")!, cap: Rho("2")!).localizedDescription
        #expect(message.contains("ρ = 1 on 2026-Q3") && message.contains("1.5 of the quarter's cap 2") && message.contains("0.5 left"))
        #expect(try f.store.database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM release_row") } == before)
        // What is left can still be spent.
        _ = try f.create(rho: "0.5")
        #expect(try f.releaser.budget(period: f.period) == (spent: Rho("2")!, cap: Rho("2")!))
    }

    @Test func twoConcurrentReleasesCannotOverspend() throws {
        let f = try ReleaseFixture()
        // Two separate connections to the same file, as two processes would have.
        let a = Releaser(store: try Store.open(at: f.store.path))
        let b = Releaser(store: try Store.open(at: f.store.path))
        let results = ResultsBox()
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            do {
                _ = try (i == 0 ? a : b).create(
                    ReleaseRequest(period: f.period, rho: Rho("1.5")!).with(replicates: 2), entropy: SeededEntropy(seed: UInt64(i)))
                results.add(true)
            } catch {
                results.add(false)
            }
        }
        #expect(results.values.filter { $0 }.count == 1 && results.values.count == 2)
        #expect(try f.releaser.budget(period: f.period).spent == Rho("1.5")!)
        #expect(try f.releaser.list().count == 1)
    }

    @Test func capsCanBeSetPerQuarterAndByDefault() throws {
        let f = try ReleaseFixture()
        try f.store.setCap(nano: Rho("0.5")!.nano, period: f.period)
        #expect(throws: ReleaseError.self) { _ = try f.create(rho: "1") }
        try f.store.setCap(nano: Rho("3")!.nano, period: nil)
        #expect(try f.releaser.budget(period: f.period).cap == Rho("0.5")!)
        #expect(try f.releaser.budget(period: Period("2026-Q1")!).cap == Rho("3")!)
    }

    @Test func aCapBelowWhatIsSpentIsRefusedChangingNothing() throws {
        let f = try ReleaseFixture()
        _ = try f.create(rho: "1")
        #expect(throws: Store.CapError.belowSpent(period: f.period.description, spentNano: 1_000_000_000)) {
            try f.store.setCap(nano: Rho("0.5")!.nano, period: f.period)
        }
        // The default governs this quarter too (it has no cap of its own).
        #expect(throws: Store.CapError.self) { try f.store.setCap(nano: Rho("0.5")!.nano, period: nil) }
        #expect(try f.releaser.budget(period: f.period).cap == Rho("2")!)
        #expect(try f.store.capChanges().isEmpty)
        try f.store.setCap(nano: Rho("1")!.nano, period: f.period)
    }

    @Test func aQuarterWithoutSubmissionsIsRefused() throws {
        let f = try ReleaseFixture()
        #expect(throws: ReleaseError.noSubmissions("2025-Q1")) {
            _ = try f.releaser.create(ReleaseRequest(period: Period("2025-Q1")!).with(replicates: 2), entropy: SeededEntropy(seed: 1))
        }
        #expect(try f.releaser.budget(period: Period("2025-Q1")!).spent == .zero)
    }
}

final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Bool] = []
    func add(_ v: Bool) {
        lock.lock()
        values.append(v)
        lock.unlock()
    }
}

@Suite struct ReleaseFileTests {
    func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("mosaic-rf-\(UUID().uuidString)-\(name)").path
    }

    @Test func exportReproducesTheStoredReleaseExactly() throws {
        let f = try ReleaseFixture()
        let created = try f.create()
        let id = created.metadata("release_id")!
        let exported = try f.releaser.data(ofRelease: id)
        #expect(exported == created)
        #expect(ReleaseFile.csvCells(exported) == ReleaseFile.csvCells(created))
        #expect(ReleaseFile.csvMetadata(exported) == ReleaseFile.csvMetadata(created))
        let first = temporary("a.sqlite")
        let second = temporary("b.sqlite")
        try ReleaseFile.write(created, to: first)
        try ReleaseFile.write(exported, to: second)
        func dump(_ path: String) throws -> [String] {
            try DatabaseQueue(path: path).read { db in
                try ["cells", "metadata", "coverage", "cell_dimensions"].flatMap { t in
                    try Row.fetchAll(db, sql: "SELECT * FROM \(t)").map(\.description).sorted()
                }
            }
        }
        #expect(try dump(first) == dump(second))
        // Export draws no noise and spends no budget.
        #expect(try f.releaser.budget(period: f.period).spent == Rho("1")!)
    }

    @Test func anUnknownReleaseIsRefused() throws {
        let f = try ReleaseFixture(schools: 100)
        #expect(throws: ReleaseError.unknownRelease("nope")) { _ = try f.releaser.data(ofRelease: "nope") }
    }

    @Test func theReleaseFileHoldsNoSchoolIdOrName() throws {
        let f = try ReleaseFixture()
        let data = try f.create()
        let path = temporary("r.sqlite")
        let csv = temporary("csv")
        try ReleaseFile.write(data, to: path)
        try ReleaseFile.writeCSV(data, folder: csv)
        // Every field of every table and view, and every CSV field, as a set of values.
        var fields = Set<String>()
        try DatabaseQueue(path: path).read { db in
            for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')") {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"") {
                    for v in row.databaseValues { fields.insert(v.description.trimmingCharacters(in: CharacterSet(charactersIn: "\""))) }
                }
            }
        }
        #expect(fields.count > 100)
        for name in ["cells.csv", "metadata.csv", "coverage.csv"] {
            var reader = try CSVReader(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: csv + "/" + name))))
            while let r = try reader.next() { fields.formUnion(r.fields) }
        }
        let raw = try Data(contentsOf: URL(fileURLWithPath: path))
        for s in f.country.schools {
            #expect(!fields.contains(s.id) && !fields.contains(s.name), "school \(s.id) in the release")
            #expect(raw.range(of: Data(s.id.utf8)) == nil, "school id \(s.id) in the file's bytes")
        }
        // The check can fail: the registry's region names are in the file.
        #expect(fields.contains(f.country.schools[0].regionName))
    }

    @Test func suppressedCellsCarryNoValueAndPublishedOnesAreNotSmall() throws {
        let f = try ReleaseFixture()
        let data = try f.create(k: 5)
        #expect(data.rows.contains { $0.status == .belowK })
        #expect(data.rows.contains { $0.status == .complementary })
        #expect(!data.rows.contains { $0.status == .suppressed })  // new releases always say why
        for r in data.rows {
            if r.status.isSuppressed {
                #expect(r.value == nil && r.moe95 == nil)
            } else {
                #expect(r.status == .published)
                #expect(r.value == 0 || r.value! >= 5, "published \(r.value!) below k")
                #expect(r.moe95! > 0)
            }
        }
    }

    @Test func smallAreasAreNotPublishedOnTheirOwn() throws {
        let f = try ReleaseFixture(schools: 400)
        // With m = 15, provinces with fewer than 15 open schools are fully suppressed.
        let data = try f.create(m: 15)
        let perProvince = Dictionary(grouping: f.country.schools, by: \.provinceCode).mapValues(\.count)
        let small = perProvince.filter { $0.value < 15 }.map(\.key)
        #expect(!small.isEmpty)
        for r in data.rows where r.level == .province && small.contains(r.geoCode) {
            #expect(r.status == .smallArea)
        }
        // The coverage of a small area is never published, nor the pupils of reporting schools.
        for c in data.coverage where c.level == .province && small.contains(c.geoCode) { #expect(c.coverage.status == .withheld) }
        #expect(data.rows.contains { $0.level == .country && $0.status == .published })
    }

    @Test func theSQLiteFileHasOneViewPerTableWithItsDimensions() throws {
        let f = try ReleaseFixture(schools: 200)
        let path = temporary("v.sqlite")
        try ReleaseFile.write(try f.create(), to: path)
        try DatabaseQueue(path: path).read { db in
            let columns = try db.columns(in: "incidents").map(\.name)
            #expect(columns == ["period", "level", "geo_code", "geo_name", "kind", "victim_group", "gender", "value", "moe95", "status"])
            let n = try Int.fetchOne(db, sql: "SELECT count(*) FROM incidents WHERE level = 'country'")
            #expect(n == 54)
            #expect(try db.columns(in: "channels").map(\.name).contains("channel"))
            #expect(try String.fetchOne(db, sql: "SELECT value FROM metadata WHERE key = 'epsilon'") == "7.767")
        }
        #expect(throws: OutputError.exists(path)) { try ReleaseFile.write(try f.releaser.data(ofRelease: "2026-Q3-R1"), to: path) }
    }
}

@Suite struct RecoveryTests {
    @Test func aRecordedReleaseWhoseFilesCannotBeWrittenStaysUnfinishedUntilExported() throws {
        let f = try ReleaseFixture(schools: 120)
        let data = try f.create(rho: "0.5")
        let id = try #require(data.metadata("release_id"))
        // A command that died after the commit, its folder gone since.
        let final = f.folder + "/gone/r.sqlite"
        try f.store.claim([
            PendingOutput(
                finalPath: final, temporaryPath: f.folder + "/gone/.r.sqlite.mosaic-tmp-x", kind: .release, token: "T", ref: id,
                owner: ProcessIdentity(pid: 999_999, start: "1"), createdAt: "2026-01-01T00:00:00Z")
        ])
        let notes = try Recovery.run(store: f.store)
        #expect(notes.count == 1 && notes[0].needsAttention && notes[0].text.contains("release export \(id)"), "\(notes)")
        // Still unfinished: said again by the next command, and no new release of the quarter.
        #expect(try Recovery.run(store: f.store).first?.needsAttention == true)
        #expect(try f.store.unfinishedReleases(period: f.period.description) == [id])
        #expect(throws: ReleaseError.unfinished(id)) {
            _ = try f.releaser.create(
                ReleaseRequest(period: f.period, rho: Rho("0.5")!), outputs: ReleaseOutputs(sqlite: f.folder + "/new.sqlite"))
        }
        // Once its folder exists again, recovery writes the file from the store and forgets it.
        try FileManager.default.createDirectory(atPath: f.folder + "/gone", withIntermediateDirectories: true)
        let healed = try Recovery.run(store: f.store)
        #expect(healed.count == 1 && !healed[0].needsAttention, "\(healed)")
        #expect(FileManager.default.fileExists(atPath: final))
        #expect(try f.store.pendingOutputs().isEmpty)
    }
}

/// A release whose protection fails after its noise was drawn spends its ρ: retrying until an
/// audit passes is never free, and the failed draw is in the ledger.
@Suite struct FailedReleaseTests {
    @Test func aFailedAuditSpendsItsRhoAndLeavesNoFigures() throws {
        let f = try ReleaseFixture(schools: 120)
        var releaser = f.releaser
        releaser.afterProtection = { throw SuppressionError.auditFailed(1) }
        let request = ReleaseRequest(period: f.period, rho: Rho("0.5")!)
        var thrown: Error?
        do { _ = try releaser.create(request, entropy: SeededEntropy(seed: 7)) } catch { thrown = error }
        guard case .failedAfterNoise(let id, let why)? = thrown as? ReleaseError else {
            Issue.record("expected a recorded failure, got \(String(describing: thrown))")
            return
        }
        #expect(why.contains("interval audit"))
        #expect(try f.releaser.budget(period: f.period).spent == Rho("0.5")!)
        #expect(throws: ReleaseError.self) { _ = try f.releaser.data(ofRelease: id) }
        let measured = try f.store.database.read {
            try Int.fetchOne($0, sql: "SELECT count(*) FROM release_measurement WHERE release_id = ?", arguments: [id])
        }
        #expect((measured ?? 0) > 0, "the draw is recorded")
        // The next release gets a new id and spends on top.
        let next = try f.create(rho: "0.5")
        #expect(next.metadata("release_id") != id)
        #expect(try f.releaser.budget(period: f.period).spent == Rho("1")!)
    }
}

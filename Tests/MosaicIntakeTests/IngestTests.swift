import Foundation
import MosaicCodebook
import MosaicCounts
import MosaicFiles
import MosaicStore
import Testing

@testable import MosaicIntake

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct IngestTests {
    @Test func byteOrderMarkAndCRLFAreAccepted() throws {
        let f = try Fixture()
        let text = f.csv().replacingOccurrences(of: "\n", with: "\r\n")
        let path = f.write("windows.csv", [0xEF, 0xBB, 0xBF] + Array(text.utf8))
        let summary = try f.ingestor.ingest([path])
        #expect(summary.results[0].fate == .stored)
        let id = try f.store.history(school: "S1", period: Period("2026-Q2")!)[0].id
        #expect(try f.store.counts(ofSubmission: id) == f.submission().counts)
    }

    @Test func filesWithoutLabelsOrWithSpanishLabelsAreAccepted() throws {
        let f = try Fixture()
        let spanish = CountsFile.write(f.submission("S1"), codebook: f.codebook, labels: true, language: "es")
        let bare = f.csv(f.submission("S2", persons: 1), labels: false)
        let summary = try f.ingestor.ingest([f.write("es.csv", spanish), f.write("bare.csv", bare)])
        #expect(summary.results.map(\.fate) == [.stored, .stored])
    }

    @Test func columnsMayComeInAnyOrderAndSpreadsheetCommasAreTolerated() throws {
        let f = try Fixture()
        var lines = f.csv(labels: false).components(separatedBy: "\n")
        lines[0] += ",,,,"
        lines =
            [lines[0]]
            + lines.dropFirst().filter { !$0.isEmpty }.map { line in
                let c = line.components(separatedBy: ",")
                return [c[4], c[3], c[2], c[1], c[0]].joined(separator: ",")
            }
        let summary = try f.ingestor.ingest([f.write("reordered.csv", lines.joined(separator: "\n"))])
        #expect(summary.results[0].fate == .stored)
    }

    @Test func jsonCarriesTheSameContent() throws {
        let f = try Fixture()
        let summary = try f.ingestor.ingest([f.write("s1.json", f.json())])
        #expect(summary.results[0].fate == .stored)
        // The same counts as CSV are then a no-op.
        #expect(try f.ingestor.ingest([f.write("s1.csv", f.csv())]).results[0].fate == .unchanged)
    }

    @Test func aBlankTemplateIsRefusedAndANothingToReportTemplateIsZeros() throws {
        let f = try Fixture()
        for format in CountsFile.Format.allCases {
            let blank = CountsFile.template(school: "S2", period: Period("2026-Q1")!, codebook: f.codebook, format: format)
            #expect(throws: IntakeError.self, "\(format)") { try CountsFile.parse(Array(blank.utf8), file: "t", now: f.now) }
            do {
                _ = try CountsFile.parse(Array(blank.utf8), file: "t", now: f.now)
            } catch let e as IntakeError {
                #expect(e.count == 1, "an untouched template is one problem, not one per cell")
                #expect(e.message.contains("--nothing-to-report"))
            }
            let text = CountsFile.template(
                school: "S2", period: Period("2026-Q1")!, codebook: f.codebook, format: format, nothingToReport: true)
            let parsed = try CountsFile.parse(Array(text.utf8), file: "t", now: f.now)
            #expect(parsed.submission.counts.allSatisfy { $0 == 0 })
            #expect(parsed.submission.counts.count == f.codebook.allCells.count)
        }
        let csv = CountsFile.template(school: "S2", period: Period("2026-Q1")!, codebook: f.codebook, nothingToReport: true)
        #expect(csv.components(separatedBy: "\n").filter { !$0.isEmpty }.count == 2 + f.codebook.allCells.count)
        #expect(csv.hasPrefix("# mosaic-counts codebook=1\nschool_id,period,table,cell,count,label\n"))
    }

    @Test func aCorrectionSupersedesTheEarlierFileWhichStaysInTheHistory() throws {
        let f = try Fixture()
        let first = f.write("first.csv", f.csv(f.submission(persons: 2)))
        let second = f.write("second.csv", f.csv(f.submission(persons: 3)))
        let summary = try f.ingestor.ingest([first, second])
        #expect(summary.results.map(\.fate) == [.stored, .corrected])
        let history = try f.store.history(school: "S1", period: Period("2026-Q2")!)
        #expect(history.map(\.sourceName) == ["first.csv", "second.csv"])
        #expect(history.map(\.isCurrent) == [false, true])
        #expect(try f.store.counts(ofSubmission: history[1].id) == f.submission(persons: 3).counts)
    }

    @Test func theSameFileTwiceIsANoOpThatSaysSo() throws {
        let f = try Fixture()
        let path = f.write("same.csv", f.csv())
        #expect(try f.ingestor.ingest([path]).results[0].fate == .stored)
        let before = try f.snapshot()
        #expect(try f.ingestor.ingest([path]).results[0].fate == .unchanged)
        #expect(try f.snapshot() == before)
    }

    @Test func oneBadFileDoesNotStopTheOthers() throws {
        let f = try Fixture()
        let good1 = f.write("a.csv", f.csv(f.submission("S1")))
        let bad = f.write("b.csv", "garbage")
        let good2 = f.write("c.csv", f.csv(f.submission("S2", persons: 1)))
        var ingestor = f.ingestor
        ingestor.batchSize = 2
        var calls: [(Int, Int)] = []
        let summary = try ingestor.ingest([good1, bad, good2]) { calls.append(($0, $1)) }
        #expect(summary.stored == 2 && summary.failed == 1)
        #expect(calls.map(\.0) == [2, 3])
        #expect(try f.store.submissionCounts() == (all: 2, current: 2))
    }

    @Test func validateWithoutARegistrySkipsRegistryChecks() throws {
        let f = try Fixture()
        let path = f.write("unknown.csv", f.csv(f.submission("NOT-REGISTERED")))
        let results = Ingestor.validate([path], check: nil, now: f.now)
        guard case .success = results[0] else {
            Issue.record("a file valid on its own was refused")
            return
        }
        let checked = Ingestor.validate([path], check: try RegistryCheck(store: f.store), now: f.now)
        guard case .failure = checked[0] else {
            Issue.record("the registry check did not run")
            return
        }
    }
}

/// Tar archives of counts files: each member is checked and stored as a file of its own.
@Suite struct ArchiveIngestTests {
    @Test func anArchivesCountsFilesAreCheckedOneByOne() throws {
        let f = try Fixture()
        let path = f.folder + "/q.tar"
        var w = try TarWriter(path: path)
        try w.add(name: "2026-Q2/S1.csv", content: Array(f.csv(f.submission("S1")).utf8))
        try w.add(name: "2026-Q2/readme.txt", content: Array("not counts".utf8))
        try w.add(name: "2026-Q2/S3.csv", content: Array(f.csv(f.submission("S3")).utf8))  // closed school
        try w.add(name: "2026-Q2/S2.csv", content: Array(f.csv(f.submission("S2", persons: 1)).utf8))
        try w.finish()
        let summary = try f.ingestor.ingest([path])
        #expect(summary.results.map(\.file) == [path + ":2026-Q2/S1.csv", path + ":2026-Q2/S3.csv", path + ":2026-Q2/S2.csv"])
        #expect(summary.results[0].fate == .stored && summary.results[2].fate == .stored)
        guard case .invalid(let e) = summary.results[1].fate else {
            Issue.record("a closed school's file was accepted")
            return
        }
        #expect(e.file == path + ":2026-Q2/S3.csv" && e.field == "school_id")
        #expect(try f.store.history(school: "S2", period: Period("2026-Q2")!).count == 1)
        // The same archive again changes nothing.
        #expect(try f.ingestor.ingest([path]).results.map(\.fate) == [.unchanged, summary.results[1].fate, .unchanged])
    }

    /// A damaged archive: the members before the damage are stored, the archive is reported as
    /// one failure naming the byte offset, and nothing after it is read.
    @Test func aDamagedArchiveStopsAtTheDamage() throws {
        let f = try Fixture()
        let path = f.folder + "/q.tar"
        var w = try TarWriter(path: path)
        let first = Array(f.csv(f.submission("S1")).utf8)
        try w.add(name: "S1.csv", content: first)
        try w.add(name: "S2.csv", content: Array(f.csv(f.submission("S2", persons: 1)).utf8))
        try w.finish()
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let second = 512 + (first.count + 511) / 512 * 512
        bytes[second + 3] ^= 0x20
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let summary = try f.ingestor.ingest([path])
        #expect(summary.results.count == 2)
        #expect(summary.results[0].fate == .stored)
        guard case .invalid(let e) = summary.results[1].fate else {
            Issue.record("a damaged archive was not reported")
            return
        }
        #expect(e.file == path && e.message.contains("at byte \(second)") && e.message.contains("checksum"))
        #expect(try f.store.history(school: "S2", period: Period("2026-Q2")!).isEmpty)
    }

    /// Links, nested archives and archives without counts files are failures, never silent.
    @Test func linksNestedArchivesAndEmptyArchivesAreReported() throws {
        let f = try Fixture()
        let folder = f.folder + "/in"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(f.csv(f.submission("S1")).utf8).write(to: URL(fileURLWithPath: folder + "/S1.csv"))
        #expect(link(folder + "/S1.csv", folder + "/S1-copy.csv") == 0)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/tar")
        p.arguments = ["-C", folder, "-cf", f.folder + "/linked.tar", "S1.csv", "S1-copy.csv"]
        try p.run()
        p.waitUntilExit()
        let linked = try f.ingestor.ingest([f.folder + "/linked.tar"])
        #expect(linked.stored == 1 && linked.failed == 1)
        #expect(linked.results.contains { $0.file.hasSuffix(":S1-copy.csv") && $0.fate.isFailure })
        var w = try TarWriter(path: f.folder + "/outer.tar")
        try w.add(name: "inner.tar", content: [UInt8](repeating: 0, count: 1024))
        try w.add(name: "notes.txt", content: Array("x".utf8))
        try w.finish()
        let nested = try f.ingestor.ingest([f.folder + "/outer.tar"])
        #expect(nested.failed == 2)  // the inner archive, and no counts file at all
        #expect(nested.results.map(\.file) == [f.folder + "/outer.tar:inner.tar", f.folder + "/outer.tar"])
    }
}

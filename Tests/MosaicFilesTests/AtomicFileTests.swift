import Foundation
import Testing

@testable import MosaicFiles

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct AtomicFileTests {
    static func folder() throws -> String {
        let f = FileManager.default.temporaryDirectory.appendingPathComponent("mosaic-files-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: f, withIntermediateDirectories: true)
        return f
    }

    @Test func checkRefusesWhatIsThereMissingFoldersAndTheStore() throws {
        let f = try Self.folder()
        FileManager.default.createFile(atPath: f + "/taken", contents: Data("x".utf8))
        symlink(f + "/nowhere", f + "/dangling")
        #expect(throws: OutputError.exists(f + "/taken")) { try AtomicFile.check([f + "/taken"]) }
        #expect(throws: OutputError.exists(f + "/dangling")) { try AtomicFile.check([f + "/dangling"]) }
        #expect(throws: OutputError.folderMissing(f + "/no/x")) { try AtomicFile.check([f + "/no/x"]) }
        #expect(throws: OutputError.isStore(f + "/s.sqlite-wal")) {
            try AtomicFile.check([f + "/s.sqlite-wal"], forbidden: [f + "/s.sqlite"])
        }
        #expect(throws: OutputError.exists(f + "/./a")) { try AtomicFile.check([f + "/a", f + "/./a"]) }
        try AtomicFile.check([f + "/new"])
    }

    @Test func writeAllIsAllOrNothing() throws {
        let f = try Self.folder()
        try AtomicFile.writeAll([(f + "/a", Data("1".utf8)), (f + "/b", Data("2".utf8))])
        #expect(FileManager.default.contents(atPath: f + "/b") == Data("2".utf8))
        // A name taken after the check: the batch removes what it had published, and every temporary file.
        let batch = AtomicFile.Batch()
        try batch.write(Data("3".utf8), to: f + "/c")
        try batch.write(Data("4".utf8), to: f + "/d")
        FileManager.default.createFile(atPath: f + "/d", contents: Data("someone else".utf8))
        #expect(throws: OutputError.exists(f + "/d")) { _ = try batch.publish() }
        #expect(!FileManager.default.fileExists(atPath: f + "/c"))
        #expect(FileManager.default.contents(atPath: f + "/d") == Data("someone else".utf8))
        let names = try FileManager.default.contentsOfDirectory(atPath: f)
        #expect(!names.contains { AtomicFile.isTemporaryName($0) }, "\(names)")
    }

    @Test func temporaryFilesArePrivateAndPublishedFilesTakeTheirMode() throws {
        let f = try Self.folder()
        let t = try AtomicFile.writeTemporary(Data("secret".utf8), for: f + "/k")
        #expect(AtomicFile.isTemporaryName((t as NSString).lastPathComponent))
        #expect((try FileManager.default.attributesOfItem(atPath: t)[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        try AtomicFile.publish(temporary: t, to: f + "/k", mode: 0o600)
        #expect(!FileManager.default.fileExists(atPath: t))
        try AtomicFile.write(Data("public".utf8), to: f + "/p")
        #expect((try FileManager.default.attributesOfItem(atPath: f + "/p")[.posixPermissions] as? NSNumber)?.intValue == 0o644)
        #expect(throws: OutputError.exists(f + "/p")) { try AtomicFile.write(Data("again".utf8), to: f + "/p") }
    }

    @Test func aLinkLeftByACrashBetweenLinkAndUnlinkCountsAsDone() throws {
        let f = try Self.folder()
        let t = try AtomicFile.writeTemporary(Data("x".utf8), for: f + "/r")
        link(t, f + "/r")
        try AtomicFile.publish(temporary: t, to: f + "/r")
        #expect(!FileManager.default.fileExists(atPath: t) && FileManager.default.fileExists(atPath: f + "/r"))
    }

    @Test func thisProcessIsAliveAndAFinishedOneIsNot() throws {
        #expect(ProcessIdentity.current.isAlive)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        #expect(!ProcessIdentity(pid: p.processIdentifier, start: "1").isAlive)
        #expect(
            !ProcessIdentity(pid: ProcessIdentity.current.pid, start: "0").isAlive, "a reused pid with another start time is not the owner")
    }
}

@Suite struct BatchRecoveryTests {
    @Test func aBatchKilledWhileNamingIsFinishedByTheNextRun() throws {
        let f = try AtomicFileTests.folder()
        // Three files written and flushed under temporary names; a dead process had named the first.
        let finals = ["a.html", "a.md", "a.csv"].map { f + "/" + $0 }
        let temps = try finals.map { try AtomicFile.writeTemporary(Data($0.utf8), for: $0) }
        try AtomicFile.publish(temporary: temps[0], to: finals[0])
        let manifest: [String: Any] = [
            "pid": 999_999, "start": "1",
            "files": zip(temps, finals).map { ["temporary": $0, "path": $1, "mode": 0o644] as [String: Any] },
        ]
        let m = f + "/" + AtomicFile.batchMarker + "test"
        FileManager.default.createFile(atPath: m, contents: try JSONSerialization.data(withJSONObject: manifest))
        let notes = AtomicFile.recoverBatches(in: f)
        #expect(notes.count == 1 && notes[0].contains("a.md") && notes[0].contains("a.csv"), "\(notes)")
        for p in finals { #expect(FileManager.default.contents(atPath: p) == Data(p.utf8)) }
        let names = try FileManager.default.contentsOfDirectory(atPath: f)
        #expect(!names.contains { $0.hasPrefix(AtomicFile.batchMarker) || AtomicFile.isTemporaryName($0) }, "\(names)")
    }

    @Test func aLiveOwnersBatchIsLeftAlone() throws {
        let f = try AtomicFileTests.folder()
        let t = try AtomicFile.writeTemporary(Data("x".utf8), for: f + "/b")
        let me = ProcessIdentity.current
        let manifest: [String: Any] = [
            "pid": Int(me.pid) + 0, "start": me.start, "files": [["temporary": t, "path": f + "/b", "mode": 0o644]],
        ]
        FileManager.default.createFile(
            atPath: f + "/" + AtomicFile.batchMarker + "live", contents: try JSONSerialization.data(withJSONObject: manifest))
        // This process counts as finished for its own manifests (a command recovers what it left itself).
        #expect(AtomicFile.recoverBatches(in: f).count == 1)
    }
}

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

/// The journal of interrupted writes trusts only itself: manifests in the private state folder,
/// bound to a dead process, naming Mosaic's own temporary files beside their final names.
@Suite(.serialized) struct BatchRecoveryTests {
    /// One private state folder for this test process (the journal reads `MOSAIC_STATE_DIR`).
    static let state: String = {
        let f = FileManager.default.temporaryDirectory.appendingPathComponent("mosaic-state-\(UUID().uuidString)").path
        setenv("MOSAIC_STATE_DIR", f, 1)
        return f
    }()

    func plant(_ files: [(temporary: String, path: String)], pid: Int = 999_999, start: String = "1", name: String = "batch-test.json")
        throws
    {
        _ = try StateFolder.path()
        let manifest: [String: Any] = [
            "pid": pid, "start": start,
            "files": files.map { ["temporary": $0.temporary, "path": $0.path, "mode": 0o644] as [String: Any] },
        ]
        FileManager.default.createFile(atPath: Self.state + "/" + name, contents: try JSONSerialization.data(withJSONObject: manifest))
    }

    @Test func aBatchKilledWhileNamingIsFinishedByTheNextRun() throws {
        _ = Self.state
        let f = try AtomicFileTests.folder()
        // Three files written and flushed under temporary names; a dead process had named the first.
        let finals = ["a.html", "a.md", "a.csv"].map { f + "/" + $0 }
        let temps = try finals.map { try AtomicFile.writeTemporary(Data($0.utf8), for: $0) }
        try AtomicFile.publish(temporary: temps[0], to: finals[0])
        try plant(Array(zip(temps, finals)).map { ($0, $1) })
        let notes = WriteJournal.recover(folders: [f])
        #expect(notes.count == 1 && notes[0].contains("a.md") && notes[0].contains("a.csv"), "\(notes)")
        for p in finals { #expect(FileManager.default.contents(atPath: p) == Data(p.utf8)) }
        let names = try FileManager.default.contentsOfDirectory(atPath: f)
        #expect(!names.contains { AtomicFile.isTemporaryName($0) }, "\(names)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: Self.state).isEmpty)
    }

    @Test func aPlantedManifestInAnOutputFolderIsNeverRead() throws {
        _ = Self.state
        let shared = try AtomicFileTests.folder()
        let authority = try AtomicFileTests.folder()
        FileManager.default.createFile(atPath: authority + "/mosaic.sqlite", contents: Data("store".utf8))
        FileManager.default.createFile(atPath: shared + "/thesis.tex", contents: Data("thesis".utf8))
        let manifest: [String: Any] = [
            "pid": 0, "start": "",
            "files": [
                ["temporary": authority + "/mosaic.sqlite", "path": shared + "/appendix.sqlite", "mode": 0o644],
                ["temporary": shared + "/thesis.tex", "path": shared + "/x", "mode": 0o644],
            ],
        ]
        FileManager.default.createFile(
            atPath: shared + "/.mosaic-batch-0123456789ab", contents: try JSONSerialization.data(withJSONObject: manifest))
        #expect(WriteJournal.recover(folders: [shared]).isEmpty)
        #expect(WriteJournal.recover().isEmpty)
        #expect(FileManager.default.contents(atPath: authority + "/mosaic.sqlite") == Data("store".utf8))
        #expect(!FileManager.default.fileExists(atPath: shared + "/appendix.sqlite"))
        #expect(FileManager.default.contents(atPath: shared + "/thesis.tex") == Data("thesis".utf8))
    }

    @Test func entriesThatAreNotMosaicsOwnTemporariesAreLeftAlone() throws {
        _ = Self.state
        let out = try AtomicFileTests.folder()
        let other = try AtomicFileTests.folder()
        // A file in another folder, a file with a name Mosaic would not give, and a link.
        let elsewhere = try AtomicFile.writeTemporary(Data("key".utf8), for: other + "/k")
        let misnamed = out + "/secret.key"
        FileManager.default.createFile(atPath: misnamed, contents: Data("k".utf8))
        let linkTemp = AtomicFile.temporaryPath(for: out + "/l")
        symlink(other + "/target", linkTemp)
        FileManager.default.createFile(atPath: other + "/target", contents: Data("t".utf8))
        try plant([(elsewhere, out + "/k"), (misnamed, out + "/m"), (linkTemp, out + "/l")], name: "batch-hostile.json")
        let notes = WriteJournal.recover(folders: [out])
        #expect(notes.filter { $0.hasPrefix("left alone") }.count == 3, "\(notes)")
        for moved in ["/k", "/m", "/l"] { #expect(!FileManager.default.fileExists(atPath: out + moved)) }
        #expect(FileManager.default.fileExists(atPath: elsewhere))
        #expect(FileManager.default.fileExists(atPath: misnamed))
    }

    @Test func aManifestWithoutAProcessIsIgnored() throws {
        _ = Self.state
        let f = try AtomicFileTests.folder()
        let t = try AtomicFile.writeTemporary(Data("x".utf8), for: f + "/b")
        try plant([(t, f + "/b")], pid: 0, start: "", name: "batch-nopid.json")
        let notes = WriteJournal.recover(folders: [f])
        #expect(notes.count == 1 && notes[0].contains("names no process"), "\(notes)")
        #expect(!FileManager.default.fileExists(atPath: f + "/b"))
    }

    @Test func aLiveOwnersBatchIsLeftAlone() throws {
        _ = Self.state
        let f = try AtomicFileTests.folder()
        let t = try AtomicFile.writeTemporary(Data("x".utf8), for: f + "/b")
        // A live process other than this one (pid 1 always runs) owns it: left alone.
        try plant([(t, f + "/b")], pid: 1, start: ProcessIdentity.startTime(of: 1) ?? "1", name: "batch-live.json")
        #expect(WriteJournal.recover(folders: [f]).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: f + "/b"))
        unlink(Self.state + "/batch-live.json")
    }
}

/// Naming a file never follows a link or names a file that is not the one written (a reviewer's
/// attacks: a temporary swapped for a link, a link at the final name, a hard link to a secret).
@Suite struct PublishTrustTests {
    @Test func aTemporarySwappedForALinkIsRefusedAndItsTargetUntouched() throws {
        let f = try AtomicFileTests.folder()
        FileManager.default.createFile(atPath: f + "/secret.key", contents: Data("k".utf8), attributes: [.posixPermissions: 0o600])
        let temp = AtomicFile.temporaryPath(for: f + "/out.html")
        symlink(f + "/secret.key", temp)
        #expect(throws: OutputError.self) { try AtomicFile.publish(temporary: temp, to: f + "/out.html") }
        let mode = try FileManager.default.attributesOfItem(atPath: f + "/secret.key")[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(!FileManager.default.fileExists(atPath: f + "/out.html"))
    }

    @Test func aHardLinkedTemporaryIsRefused() throws {
        let f = try AtomicFileTests.folder()
        FileManager.default.createFile(atPath: f + "/secret.key", contents: Data("k".utf8), attributes: [.posixPermissions: 0o600])
        let temp = AtomicFile.temporaryPath(for: f + "/rel.sqlite")
        #expect(link(f + "/secret.key", temp) == 0)
        #expect(throws: OutputError.self) { try AtomicFile.publish(temporary: temp, to: f + "/rel.sqlite") }
        let mode = try FileManager.default.attributesOfItem(atPath: f + "/secret.key")[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
    }

    @Test func aLinkAtTheFinalNameIsAClashAndTheTemporaryIsKept() throws {
        let f = try AtomicFileTests.folder()
        let temp = try AtomicFile.writeTemporary(Data("only copy".utf8), for: f + "/r.html")
        symlink(temp, f + "/r.html")
        #expect(throws: OutputError.exists(f + "/r.html")) { try AtomicFile.publish(temporary: temp, to: f + "/r.html") }
        #expect(FileManager.default.contents(atPath: temp) == Data("only copy".utf8))
    }

    @Test func onlyMosaicsExactTemporaryNamesCount() {
        #expect(AtomicFile.isExactTemporaryName(".r.html.mosaic-tmp-0123456789ab"))
        #expect(!AtomicFile.isExactTemporaryName(".thesis.docx.mosaic-tmp-backup"))
        #expect(!AtomicFile.isExactTemporaryName(".mosaic-tmp-0123456789ab"))
        #expect(!AtomicFile.isExactTemporaryName("r.html.mosaic-tmp-0123456789ab"))
    }
}

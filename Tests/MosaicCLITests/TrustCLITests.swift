import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Nothing in a folder is trusted: a planted journal of interrupted writes moves nothing, and the
/// ledger's commit reaches the disk before a release file is named.
@Suite(.serialized) struct TrustCLITests {
    /// A journal as the attacker wrote it: the store and the key "finished" into a shared folder,
    /// and a researcher's file named as a temporary (deleted where its target exists).
    static func plantJournal(_ s: Scenario, in shared: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: s.folder + "/" + shared, withIntermediateDirectories: true)
        s.cli.write(shared + "/thesis.tex", "a researcher's thesis")
        s.cli.write(shared + "/existing.txt", "x")
        let files: [[String: Any]] = [
            ["temporary": s.store, "path": s.folder + "/\(shared)/appendix.sqlite", "mode": 0o644],
            ["temporary": s.folder + "/mosaic-authority.key", "path": s.folder + "/\(shared)/appendix.key", "mode": 0o644],
            ["temporary": s.folder + "/\(shared)/thesis.tex", "path": s.folder + "/\(shared)/existing.txt", "mode": 0o644],
        ]
        let journal: [String: Any] = ["pid": 0, "start": "", "files": files]
        let data = try JSONSerialization.data(withJSONObject: journal)
        for name in [".mosaic-batch-0123456789ab", ".mosaic-batch-x"] {
            fm.createFile(atPath: s.folder + "/\(shared)/\(name)", contents: data)
        }
    }

    static func expectNothingMoved(_ s: Scenario, _ shared: String, _ label: String, _ r: CLI.Result) {
        let fm = FileManager.default
        #expect(fm.fileExists(atPath: s.store), "\(label): the store moved")
        #expect(fm.fileExists(atPath: s.folder + "/mosaic-authority.key"), "\(label): the key moved")
        #expect(!fm.fileExists(atPath: s.folder + "/\(shared)/appendix.sqlite"), "\(label)")
        #expect(!fm.fileExists(atPath: s.folder + "/\(shared)/appendix.key"), "\(label)")
        #expect(s.cli.read(shared + "/thesis.tex") == "a researcher's thesis", "\(label): the thesis was touched")
        #expect(!r.err.contains("finished an interrupted write"), "\(label): \(r.err)")
    }

    @Test func aPlantedJournalMovesNothingInAnyCommand() throws {
        let s = try Scenario(schools: 60)
        try s.cli.expectOK("release", "create", "--period", "2026-Q1", "--replicates", "0", "--out", "r.sqlite")
        let school = try s.sql("SELECT id FROM school ORDER BY id LIMIT 1")
        let commands: [(String, [String], Int32)] = [
            ("report", ["report", "--release", "r.sqlite", "--format", "html,csv", "--out", "shared1"], 0),
            ("query --export", ["query", "r.sqlite", "--export", "shared2"], 0),
            ("keys init", ["keys", "init", "--key", "shared3/authority2.key"], 1),  // the store already has a key
            (
                "keys school",
                ["keys", "school", "--school", school, "--authority-public", "mosaic-authority.key.pub", "--out", "shared4/s.cred"], 0
            ),
            ("doctor --scan", ["doctor", "--scan", "shared5"], 0),
        ]
        for (i, (label, args, status)) in commands.enumerated() {
            let shared = "shared\(i + 1)"
            try Self.plantJournal(s, in: shared)
            let r = try s.cli.run(args)
            #expect(r.status == status, "\(label): \(r.err)")
            Self.expectNothingMoved(s, shared, label, r)
        }
        // The store still works and holds what it held.
        #expect(try s.sql("SELECT count(*) FROM release") == "1")
    }

    @Test func aStateFolderOthersCanWriteIsRefused() throws {
        let s = try Scenario(schools: 60)
        try s.cli.expectOK("release", "create", "--period", "2026-Q1", "--replicates", "0", "--out", "r.sqlite")
        try FileManager.default.createDirectory(atPath: s.cli.stateFolder, withIntermediateDirectories: true)
        chmod(s.cli.stateFolder, 0o777)
        let r = try s.cli.run("report", "--release", "r.sqlite", "--format", "html,csv", "--out", "rep")
        #expect(r.status == 1)
        #expect(r.err.contains("private state folder"), "\(r.err)")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: s.folder + "/rep")) ?? [] == [])
    }

    /// The power-cut order from a syscall trace: the store's log is synced after the ledger's
    /// last write and before the release file takes its name.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/strace")))
    func theLedgerIsOnDiskBeforeTheReleaseFileIsNamed() throws {
        let s = try Scenario(schools: 60)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/strace")
        p.arguments =
            ["-f", "-y", "-o", s.folder + "/trace.txt", "-e", "trace=pwrite64,write,fsync,fdatasync,link,linkat,rename,renameat,renameat2"]
            + [CLI.binary.path, "release", "create", "--period", "2026-Q1", "--replicates", "0", "--out", "r.sqlite"]
        p.currentDirectoryURL = URL(fileURLWithPath: s.folder)
        p.environment = s.cli.processEnvironment
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let lines = s.cli.read("trace.txt").split(separator: "\n").map(String.init)
        guard let named = lines.firstIndex(where: { ($0.contains("link(") || $0.contains("linkat(")) && $0.contains("r.sqlite\"") })
        else {
            Issue.record("no link of r.sqlite in the trace")
            return
        }
        let before = lines[..<named]
        guard let lastWalWrite = before.lastIndex(where: { $0.contains("pwrite64(") && $0.contains("mosaic.sqlite-wal>") }) else {
            Issue.record("no write to the store's log before the file was named")
            return
        }
        let synced = before[lastWalWrite...].contains {
            ($0.contains("fsync(") || $0.contains("fdatasync(")) && $0.contains("mosaic.sqlite-wal>")
        }
        #expect(synced, "the ledger's commit was not synced before the release file got its name")
    }
}

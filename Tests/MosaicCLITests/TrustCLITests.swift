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

    /// Release files as data: nonsense numbers, markup and escapes in the metadata, formulas in
    /// names, a table without rowids, a log beside the file: exit 1 naming the file, no trap, nothing written.
    @Test func hostileMetadataNamesAndLayoutsAreRefusedNamingTheFile() throws {
        let s = try Scenario(schools: 60)
        try s.cli.expectOK("release", "create", "--period", "2026-Q1", "--replicates", "0", "--out", "r.sqlite")
        let variants: [(String, String, String)] = [
            ("rho-huge.sqlite", "UPDATE metadata SET value = '1e300' WHERE key = 'rho';", "key rho"),
            ("rho-inf.sqlite", "UPDATE metadata SET value = 'inf' WHERE key = 'rho';", "key rho"),
            ("rho-negative.sqlite", "UPDATE metadata SET value = '-1' WHERE key = 'rho';", "key rho"),
            ("rho-nan.sqlite", "UPDATE metadata SET value = 'nan' WHERE key = 'rho';", "key rho"),
            ("script.sqlite", "UPDATE metadata SET value = '<script>alert(1)</script>' WHERE key = 'release_id';", "key release_id"),
            ("escape.sqlite", "UPDATE metadata SET value = char(27) || '[2J' WHERE key = 'release_id';", "control character"),
            (
                "formula.sqlite",
                "UPDATE units SET geo_name = '=HYPERLINK(\"http://x\")' WHERE level = 'region' AND rowid = (SELECT min(rowid) FROM units WHERE level = 'region');",
                "formula"
            ),
            (
                "without-rowid.sqlite",
                "CREATE TABLE c2 (period TEXT, level TEXT, geo_code TEXT, geo_name TEXT, table_name TEXT, cell TEXT, value, moe95, status TEXT, PRIMARY KEY (period, level, geo_code, table_name, cell)) WITHOUT ROWID; INSERT INTO c2 SELECT * FROM cells; DROP TABLE cells; ALTER TABLE c2 RENAME TO cells;",
                ""
            ),
        ]
        for (name, sql, reason) in variants {
            let file = try HostileFileCLITests.mutate(s, name, sql)
            for args in [["report", "--release", file, "--out", "rep-\(name)"], ["query", file, "--table", "total", "--by", "region"]] {
                let r = try s.cli.run(args)
                let label = "mosaic \(args.joined(separator: " "))"
                if name == "without-rowid.sqlite" && r.status == 0 { continue }  // read as any table: fine, as long as it is not a trap
                #expect(r.status == 1, "\(label): exit \(r.status) \(r.err)")
                #expect(r.err.contains(file), "\(label): \(r.err)")
                #expect(reason.isEmpty || r.err.contains(reason), "\(label): \(r.err)")
                #expect(!r.err.contains("store"), "\(label): the store is blamed: \(r.err)")
                #expect(!r.err.unicodeScalars.contains { $0.value == 27 } && !r.out.unicodeScalars.contains { $0.value == 27 })
                #expect(!FileManager.default.fileExists(atPath: s.folder + "/rep-\(name)"), "\(label): a report was written")
            }
        }
        // A bidirectional override, or a formula behind a space, in a unit's name.
        for (name, value) in [("bidi.sqlite", "'Arag' || char(8238) || 'exe.txt'"), ("spaced.sqlite", "' =HYPERLINK(1)'")] {
            let file = try HostileFileCLITests.mutate(
                s, name, "UPDATE units SET geo_name = \(value) WHERE rowid = (SELECT min(rowid) FROM units WHERE level = 'region');")
            let r = try s.cli.run("report", "--release", file, "--out", "rep-\(name)")
            #expect(r.status == 1 && r.err.contains(file), "\(name): \(r.err)")
        }
        // A pipe named as the log beside a SQLite file: no hang.
        let other = s.folder + "/other.sqlite"
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        make.arguments = [other, "CREATE TABLE x(a)"]
        try make.run()
        make.waitUntilExit()
        #expect(mkfifo(other + "-wal", 0o600) == 0)
        let piped = try s.cli.run("query", "other.sqlite", "--sql", "SELECT 1", "--timeout", "1")
        #expect(piped.status == 1, "\(piped.err)")
        // A log beside the file: refused with the reason, and never opened read-write (no -shm made).
        try FileManager.default.copyItem(atPath: s.folder + "/r.sqlite", toPath: s.folder + "/w.sqlite")
        s.cli.write("w.sqlite-wal", String(repeating: "x", count: 100))
        let wal = try s.cli.run("query", "w.sqlite", "--table", "total")
        #expect(wal.status == 1 && wal.err.contains("-wal"), "\(wal.err)")
        #expect(!FileManager.default.fileExists(atPath: s.folder + "/w.sqlite-shm"))
    }

    /// A view that expands exponentially when a statement naming it is prepared: refused before
    /// any statement names it, well inside the time limit.
    @Test func aViewBombIsRefusedWithinTheTimeLimit() throws {
        let s = try Scenario(schools: 60)
        try s.cli.expectOK("release", "create", "--period", "2026-Q1", "--replicates", "0", "--out", "r.sqlite")
        var bomb =
            "DROP VIEW channels; CREATE VIEW b0 AS SELECT 1 AS x WHERE 1 IN (\((0..<15000).map(String.init).joined(separator: ",")));"
        for i in 1...15 { bomb += "CREATE VIEW b\(i) AS SELECT * FROM b\(i - 1) UNION ALL SELECT * FROM b\(i - 1);" }
        bomb += "CREATE VIEW channels AS SELECT * FROM cells WHERE EXISTS (SELECT 1 FROM b15);"
        let file = try HostileFileCLITests.mutate(s, "bomb.sqlite", bomb)
        let start = Date()
        let r = try s.cli.run("query", file, "--sql", "SELECT * FROM channels", "--timeout", "1")
        let took = Date().timeIntervalSince(start)
        #expect(r.status == 1, "\(r.err)")
        #expect(r.err.contains(file) && r.err.contains("view"), "\(r.err)")
        #expect(took < 5, "took \(took) s")
    }

    static let hasStrace = FileManager.default.isExecutableFile(atPath: "/usr/bin/strace")

    /// `form --all` killed as it names its 10th form: the next command finishes every form, and
    /// every school has exactly the key of its form (all or none, never 10 of 39).
    @Test(.enabled(if: hasStrace)) func formsKilledWhileNamingAreFinishedAsOneRun() throws {
        let s = try Scenario(schools: 60, ingested: [])
        let schools = try s.sql("SELECT count(*) FROM school WHERE is_open = 1")
        try s.cli.expectOK("form", "--all", "--out", "forms1")
        let before = try s.sql("SELECT count(*) FROM school_key WHERE revoked_at IS NULL")
        #expect(before == schools)
        try s.runKilled(at: "link", 10, ["form", "--all", "--out", "forms2"])
        let doctor = try s.cli.run("doctor")
        #expect(doctor.err.contains("finished issuing") || doctor.out.contains("finished issuing"), "\(doctor.out) \(doctor.err)")
        let written = (try? FileManager.default.contentsOfDirectory(atPath: s.folder + "/forms2"))?.filter { $0.hasSuffix(".html") } ?? []
        #expect(String(written.count) == schools, "\(written.count) forms of \(schools)")
        // Every active key is the key inside its school's new form.
        let active = try s.sql("SELECT school_id || ' ' || fingerprint FROM school_key WHERE revoked_at IS NULL ORDER BY school_id")
        #expect(active.split(separator: "\n").count == Int(schools))
        for line in active.split(separator: "\n").prefix(5) {
            let parts = line.split(separator: " ")
            #expect(s.cli.read("forms2/\(parts[0]).html").contains(String(parts[1])), "\(line)")
        }
    }

    /// `registry credentials` killed before its file is named, while another file takes the name:
    /// the run is undone, and the school's old key works again (never both revoked).
    @Test(.enabled(if: hasStrace)) func credentialsKilledWhileAnotherFileTakesTheNameAreUndone() throws {
        let s = try Scenario(schools: 60, ingested: [])
        let school = try s.sql("SELECT id FROM school ORDER BY id LIMIT 1")
        try s.cli.expectOK("registry", "credentials", "--school", school, "--out", "old.cred")
        let oldKey = try s.sql("SELECT fingerprint FROM school_key WHERE revoked_at IS NULL AND school_id = '\(school)'")
        try s.runKilled(at: "link", 1, ["registry", "credentials", "--school", school, "--out", "new.cred"])
        s.cli.write("new.cred", "someone else's file")
        let doctor = try s.cli.run("doctor")
        #expect(doctor.status == 1, "a run that had to be undone needs the user: \(doctor.out)")
        #expect(try s.sql("SELECT fingerprint FROM school_key WHERE revoked_at IS NULL AND school_id = '\(school)'") == oldKey)
        #expect(try s.sql("SELECT count(*) FROM school_key WHERE school_id = '\(school)'") == "1")
        #expect(s.cli.read("new.cred") == "someone else's file")
        #expect(try s.sql("SELECT count(*) FROM pending_output") == "0")
    }

    /// `keys init` killed at each name and unlink: the store has the key exactly when both files
    /// are there, and the next command can issue credentials (never "run keys init first" forever).
    @Test(.enabled(if: hasStrace)) func keysInitKilledAnywhereEndsWithKeyAndFilesTogether() throws {
        for (call, n) in [("link", 1), ("link", 2), ("unlink", 1), ("unlink", 3), ("fsync", 1)] {
            let s = try Scenario(schools: 60, ingested: [])
            // The scenario made a key already: start again from a store without one.
            try FileManager.default.removeItem(atPath: s.folder + "/mosaic-authority.key")
            try FileManager.default.removeItem(atPath: s.folder + "/mosaic-authority.key.pub")
            _ = try s.sql("SELECT 1")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            p.arguments = [s.store, "DELETE FROM store_info WHERE key = 'authority_public_key'"]
            try p.run()
            p.waitUntilExit()
            try s.runKilled(at: call, n, ["keys", "init"])
            _ = try s.cli.run("doctor")
            let inStore = try s.sql("SELECT count(*) FROM store_info WHERE key = 'authority_public_key'") == "1"
            let files =
                FileManager.default.fileExists(atPath: s.folder + "/mosaic-authority.key")
                && FileManager.default.fileExists(atPath: s.folder + "/mosaic-authority.key.pub")
            #expect(inStore == files, "keys init killed at \(call):\(n): store \(inStore), files \(files)")
            if !inStore { try s.cli.expectOK("keys", "init") }
            let school = try s.sql("SELECT id FROM school ORDER BY id LIMIT 1")
            try s.cli.expectOK("registry", "credentials", "--school", school, "--out", "c.cred")
            #expect(s.temporaryFiles().isEmpty, "\(call):\(n): \(s.temporaryFiles())")
        }
    }

    /// `release export` killed between its files: the next command finishes it (and says so).
    @Test(.enabled(if: hasStrace)) func releaseExportKilledIsFinishedByTheNextCommand() throws {
        let s = try Scenario(schools: 60)
        try s.cli.expectOK("release", "create", "--period", "2026-Q1", "--replicates", "0", "--out", "r.sqlite")
        try s.runKilled(at: "link", 2, ["release", "export", "2026-Q1-R1", "--out", "e.sqlite", "--csv", "ecsv"])
        let doctor = try s.cli.run("doctor")
        #expect(doctor.status == 0, "\(doctor.out) \(doctor.err)")
        for name in ["e.sqlite", "ecsv/cells.csv", "ecsv/metadata.csv", "ecsv/coverage.csv"] {
            #expect(FileManager.default.fileExists(atPath: s.folder + "/" + name), "\(name) missing after recovery")
        }
        #expect(s.temporaryFiles().isEmpty, "\(s.temporaryFiles())")
        #expect(try s.sql("SELECT count(*) FROM pending_output") == "0")
    }

    /// The stated loss counts pooled releases by group privacy: four quarterly releases at ρ = 1
    /// and one pooled release of the four at ρ = 1 cost a person with one incident in each
    /// quarter 4 × 1 + 4² × 1 = 20, in `mosaic budget` and in the report alike.
    @Test func theStatedLossCountsAPooledReleaseSquared() throws {
        let cli = try CLI()
        try cli.expectOK("synth", "--out", "syn", "--schools", "80", "--quarters", "4", "--last", "2026-Q2")
        try cli.expectOK("init")
        try cli.expectOK("registry", "import", "syn/registry.csv")
        var releases: [String] = []
        for q in ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"] {
            try cli.expectOK("ingest", "--unsealed", "syn/counts/\(q)")
            try cli.expectOK("release", "create", "--period", q, "--replicates", "0", "--out", "\(q).sqlite")
            releases += ["--release", "\(q).sqlite"]
        }
        try cli.expectOK("release", "create", "--periods", "2025-Q3..2026-Q2", "--replicates", "0", "--out", "year.sqlite")
        // Every covered quarter has spent 2 of its cap 2 now: the plan of another pooled release says it would be refused.
        let plan = try cli.run("release", "create", "--periods", "2025-Q3..2026-Q2", "--plan-only")
        #expect(plan.status == 0 && plan.out.contains("Warning: 2025-Q3 has ρ = 0 left of its cap 2"), "\(plan.out)")
        let budget = try cli.run("budget")
        #expect(budget.out.contains("loses ρ = 20 "), "\(budget.out)")
        let report = try cli.run(["report"] + releases + ["--release", "year.sqlite", "--format", "md", "--out", "rep"])
        #expect(report.status == 0, "\(report.err)")
        let md = cli.read("rep/report-country-en.md")
        #expect(md.contains("at ρ = 20,") && md.contains("counts n² times its ρ"), "\(md.suffix(1500))")
    }
}

import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Every writing command, refused: exit 1, a message naming the path, and nothing changed — the
/// store's content, the budget, the keys and every file, byte for byte.
@Suite(.serialized) struct FailureAtomicityTests {
    /// A folder this user cannot write: mode 0555, or for root (who writes anywhere) /proc/self.
    static func readOnlyFolder(in folder: String) -> String {
        if geteuid() == 0 { return "/proc/self" }
        let ro = folder + "/readonly"
        try? FileManager.default.createDirectory(atPath: ro, withIntermediateDirectories: true)
        chmod(ro, 0o555)
        return ro
    }

    /// Runs each refused command and checks that nothing changed.
    func expectRefusedWithoutChange(_ s: Scenario, _ cases: [(label: String, args: [String], mentions: String)]) throws {
        for c in cases {
            let store = try s.storeDump()
            let files = s.filesDigest()
            let r = try s.cli.run(c.args)
            #expect(r.status == 1, "\(c.label): exit \(r.status): \(r.err)")
            #expect(r.err.contains(c.mentions), "\(c.label): the message does not name \(c.mentions): \(r.err)")
            #expect(!r.err.contains("NSCocoaErrorDomain") && !r.err.contains("Error Domain"), "\(c.label): raw Foundation text: \(r.err)")
            #expect(try s.storeDump() == store, "\(c.label): the store changed")
            #expect(s.filesDigest() == files, "\(c.label): files changed")
        }
    }

    @Test func releaseCreateAndExportRefuseBadOutputsAndSpendNothing() throws {
        let s = try Scenario(schools: 80)
        s.cli.write("taken.sqlite", "someone else's file")
        try FileManager.default.createDirectory(atPath: s.folder + "/csvtaken", withIntermediateDirectories: true)
        s.cli.write("csvtaken/cells.csv", "a,b\n")
        let ro = Self.readOnlyFolder(in: s.folder)
        let base = ["release", "create", "--period", "2026-Q1", "--replicates", "0"]
        try expectRefusedWithoutChange(
            s,
            [
                ("existing --out", base + ["--out", "taken.sqlite"], "taken.sqlite"),
                ("--csv folder holding cells.csv", base + ["--out", "r.sqlite", "--csv", "csvtaken"], "cells.csv"),
                ("--csv naming a file", base + ["--out", "r.sqlite", "--csv", "taken.sqlite"], "taken.sqlite"),
                ("missing folder", base + ["--out", "nowhere/r.sqlite"], "nowhere/r.sqlite"),
                ("read-only folder", base + ["--out", ro + "/r.sqlite"], ro),
                ("the store itself", base + ["--out", "mosaic.sqlite"], "mosaic.sqlite"),
                ("the store's WAL", base + ["--out", "mosaic.sqlite-wal"], "mosaic.sqlite-wal"),
            ])
        #expect(try s.sql("SELECT count(*) FROM release") == "0")
        try s.cli.expectOK("release", "create", "--period", "2026-Q1", "--replicates", "0", "--out", "r.sqlite")
        try expectRefusedWithoutChange(
            s,
            [
                ("export onto an existing file", ["release", "export", "2026-Q1-R1", "--out", "taken.sqlite"], "taken.sqlite"),
                ("export with a taken CSV", ["release", "export", "2026-Q1-R1", "--out", "r2.sqlite", "--csv", "csvtaken"], "cells.csv"),
                ("export into a missing folder", ["release", "export", "2026-Q1-R1", "--out", "nowhere/r.sqlite"], "nowhere"),
                ("export onto the store", ["release", "export", "2026-Q1-R1", "--out", "mosaic.sqlite"], "mosaic.sqlite"),
                ("export of an unknown release", ["release", "export", "2026-Q1-R9", "--out", "r9.sqlite"], "2026-Q1-R9"),
            ])
    }

    @Test func keyAndCredentialCommandsRefuseWithoutRevokingOrWriting() throws {
        let s = try Scenario(schools: 60, ingested: [])
        let school = try s.sql("SELECT id FROM school ORDER BY id LIMIT 1")
        try s.cli.expectOK("registry", "credentials", "--school", school, "--out", "first.cred")
        s.cli.write("taken.cred", "x")
        s.cli.write("k.cred.pub", "x")
        let ro = Self.readOnlyFolder(in: s.folder)
        try expectRefusedWithoutChange(
            s,
            [
                ("credentials onto a file", ["registry", "credentials", "--school", school, "--out", "taken.cred"], "taken.cred"),
                (
                    "credentials into a missing folder", ["registry", "credentials", "--school", school, "--out", "nowhere/c.cred"],
                    "nowhere"
                ),
                ("credentials into a read-only folder", ["registry", "credentials", "--school", school, "--out", ro + "/c.cred"], ro),
                ("credentials onto the store", ["registry", "credentials", "--school", school, "--out", "mosaic.sqlite"], "mosaic.sqlite"),
                ("credentials for an unknown school", ["registry", "credentials", "--school", "NOPE-1", "--out", "n.cred"], "NOPE-1"),
                (
                    "keys school with its .pub taken",
                    ["keys", "school", "--school", school, "--authority-public", "mosaic-authority.key.pub", "--out", "k.cred"],
                    "k.cred.pub"
                ),
                ("keys init again", ["keys", "init", "--key", "other.key"], "authority key"),
                ("keys init onto a file", ["keys", "init", "--key", "taken.cred"], "taken.cred"),
                ("seal onto a file", ["seal", "syn/registry.csv", "--credentials", "first.cred", "--out", "taken.cred"], "taken.cred"),
                ("template onto a file", ["template", "--school", school, "--period", "2026-Q1", "--out", "taken.cred"], "taken.cred"),
                ("init onto a file", ["init", "--store", "taken.cred"], "taken.cred"),
            ])
        // The school's first key is still the one that works.
        #expect(try s.sql("SELECT count(*) FROM school_key WHERE revoked_at IS NULL") == "1")
    }

    @Test func reportAndSynthNeverReplaceFiles() throws {
        let s = try Scenario(schools: 80)
        try s.cli.expectOK("release", "create", "--period", "2026-Q1", "--replicates", "0", "--out", "r.sqlite")
        try FileManager.default.createDirectory(atPath: s.folder + "/reports", withIntermediateDirectories: true)
        s.cli.write("reports/report-country-en.md", "my notes")
        s.cli.write("afile", "x")
        try expectRefusedWithoutChange(
            s,
            [
                (
                    "report onto an existing file", ["report", "--release", "r.sqlite", "--out", "reports", "--format", "html,md"],
                    "report-country-en.md"
                ),
                ("report into a file", ["report", "--release", "r.sqlite", "--out", "afile"], "afile"),
                ("synth into a folder with files", ["synth", "--out", "reports", "--schools", "50", "--quarters", "1"], "reports"),
            ])
    }

    @Test func exitCodesAreAContract() throws {
        let s = try Scenario(schools: 60, ingested: [])
        try FileManager.default.createDirectory(atPath: s.folder + "/empty", withIntermediateDirectories: true)
        // 1: refused input or state.
        for args in [
            ["ingest", "empty"], ["validate", "empty"], ["init"], ["release", "export", "X-R1", "--out", "x.sqlite"],
            ["registry", "import", "missing.csv"], ["status", "--period", "2026-Q1", "--store", "missing.sqlite"],
        ] {
            let r = try s.cli.run(args)
            #expect(r.status == 1, "mosaic \(args.joined(separator: " ")): \(r.status) \(r.err)")
            #expect(!r.err.contains("Usage:"), "a refusal is not a usage error: \(r.err)")
        }
        // 64: wrong arguments only.
        for args in [
            ["release", "create", "--period", "2026-Q5", "--out", "x.sqlite"], ["status", "--period", "soon"], ["ingest"],
            ["release", "create", "--period", "2026-Q1", "--out", "x.sqlite", "--k", "0"], ["frobnicate"],
        ] {
            #expect(try s.cli.run(args).status == 64, "mosaic \(args.joined(separator: " "))")
        }
    }
}

/// Races and late packages: the cases an authority meets on a busy day.
@Suite(.serialized) struct RaceAndLateTests {
    @Test func twoReleasesRacingForOneFileSpendOnce() throws {
        let s = try Scenario(schools: 80)
        let args = ["release", "create", "--period", "2026-Q1", "--replicates", "2", "--out", "same.sqlite"]
        let group = DispatchGroup()
        let results = Results()
        for _ in 0..<2 {
            group.enter()
            DispatchQueue.global().async {
                if let r = try? s.cli.run(args) { results.add(r.status) }
                group.leave()
            }
        }
        group.wait()
        #expect(results.sorted == [0, 1], "\(results.sorted)")
        #expect(try s.sql("SELECT count(*) FROM release") == "1")
        #expect(try s.sql("SELECT sum(rho_nano) FROM release") == "1000000000")
        #expect(s.temporaryFiles().isEmpty)
    }

    @Test func aSubmissionForAReleasedQuarterIsStoredAsLate() throws {
        let s = try Scenario(schools: 60)
        try s.cli.expectOK("release", "create", "--period", "2026-Q1", "--replicates", "0", "--out", "r.sqlite")
        // A school's 2026-Q2 counts, relabelled 2026-Q1: a correction of a released quarter.
        let files = (try? FileManager.default.contentsOfDirectory(atPath: s.folder + "/syn/counts/2026-Q2"))?.sorted() ?? []
        let late = files.lazy.map { name -> (String, String) in
            (
                s.cli.read("syn/counts/2026-Q2/" + name).replacingOccurrences(of: ",2026-Q2,", with: ",2026-Q1,"),
                s.cli.read("syn/counts/2026-Q1/" + name)
            )
        }.first { $0.0 != $0.1 && !$0.1.isEmpty }
        let text = try #require(late?.0)
        s.cli.write("late.csv", text)
        let r = try s.cli.run("ingest", "--unsealed", "late.csv")
        #expect(r.out.contains("late: late.csv") && r.out.contains("2026-Q1 already has release 2026-Q1-R1"), "\(r.out) \(r.err)")
        // A correction from a school the quarter counts reaches its next release.
        #expect(r.out.contains("it will appear in the quarter's next release"), "\(r.out)")
        // The store keeps the flag: the school's history says it.
        let school = try s.sql("SELECT school_id FROM submission WHERE source_name = 'late.csv'")
        #expect(try s.sql("SELECT late FROM submission WHERE source_name = 'late.csv'") == "1")
        #expect(try s.cli.run("history", "--school", school, "--period", "2026-Q1").out.contains("late (after a release of the quarter)"))
    }

    @Test func capChangesAreRecordedAndShown() throws {
        let s = try Scenario(schools: 60, ingested: [])
        try s.cli.expectOK("budget", "set", "--period", "2026-Q1", "--rho", "3")
        try s.cli.expectOK("budget", "set", "--default", "--rho", "1.5")
        let shown = try s.cli.run("budget")
        #expect(shown.out.contains("Cap changes"), "\(shown.out)")
        #expect(
            try s.sql("SELECT coalesce(period, 'default') || ':' || old_nano || '>' || new_nano FROM budget_cap_change ORDER BY id")
                == "2026-Q1:2000000000>3000000000\ndefault:2000000000>1500000000")
    }
}

final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int32] = []
    func add(_ v: Int32) {
        lock.lock()
        values.append(v)
        lock.unlock()
    }
    var sorted: [Int32] {
        lock.lock()
        defer { lock.unlock() }
        return values.sorted()
    }
}

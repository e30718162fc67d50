import Foundation
import Testing

/// The failure rule under `kill -9`: each writing command is killed at 20 instants spread over
/// its run; after each kill the next command (`mosaic doctor`) finishes or undoes what it left,
/// and a rerun reaches the same end state as an uninterrupted run.
@Suite(.serialized) struct CrashSafetyTests {
    static let kills = 20

    /// The content that an ingest decides: current submissions and their counts.
    static let submissionsQuery = """
        SELECT s.school_id, s.period, s.persons, group_concat(c.cell_index || ':' || c.count, ' ')
        FROM submission s LEFT JOIN submission_count c ON c.submission_id = s.id
        WHERE s.superseded_by IS NULL GROUP BY s.id ORDER BY s.school_id, s.period
        """

    /// A submission whose stored cells do not add up to its persons was written in part.
    static let partialQuery = """
        SELECT count(*) FROM submission s WHERE s.persons <>
          (SELECT coalesce(sum(c.count), 0) FROM submission_count c WHERE c.submission_id = s.id AND c.table_name = 'incidents')
        """

    func afterKill(_ s: Scenario, _ label: String) throws {
        let doctor = try s.cli.run("doctor")
        #expect(doctor.out.contains("integrity: ok"), "\(label): \(doctor.out)")
        #expect(s.temporaryFiles().isEmpty, "\(label): temporary files left: \(s.temporaryFiles())")
        #expect(try s.sql(Self.partialQuery) == "0", "\(label): a partial submission")
    }

    @Test func ingestKilledAnywhereLeavesWholeFilesOnly() throws {
        let s = try Scenario()
        try s.saveStore(as: "base.sqlite")
        let args = ["ingest", "--unsealed", "syn/counts/2026-Q2"]
        let (span, first) = try s.timed(args)
        #expect(first.status == 0)
        let expected = try s.sql(Self.submissionsQuery)
        var clock = KillClock(state: 1)
        for (i, t) in clock.instants(Self.kills, over: span).enumerated() {
            try s.restoreStore(from: "base.sqlite")
            _ = try s.runKilled(after: t, args)
            try afterKill(s, "ingest kill \(i) at \(t) s")
            #expect(try s.cli.run(args).status == 0)
            #expect(try s.sql(Self.submissionsQuery) == expected, "ingest kill \(i): rerun differs")
        }
    }

    @Test func releaseCreateKilledAnywhereSpendsOnlyWithItsFile() throws {
        let s = try Scenario(schools: 120)
        try s.saveStore(as: "base.sqlite")
        let args = ["release", "create", "--period", "2026-Q1", "--out", "r.sqlite", "--csv", "csv", "--replicates", "2"]
        let (span, first) = try s.timed(args)
        #expect(first.status == 0, "\(first.err)")
        let expectedRows = try s.sql("SELECT count(*) FROM cells", database: s.folder + "/r.sqlite")
        var clock = KillClock(state: 2)
        var finishedByRecovery = 0
        for (i, t) in clock.instants(Self.kills, over: span).enumerated() {
            try s.restoreStore(from: "base.sqlite")
            for f in ["r.sqlite", "csv"] { try? FileManager.default.removeItem(atPath: s.folder + "/" + f) }
            _ = try s.runKilled(after: t, args)
            try afterKill(s, "release kill \(i) at \(t) s")
            let recorded = try s.sql("SELECT count(*) FROM release")
            let spent = try s.sql("SELECT coalesce(sum(rho_nano), 0) FROM release")
            let file = FileManager.default.fileExists(atPath: s.folder + "/r.sqlite")
            let csv = FileManager.default.fileExists(atPath: s.folder + "/csv/cells.csv")
            #expect(recorded == (file ? "1" : "0"), "release kill \(i): recorded \(recorded), file \(file)")
            #expect(spent == (file ? "1000000000" : "0"), "release kill \(i): spent \(spent)")
            #expect(file == csv, "release kill \(i): the SQLite and CSV files must come together")
            #expect(try s.sql("SELECT count(*) FROM pending_output") == "0")
            if file {
                finishedByRecovery += 1
            } else {
                let again = try s.cli.run(args)
                #expect(again.status == 0, "release kill \(i): rerun: \(again.err)")
            }
            #expect(try s.sql("SELECT count(*) FROM release") == "1")
            #expect(try s.sql("SELECT count(*) FROM cells", database: s.folder + "/r.sqlite") == expectedRows)
        }
        // Neither extreme only: some kills land before the commit, and the test says how many after.
        #expect(finishedByRecovery < Self.kills, "every kill came after the commit: the instants do not cover the run")
    }

    @Test func registryImportKilledAnywhereIsOldOrNew() throws {
        let s = try Scenario(ingested: [])
        // A new registry: every school's enrolment changes and 20 schools close.
        let lines = s.cli.read("syn/registry.csv").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var changed = [lines[0]]
        for (i, line) in lines.dropFirst().enumerated() where !line.isEmpty && i >= 20 {
            var f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            f[8] = String((Int(f[8]) ?? 100) + 1)
            changed.append(f.joined(separator: ","))
        }
        s.cli.write("registry2.csv", changed.joined(separator: "\n") + "\n")
        let query = "SELECT id, enrolment, is_open FROM school ORDER BY id"
        let old = try s.sql(query)
        try s.saveStore(as: "base.sqlite")
        let args = ["registry", "import", "registry2.csv"]
        let (span, first) = try s.timed(args)
        #expect(first.status == 0)
        let new = try s.sql(query)
        #expect(new != old)
        var clock = KillClock(state: 3)
        for (i, t) in clock.instants(Self.kills, over: span).enumerated() {
            try s.restoreStore(from: "base.sqlite")
            _ = try s.runKilled(after: t, args)
            try afterKill(s, "registry kill \(i)")
            let now = try s.sql(query)
            #expect(now == old || now == new, "registry kill \(i): half an import")
            #expect(try s.cli.run(args).status == 0)
            #expect(try s.sql(query) == new)
        }
    }

    @Test func credentialsKilledAnywhereKeepOneWorkingKey() throws {
        let s = try Scenario(ingested: [])
        let school = try s.sql("SELECT id FROM school ORDER BY id LIMIT 1")
        try s.cli.expectOK("registry", "credentials", "--school", school, "--out", "old.cred")
        try s.saveStore(as: "base.sqlite")
        let oldKey = try s.sql("SELECT fingerprint FROM school_key WHERE revoked_at IS NULL")
        let args = ["registry", "credentials", "--school", school, "--out", "new.cred"]
        let (span, first) = try s.timed(args)
        #expect(first.status == 0)
        var clock = KillClock(state: 4)
        for (i, t) in clock.instants(Self.kills, over: span * 1.2).enumerated() {
            try s.restoreStore(from: "base.sqlite")
            try? FileManager.default.removeItem(atPath: s.folder + "/new.cred")
            _ = try s.runKilled(after: t, args)
            try afterKill(s, "credentials kill \(i)")
            let active = try s.sql("SELECT fingerprint FROM school_key WHERE revoked_at IS NULL")
            if FileManager.default.fileExists(atPath: s.folder + "/new.cred") {
                #expect(
                    s.cli.read("new.cred").contains("\"signing_key_fingerprint\" : \"\(active)\""),
                    "credentials kill \(i): the file's key is not the active one")
            } else {
                #expect(active == oldKey, "credentials kill \(i): the old key was revoked without a new file")
                #expect(try s.cli.run(args).status == 0)
            }
            let after = try s.sql("SELECT fingerprint FROM school_key WHERE revoked_at IS NULL")
            #expect(after.split(separator: "\n").count == 1 && after != oldKey)
            #expect(s.cli.read("new.cred").contains(after))
        }
    }
}

/// Writers without a store: a `report` killed at any instant is finished (or refused as complete)
/// by the next run, never left half-named.
@Suite(.serialized) struct StorelessCrashTests {
    @Test func reportKilledAnywhereEndsWithEveryFileOrNone() throws {
        let s = try Scenario(schools: 60)
        try s.cli.expectOK("release", "create", "--period", "2026-Q1", "--replicates", "0", "--out", "r.sqlite")
        let args = ["report", "--release", "r.sqlite", "--format", "html,md,csv,json", "--out", "rep"]
        let (span, first) = try s.timed(args)
        #expect(first.status == 0)
        let names = ["html", "md", "csv", "json"].map { "report-country-en.\($0)" }
        var clock = KillClock(state: 5)
        for (i, t) in clock.instants(10, over: span).enumerated() {
            try? FileManager.default.removeItem(atPath: s.folder + "/rep")
            _ = try s.runKilled(after: t, args)
            let again = try s.cli.run(args)
            #expect(again.status == 0 || again.err.contains("a file is already there"), "report kill \(i): \(again.err)")
            let present = names.filter { FileManager.default.fileExists(atPath: s.folder + "/rep/" + $0) }
            #expect(present.count == names.count, "report kill \(i) at \(t) s: \(present)")
            let left = (try? FileManager.default.contentsOfDirectory(atPath: s.folder + "/rep")) ?? []
            #expect(!left.contains { $0.hasPrefix(".mosaic-batch-") }, "report kill \(i): a manifest is left")
        }
    }
}

import Foundation
import Testing

/// Hostile release files through the command line: exit 1 with the file named, never a trap
/// (exit 132/134) and never a hang.
@Suite(.serialized) struct HostileFileCLITests {
    /// A hostile file is not bound by Mosaic's constraints: tables rebuilt without them, then mutated.
    static func mutate(_ s: Scenario, _ name: String, _ sql: String) throws -> String {
        try FileManager.default.copyItem(atPath: s.folder + "/r.sqlite", toPath: s.folder + "/" + name)
        var script = "PRAGMA legacy_alter_table = ON;"
        for t in ["metadata", "cells", "units", "noise", "coverage", "replicates"] {
            script += "CREATE TABLE loose AS SELECT * FROM \(t); DROP TABLE \(t); ALTER TABLE loose RENAME TO \(t);"
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [s.folder + "/" + name, script + sql]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(name): the mutation failed")
        return name
    }

    @Test func queryAndReportRefuseHostileFilesNamingThem() throws {
        let s = try Scenario(schools: 60)
        try s.cli.expectOK("release", "create", "--period", "2026-Q1", "--replicates", "2", "--out", "r.sqlite")
        let variants = [
            ("text-value.sqlite", "UPDATE cells SET value = 'x' WHERE rowid = (SELECT min(rowid) FROM cells WHERE status = 'published');"),
            ("huge-value.sqlite", "UPDATE cells SET value = 9223372036854775807 WHERE table_name = 'total' AND level = 'country';"),
            ("negative.sqlite", "UPDATE cells SET value = -5 WHERE table_name = 'total' AND level = 'country';"),
            ("planet.sqlite", "UPDATE units SET level = 'planet' WHERE rowid = 2;"),
            ("empty.sqlite", "DELETE FROM cells;"),
            ("sigma.sqlite", "UPDATE noise SET sigma2_num = -4;"),
            ("short-blob.sqlite", "UPDATE replicates SET errors = X'01';"),
            ("null-name.sqlite", "UPDATE cells SET geo_name = NULL WHERE rowid = 9;"),
            ("renamed.sqlite", "ALTER TABLE cells RENAME COLUMN status TO state;"),
        ]
        for (name, sql) in variants {
            let file = try Self.mutate(s, name, sql)
            for args in [
                ["query", file, "--table", "incidents", "--by", "region"], ["query", file, "--export", "x-\(name)"],
                ["report", "--release", file, "--out", "rep-\(name)"],
            ] {
                let r = try s.cli.run(args)
                #expect(r.status == 1, "mosaic \(args.joined(separator: " ")): exit \(r.status)")
                #expect(r.err.contains(file), "mosaic \(args.joined(separator: " ")): \(r.err)")
            }
        }
        // SQL that would run forever stops at the time limit; a view that recurses cannot hang a query.
        let forever = try s.cli.run(
            "query", "r.sqlite", "--sql", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
            "--timeout", "1")
        #expect(forever.status == 1 && forever.err.contains("stopped after 1 s"), "\(forever.err)")
        let view = try Self.mutate(
            s, "view.sqlite",
            "DROP VIEW IF EXISTS incidents; CREATE VIEW incidents AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT x FROM r ORDER BY x;"
        )
        let hung = try s.cli.run("query", view, "--sql", "SELECT * FROM incidents LIMIT 2", "--timeout", "1")
        #expect(hung.status == 1)
        // A long answer stops at the row limit; fts3_tokenizer is not callable; nothing is created beside the file.
        let many = try s.cli.run("query", "r.sqlite", "--sql", "SELECT * FROM cells", "--max-rows", "5", "--format", "csv")
        #expect(many.status == 0 && many.out.split(separator: "\n").count == 6 && many.err.contains("stopped at 5 rows"))
        #expect(try s.cli.run("query", "r.sqlite", "--sql", "SELECT fts3_tokenizer('simple')").status == 1)
        #expect(
            !FileManager.default.fileExists(atPath: s.folder + "/r.sqlite-wal")
                && !FileManager.default.fileExists(atPath: s.folder + "/r.sqlite-shm"))
    }
}

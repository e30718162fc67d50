import Foundation
import Testing

/// The codebook drives every step: a made-up table in a trial codebook version (data only, read
/// from `MOSAIC_CODEBOOKS`) goes through the template, ingest, a release, a query and a report
/// with no change to the program; and a release reads one version, refusing a quarter whose
/// schools follow another.
@Suite struct CodebookCLITests {
    /// Version 1 as shipped, plus a dimension and a table that counts each person once.
    static func trialCodebook(in folder: String) throws {
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/MosaicCodebook/Resources/codebooks/codebook-v1.json").standardized
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: shipped)) as? [String: Any])
        json["version"] = 2
        var dimensions = try #require(json["dimensions"] as? [[String: Any]])
        dimensions.append([
            "name": "platform_report", "label": ["en": "Reported to the platform by", "es": "Denunciado a la plataforma por"],
            "values": [
                ["code": "school", "label": ["en": "The school", "es": "El centro"]],
                ["code": "family", "label": ["en": "The victim or family", "es": "La víctima o su familia"]],
                ["code": "nobody", "label": ["en": "Nobody, or unknown", "es": "Nadie, o se desconoce"]],
            ],
        ])
        json["dimensions"] = dimensions
        var tables = try #require(json["tables"] as? [[String: Any]])
        tables.append([
            "name": "platform_reports",
            "label": ["en": "Affected persons by who reported to the platform", "es": "Personas afectadas según quién lo denunció"],
            "dimensions": ["platform_report"], "multi_valued": false,
            "report": [["key": "platform_reports", "by": ["platform_report"], "main_point": true]],
        ])
        json["tables"] = tables
        var rules = try #require(json["rules"] as? [String: Any])
        rules["equal_totals"] = (rules["equal_totals"] as? [String] ?? []) + ["platform_reports"]
        json["rules"] = rules
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: folder + "/codebook-v2.json"))
    }

    @Test func aMadeUpTableTravelsFromTheTemplateToTheReport() throws {
        var cli = try CLI()
        try Self.trialCodebook(in: cli.folder + "/codebooks")
        cli.environment["MOSAIC_CODEBOOKS"] = cli.folder + "/codebooks"
        try cli.expectOK("synth", "--out", "syn", "--schools", "200", "--quarters", "1", "--last", "2026-Q3")
        try cli.expectOK("init")
        try cli.expectOK("registry", "import", "syn/registry.csv")
        // The template a school fills in lists the new table's cells, and says its version.
        try cli.expectOK("template", "--school", "ES-000001", "--period", "2026-Q3", "--out", "t.csv")
        let template = cli.read("t.csv")
        #expect(template.contains("codebook=2"))
        #expect(template.components(separatedBy: "platform_reports,").count - 1 == 3)
        try cli.expectOK("ingest", "--unsealed", "syn/counts/2026-Q3")
        try cli.expectOK("release", "create", "--period", "2026-Q3", "--out", "r.sqlite")
        let query = try cli.run("query", "r.sqlite", "--table", "platform_reports", "--by", "platform_report")
        #expect(query.status == 0, "\(query.err)")
        for value in ["school", "family", "nobody"] { #expect(query.out.contains(value)) }
        try cli.expectOK("report", "--release", "r.sqlite", "--out", "rep")
        let html = cli.read("rep/report-country-en.html")
        #expect(html.contains("Affected persons by who reported to the platform"))
        #expect(html.contains("The victim or family"))
        // Without the trial folder the release cannot be read: its version is not known.
        var plain = cli
        plain.environment["MOSAIC_CODEBOOKS"] = ""
        let unknown = try plain.run("query", "r.sqlite", "--table", "total")
        #expect(unknown.status == 1)
        #expect(unknown.err.contains("codebook version 2"))
    }

    @Test func aReleaseReadsTheVersionItsQuarterFollows() throws {
        var cli = try CLI()
        // Version 1 counts, made before the trial version existed.
        try cli.expectOK("synth", "--out", "syn", "--schools", "150", "--quarters", "1", "--last", "2026-Q3")
        try Self.trialCodebook(in: cli.folder + "/codebooks")
        cli.environment["MOSAIC_CODEBOOKS"] = cli.folder + "/codebooks"
        try cli.expectOK("init")
        try cli.expectOK("registry", "import", "syn/registry.csv")
        try cli.expectOK("ingest", "--unsealed", "syn/counts/2026-Q3")
        // Asked to read version 2, the quarter's version-1 submissions would drop out: refused,
        // nothing spent.
        let refused = try cli.run("release", "create", "--period", "2026-Q3", "--codebook", "2", "--out", "r2.sqlite")
        #expect(refused.status == 1)
        #expect(refused.err.contains("follow another"), "\(refused.err)")
        #expect(refused.err.contains("in version 1"))
        #expect(!FileManager.default.fileExists(atPath: cli.folder + "/r2.sqlite"))
        // By default the release reads the version its submissions follow; the refusal spent nothing.
        try cli.expectOK("release", "create", "--period", "2026-Q3", "--out", "r1.sqlite")
        let metadata = try cli.run(
            "query", "r1.sqlite", "--sql", "SELECT key || '=' || value FROM metadata WHERE key IN ('codebook_version', 'budget_spent_rho')",
            "--format", "csv")
        #expect(metadata.out.contains("codebook_version=1"), "\(metadata.out)")
        #expect(metadata.out.contains("budget_spent_rho=1\n") || metadata.out.hasSuffix("budget_spent_rho=1"), "\(metadata.out)")
    }

    /// A version that merges two channels and declares how version 1 is read: a quarter of
    /// version-1 submissions is released in version 2 by default, its totals whole.
    @Test func aDeclaredMappingReadsAnEarlierVersionsQuarter() throws {
        var cli = try CLI()
        try cli.expectOK("synth", "--out", "syn", "--schools", "150", "--quarters", "1", "--last", "2026-Q3")
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/MosaicCodebook/Resources/codebooks/codebook-v1.json").standardized
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: shipped)) as? [String: Any])
        json["version"] = 2
        var dimensions = try #require(json["dimensions"] as? [[String: Any]])
        let c = try #require(dimensions.firstIndex { $0["name"] as? String == "channel" })
        var values = try #require(dimensions[c]["values"] as? [[String: Any]])
        values.removeAll { ["discord", "other_platform"].contains($0["code"] as? String ?? "") }
        values.append(["code": "other_social", "label": ["en": "Other social, gaming or chat platform", "es": "Otra plataforma"]])
        dimensions[c]["values"] = values
        json["dimensions"] = dimensions
        json["maps_from"] = [
            ["version": 1, "cells": ["channels|discord": "channels|other_social", "channels|other_platform": "channels|other_social"]]
        ]
        try FileManager.default.createDirectory(atPath: cli.folder + "/codebooks", withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: cli.folder + "/codebooks/codebook-v2.json"))
        cli.environment["MOSAIC_CODEBOOKS"] = cli.folder + "/codebooks"
        try cli.expectOK("init")
        try cli.expectOK("registry", "import", "syn/registry.csv")
        try cli.expectOK("ingest", "--unsealed", "syn/counts/2026-Q3")
        try cli.expectOK("release", "create", "--period", "2026-Q3", "--out", "r.sqlite")
        let version = try cli.run(
            "query", "r.sqlite", "--sql", "SELECT value FROM metadata WHERE key = 'codebook_version'", "--format", "csv")
        #expect(version.out.contains("2"), "\(version.out)")
        let channels = try cli.run("query", "r.sqlite", "--table", "channels", "--by", "channel")
        #expect(channels.status == 0 && channels.out.contains("other_social") && !channels.out.contains("discord"))
    }
}

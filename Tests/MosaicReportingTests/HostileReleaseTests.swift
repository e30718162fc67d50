import Foundation
import GRDB
import MosaicCodebook
import MosaicQuery
import MosaicRelease
import MosaicReleaseFile
import MosaicStore
import MosaicSynth
import Testing

@testable import MosaicReporting

/// Release files come from outside: a corpus of hostile variants, made by mutating a real
/// release's tables, goes through every reader (query by table, SQL, export, report). None may
/// trap or hang; each refusal names the file; the variants that break the format are refused.
@Suite(.serialized) struct HostileReleaseTests {
    /// One real release of a small synthetic country.
    static let base: String = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mosaic-hostile-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/base.sqlite"
        do {
            let store = try Store.create(at: folder + "/store.sqlite")
            var config = SynthConfig()
            config.schools = 200
            config.periods = [Period("2026-Q3")!]
            let country = try SyntheticCountry(config: config, codebook: try Codebook.bundled())
            _ = try store.importRegistry(country.schools, source: "r.csv")
            _ = try store.record(
                country.submissions(for: config.periods[0]).map {
                    IncomingSubmission(submission: $0, sourceName: "x.csv", sourceFormat: "csv")
                })
            var request = ReleaseRequest(period: config.periods[0])
            request.replicates = 2
            try ReleaseFile.write(try Releaser(store: store).create(request), to: path)
        } catch {}
        return path
    }()

    /// A variant: a label, the SQL that makes it from the base file, and whether every reader must refuse it.
    struct Variant: CustomStringConvertible {
        var label: String
        var sql: [String]
        var mustRefuse: Bool
        var description: String { label }
    }

    /// The variants seen in the wild, then one per (table, column, hostile value).
    static var variants: [Variant] {
        var v: [Variant] = [
            Variant(
                label: "text in cells.value",
                sql: ["UPDATE cells SET value = 'many' WHERE rowid = (SELECT min(rowid) FROM cells WHERE status = 'published')"],
                mustRefuse: true),
            Variant(
                label: "a blob in cells.value",
                sql: ["UPDATE cells SET value = X'0102' WHERE rowid = (SELECT min(rowid) FROM cells WHERE status = 'published')"],
                mustRefuse: true),
            Variant(
                label: "1e300 in cells.value",
                sql: ["UPDATE cells SET value = 1e300 WHERE rowid = (SELECT min(rowid) FROM cells WHERE status = 'published')"],
                mustRefuse: true),
            Variant(
                label: "2^63-1 in cells.value",
                sql: ["UPDATE cells SET value = 9223372036854775807 WHERE table_name = 'total' AND level = 'country'"], mustRefuse: true),
            Variant(
                label: "a negative value", sql: ["UPDATE cells SET value = -5 WHERE table_name = 'total' AND level = 'country'"],
                mustRefuse: true),
            Variant(label: "text in coverage", sql: ["UPDATE coverage SET registered_schools = 'lots' WHERE rowid = 1"], mustRefuse: true),
            Variant(label: "an unknown level in units", sql: ["UPDATE units SET level = 'planet' WHERE rowid = 2"], mustRefuse: true),
            Variant(label: "no rows in cells", sql: ["DELETE FROM cells"], mustRefuse: true),
            Variant(label: "a negative sigma squared", sql: ["UPDATE noise SET sigma2_num = -4 WHERE rowid = 1"], mustRefuse: true),
            Variant(label: "a missing noise group", sql: ["DELETE FROM noise WHERE rowid = 1"], mustRefuse: true),
            Variant(label: "a short replicate blob", sql: ["UPDATE replicates SET errors = X'0100' WHERE replicate = 0"], mustRefuse: true),
            Variant(label: "NULL geo_name", sql: ["UPDATE cells SET geo_name = NULL WHERE rowid = 5"], mustRefuse: true),
            Variant(label: "NULL status", sql: ["UPDATE cells SET status = NULL WHERE rowid = 5"], mustRefuse: true),
            Variant(label: "NULL parent_code", sql: ["UPDATE units SET parent_code = NULL WHERE rowid = 3"], mustRefuse: true),
            Variant(label: "a renamed column", sql: ["ALTER TABLE cells RENAME COLUMN moe95 TO margin"], mustRefuse: true),
            Variant(
                label: "cells replaced by a view",
                sql: ["ALTER TABLE cells RENAME TO cells_data", "CREATE VIEW cells AS SELECT * FROM cells_data"], mustRefuse: true),
            Variant(
                label: "a recursive view named incidents",
                sql: [
                    "DROP VIEW incidents",
                    "CREATE VIEW incidents AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT x FROM r",
                ], mustRefuse: false),
            Variant(
                label: "a province without its region",
                sql: ["UPDATE units SET parent_code = 'NOWHERE' WHERE level = 'province' AND rowid = (SELECT max(rowid) FROM units)"],
                mustRefuse: true),
            Variant(label: "a duplicated cell row", sql: ["INSERT INTO cells SELECT * FROM cells WHERE rowid = 7"], mustRefuse: false),
            Variant(
                label: "an unknown codebook version", sql: ["UPDATE metadata SET value = '99' WHERE key = 'codebook_version'"],
                mustRefuse: true),
            Variant(label: "no period", sql: ["DELETE FROM metadata WHERE key = 'period'"], mustRefuse: true),
            Variant(label: "k of zero", sql: ["UPDATE metadata SET value = '0' WHERE key = 'k'"], mustRefuse: true),
            Variant(label: "metadata dropped", sql: ["DROP TABLE metadata"], mustRefuse: true),
            Variant(label: "units dropped", sql: ["DROP TABLE units"], mustRefuse: true),
            Variant(
                label: "a published cell without a margin",
                sql: ["UPDATE cells SET moe95 = NULL WHERE rowid = (SELECT min(rowid) FROM cells WHERE status = 'published')"],
                mustRefuse: true),
            Variant(
                label: "an infinite margin",
                sql: ["UPDATE cells SET moe95 = 1e999 WHERE rowid = (SELECT min(rowid) FROM cells WHERE status = 'published')"],
                mustRefuse: true),
            Variant(
                label: "markup in a place name",
                sql: [
                    "UPDATE cells SET geo_name = '<script>alert(1)</script> | [x](javascript:y)' WHERE level = 'region'",
                    "UPDATE units SET geo_name = '<script>alert(1)</script> | [x](javascript:y)' WHERE level = 'region'",
                ], mustRefuse: false),
        ]
        // Every column of every table, set (in its first row) to each hostile value.
        let columns: [(String, [String])] = [
            ("cells", ["period", "level", "geo_code", "geo_name", "table_name", "cell", "value", "moe95", "status"]),
            ("units", ["level", "geo_code", "geo_name", "parent_code", "ordinal"]),
            ("noise", ["table_name", "level", "sigma2_num", "sigma2_den", "rho_nano"]),
            (
                "coverage",
                [
                    "period", "level", "geo_code", "geo_name", "registered_schools", "registered_enrolment", "coverage_status",
                    "reporting_share_low", "reporting_share_high",
                ]
            ),
            ("metadata", ["key", "value"]),
            ("replicates", ["replicate", "errors"]),
        ]
        let values = ["NULL", "'x'", "X'00FF'", "1e300", "-1", "9223372036854775807", "''", "0.5"]
        for (table, cols) in columns {
            for c in cols {
                for value in values {
                    v.append(
                        Variant(
                            label: "\(table).\(c) = \(value)",
                            sql: ["UPDATE \(table) SET \(c) = \(value) WHERE rowid = (SELECT min(rowid) FROM \(table))"], mustRefuse: false)
                    )
                }
            }
            v.append(
                Variant(label: "\(table) dropped", sql: ["DROP TABLE \(table)"], mustRefuse: table != "coverage" && table != "replicates"))
            v.append(
                Variant(
                    label: "\(table): a row deleted", sql: ["DELETE FROM \(table) WHERE rowid = (SELECT max(rowid) FROM \(table))"],
                    mustRefuse: false))
        }
        return v
    }

    static func make(_ variant: Variant, in folder: String) throws -> String {
        let path = folder + "/v.sqlite"
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: base, toPath: path)
        let q = try DatabaseQueue(path: path)
        // A hostile file is not bound by Mosaic's constraints: rebuild each table without them first.
        try q.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA legacy_alter_table = ON")
            for t in ["metadata", "cells", "units", "noise", "coverage", "replicates"] {
                try db.execute(sql: "CREATE TABLE loose AS SELECT * FROM \(t); DROP TABLE \(t); ALTER TABLE loose RENAME TO \(t)")
            }
        }
        for sql in variant.sql {
            do { try q.writeWithoutTransaction { try $0.execute(sql: sql) } } catch { Issue.record("\(variant): \(sql): \(error)") }
        }
        try q.close()
        return path
    }

    /// Runs every reader on the file; returns the refusals' messages (nil where it was read).
    static func readers(_ path: String, folder: String) -> [String: String?] {
        var out: [String: String?] = [:]
        func attempt(_ name: String, _ body: () throws -> Void) {
            do {
                try body()
                out[name] = .some(nil)
            } catch {
                out[name] = .some(error.localizedDescription)
            }
        }
        attempt("read") { _ = try ReleaseReader.read(path) }
        attempt("query") { _ = try QueryEngine(paths: [path]).run(QuerySpec(table: "incidents", by: ["region", "gender"])) }
        attempt("sql") { _ = try ReleaseReader.sql(path, "SELECT * FROM incidents LIMIT 2", timeout: 2) }
        let export = folder + "/export-\(UUID().uuidString)"
        attempt("export") { try ReleaseExport.write(path, to: export) }
        let report = folder + "/report-\(UUID().uuidString)"
        attempt("report") {
            try ReportWriter.write(releases: [path], region: nil, language: "en", formats: [.html, .md, .csv, .json], folder: report)
        }
        return out
    }

    @Test func theBaseReleaseReadsEverywhere() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mosaic-hostile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (reader, failure) in Self.readers(Self.base, folder: folder) { #expect(failure == nil, "\(reader): \(failure ?? "")") }
    }

    @Test func everyHostileVariantIsRefusedOrReadNeverTrappedOrHung() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mosaic-hostile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var refused = 0
        let variants = Self.variants
        #expect(variants.count >= 150)
        for variant in variants {
            let path = try Self.make(variant, in: folder)
            let started = Date()
            let results = Self.readers(path, folder: folder)
            #expect(Date().timeIntervalSince(started) < 30, "\(variant): took too long")
            for (reader, failure) in results {
                guard let message = failure else { continue }
                #expect(message.contains(path), "\(variant) / \(reader): the message does not name the file: \(message)")
                #expect(!message.contains("Error Domain"), "\(variant) / \(reader): raw error text")
            }
            if variant.mustRefuse {
                #expect(results["read"] != .some(nil), "\(variant): read although it breaks the format")
                #expect(results["query"] != .some(nil), "\(variant): queried although it breaks the format")
                #expect(results["report"] != .some(nil), "\(variant): reported although it breaks the format")
            }
            if results["read"] != .some(nil) { refused += 1 }
        }
        #expect(refused > variants.count / 2)
    }

    @Test func markupInPlaceNamesStaysText() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mosaic-hostile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let variant = try #require(Self.variants.first { $0.label == "markup in a place name" })
        let path = try Self.make(variant, in: folder)
        let written = try ReportWriter.write(releases: [path], region: nil, language: "en", formats: [.html, .md], folder: folder + "/r")
        for file in written {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            #expect(!text.contains("<script>"), "\(file) carries a raw <script>")
            if file.hasSuffix(".md") { #expect(!text.contains("[x](javascript:"), "\(file) carries a live link") }
        }
    }
}

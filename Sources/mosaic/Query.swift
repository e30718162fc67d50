import ArgumentParser
import Foundation
import MosaicCodebook
import MosaicErrorModel
import MosaicFiles
import MosaicQuery
import MosaicReleaseFile
import MosaicText

extension Level: ExpressibleByArgument {}

extension Mosaic {
    struct Query: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Query release files: sums with honest margins, read-only SQL, or tidy exports (never the store).",
            discussion: Query.examples)

        /// Examples from the latest codebook: its first table and dimensions, so that the help
        /// never names a table the build does not have.
        static var examples: String {
            guard let codebook = try? Codebook.bundled(), let first = codebook.tables.first,
                let dimension = first.dimensions.first.flatMap(codebook.dimension), let value = dimension.values.first
            else { return "" }
            let other = codebook.tables.dropFirst().first ?? first
            let otherDimension = other.dimensions.first ?? ""
            let otherValue = codebook.dimension(otherDimension)?.values.first?.code ?? ""
            return """
                Tables: \(codebook.tables.map(\.name).joined(separator: ", ")), and total (affected persons).
                Examples:
                  mosaic query r-2026-Q2.sqlite r-2026-Q3.sqlite --table \(first.name) --by period,region --where \(dimension.name)=\(value.code)
                  mosaic query r-2026-Q3.sqlite --sql "SELECT geo_name, value FROM \(other.name) WHERE level = 'region' AND \(otherDimension) = '\(otherValue)'"
                  mosaic query r-2026-Q3.sqlite --export r-2026-Q3-tidy/
                """
        }

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

        @Argument(help: "Release files.") var releases: [String]
        @Option(help: "The codebook table to sum.") var table: String?
        @Option(help: "Group by: period, country|region|province, and/or dimensions (comma-separated).") var by: String = ""
        @Option(name: .customLong("where"), help: "Filters name=value[|value…], comma-separated.") var filters: String = ""
        @Option(help: "The level whose cells are summed (default: the one in --by, else country).") var level: Level?
        @Option(help: "table, csv or json.") var format: Format = .table
        @Option(help: "Run read-only SQL on one release instead.") var sql: String?
        @Option(help: "Write tidy CSV and JSON per table, and a data dictionary, into this folder.") var export: String?
        @Option(help: "With --sql: stop a statement after this many seconds.") var timeout: Double = 5
        @Option(help: "With --sql: stop after this many rows.") var maxRows: Int = 10_000

        func validate() throws {
            let modes = [table != nil, sql != nil, export != nil].filter { $0 }.count
            guard modes == 1 else { throw ValidationError("give exactly one of --table, --sql or --export") }
            if sql != nil || export != nil, releases.count != 1 { throw ValidationError("--sql and --export take one release file") }
            guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be above 0 and at most 3600 seconds") }
            guard (1...10_000_000).contains(maxRows) else { throw ValidationError("--max-rows must be from 1 to 10,000,000") }
        }

        func run() throws {
            if let sql {
                if format == .csv {
                    // Stream: each row is printed as it comes.
                    let (_, truncated) = try MosaicReleaseFile.ReleaseReader.sql(
                        releases[0], sql, timeout: timeout, maxRows: maxRows,
                        columns: { columns in
                            var w = CSVWriter()
                            w.write(columns)
                            print(w.text, terminator: "")
                        },
                        row: { row in
                            var w = CSVWriter()
                            w.write(row.map { $0 ?? "" })
                            print(w.text, terminator: "")
                        })
                    if truncated { printError("mosaic: stopped at \(maxRows) rows (--max-rows to change)") }
                    return
                }
                var rows: [[String?]] = []
                let (columns, truncated) = try MosaicReleaseFile.ReleaseReader.sql(releases[0], sql, timeout: timeout, maxRows: maxRows) {
                    rows.append($0)
                }
                emit(columns, rows.map { $0.map { $0 ?? "" } }, nulls: rows)
                if truncated { printError("mosaic: stopped at \(maxRows) rows (--max-rows to change)") }
                return
            }
            if let export {
                finishInterruptedWrites([export + "/x"])
                let files = try ReleaseExport.write(releases[0], to: export)
                print(
                    "Wrote \(files.count) files into \(export): one CSV and one JSON per table, coverage.csv, data_dictionary.json and .md."
                )
                return
            }
            var parsed: [String: Set<String>] = [:]
            for part in filters.split(separator: ",") where !part.isEmpty {
                let kv = part.split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { throw ValidationError("--where takes name=value pairs, found '\(part)'") }
                parsed[String(kv[0]), default: []].formUnion(kv[1].split(separator: "|").map(String.init))
            }
            let spec = QuerySpec(table: table!, by: by.split(separator: ",").map(String.init), filters: parsed, level: level)
            // Withheld cells bounded by what the files imply, not by their status alone.
            let levels = spec.levelsAnswered
            let engine = try QueryEngine(paths: releases, readerRanges: { $0.tableName == spec.table && levels.contains($0.level) })
            let answers = try engine.run(spec)
            let columns = spec.by + ["value", "moe95", "lower", "upper", "cells", "suppressed", "status"]
            let breakdownName = (spec.by + Array(spec.filters.keys)).first { engine.domainDimensions.contains($0) } ?? ""
            let isBreakdown = !breakdownName.isEmpty
            let rows = answers.map { a in
                a.group + [
                    a.value.map(String.init) ?? "", a.moe95.map { String(format: "%.1f", $0) } ?? "", a.lower.map(String.init) ?? "",
                    a.upper.map(String.init) ?? "", String(a.cells), String(a.suppressed), a.status,
                ]
            }
            emit(columns, rows, nulls: nil)
            if format == .table {
                let shown = Set(answers.map(\.status))
                let notes = [
                    ("below_k", "below_k: fewer than k (withheld by the k-threshold); it lies between lower and upper."),
                    ("complementary", "complementary: withheld to protect another figure from subtraction; it is k or more."),
                    (
                        "bounded",
                        "bounded: withheld cells are inside; the sum lies between lower and upper (± moe95; each withheld cell bounded by what the published figures imply, no upper when nothing bounds one), never read them as zero."
                    ),
                    (
                        "unavailable",
                        isBreakdown
                            ? "unavailable: a part with fewer than the minimum of registered schools is inside; it is not published on its own; query its unit without \(breakdownName)."
                            : "unavailable: a small area not published on its own is inside; query its parent level."
                    ),
                ]
                let lines = notes.filter { shown.contains($0.0) }.map(\.1)
                if !lines.isEmpty { print("\n" + lines.joined(separator: "\n")) }
            }
        }

        func emit(_ columns: [String], _ rows: [[String]], nulls: [[String?]]?) {
            switch format {
            case .csv:
                // Text from a file reaches the terminal: no control character, ever.
                var w = CSVWriter()
                w.write(columns.map { Sanitize.line($0, limit: 10_000) })
                for row in rows { w.write(row.map { Sanitize.line($0, limit: 10_000) }) }
                print(w.text, terminator: "")
            case .json:
                let objects: [[String: Any]] = rows.enumerated().map { i, r in
                    Dictionary(
                        uniqueKeysWithValues: zip(columns, r).enumerated().map { j, kv in
                            let isNull = nulls?[i][j] == nil && nulls != nil
                            return (
                                kv.0,
                                (isNull || kv.1.isEmpty)
                                    ? NSNull() as Any : (Int(kv.1).map { $0 as Any } ?? Double(kv.1).map { $0 as Any } ?? kv.1 as Any)
                            )
                        })
                }
                print(
                    String(
                        decoding: (try? JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys, .prettyPrinted]))
                            ?? Data("[]".utf8), as: UTF8.self))
            case .table:
                var t = TextTable(columns)
                for row in rows { t.add(row) }
                print(t.render(), terminator: "")
            }
        }
    }
}

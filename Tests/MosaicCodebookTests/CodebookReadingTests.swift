import Foundation
import Testing

@testable import MosaicCodebook

/// A later codebook version reads an earlier version's submissions only through a declared,
/// complete mapping: cells may be renamed or merged, never split, and a cell the earlier version
/// never counted makes the mapping incomplete (unknown is not zero).
@Suite struct CodebookReadingTests {
    /// Version 1's JSON with `change` applied, as version 2.
    static func version2(_ change: (inout [String: Any]) -> Void) throws -> Codebook {
        let url = try #require(Codebook.files[1])
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        json["version"] = 2
        change(&json)
        return try Codebook(json: JSONSerialization.data(withJSONObject: json))
    }

    /// Discord and "other platform" merged into one "other social" channel.
    static func merged(maps: [String: String]?) throws -> Codebook {
        try version2 { json in
            var dimensions = json["dimensions"] as? [[String: Any]] ?? []
            if let i = dimensions.firstIndex(where: { $0["name"] as? String == "channel" }) {
                var values = dimensions[i]["values"] as? [[String: Any]] ?? []
                values.removeAll { ["discord", "other_platform"].contains($0["code"] as? String ?? "") }
                values.append(["code": "other_social", "label": ["en": "Other social, gaming or chat platform", "es": "Otra plataforma"]])
                dimensions[i]["values"] = values
            }
            json["dimensions"] = dimensions
            if let maps { json["maps_from"] = [["version": 1, "cells": maps]] }
        }
    }

    @Test func aDeclaredMergeReadsEarlierSubmissionsWithTheirTotals() throws {
        let v1 = try Codebook.bundled(version: 1)
        let v2 = try Self.merged(maps: ["channels|discord": "channels|other_social", "channels|other_platform": "channels|other_social"])
        var counts = [Int](repeating: 0, count: v1.allCells.count)
        for (t, c, n) in [("incidents", "shared.pupil_14_15.female", 3), ("channels", "discord", 2), ("channels", "other_platform", 1)] {
            counts[try #require(v1.cellIndex(table: t, cell: c))] = n
        }
        // The other equal-total tables: 3 persons each.
        for t in ["tools", "perpetrators"] { counts[try #require(v1.table(t)?.cells.first?.index)] = 3 }
        let read = try v2.read(counts, from: v1)
        #expect(read[try #require(v2.cellIndex(table: "channels", cell: "other_social"))] == 3)
        #expect(read.reduce(0, +) == counts.reduce(0, +))
        for t in v2.rules.equalTotals { #expect(v2.total(of: t, in: read) == 3, "\(t)") }
        // The same version reads as itself.
        #expect(try v1.read(counts, from: v1) == counts)
    }

    @Test func anIncompleteOrSplittingMappingIsRefusedSayingWhy() throws {
        let v1 = try Codebook.bundled(version: 1)
        // No mapping declared at all.
        #expect(throws: CodebookError.self) { try Self.merged(maps: nil).reading(from: v1) }
        // A v1 cell with no cell in v2.
        do {
            _ = try Self.merged(maps: ["channels|discord": "channels|other_social"]).reading(from: v1)
            Issue.record("a cell without a target was accepted")
        } catch let CodebookError.malformed(why) {
            #expect(why.contains("channels|other_platform"))
        }
        // A table added in v2: its cells have no source, so v1 submissions cannot be read.
        let added = try Self.version2 { json in
            var tables = json["tables"] as? [[String: Any]] ?? []
            tables.append(["name": "extra", "label": ["en": "Extra", "es": "Extra"], "dimensions": ["tool"], "multi_valued": true])
            json["tables"] = tables
            json["maps_from"] = [["version": 1, "cells": [String: String]()]]
        }
        do {
            _ = try added.reading(from: v1)
            Issue.record("a table v1 never counted was read as zero")
        } catch let CodebookError.malformed(why) {
            #expect(why.contains("extra|") && why.contains("no source"))
        }
        // A table split between two tables.
        let split = try Self.version2 { json in json["maps_from"] = [["version": 1, "cells": ["channels|discord": "tools|nudify"]]] }
        do {
            _ = try split.reading(from: v1)
            Issue.record("a split table was accepted")
        } catch let CodebookError.malformed(why) {
            #expect(why.contains("split"))
        }
    }
}

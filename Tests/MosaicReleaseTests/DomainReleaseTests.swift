import Foundation
import GRDB
import MosaicCodebook
import MosaicPrivacy
import MosaicQuery
import MosaicReleaseFile
import MosaicStore
import MosaicTestSupport
import Testing

@testable import MosaicEngine
@testable import MosaicRelease

/// Releases broken down by stage and sector, through the store, the file and the query engine.
@Suite struct DomainReleaseTests {
    @Test func aReleaseCarriesBreakdownsThatAddUpAndReadBack() throws {
        let f = try ReleaseFixture(schools: 200)
        let data = try f.releaser.create(ReleaseRequest(period: f.period).with(replicates: 0), entropy: SeededEntropy(seed: 4))
        #expect(!data.domainRows.isEmpty)
        #expect(Set(data.domainRows.map(\.dimension)) == ["stage", "sector"])
        // The total at the country and the regions; incidents at the country only.
        #expect(data.domainRows.allSatisfy { $0.row.level != .province && ["total", "incidents"].contains($0.row.tableName) })
        #expect(data.domainRows.contains { $0.row.tableName == "incidents" })
        #expect(data.domainRows.allSatisfy { $0.row.tableName == "total" || $0.row.level == .country })
        #expect(data.domainNoise.count == 6)  // {stage, sector} × (total × {country, region} + incidents × country)
        // The budget is exactly ρ (the groups' exact rational ρ add up to it).
        #expect(try f.releaser.budget(period: f.period).spent == Rho("1")!)
        // Published parts add up to their unit wherever every part of it is published.
        let unitTotal = Dictionary(
            uniqueKeysWithValues: data.rows.filter { $0.tableName == "total" }.map { ("\($0.level)|\($0.geoCode)", $0.value) })
        var checked = 0
        for (key, rows) in Dictionary(grouping: data.domainRows, by: { "\($0.row.level)|\($0.row.geoCode)|\($0.dimension)" }) {
            let unit = key.split(separator: "|").prefix(2).joined(separator: "|")
            guard rows.allSatisfy({ $0.row.value != nil }), let whole = unitTotal[unit] ?? nil else { continue }
            #expect(rows.reduce(0) { $0 + $1.row.value! } == whole, "\(key)")
            checked += 1
        }
        #expect(checked > 0)
        // Parts with fewer than 5 open schools are withheld as small areas; registry facts listed.
        let facts = Dictionary(
            uniqueKeysWithValues: data.domainUnits.map { ("\($0.level)|\($0.geoCode)|\($0.dimension)|\($0.domain)", $0.registeredSchools) })
        for r in data.domainRows where (facts["\(r.row.level)|\(r.row.geoCode)|\(r.dimension)|\(r.domain)"] ?? 0) < 5 {
            #expect(r.row.status == .smallArea)
        }
        // The file reads back equal, and export reproduces it exactly.
        let path = f.folder + "/domains.sqlite"
        try ReleaseFile.write(data, to: path)
        #expect(try ReleaseReader.read(path).domainRows == data.domainRows)
        #expect(try f.releaser.data(ofRelease: "2026-Q3-R1") == data)
        // A query by stage answers each part's published value.
        let answers = try QueryEngine(paths: [path]).run(QuerySpec(table: "total", by: ["stage"]))
        for a in answers {
            let row = data.domainRows.first { $0.row.level == .country && $0.dimension == "stage" && $0.domain == a.group[0] }!
            #expect(a.value == row.row.value)
        }
        // A region filter answers that region's parts; an unknown region is refused.
        let region = try #require(data.domainRows.first { $0.row.level == .region && $0.dimension == "stage" }?.row.geoCode)
        let regional = try QueryEngine(paths: [path]).run(QuerySpec(table: "total", by: ["stage"], filters: ["region": [region]]))
        #expect(!regional.isEmpty)
        for a in regional {
            let row = data.domainRows.first { $0.row.geoCode == region && $0.dimension == "stage" && $0.domain == a.group[0] }!
            #expect(a.value == row.row.value)
        }
        #expect(throws: QueryError.self) {
            try QueryEngine(paths: [path]).run(QuerySpec(table: "total", by: ["stage"], filters: ["region": ["XX-NOPE"]]))
        }
        // The incidents of one kind, group and gender by stage: each the country's part's cell;
        // incidents are not broken down for the regions (refused, with the reason).
        let cellRows = data.domainRows.filter { $0.row.tableName == "incidents" && $0.dimension == "stage" }
        let oneCell = try #require(cellRows.first { $0.row.value != nil }?.row.cell)
        let values = oneCell.split(separator: ".").map(String.init)
        let incidents = try #require(f.codebook.table("incidents"))
        let cellFilters = Dictionary(uniqueKeysWithValues: zip(incidents.dimensions, values.map { Set([$0]) }))
        let byStage = try QueryEngine(paths: [path]).run(QuerySpec(table: "incidents", by: ["stage"], filters: cellFilters))
        #expect(!byStage.isEmpty)
        for a in byStage {
            let row = try #require(cellRows.first { $0.domain == a.group[0] && $0.row.cell == oneCell })
            #expect(a.value == row.row.value)
        }
        #expect(throws: QueryError.self) {
            try QueryEngine(paths: [path]).run(QuerySpec(table: "incidents", by: ["region", "stage"], filters: cellFilters))
        }
        // Crossing stage and sector, or a province, is refused with a reason.
        #expect(throws: QueryError.self) {
            try QueryEngine(paths: [path]).run(QuerySpec(table: "total", by: ["stage"], filters: ["sector": ["private"]]))
        }
        #expect(throws: QueryError.self) { try QueryEngine(paths: [path]).run(QuerySpec(table: "total", by: ["province", "stage"])) }
    }

    @Test func domainsNoneWritesNoBreakdownAndUnknownOnesAreRefused() throws {
        let f = try ReleaseFixture(schools: 120)
        var r = ReleaseRequest(period: f.period).with(replicates: 0)
        r.domains = []
        let data = try f.releaser.create(r, entropy: SeededEntropy(seed: 4))
        #expect(data.domainRows.isEmpty && data.domainNoise.isEmpty)
        var bad = ReleaseRequest(period: f.period).with(replicates: 0)
        bad.domains = ["religion"]
        #expect(throws: ReleaseError.self) { try f.releaser.create(bad, entropy: SeededEntropy(seed: 4)) }
        var two = ReleaseRequest(period: f.period).with(replicates: 0)
        two.domainTables = ["total", "incidents", "channels"]
        #expect(throws: ReleaseError.self) { try f.releaser.create(two, entropy: SeededEntropy(seed: 4)) }
        // Refusals spent nothing beyond the first release.
        #expect(try f.releaser.budget(period: f.period).spent == Rho("1")!)
    }
}

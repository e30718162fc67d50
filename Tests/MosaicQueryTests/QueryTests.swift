import Foundation
import GRDB
import MosaicCodebook
import MosaicErrorModel
import MosaicPrivacy
import MosaicReleaseFile
import MosaicStore
import MosaicSynth
import MosaicTestSupport
import Testing

@testable import MosaicQuery
@testable import MosaicRelease

/// Two quarters of a small synthetic country, released to files. The country and its releases
/// are made once per test process (seeded, so always the same) and copied for each fixture.
struct QueryFixture {
    let folder: String
    let store: Store
    var files: [String] = []

    /// The made-once folders, by number of replicates.
    nonisolated(unsafe) static var templates: [Int: String] = [:]
    static let lock = NSLock()

    static func template(replicates: Int) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        if let t = templates[replicates] { return t }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mosaic-query-template-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        do {
            let store = try Store.create(at: folder + "/store.sqlite")
            var config = SynthConfig()
            config.schools = 600
            config.periods = [Period("2026-Q2")!, Period("2026-Q3")!]
            let country = try SyntheticCountry(config: config, codebook: try Codebook.bundled())
            _ = try store.importRegistry(country.schools, source: "r.csv")
            for p in config.periods {
                _ = try store.record(
                    country.submissions(for: p).map { IncomingSubmission(submission: $0, sourceName: "x.csv", sourceFormat: "csv") })
                var request = ReleaseRequest(period: p)
                request.replicates = replicates
                let data = try Releaser(store: store).create(request, entropy: SeededEntropy(seed: UInt64(p.quarter)))
                try ReleaseFile.write(data, to: folder + "/\(p).sqlite")
            }
            try store.database.close()
        }
        templates[replicates] = folder
        return folder
    }

    init(replicates: Int = 0) throws {
        let template = try Self.template(replicates: replicates)
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mosaic-query-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: template) {
            try FileManager.default.copyItem(atPath: template + "/" + name, toPath: folder + "/" + name)
        }
        store = try Store.open(at: folder + "/store.sqlite")
        files = ["2026-Q2", "2026-Q3"].map { folder + "/\($0).sqlite" }
    }
}

@Suite struct QueryTests {
    @Test func aQueryMatchingOnePublishedCellReturnsItExactly() throws {
        let f = try QueryFixture()
        let data = try ReleaseReader.read(f.files[1])
        let cell = try #require(
            data.rows.first { $0.level == .region && $0.tableName == "channels" && $0.status == .published && ($0.value ?? 0) > 0 })
        let answers = try QueryEngine(paths: [f.files[1]]).run(
            QuerySpec(table: "channels", by: ["region"], filters: ["channel": [cell.cell], "region": [cell.geoCode]]))
        #expect(answers.count == 1)
        #expect(answers[0].status == "exact" && answers[0].value == cell.value && answers[0].moe95 == cell.moe95)
    }

    @Test func sumsAddPublishedCellsAndCarryAMarginFromTheErrorModel() throws {
        let f = try QueryFixture()
        let answers = try QueryEngine(paths: [f.files[1]]).run(QuerySpec(table: "channels", by: ["channel"]))
        let data = try ReleaseReader.read(f.files[1])
        for a in answers where a.status == "exact" {
            #expect(a.value == data.rows.first { $0.level == .country && $0.tableName == "channels" && $0.cell == a.group[0] }?.value)
        }
        // The whole table at country level equals the published total (consistency), and its
        // margin is smaller than the sum of the cells' margins (negative correlations).
        let all = try #require(try QueryEngine(paths: [f.files[1]]).run(QuerySpec(table: "channels")).first)
        let total = try #require(data.rows.first { $0.level == .country && $0.tableName == "total" })
        if all.status == "sum" { #expect(all.value == total.value) }
        #expect(all.moe95! < answers.compactMap(\.moe95).reduce(0, +))
        // Two quarters: the variances add.
        let both = try QueryEngine(paths: f.files).run(QuerySpec(table: "channels"))[0]
        #expect(both.moe95! > all.moe95! && both.cells == 2 * all.cells)
        // Without replicates the margin comes from the least-squares error model.
        #expect(try ReleaseReader.read(f.files[1]).replicates.isEmpty)
    }

    /// `--table total` answers the units' totals of affected persons: a unit's own value
    /// exactly, a sum of regions with the total's error model, and the regions of the country add
    /// up to the country's published total.
    @Test func theTotalOfAffectedPersonsIsATableForQueries() throws {
        let f = try QueryFixture()
        let data = try ReleaseReader.read(f.files[1])
        let engine = try QueryEngine(paths: [f.files[1]])
        let country = try #require(data.rows.first { $0.level == .country && $0.tableName == "total" })
        let whole = try #require(try engine.run(QuerySpec(table: "total")).first)
        #expect(whole.status == "exact" && whole.value == country.value && whole.moe95 == country.moe95)
        let byRegion = try engine.run(QuerySpec(table: "total", by: ["region"]))
        let regions = data.rows.filter { $0.level == .region && $0.tableName == "total" }
        #expect(byRegion.count == regions.count)
        for a in byRegion {
            let row = try #require(regions.first { $0.geoCode == a.group[0] })
            #expect(a.value == row.value && a.status == (row.value == nil ? row.status.reason?.rawValue : "exact"))
        }
        let sum = try #require(try engine.run(QuerySpec(table: "total", level: .region)).first)
        if sum.status == "sum" { #expect(sum.value == country.value) }
        #expect(throws: QueryError.self) { try engine.run(QuerySpec(table: "total", by: ["gender"])) }
    }

    @Test func sumMarginsComeFromTheStoredBootstrapReplicates() throws {
        let f = try QueryFixture(replicates: 40)
        let data = try ReleaseReader.read(f.files[1])
        #expect(data.replicates.count == 40)
        let engine = try QueryEngine(paths: [f.files[1]])
        let answer = try engine.run(QuerySpec(table: "tools"))[0]
        // By hand: unit 0 (the country), the 4 cells of tools.
        let codebook = try Codebook.bundled()
        let width = codebook.allCells.count + 1
        let cells = codebook.table("tools")!.cells.map(\.index)
        let sums = data.replicates.map { r in abs(cells.reduce(0) { $0 + Int(r[1 + $1]) }) }.sorted()
        #expect(answer.moe95 == Double(sums[37]))
        #expect(width == 81)
    }

    @Test func suppressedCellsAreFlaggedWithBoundsNeverCountedAsZero() throws {
        let f = try QueryFixture()
        let answers = try QueryEngine(paths: [f.files[1]]).run(QuerySpec(table: "incidents", by: ["province"]))
        let bounded = answers.filter { $0.status == "bounded" }
        #expect(!bounded.isEmpty)
        for a in bounded {
            #expect(a.value == nil && a.suppressed > 0)
            if let upper = a.upper {
                // k = 5: every withheld cell inside is fewer than 5 (0 to 4).
                #expect(upper - a.lower! == a.suppressed * 4)
            } else {
                // A complementary cell (5 or more) inside: no upper end.
                #expect(a.lower! >= 5)
            }
        }
    }

    @Test func sqlCannotChangeAReleaseOrReachOtherFiles() throws {
        let f = try QueryFixture()
        let before = try Data(contentsOf: URL(fileURLWithPath: f.files[1]))
        for sql in [
            "DELETE FROM cells", "UPDATE cells SET value = 0", "DROP TABLE cells", "INSERT INTO metadata VALUES ('x', 'y')",
            "CREATE TABLE t(x)", "ATTACH '\(f.folder)/store.sqlite' AS s", "SELECT load_extension('/tmp/x')",
            "PRAGMA query_only = 0; DELETE FROM cells",
        ] {
            #expect(throws: ReleaseFileError.self, "\(sql)") { _ = try ReleaseReader.sql(f.files[1], sql) }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: f.files[1])) == before)
        let (columns, rows) = try ReleaseReader.sql(f.files[1], "SELECT value FROM metadata WHERE key = 'rho'")
        #expect(columns == ["value"] && rows == [["1"]])
    }

    @Test func theRawStoreIsRefused() throws {
        let f = try QueryFixture()
        #expect(throws: ReleaseFileError.rawStore(f.folder + "/store.sqlite")) { _ = try ReleaseReader.read(f.folder + "/store.sqlite") }
        #expect(throws: ReleaseFileError.self) { _ = try QueryEngine(paths: [f.folder + "/store.sqlite"]) }
        #expect(throws: ReleaseFileError.self) { _ = try ReleaseReader.sql(f.folder + "/store.sqlite", "SELECT * FROM submission") }
    }

    @Test func badQueriesAreExplained() throws {
        let f = try QueryFixture()
        let q = try QueryEngine(paths: [f.files[1]])
        #expect(throws: QueryError.self) { _ = try q.run(QuerySpec(table: "weapons")) }
        #expect(throws: QueryError.self) { _ = try q.run(QuerySpec(table: "incidents", by: ["school"])) }
        #expect(throws: QueryError.self) { _ = try q.run(QuerySpec(table: "incidents", filters: ["gender": ["girl"]])) }
    }

    @Test func exportsWriteTidyFilesAndADataDictionary() throws {
        let f = try QueryFixture()
        let out = f.folder + "/export"
        let files = try ReleaseExport.write(f.files[1], to: out)
        #expect(files.count == 2 * 6 + 3)
        let incidents = try String(contentsOfFile: out + "/incidents.csv", encoding: .utf8)
        #expect(incidents.hasPrefix("period,level,geo_code,geo_name,kind,victim_group,gender,value,moe95,status\n"))
        let dictionary =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/data_dictionary.json"))) as! [String: Any]
        #expect((dictionary["tables"] as! [Any]).count == 6)
        #expect(try String(contentsOfFile: out + "/data_dictionary.md", encoding: .utf8).contains("victim_group"))
    }
}

/// A pooled release in queries: its span is its period; mixing it with a quarter it covers is refused.
@Suite struct PooledQueryTests {
    @Test func aPooledReleaseIsItsOwnPeriodAndNeverAddedToAQuarterItCovers() throws {
        let f = try QueryFixture()
        var request = ReleaseRequest(period: Period("2026-Q3")!)
        request.firstPeriod = Period("2026-Q2")!
        request.replicates = 0
        let data = try Releaser(store: f.store).create(request, entropy: SeededEntropy(seed: 9))
        let path = f.folder + "/pooled.sqlite"
        try ReleaseFile.write(data, to: path)
        let alone = try QueryEngine(paths: [path]).run(QuerySpec(table: "channels", by: ["period"]))
        #expect(alone.map(\.group) == [["2026-Q2..2026-Q3"]])
        #expect(throws: QueryError.self) { _ = try QueryEngine(paths: [path, f.files[1]]) }
        #expect(throws: QueryError.self) { _ = try QueryEngine(paths: [f.files[1], f.files[1]]) }
        // Two quarters that do not overlap still add up.
        #expect(try QueryEngine(paths: f.files).run(QuerySpec(table: "channels", by: ["period"])).count == 2)
    }
}

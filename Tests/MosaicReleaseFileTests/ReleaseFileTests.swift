import Foundation
import MosaicCodebook
import MosaicErrorModel
import MosaicFiles
import Testing

@testable import MosaicReleaseFile

/// A tiny but complete release: a country, one region, one province.
enum TinyRelease {
    static func data(period: String = "2026-Q3") throws -> ReleaseData {
        let codebook = try Codebook.bundled()
        let units = [
            UnitRow(level: .country, geoCode: "ALL", geoName: "All", parentCode: ""),
            UnitRow(level: .region, geoCode: "R1", geoName: "Norte", parentCode: "ALL"),
            UnitRow(level: .province, geoCode: "P1", geoName: "Alta", parentCode: "R1"),
        ]
        var rows: [ReleaseRow] = []
        for u in units {
            rows.append(
                ReleaseRow(
                    period: period, level: u.level, geoCode: u.geoCode, geoName: u.geoName, tableName: "total", cell: "persons",
                    value: 12, moe95: 4.1, status: .published))
            for c in codebook.allCells {
                rows.append(
                    ReleaseRow(
                        period: period, level: u.level, geoCode: u.geoCode, geoName: u.geoName, tableName: c.table, cell: c.code,
                        value: nil, moe95: nil, status: .smallArea))
            }
        }
        var noise: [NoiseRow] = []
        for t in codebook.tables.map(\.name) + ["total"] {
            for l in Level.allCases {
                noise.append(NoiseRow(tableName: t, level: l, sigma2Num: 9, sigma2Den: 2, rhoNano: 5))
            }
        }
        return ReleaseData(
            metadata: [
                ("release_id", "\(period)-R1"), ("period", period), ("codebook_version", "1"), ("k", "5"), ("min_schools", "5"),
                ("rho", "1"),
                ("epsilon", "7.767"),
            ],
            rows: rows, tables: [], coverage: [], units: units, noise: noise)
    }

    static func file(_ data: ReleaseData) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mosaic-rf-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/r.sqlite"
        try ReleaseFile.write(data, to: path)
        return path
    }
}

@Suite struct ReleaseFileTests {
    @Test func aWrittenReleaseReadsBackCheckedAndTyped() throws {
        let data = try TinyRelease.data()
        let path = try TinyRelease.file(data)
        let (read, info) = try ReleaseReader.readChecked(path)
        #expect(read.rows == data.rows && read.units == data.units && read.noise == data.noise)
        #expect(info.releaseID == "2026-Q3-R1" && info.period == Period("2026-Q3")! && info.k == 5 && info.minimumSchools == 5)
        // Opened immutable: nothing is created beside the file.
        let names = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
        #expect(names == ["r.sqlite"], "\(names)")
    }

    @Test func metadataIsCheckedKeyByKey() throws {
        for (key, value, why) in [
            ("period", "2026-Q9", "key period"), ("k", "0", "key k"), ("codebook_version", "7", "key codebook_version"),
            ("min_schools", "x", "key min_schools"),
        ] {
            var data = try TinyRelease.data()
            data.metadata = data.metadata.map { $0.key == key ? (key, value) : $0 }
            let path = try TinyRelease.file(data)
            #expect {
                _ = try ReleaseReader.read(path)
            } throws: { error in
                (error as? ReleaseFileError)?.errorDescription?.contains(why) == true && error.localizedDescription.contains(path)
            }
        }
    }

    @Test func aMissingRowOrAWrongPeriodIsRefused() throws {
        var data = try TinyRelease.data()
        data.rows.removeLast()
        #expect(throws: ReleaseFileError.self) { _ = try ReleaseReader.read(try TinyRelease.file(data)) }
        var other = try TinyRelease.data()
        other.rows[0].period = "2026-Q2"
        #expect(throws: ReleaseFileError.self) { _ = try ReleaseReader.read(try TinyRelease.file(other)) }
    }

    @Test func writingNeverReplacesAFile() throws {
        let data = try TinyRelease.data()
        let path = try TinyRelease.file(data)
        #expect(throws: OutputError.exists(path)) { try ReleaseFile.write(data, to: path) }
    }

    @Test func replicatesRoundTripAsLittleEndianSixteenBits() {
        let r: [Int16] = [0, 1, -1, 32767, -32768, 300]
        #expect(ReleaseFile.decode(ReleaseFile.encode(r)) == r)
        #expect(ReleaseFile.encode([1]) == Data([1, 0]))
    }
}

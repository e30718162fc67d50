import Foundation
import GRDB
import MosaicCodebook
import MosaicCounts
import MosaicIntake
import MosaicRegistry
import MosaicStore

/// A store with three schools: S1 (enrolment 300), S2 (enrolment 10), S3 (closed).
struct Fixture {
    let folder: String
    let store: Store
    let codebook = try! Codebook.bundled()
    /// 2026-08-15, in 2026-Q3.
    let now = Date(timeIntervalSince1970: 1_786_800_000)

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mosaic-intake-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        store = try Store.create(at: folder + "/store.sqlite")
        let schools = [("S1", 300), ("S2", 10), ("S3", 200)].map { id, n in
            School(
                id: id, name: "School \(id)", regionCode: "R1", regionName: "Region", provinceCode: "P1", provinceName: "Province",
                enrolment: n, stage: .secondary, sector: .public)
        }
        _ = try store.importRegistry(schools, source: "r.csv")
        _ = try store.importRegistry(Array(schools.prefix(2)), source: "r2.csv")  // S3 now closed
    }

    /// A consistent submission with `n` persons.
    func submission(_ school: String = "S1", _ period: String = "2026-Q2", persons n: Int = 2) -> Submission {
        var v = [Int](repeating: 0, count: codebook.allCells.count)
        for (t, c) in [
            ("incidents", "shared.pupil_14_15.female"), ("channels", "whatsapp"), ("tools", "nudify"),
            ("perpetrators", "pupil_same_school"), ("responses", "parents_informed"),
        ] {
            v[codebook.cellIndex(table: t, cell: c)!] = n
        }
        return Submission(schoolID: school, period: Period(period)!, codebookVersion: 1, counts: v)
    }

    func csv(_ s: Submission? = nil, labels: Bool = true) -> String {
        CountsFile.write(s ?? submission(), codebook: codebook, format: .csv, labels: labels)
    }

    func json(_ s: Submission? = nil) -> String {
        CountsFile.write(s ?? submission(), codebook: codebook, format: .json)
    }

    func write(_ name: String, _ text: String) -> String { write(name, Array(text.utf8)) }

    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = folder + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    var ingestor: Ingestor {
        var i = Ingestor(store: store)
        i.now = now
        return i
    }

    /// Everything the store holds about submissions, as text, to compare before and after.
    func snapshot() throws -> [String] {
        try store.database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM submission ORDER BY id").map(\.description)
                + Row.fetchAll(db, sql: "SELECT * FROM submission_count ORDER BY submission_id, cell_index").map(\.description)
                + Row.fetchAll(db, sql: "SELECT * FROM school ORDER BY id").map(\.description)
        }
    }
}

extension String {
    /// Replaces the first line that contains `marker` by applying `change` to it.
    func editingLine(containing marker: String, _ change: (String) -> String) -> String {
        var lines = components(separatedBy: "\n")
        if let i = lines.firstIndex(where: { $0.contains(marker) }) { lines[i] = change(lines[i]) }
        return lines.joined(separator: "\n")
    }

    /// The 1-based line number of the first line containing `marker`.
    func lineNumber(containing marker: String) -> Int {
        (components(separatedBy: "\n").firstIndex { $0.contains(marker) } ?? -1) + 1
    }

    func replacingFirst(_ a: String, with b: String) -> String {
        guard let r = range(of: a) else { return self }
        return replacingCharacters(in: r, with: b)
    }
}

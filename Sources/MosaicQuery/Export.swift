import Foundation
import MosaicCodebook
import MosaicFiles
import MosaicReleaseFile
import MosaicText

/// Tidy exports of a release for the tools researchers use: one CSV and one JSON file per
/// codebook table (one column per dimension), the totals and coverage, and a data dictionary.
public enum ReleaseExport {
    /// Writes the export into `folder` (created; existing files are refused). Returns the files written.
    @discardableResult
    public static func write(_ path: String, to folder: String) throws -> [String] {
        let (data, info) = try ReleaseReader.readChecked(path)
        let codebook = try Codebook.bundled(version: info.codebookVersion)
        var files: [(path: String, data: Data)] = []
        func emit(_ name: String, _ text: String) throws {
            files.append(((folder as NSString).appendingPathComponent(name), Data(text.utf8)))
        }
        let base = ["period", "level", "geo_code", "geo_name"]
        for table in codebook.tables + [nil] {
            let name = table?.name ?? "total"
            let dims = table?.dimensions ?? []
            let rows = data.rows.filter { $0.tableName == name }
            var csv = CSVWriter()
            csv.write(base + dims + ["value", "moe95", "status"])
            var json: [[String: Any]] = []
            for r in rows {
                let values: [String] = table.flatMap { t in t.cells.first { $0.code == r.cell }?.values } ?? []
                let place: [String] = [r.period, r.level.rawValue, r.geoCode, CSVWriter.spreadsheetSafe(r.geoName)]
                let figures: [String] = [r.value.map(String.init) ?? "", r.moe95.map(ReleaseFile.formatMargin) ?? "", r.status.rawValue]
                csv.write(place + values + figures)
                var o: [String: Any] = [
                    "period": r.period, "level": r.level.rawValue, "geo_code": r.geoCode, "geo_name": r.geoName,
                    "status": r.status.rawValue,
                    "value": r.value.map { $0 as Any } ?? NSNull(), "moe95": r.moe95.map { $0 as Any } ?? NSNull(),
                ]
                for (d, v) in zip(dims, values) { o[d] = v }
                json.append(o)
            }
            try emit("\(name).csv", csv.text)
            try emit(
                "\(name).json",
                String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self) + "\n")
        }
        try emit("coverage.csv", ReleaseFile.csvCoverage(data))

        // The data dictionary.
        var dictionary: [String: Any] = [:]
        dictionary["release"] = Dictionary(uniqueKeysWithValues: data.metadata.map { ($0.key, $0.value) })
        dictionary["columns"] = [
            "period": "the quarter, YYYY-Qn (incidents counted in the quarter the school learned of them)",
            "level": "country, region or province",
            "geo_code": "the unit's code", "geo_name": "the unit's name",
            "value": "affected persons (whole number of 0 or more); empty when suppressed",
            "moe95": "half-width of the 95 % interval of value; empty when suppressed",
            "status":
                "published, or why the value is withheld: below_k (fewer than k: 1 to k-1, or a zero withheld to protect another value), small_area (a unit with fewer than min_schools registered schools; any value, zero included), complementary (k or more, withheld so that no other withheld value can be computed by subtraction)",
            "registered_schools": "open schools in the registry",
            "registered_enrolment": "pupils in registered schools",
            "coverage_status":
                "band (a 95 % interval [reporting_share_low, reporting_share_high] of the share of registered schools that reported, from a count with random noise drawn once per quarter), or withheld (fewer than 20 open schools); complete (every registered school reported) only in files made before that rule",
            "reporting_share_low": "lower end of the reporting share, percent",
            "reporting_share_high": "upper end of the reporting share, percent",
        ]
        dictionary["tables"] =
            codebook.tables.map { t in
                [
                    "file": "\(t.name).csv / \(t.name).json", "label": t.label.text("en"), "several_per_person": t.multiValued,
                    "dimensions": t.dimensions.map { d in
                        [
                            "name": d, "label": codebook.dimension(d)!.label.text("en"),
                            "values": codebook.dimension(d)!.values.map {
                                ["code": $0.code, "label_en": $0.label.text("en"), "label_es": $0.label.text("es")]
                            },
                        ] as [String: Any]
                    },
                ] as [String: Any]
            } + [
                [
                    "file": "total.csv / total.json", "label": "Affected persons (each single-valued table adds up to it)",
                    "dimensions": [] as [Any],
                ]
            ]
        try emit(
            "data_dictionary.json",
            String(decoding: try JSONSerialization.data(withJSONObject: dictionary, options: [.sortedKeys, .prettyPrinted]), as: UTF8.self)
                + "\n")
        let meta = { (key: String) in Markdown.escape(data.metadata(key) ?? "") }
        var md = "# Data dictionary: release \(meta("release_id")) (\(meta("period")))\n\n"
        md += "\(meta("guarantee"))\n\n\(meta("margins"))\n\n\(meta("suppression"))\n\n"
        md +=
            "## Columns\n\n"
            + (dictionary["columns"] as! [String: String]).sorted { $0.key < $1.key }.map { "- `\($0.key)`: \($0.value)" }.joined(
                separator: "\n") + "\n\n"
        for t in codebook.tables {
            md += "## \(t.name).csv\n\n\(t.label.text("en"))\(t.multiValued ? " (one person may count in several cells)" : "").\n\n"
            for d in t.dimensions {
                let dim = codebook.dimension(d)!
                md +=
                    "- `\(d)` (\(dim.label.text("en"))): "
                    + dim.values.map { "`\($0.code)` \($0.label.text("en"))" }.joined(separator: "; ") + "\n"
            }
            md += "\n"
        }
        md +=
            "## Release parameters\n\n"
            + data.metadata.map { "- \(Markdown.escape($0.key)): \(Markdown.escape($0.value))" }.joined(separator: "\n") + "\n"
        try emit("data_dictionary.md", md)
        let created = try ReleaseFile.prepareFolder(folder)
        do { try AtomicFile.writeAll(files) } catch {
            if created { rmdir(folder) }
            throw error
        }
        return files.map(\.path)
    }
}

import MosaicCodebook
import MosaicText

extension CountsFile {
    /// The two formats a counts file can take.
    public enum Format: String, Sendable, CaseIterable {
        case csv, json
    }

    /// Writes a submission as a counts file. With `labels`, a CSV file carries each cell's label
    /// in `language` (English or Spanish); JSON never carries labels.
    ///
    /// A template is this with every count zero: ``template(school:period:codebook:format:language:)``.
    public static func write(_ s: Submission, codebook: Codebook, format: Format = .csv, labels: Bool = true, language: String = "en")
        -> String
    {
        switch format {
        case .csv:
            var out = directive(codebookVersion: codebook.version) + "\n"
            out += (labels ? csvColumns + ["label"] : csvColumns).joined(separator: ",") + "\n"
            let prefix = CSVWriter.escape(s.schoolID) + "," + s.period.description + ","
            out.reserveCapacity(codebook.allCells.count * (labels ? 110 : 60))
            for cell in codebook.allCells {
                out += prefix
                out += cell.table
                out += ","
                out += cell.code
                out += ","
                out += String(s.counts[cell.index])
                if labels {
                    out += ","
                    out += CSVWriter.escape(codebook.label(of: cell, language: language))
                }
                out += "\n"
            }
            return out
        case .json:
            var out = "{\n  \"format\": \"mosaic-counts\",\n  \"codebook\": \(codebook.version),\n"
            out += "  \"school_id\": \"\(s.schoolID)\",\n  \"period\": \"\(s.period)\",\n  \"counts\": {\n"
            for (ti, table) in codebook.tables.enumerated() {
                out += "    \"\(table.name)\": {\n"
                for (ci, cell) in table.cells.enumerated() {
                    out += "      \"\(cell.code)\": \(s.counts[cell.index])" + (ci + 1 < table.cells.count ? ",\n" : "\n")
                }
                out += "    }" + (ti + 1 < codebook.tables.count ? ",\n" : "\n")
            }
            return out + "  }\n}\n"
        }
    }

    /// A counts file to fill in: every cell of every table, with labels in CSV. The counts are
    /// left blank (empty in CSV, `null` in JSON), so that a file nobody filled in is refused as
    /// incomplete rather than read as "no incidents"; with `nothingToReport`, every count is 0:
    /// the school's explicit report of a quarter without incidents.
    public static func template(
        school: String, period: Period, codebook: Codebook, format: Format = .csv, language: String = "en", nothingToReport: Bool = false
    ) -> String {
        let zeros = Submission(
            schoolID: school, period: period, codebookVersion: codebook.version,
            counts: [Int](repeating: 0, count: codebook.allCells.count))
        let text = write(zeros, codebook: codebook, format: format, labels: true, language: language)
        guard !nothingToReport else { return text }
        switch format {
        case .csv:
            // Every row is "school,period,table,cell,0,label": the count is the fifth field.
            let prefix = CSVWriter.escape(school) + "," + period.description + ","
            return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
                guard line.hasPrefix(prefix),
                    let r = line.range(of: ",0,", range: line.index(line.startIndex, offsetBy: prefix.count)..<line.endIndex)
                else { return String(line) }
                return String(line[..<r.lowerBound]) + ",," + String(line[r.upperBound...])
            }.joined(separator: "\n")
        case .json:
            return text.replacingOccurrences(of: "\": 0,\n", with: "\": null,\n").replacingOccurrences(of: "\": 0\n", with: "\": null\n")
        }
    }
}

import ArgumentParser
import Foundation
import MosaicCodebook
import MosaicCounts
import MosaicFiles
import MosaicIntake
import MosaicRegistry

extension Mosaic {
    struct Template: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a blank counts file for a school: every cell of every table, count 0.")

        @Option(help: "The school's id in the registry.") var school: String
        @Option(help: "The quarter, YYYY-Qn.", transform: parsePeriod) var period: Period
        @Option(help: "csv or json.") var format: CountsFile.Format = .csv
        @Option(help: "Label language for CSV: en or es.") var lang: String = "en"
        @Option(name: .customLong("codebook-version"), help: "The codebook version.") var version: Int = Codebook.latestVersion
        @Option(help: "Write here instead of standard output (refuses to overwrite).") var out: String?

        func validate() throws {
            guard Identifier.isValid(school) else { throw ValidationError("--school must be 1 to 40 letters, digits, '-' or '_'") }
            guard ["en", "es"].contains(lang) else { throw ValidationError("--lang must be en or es") }
        }

        func run() throws {
            let text = CountsFile.template(
                school: school, period: period, codebook: try Codebook.bundled(version: version),
                format: format, language: lang)
            guard let out else {
                print(text, terminator: "")
                return
            }
            try AtomicFile.write(Data(text.utf8), to: out)
            print("Wrote \(out). Fill in the counts (0 for none), then: mosaic validate \(out)")
        }
    }
}

extension CountsFile.Format: ExpressibleByArgument {}

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
            abstract: "Write a counts file for a school to fill in: every cell of every table, counts blank.",
            discussion: """
                Blank counts are refused until filled in, so an untouched file is never read as "no incidents". \
                A school with nothing to report writes 0 everywhere, or asks for --nothing-to-report. With a store \
                (--store or MOSAIC_STORE), the school must be registered and open.
                """)

        @Option(help: "The school's id in the registry.") var school: String
        @Option(help: "The quarter, YYYY-Qn.", transform: parsePeriod) var period: Period
        @Option(help: "csv or json.") var format: CountsFile.Format = .csv
        @Option(help: "Label language for CSV: en or es.") var lang: String = "en"
        @Option(name: .customLong("codebook-version"), help: "The codebook version.") var version: Int = Codebook.latestVersion
        @Option(help: "Write here instead of standard output (refuses to overwrite).") var out: String?
        @Flag(help: "Every count 0: the school's report of a quarter without incidents.") var nothingToReport = false
        @Option(
            name: .customLong("store"),
            help: ArgumentHelp(
                "A store: refuse a school that is not registered and open.", discussion: "Default: $MOSAIC_STORE if set.", valueName: "path"
            ))
        var storePath: String?

        func validate() throws {
            guard Identifier.isValid(school) else { throw ValidationError("--school must be 1 to 40 letters, digits, '-' or '_'") }
            guard ["en", "es"].contains(lang) else { throw ValidationError("--lang must be en or es") }
        }

        func run() throws {
            let current = Period.containing(Date())
            guard period <= current else { throw Refusal("--period \(period) is in the future (the current quarter is \(current))") }
            if let given = storePath ?? ProcessInfo.processInfo.environment["MOSAIC_STORE"] {
                let facts = try StoreOptions(path: given).open().schoolFacts(asOf: period)
                guard let f = facts[school] else {
                    throw Refusal("unknown school \(school): it is not in the registry of \(given) as of \(period)")
                }
                guard f.isOpen else { throw Refusal("school \(school) is marked closed in the registry of \(given) as of \(period)") }
            }
            let text = CountsFile.template(
                school: school, period: period, codebook: try Codebook.bundled(version: version),
                format: format, language: lang, nothingToReport: nothingToReport)
            guard let out else {
                print(text, terminator: "")
                return
            }
            try AtomicFile.write(Data(text.utf8), to: out)
            print(
                nothingToReport
                    ? "Wrote \(out): every count 0 (nothing to report). Check it, then: mosaic validate \(out)"
                    : "Wrote \(out). Fill in every count (0 for none), then: mosaic validate \(out)")
        }
    }
}

extension CountsFile.Format: ExpressibleByArgument {}
